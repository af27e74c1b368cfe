// Store contract: the same isolation guarantees on PGlite and PostgreSQL, for every tenant table the migrations create.
import { finalStatement, type TenantTxOptions } from '../../connector/store/database';
import { applyMigrations } from '../../connector/store/migrations';
import { InvalidTenantIdError } from '../../connector/store/tenant-guard';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../support/databases';

describe.each(testEngines())('store contract on %s', (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, 'alpha');
    await insertTenantRow(db, 'beta');
    for (const [tenant, key] of [['alpha', 'a1'], ['alpha', 'a2'], ['beta', 'b1']]) {
      await db.withTenant(tenant, (tx) =>
        tx.query("INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ($1, $2, $2, 'admin', 'h', 'test')", [tenant, key]),
      );
    }
  });

  afterAll(async () => {
    await db.close();
  });

  it('a query without WHERE inside tenant A returns none of B’s rows', async () => {
    const rows = await db.withTenant('alpha', (tx) => tx.query<{ tenant_id: string; id: string }>('SELECT tenant_id, id FROM api_keys ORDER BY id'));
    expect(rows).toEqual([{ tenant_id: 'alpha', id: 'a1' }, { tenant_id: 'alpha', id: 'a2' }]);
    const beta = await db.withTenant('beta', (tx) => tx.query<{ id: string }>('SELECT id FROM api_keys'));
    expect(beta.map((r) => r.id)).toEqual(['b1']);
  });

  it('an insert with B’s tenant_id from A’s transaction is rejected', async () => {
    await expect(
      db.withTenant('alpha', (tx) =>
        tx.query("INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ('beta', 'x', 'x', 'admin', 'h', 't')"),
      ),
    ).rejects.toThrow(/row-level security/);
    const beta = await db.withTenant('beta', (tx) => tx.query<{ id: string }>('SELECT id FROM api_keys'));
    expect(beta.map((r) => r.id)).toEqual(['b1']);
  });

  it('an update cannot move a row to another tenant, nor touch another tenant’s rows', async () => {
    await expect(db.withTenant('alpha', (tx) => tx.query("UPDATE api_keys SET tenant_id = 'beta' WHERE id = 'a1'"))).rejects.toThrow(/row-level security/);
    const touched = await db.withTenant('alpha', (tx) => tx.query("UPDATE api_keys SET name = 'hacked' WHERE id = 'b1' RETURNING id"));
    expect(touched).toEqual([]);
  });

  it('a system transaction commits durably unless asked not to (only the replay cache asks), and stays the app role', async () => {
    const setting = (durable?: boolean) => db.withSystem((tx) => tx.query<{ sc: string; role: string }>("SELECT current_setting('synchronous_commit') AS sc, current_user AS role"), durable === undefined ? undefined : { durable });
    expect(await setting()).toEqual([{ sc: 'on', role: 'pcf_app' }]);
    expect(await setting(true)).toEqual([{ sc: 'on', role: 'pcf_app' }]);
    expect(await setting(false)).toEqual([{ sc: 'off', role: 'pcf_app' }]);
    // SET LOCAL ends with its transaction: the pooled connection goes back to durable commits.
    expect(await setting()).toEqual([{ sc: 'on', role: 'pcf_app' }]);
  });

  it('a tenant transaction commits durably unless asked not to (processor saves), with or without a guard, and stays tenant-bound', async () => {
    const read = "SELECT current_setting('synchronous_commit') AS sc, current_user AS role, current_setting('app.tenant_id') AS tenant";
    const setting = (options?: TenantTxOptions) => db.withTenant('alpha', (tx) => tx.query<{ sc: string; role: string; tenant: string }>(read), options);
    expect(await setting()).toEqual([{ sc: 'on', role: 'pcf_app', tenant: 'alpha' }]);
    expect(await setting({ durable: true })).toEqual([{ sc: 'on', role: 'pcf_app', tenant: 'alpha' }]);
    expect(await setting({ durable: false })).toEqual([{ sc: 'off', role: 'pcf_app', tenant: 'alpha' }]);
    // The guard's statement travels in the opening round trip with the setting.
    let settled: boolean | undefined;
    const guard = { take: () => ({ sql: 'SELECT 1', params: [] }), settle: (committed: boolean) => { settled = committed; } };
    expect(await setting({ durable: false, guard })).toEqual([{ sc: 'off', role: 'pcf_app', tenant: 'alpha' }]);
    expect(settled).toBe(true);
    expect(await setting()).toEqual([{ sc: 'on', role: 'pcf_app', tenant: 'alpha' }]);
  });

  it('forgetting the tenant is an error, not "all tenants"', async () => {
    await expect(db.withSystem((tx) => tx.query('SELECT * FROM api_keys'))).rejects.toThrow(/no tenant is set/);
  });

  it('refuses a malformed tenant id before any SQL runs', async () => {
    await expect(db.withTenant("x'; DROP TABLE tenants; --", async () => 1)).rejects.toBeInstanceOf(InvalidTenantIdError);
    await expect(db.withTenant('', async () => 1)).rejects.toBeInstanceOf(InvalidTenantIdError);
  });

  it('a tenant transaction sees only its own tenant record; system transactions see all', async () => {
    const own = await db.withTenant('alpha', (tx) => tx.query<{ id: string }>('SELECT id FROM tenants'));
    expect(own.map((r) => r.id)).toEqual(['alpha']);
    const all = await db.withSystem((tx) => tx.query<{ id: string }>('SELECT id FROM tenants ORDER BY id'));
    expect(all.map((r) => r.id)).toEqual(['alpha', 'beta']);
    await expect(db.withTenant('alpha', (tx) => tx.query("UPDATE tenants SET display_name = 'x' WHERE id = 'alpha'"))).rejects.toThrow(/row-level security/);
  });

  it('rolls back everything when the work throws', async () => {
    await expect(
      db.withTenant('alpha', async (tx) => {
        await tx.query("INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ('alpha', 'tmp', 'tmp', 'viewer', 'h', 't')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await db.withTenant('alpha', (tx) => tx.query("SELECT id FROM api_keys WHERE id = 'tmp'"));
    expect(rows).toEqual([]);
  });

  it('deferred statements run at COMMIT in order, under the tenant binding, and not at all when the work throws', async () => {
    const insert = "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ($1, $2, $3, 'viewer', 'h', 't')";
    const seen = await db.withTenant('alpha', async (tx) => {
      tx.defer(insert, ['alpha', 'd1', 'first']);
      tx.defer("UPDATE api_keys SET name = name || ' then second' WHERE id = $1", ['d1']);
      // Not yet run: the work does not see its own deferred rows.
      return tx.query("SELECT id FROM api_keys WHERE id = 'd1'");
    });
    expect(seen).toEqual([]);
    expect(await db.withTenant('alpha', (tx) => tx.query("SELECT name FROM api_keys WHERE id = 'd1'"))).toEqual([{ name: 'first then second' }]);
    await expect(db.withTenant('alpha', async (tx) => {
      tx.defer(insert, ['alpha', 'd2', 'never']);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await db.withTenant('alpha', (tx) => tx.query("SELECT id FROM api_keys WHERE id = 'd2'"))).toEqual([]);
  });

  it('a failing deferred statement rolls the whole transaction back and rejects', async () => {
    const insert = "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ($1, $2, $2, 'viewer', 'h', 't')";
    // Another tenant's row (row-level security), and a NUL byte (not inlinable: the extended-protocol fallback).
    await expect(db.withTenant('alpha', async (tx) => {
      await tx.query(insert, ['alpha', 'd3']);
      tx.defer(insert, ['beta', 'd4']);
    })).rejects.toThrow(/row-level security/);
    await expect(db.withTenant('alpha', async (tx) => {
      tx.defer(insert, ['alpha', 'd5']);
      tx.defer(insert, ['alpha', 'd6\u0000']);
    })).rejects.toThrow();
    const rows = await db.withOwner((tx) => tx.query("SELECT id FROM api_keys WHERE id IN ('d3', 'd4', 'd5') ORDER BY id"));
    expect(rows).toEqual([]);
    // A transaction of nothing but a failing deferred statement: rolled back, and its connection is clean for the next
    // transactions (more of them than the pool has connections).
    await expect(db.withTenant('alpha', async (tx) => tx.defer(insert, ['beta', 'd8']))).rejects.toThrow(/row-level security/);
    for (let i = 0; i < 6; i++) expect(await db.withTenant('alpha', (tx) => tx.query("SELECT id FROM api_keys WHERE id = 'd8'"))).toEqual([]);
    // Deferred statements alone still commit (the transaction opens with them).
    await db.withTenant('alpha', async (tx) => tx.defer(insert, ['alpha', 'd7']));
    expect(await db.withTenant('alpha', (tx) => tx.query("SELECT id FROM api_keys WHERE id = 'd7'"))).toEqual([{ id: 'd7' }]);
  });

  it('a statement marked last commits with it; nothing may follow it; its failure rolls the transaction back', async () => {
    const insert = "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ($1, $2, $2, 'viewer', 'h', 't') RETURNING id";
    const first = await db.withTenant('alpha', (tx) => tx.query(insert, ['alpha', 'l1'], { last: true }));
    expect(first).toEqual([{ id: 'l1' }]);
    const second = await db.withTenant('alpha', async (tx) => {
      await tx.query(insert, ['alpha', 'l2']);
      return tx.query(insert, ['alpha', 'l3'], { last: true });
    });
    expect(second).toEqual([{ id: 'l3' }]);
    await expect(db.withTenant('alpha', async (tx) => {
      await tx.query(insert, ['alpha', 'l4']);
      await tx.query(insert, ['beta', 'l5'], { last: true });
    })).rejects.toThrow(/row-level security/);
    // A statement after the last one is a programming error on both engines (on PostgreSQL the COMMIT has already gone).
    await expect(db.withTenant('alpha', async (tx) => {
      await tx.query(insert, ['alpha', 'l6'], { last: true });
      await tx.query(insert, ['alpha', 'l7']);
    })).rejects.toThrow(/after the transaction's last/);
    // finalStatement(tx) marks the next statement as the last one.
    expect(await db.withTenant('alpha', (tx) => finalStatement(tx).query(insert, ['alpha', 'l8']))).toEqual([{ id: 'l8' }]);
    await expect(db.withTenant('alpha', async (tx) => {
      const last = finalStatement(tx);
      await last.query(insert, ['alpha', 'l9']);
      await last.query(insert, ['alpha', 'l10']);
    })).rejects.toThrow(/after the transaction's last/);
    const rows = await db.withTenant('alpha', (tx) => tx.query<{ id: string }>("SELECT id FROM api_keys WHERE id LIKE 'l%' ORDER BY id"));
    expect(rows.map((r) => r.id)).toEqual(engine === 'postgres' ? ['l1', 'l2', 'l3', 'l6', 'l8', 'l9'] : ['l1', 'l2', 'l3', 'l8']);
  });

  it('a guard statement opens the transaction, commits or rolls back with the work, and runs even when the work issues none', async () => {
    const insert = "INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ($1, $2, $2, 'viewer', 'h', 't')";
    const outcomes: string[] = [];
    const guard = (id: string, pad = '') => {
      let taken = false;
      return {
        take: () => (taken ? undefined : ((taken = true), { sql: `${insert} ${pad === '' ? '' : 'RETURNING $3::text'}`.trim(), params: pad === '' ? ['alpha', id] : ['alpha', id, pad] })),
        settle: (committed: boolean, error?: unknown) => void outcomes.push(`${id}:${committed ? 'committed' : `rolled back (${(error as Error).message.slice(0, 19)})`}`),
      };
    };
    const ids = () => db.withTenant('alpha', async (tx) => (await tx.query<{ id: string }>("SELECT id FROM api_keys WHERE id LIKE 'g%' ORDER BY id")).map((r) => r.id));
    // Commits with the work's statements (first, last, deferred), and alone when the work issues none.
    await db.withTenant('alpha', async (tx) => {
      await tx.query(insert, ['alpha', 'g1-work']);
      tx.defer(insert, ['alpha', 'g1-deferred']);
    }, { guard: guard('g1') });
    await db.withTenant('alpha', (tx) => tx.query(insert, ['alpha', 'g2-last'], { last: true }), { guard: guard('g2') });
    await db.withTenant('alpha', async () => undefined, { guard: guard('g3') });
    // Taken once: the same guard in a second transaction adds nothing.
    const once = guard('g4');
    await db.withTenant('alpha', async () => undefined, { guard: once });
    await db.withTenant('alpha', (tx) => tx.query(insert, ['alpha', 'g4-second']), { guard: once });
    // A parameter too long to inline: the guard statement still runs first, in the same transaction.
    await db.withTenant('alpha', (tx) => tx.query(insert, ['alpha', 'g5-work']), { guard: guard('g5', 'x'.repeat(9000)) });
    expect(await ids()).toEqual(['g1', 'g1-deferred', 'g1-work', 'g2', 'g2-last', 'g3', 'g4', 'g4-second', 'g5', 'g5-work']);
    // The work throws: the guard's row is rolled back too. The guard fails: the work's rows are rolled back.
    await expect(db.withTenant('alpha', async (tx) => {
      await tx.query(insert, ['alpha', 'g6-work']);
      throw new Error('work failed');
    }, { guard: guard('g6') })).rejects.toThrow('work failed');
    await expect(db.withTenant('alpha', (tx) => tx.query(insert, ['alpha', 'g7-work']), { guard: guard('g1') })).rejects.toThrow(/duplicate key/);
    await expect(db.withTenant('alpha', async () => undefined, { guard: guard('g2') })).rejects.toThrow(/duplicate key/);
    expect(await ids()).toEqual(['g1', 'g1-deferred', 'g1-work', 'g2', 'g2-last', 'g3', 'g4', 'g4-second', 'g5', 'g5-work']);
    expect(outcomes).toEqual([
      'g1:committed', 'g2:committed', 'g3:committed', 'g4:committed', 'g5:committed',
      'g6:rolled back (work failed)', 'g1:rolled back (duplicate key value)', 'g2:rolled back (duplicate key value)',
    ]);
  });

  it('the application role cannot edit or delete audit rows', async () => {
    await expect(db.withTenant('alpha', (tx) => tx.query("UPDATE audit_log SET actor = 'x'"))).rejects.toThrow(/permission denied/);
    await expect(db.withTenant('alpha', (tx) => tx.query('DELETE FROM audit_log'))).rejects.toThrow(/permission denied/);
    await expect(db.withSystem((tx) => tx.query('DELETE FROM operator_audit_log'))).rejects.toThrow(/permission denied/);
  });

  it('every table with a tenant_id column has tenant_id NOT NULL and forced row-level security', async () => {
    const tables = await db.withOwner((tx) =>
      tx.query<{ table_name: string; is_nullable: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>(
        `SELECT c.table_name, c.is_nullable, k.relrowsecurity, k.relforcerowsecurity,
                (SELECT count(*) FROM pg_policy p WHERE p.polrelid = k.oid)::int AS policies
           FROM information_schema.columns c
           JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = current_schema()::regnamespace
          WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() AND k.relkind = 'r'
          ORDER BY c.table_name`,
      ),
    );
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const t of tables) {
      expect({ table: t.table_name, nullable: t.is_nullable, rls: t.relrowsecurity, forced: t.relforcerowsecurity, hasPolicy: t.policies > 0 }).toEqual({
        table: t.table_name, nullable: 'NO', rls: true, forced: true, hasPolicy: true,
      });
    }
  });

  it('applying migrations again changes nothing', async () => {
    expect(await applyMigrations(db)).toEqual([]);
    expect(await db.isReady()).toBe(true);
  });
});
