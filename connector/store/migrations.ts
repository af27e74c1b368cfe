// Applies the SQL files in migrations/ in name order, once each, under an advisory lock so replicas can start together.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnerSession } from './owner-session';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');
const LOCK_KEY = 815_247_001;

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/** Every migration shipped with this build, in the order it must be applied. */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/** Applies pending migrations; returns the names applied now. */
export async function applyMigrations(session: OwnerSession, migrations: readonly Migration[] = listMigrations()): Promise<string[]> {
  return session.withOwner(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}

/** True when every shipped migration is recorded as applied. */
export async function migrationsApplied(session: OwnerSession, migrations: readonly Migration[] = listMigrations()): Promise<boolean> {
  return session.withOwner(async (tx) => {
    const exists = await tx.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
    if (!exists[0]?.t) return false;
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    return migrations.every((m) => done.has(m.name));
  });
}
