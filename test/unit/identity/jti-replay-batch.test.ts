// SQL jti replay store with group commit, on both engines: one transaction when serial, shared ones when concurrent, same answers.
import { createSqlJtiReplayStore } from '../../../connector/identity/jti-replay-store';
import type { Database } from '../../../connector/store/database';
import { openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

describe.each(testEngines())('jti replay store group commit on %s', (engine) => {
  let db: TestDatabase;
  const clock = { ms: Date.UTC(2026, 0, 1) };
  const now = () => new Date(clock.ms);
  let transactions = 0;
  const counted: Pick<Database, 'withSystem'> = {
    withSystem: (work) => {
      transactions++;
      return db.withSystem(work);
    },
  };

  beforeAll(async () => {
    db = await openTestDatabase(engine);
  }, 60_000);
  afterAll(async () => db?.close());
  beforeEach(() => {
    transactions = 0;
  });

  it('a serial caller pays one transaction per jti', async () => {
    const store = createSqlJtiReplayStore({ db: counted, now });
    const exp = new Date(clock.ms + 60_000);
    expect(await store.remember('did:web:s', 'j1', exp)).toBe(true);
    expect(await store.remember('did:web:s', 'j2', exp)).toBe(true);
    expect(await store.remember('did:web:s', 'j1', exp)).toBe(false);
    expect(transactions).toBe(3);
  });

  it('concurrent calls share transactions; each distinct jti is accepted once, repeats in and across batches are replays', async () => {
    const store = createSqlJtiReplayStore({ db: counted, now, maxConcurrentWrites: 1, maxBatch: 16 });
    const exp = new Date(clock.ms + 60_000);
    await store.remember('did:web:c', 'old', exp);
    transactions = 0;
    const calls = [
      ...Array.from({ length: 40 }, (_, i) => ['did:web:c', `n${i}`] as const),
      ['did:web:c', 'n3'] as const,
      ['did:web:c', 'n3'] as const,
      ['did:web:other', 'n3'] as const,
      ['did:web:c', 'old'] as const,
    ];
    const results = await Promise.all(calls.map(([aud, jti]) => store.remember(aud, jti, exp)));
    expect(results.slice(0, 40).every(Boolean)).toBe(true);
    expect(results.slice(40)).toEqual([false, false, true, false]);
    expect(transactions).toBeLessThanOrEqual(5);
    // Expired entries may be reused, also within a batch.
    clock.ms += 61_000;
    const again = await Promise.all([store.remember('did:web:c', 'n1', new Date(clock.ms + 60_000)), store.remember('did:web:c', 'n1', new Date(clock.ms + 60_000))]);
    expect(again.filter(Boolean)).toHaveLength(1);
  });

  it('a failing write rejects every caller of its batch and later calls still work', async () => {
    let fail = true;
    const flaky: Pick<Database, 'withSystem'> = {
      withSystem: (work) => (fail ? Promise.reject(new Error('db down')) : db.withSystem(work)),
    };
    const store = createSqlJtiReplayStore({ db: flaky, now });
    const exp = new Date(clock.ms + 60_000);
    await expect(store.remember('did:web:f', 'x', exp)).rejects.toThrow('db down');
    fail = false;
    expect(await store.remember('did:web:f', 'x', exp)).toBe(true);
  });
});
