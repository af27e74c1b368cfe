// BPN ↔ DID directory on SQL: our tenants' entries derived from the tenant registry, partners' entries from the operator's table.
import { fail, ok, type Result } from '../../common/result';
import { identityFailure } from '../failures';
import { BPNL_PATTERN, type BpnDirectory } from '../bpn-directory';
import { tenantDid } from '../did-web';
import type { Database } from '../../store/database';

export type DirectoryEntrySource = 'tenant' | 'operator';

export interface DirectoryEntry {
  readonly bpn: string;
  readonly did: string;
  /** `tenant`: one of our tenants (follows onboarding/erasure, read-only here); `operator`: a partner entry. */
  readonly source: DirectoryEntrySource;
  readonly tenantId?: string;
}

/** The directory the identity module serves to the DSP layer and manages through operator routes. */
export interface SqlBpnDirectory extends BpnDirectory {
  /** The entry of `bpn`, with its source. */
  entry(bpn: string): Promise<DirectoryEntry | undefined>;
  /** Every entry with its source, ordered by BPN. */
  list(): Promise<DirectoryEntry[]>;
  /**
   * Registers or replaces a partner mapping. `bpn-invalid`/`did-invalid` (400) for malformed input; a `conflict`
   * failure when the BPN or DID belongs to one of our tenants or the DID is already mapped to another BPN.
   */
  put(bpn: string, did: string): Promise<Result<{ created: boolean }>>;
  /** Removes a partner mapping; `not-found` when absent, `conflict` for a tenant's own entry. */
  remove(bpn: string): Promise<Result<true>>;
  /** Deletes partner entries that clash with a tenant's own BPN or DID (the tenant is authoritative); returns how many. */
  supersede(bpn: string, did: string): Promise<number>;
  /** Forgets the cached snapshot (this replica); other replicas pick changes up within the cache TTL. */
  invalidate(): void;
}

interface Snapshot {
  readonly byBpn: Map<string, DirectoryEntry>;
  readonly byDid: Map<string, DirectoryEntry>;
  readonly expiresAt: number;
}

const DID_PATTERN = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

export function createSqlBpnDirectory(deps: { db: Pick<Database, 'withSystem'>; publicBaseUrl: string; now: () => Date; cacheTtlMs?: number }): SqlBpnDirectory {
  const ttl = deps.cacheTtlMs ?? 30_000;
  let snapshot: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;

  async function load(): Promise<Snapshot> {
    const { tenants, partners } = await deps.db.withSystem(async (tx) => ({
      tenants: await tx.query<{ id: string; bpn: string }>("SELECT id, bpn FROM tenants WHERE status = 'active' ORDER BY id"),
      partners: await tx.query<{ bpn: string; did: string }>('SELECT bpn, did FROM identity_bpn_directory ORDER BY bpn'),
    }));
    const byBpn = new Map<string, DirectoryEntry>();
    const byDid = new Map<string, DirectoryEntry>();
    for (const t of tenants) {
      const e: DirectoryEntry = { bpn: t.bpn, did: tenantDid(deps.publicBaseUrl, t.id), source: 'tenant', tenantId: t.id };
      byBpn.set(e.bpn, e);
      byDid.set(e.did, e);
    }
    for (const p of partners) {
      if (byBpn.has(p.bpn) || byDid.has(p.did)) continue;
      const e: DirectoryEntry = { bpn: p.bpn, did: p.did, source: 'operator' };
      byBpn.set(e.bpn, e);
      byDid.set(e.did, e);
    }
    return { byBpn, byDid, expiresAt: deps.now().getTime() + ttl };
  }

  async function current(): Promise<Snapshot> {
    if (snapshot !== undefined && snapshot.expiresAt > deps.now().getTime()) return snapshot;
    if (loading === undefined) {
      const pending = load().then(
        (s) => {
          if (loading === pending) snapshot = s;
          return s;
        },
      ).finally(() => {
        if (loading === pending) loading = undefined;
      });
      loading = pending;
    }
    return loading;
  }

  function invalidate(): void {
    snapshot = undefined;
    loading = undefined;
  }

  return {
    async didOf(bpn) {
      return (await current()).byBpn.get(bpn)?.did;
    },
    async bpnOf(did) {
      return (await current()).byDid.get(did)?.bpn;
    },
    async entries() {
      return Object.fromEntries([...(await current()).byBpn.values()].map((e) => [e.bpn, e.did]));
    },
    async entry(bpn) {
      return (await current()).byBpn.get(bpn);
    },
    async list() {
      return [...(await current()).byBpn.values()].sort((a, b) => a.bpn.localeCompare(b.bpn));
    },
    async put(bpn, did) {
      if (!BPNL_PATTERN.test(bpn)) return identityFailure('bpn-invalid', 'BPN must match BPNL + 12 upper-case letters or digits');
      if (did.length > 2048 || !DID_PATTERN.test(did)) return identityFailure('did-invalid', 'not a DID');
      invalidate();
      const snap = await current();
      const byBpn = snap.byBpn.get(bpn);
      const byDid = snap.byDid.get(did);
      if (byBpn?.source === 'tenant' || byDid?.source === 'tenant') return fail('conflict', 'the BPN or DID belongs to a tenant of this connector; it follows onboarding');
      if (byDid !== undefined && byDid.bpn !== bpn) return fail('conflict', `the DID is already mapped to ${byDid.bpn}`);
      const rows = await deps.db.withSystem((tx) =>
        tx.query<{ inserted: boolean }>(
          `INSERT INTO identity_bpn_directory (bpn, did, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (bpn) DO UPDATE SET did = EXCLUDED.did, updated_at = EXCLUDED.updated_at
           RETURNING (xmax = 0) AS inserted`,
          [bpn, did, deps.now().toISOString()],
        ),
      );
      invalidate();
      return ok({ created: rows[0]?.inserted === true });
    },
    async remove(bpn) {
      invalidate();
      if ((await current()).byBpn.get(bpn)?.source === 'tenant') return fail('conflict', 'the BPN belongs to a tenant of this connector; it is removed at offboarding');
      const rows = await deps.db.withSystem((tx) => tx.query('DELETE FROM identity_bpn_directory WHERE bpn = $1 RETURNING bpn', [bpn]));
      invalidate();
      return rows.length === 1 ? ok(true as const) : fail('not-found', `no directory entry for ${bpn}`);
    },
    async supersede(bpn, did) {
      const rows = await deps.db.withSystem((tx) => tx.query('DELETE FROM identity_bpn_directory WHERE bpn = $1 OR did = $2 RETURNING bpn', [bpn, did]));
      invalidate();
      return rows.length;
    },
    invalidate,
  };
}
