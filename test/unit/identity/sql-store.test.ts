// Migration 0300 on the real PostgreSQL (scratch schema): RLS set-up, held-credential repository, SQL jti replay store.
import { createSqlHeldCredentialRepository, type HeldCredential } from '../../../connector/identity/held-credential-repository';
import { createInMemoryJtiReplayStore, createSqlJtiReplayStore, type JtiReplayStore } from '../../../connector/identity/jti-replay-store';
import { createScratchDb, type ScratchDb } from './support/scratch-db';

let db: ScratchDb;
const repo = createSqlHeldCredentialRepository();

beforeAll(async () => {
  db = await createScratchDb();
  await db.addTenant('t1');
  await db.addTenant('t2');
});

afterAll(async () => {
  await db?.drop();
});

const cred = (id: string, types: string[], extra: Partial<HeldCredential> = {}): HeldCredential => ({
  id,
  types: ['VerifiableCredential', ...types],
  issuer: 'did:web:issuer.example',
  format: 'jwt_vc',
  raw: `jwt-${id}`,
  ...extra,
});

describe('migration 0300', () => {
  it('enables and forces row-level security with the tenant policy on the tenant table only', async () => {
    const rows = await db.raw<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname LIKE 'identity_%' AND c.relkind = 'r' ORDER BY c.relname`,
      [db.schema],
    );
    expect(rows).toEqual([
      { relname: 'identity_held_credentials', relrowsecurity: true, relforcerowsecurity: true },
      { relname: 'identity_jti_replay', relrowsecurity: false, relforcerowsecurity: false },
    ]);
    const policies = await db.raw<{ qual: string; with_check: string }>('SELECT qual, with_check FROM pg_policies WHERE schemaname = $1 AND tablename = $2', [db.schema, 'identity_held_credentials']);
    expect(policies).toHaveLength(1);
    expect(policies[0].qual).toContain('app_current_tenant()');
    expect(policies[0].with_check).toContain('app_current_tenant()');
  });

  it('refuses rows for unknown tenants (foreign key)', async () => {
    await expect(db.withTenant('ghost', (tx) => repo.save(tx, cred('g', ['MembershipCredential'])))).rejects.toThrow(/foreign key/);
  });
});

describe('held credential repository', () => {
  it('saves, upserts, finds by type and id, lists and removes, per tenant', async () => {
    const validUntil = new Date('2030-01-01T00:00:00Z');
    await db.withTenant('t1', async (tx) => {
      await repo.save(tx, cred('m1', ['MembershipCredential'], { validUntil }));
      await repo.save(tx, cred('b1', ['BpnCredential']));
      await repo.save(tx, cred('d1', ['DataExchangeGovernanceCredential']));
      await repo.save(tx, cred('b1', ['BpnCredential'], { raw: 'jwt-b1-v2' }));
    });
    await db.withTenant('t2', (tx) => repo.save(tx, cred('m1', ['MembershipCredential'], { raw: 'jwt-t2' })));

    await db.withTenant('t1', async (tx) => {
      const byType = await repo.findByTypes(tx, ['MembershipCredential', 'BpnCredential']);
      expect(byType.map((c) => [c.id, c.raw])).toEqual([['b1', 'jwt-b1-v2'], ['m1', 'jwt-m1']]);
      expect(byType[1].validUntil?.toISOString()).toBe(validUntil.toISOString());
      expect(byType[1].validFrom).toBeUndefined();
      expect((await repo.findByIds(tx, ['d1', 'zz'])).map((c) => c.id)).toEqual(['d1']);
      expect(await repo.findByTypes(tx, [])).toEqual([]);
      expect((await repo.list(tx)).map((c) => c.id)).toEqual(['b1', 'd1', 'm1']);
    });
    await db.withTenant('t2', async (tx) => {
      expect((await repo.list(tx)).map((c) => c.raw)).toEqual(['jwt-t2']);
      expect(await repo.remove(tx, 'b1')).toBe(false);
      expect(await repo.remove(tx, 'm1')).toBe(true);
    });
    await db.withTenant('t1', async (tx) => expect((await repo.list(tx)).length).toBe(3));
  });
});

describe.each([
  ['sql', () => createSqlJtiReplayStore({ db, now })],
  ['in-memory', () => createInMemoryJtiReplayStore({ now })],
])('jti replay store (%s)', (_name, make) => {
  let store: JtiReplayStore;
  beforeEach(() => {
    clock.ms = Date.UTC(2026, 0, 1);
    store = make();
  });

  it('accepts a jti once per audience until it expires', async () => {
    const exp = new Date(clock.ms + 60_000);
    expect(await store.remember('did:web:a', 'j1', exp)).toBe(true);
    expect(await store.remember('did:web:a', 'j1', exp)).toBe(false);
    expect(await store.remember('did:web:b', 'j1', exp)).toBe(true);
    clock.ms += 61_000;
    expect(await store.remember('did:web:a', 'j1', new Date(clock.ms + 60_000))).toBe(true);
    expect(await store.remember('did:web:a', 'j1', new Date(clock.ms + 60_000))).toBe(false);
  });

  it('accepts exactly one of concurrent attempts and purges expired entries', async () => {
    const exp = new Date(clock.ms + 1000);
    const results = await Promise.all([1, 2, 3, 4].map(() => store.remember('did:web:c', 'race', exp)));
    expect(results.filter(Boolean)).toHaveLength(1);
    clock.ms += 2000;
    expect(await store.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await store.purgeExpired()).toBe(0);
  });
});

const clock = { ms: 0 };
function now(): Date {
  return new Date(clock.ms);
}
