// SI-token ids admitted in the transaction of a request's effects: recorded once, a replay aborts the transaction and its effects.
import { createInMemoryJtiReplayStore, createSqlJtiReplayStore, isReplayedError } from '../../connector/identity/jti-replay-store';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../support/databases';

describe.each(testEngines())('jti admission on %s', (engine) => {
  let db: TestDatabase;
  const clock = { ms: Date.UTC(2026, 11, 7) };
  const now = (): Date => new Date(clock.ms);

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, 'alpha');
  });

  afterAll(async () => {
    await db.close();
  });

  const effect = (id: string) => (tx: { query: (sql: string, params: unknown[]) => Promise<unknown> }) =>
    tx.query("INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ('alpha', $1, $1, 'viewer', 'h', 't')", [id]);
  const effects = async () => (await db.withTenant('alpha', (tx) => tx.query<{ id: string }>("SELECT id FROM api_keys WHERE id LIKE 'adm-%' ORDER BY id"))).map((r) => r.id);

  it('records a fresh id with the effects; a replay aborts its transaction, effects included', async () => {
    const store = createSqlJtiReplayStore({ db, now });
    const exp = new Date(clock.ms + 60_000);
    const first = store.admit('did:web:a', 'j-1', exp);
    expect(first.state).toBe('open');
    await db.withTenant('alpha', effect('adm-1'), { guard: first });
    expect(first.state).toBe('recorded');
    expect(await first.confirm()).toBe(true);

    const replay = store.admit('did:web:a', 'j-1', exp);
    const failed = await db.withTenant('alpha', effect('adm-2'), { guard: replay }).catch((err: unknown) => err);
    expect(isReplayedError(failed)).toBe(true);
    expect(replay.state).toBe('replayed');
    expect(await replay.confirm()).toBe(false);
    // The same id for another audience is another token.
    await db.withTenant('alpha', effect('adm-3'), { guard: store.admit('did:web:b', 'j-1', exp) });
    expect(await effects()).toEqual(['adm-1', 'adm-3']);
    expect(await store.remember('did:web:a', 'j-1', exp)).toBe(false);
  });

  it('leaves the id open when the transaction fails for another reason, so confirm records it then', async () => {
    const store = createSqlJtiReplayStore({ db, now });
    const exp = new Date(clock.ms + 60_000);
    const admission = store.admit('did:web:a', 'j-2', exp);
    await expect(db.withTenant('alpha', async (tx) => {
      await effect('adm-4')(tx);
      throw new Error('work failed');
    }, { guard: admission })).rejects.toThrow('work failed');
    expect(admission.state).toBe('open');
    expect(await admission.confirm()).toBe(true);
    expect(await admission.confirm()).toBe(true);
    expect(await store.admit('did:web:a', 'j-2', exp).confirm()).toBe(false);
    expect(await effects()).not.toContain('adm-4');
  });

  it('takes its statement once: a second transaction of the same request does not record it again', async () => {
    const store = createSqlJtiReplayStore({ db, now });
    const admission = store.admit('did:web:a', 'j-3', new Date(clock.ms + 60_000));
    await db.withTenant('alpha', effect('adm-5'), { guard: admission });
    await db.withTenant('alpha', effect('adm-6'), { guard: admission });
    expect(await effects()).toEqual(expect.arrayContaining(['adm-5', 'adm-6']));
  });

  it('admits an id again once its entry has expired', async () => {
    const store = createSqlJtiReplayStore({ db, now });
    await db.withTenant('alpha', effect('adm-7'), { guard: store.admit('did:web:a', 'j-4', new Date(clock.ms + 1_000)) });
    clock.ms += 2_000;
    const again = store.admit('did:web:a', 'j-4', new Date(clock.ms + 60_000));
    await db.withTenant('alpha', effect('adm-8'), { guard: again });
    expect(again.state).toBe('recorded');
  });

  it('in memory (one process), decides at admission', async () => {
    const store = createInMemoryJtiReplayStore({ now });
    const exp = new Date(clock.ms + 60_000);
    const first = store.admit('did:web:a', 'm-1', exp);
    expect([first.state, first.take()]).toEqual(['recorded', undefined]);
    const replay = store.admit('did:web:a', 'm-1', exp);
    expect(replay.state).toBe('replayed');
    expect(await replay.confirm()).toBe(false);
  });
});
