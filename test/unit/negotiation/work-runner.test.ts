// Work runner: claimed items run without a batch barrier, in-flight work is bounded, kicks coalesce, runTenant settles,
// handed-off items run without a claim.
import { createWorkRunner } from '../../../connector/negotiation/work-runner';
import type { TenantTx } from '../../../connector/store/database';

/** An in-memory queue standing in for a process table: claim takes due ids and leases them. */
function harness(opts: { batchSize?: number; maxInFlight?: number; pollIntervalMs?: number; leaseMs?: number } = {}) {
  const due: string[] = [];
  const started: string[] = [];
  const finished: string[] = [];
  const gates = new Map<string, () => void>();
  let claims = 0;
  let running = 0;
  let maxRunning = 0;
  const db = { withTenant: <R>(tenantId: string, work: (tx: TenantTx) => Promise<R>) => work({ tenantId, query: async () => [], defer: () => undefined }) };
  const runner = createWorkRunner<string>({
    name: 'test',
    db,
    listTenants: async () => ['t1'],
    claim: async (_tx, _owner, _now, _lease, limit) => {
      claims++;
      await new Promise((r) => setTimeout(r, 1));
      return due.splice(0, limit);
    },
    handle: async (_tenant, item) => {
      started.push(item);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((r) => gates.set(item, r));
      running--;
      finished.push(item);
      return undefined;
    },
    now: () => new Date(),
    owner: 'me',
    ...opts,
  });
  const release = (item: string) => gates.get(item)?.();
  const tick = () => new Promise((r) => setTimeout(r, 5));
  /** Waits (without a fixed sleep, so a loaded machine cannot make it flaky) until `count` items have started. */
  const startedCount = async (count: number) => {
    for (let waited = 0; started.length < count && waited < 5_000; waited += 2) await new Promise((r) => setTimeout(r, 2));
    await tick();
  };
  return { runner, due, started, finished, release, tick, startedCount, claims: () => claims, maxRunning: () => maxRunning };
}

describe('work runner', () => {
  it('starts items of a later claim while earlier items are still running (no batch barrier)', async () => {
    const h = harness({ batchSize: 2 });
    h.due.push('a', 'b', 'c', 'd', 'e');
    const done = h.runner.runTenant('t1');
    await h.startedCount(5);
    expect(h.started.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(h.finished).toEqual([]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) h.release(id);
    await done;
    expect(h.finished.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps at most maxInFlight items running and claims again as they finish', async () => {
    const h = harness({ batchSize: 4, maxInFlight: 3 });
    h.due.push('a', 'b', 'c', 'd', 'e');
    const done = h.runner.runTenant('t1');
    await h.startedCount(3);
    expect(h.started.sort()).toEqual(['a', 'b', 'c']);
    h.release('a');
    await h.startedCount(4);
    expect(h.started).toHaveLength(4);
    for (const id of ['b', 'c', 'd']) h.release(id);
    await h.startedCount(5);
    h.release('e');
    await done;
    expect(h.finished.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(h.maxRunning()).toBe(3);
  });

  it('runTenant resolves only when nothing is due or running, and work added meanwhile is picked up', async () => {
    const h = harness();
    h.due.push('a');
    let settled = false;
    const done = h.runner.runTenant('t1').then(() => { settled = true; });
    await h.startedCount(1);
    h.due.push('b');
    void h.runner.runTenant('t1');
    await h.startedCount(2);
    expect(h.started.sort()).toEqual(['a', 'b']);
    h.release('a');
    await h.tick();
    expect(settled).toBe(false);
    h.release('b');
    await done;
    expect(settled).toBe(true);
  });

  it('an idle tenant costs one empty claim; a tenant with work claims until a claim is empty', async () => {
    const idle = harness();
    await idle.runner.runTenant('t1');
    expect(idle.claims()).toBe(1);
    const busy = harness({ batchSize: 16 });
    busy.due.push('a');
    const done = busy.runner.runTenant('t1');
    await busy.startedCount(1);
    busy.release('a');
    await done;
    expect(busy.claims()).toBe(2);
  });

  it('a kick claims at once and stops after a claim that was not full (no extra empty claim)', async () => {
    const h = harness({ batchSize: 4, pollIntervalMs: 60_000 });
    h.runner.start();
    await h.runner.runTenant('t1');
    const before = h.claims();
    h.due.push('a', 'b');
    h.runner.kick('t1');
    await h.startedCount(2);
    expect(h.started.sort()).toEqual(['a', 'b']);
    h.release('a');
    h.release('b');
    await h.tick();
    expect(h.claims() - before).toBe(1);
    h.due.push('c', 'd', 'e', 'f', 'g');
    h.runner.kick('t1');
    await h.startedCount(7);
    // A full claim (4) is followed by another one that takes the rest.
    expect(h.started).toHaveLength(7);
    for (const id of ['c', 'd', 'e', 'f', 'g']) h.release(id);
    await h.runner.stop();
    expect(h.finished).toHaveLength(7);
  });

  describe('hand-off', () => {
    /** A started runner that has done its first (empty) poll, so only hand-offs and kicks claim from here on. */
    async function started(opts: Parameters<typeof harness>[0] = {}) {
      const h = harness({ pollIntervalMs: 60_000, ...opts });
      h.runner.start();
      await h.runner.runTenant('t1');
      const lease = () => {
        const l = h.runner.leaseFor(Date.now());
        if (l === undefined) throw new Error('a running runner must lease');
        return l;
      };
      return { ...h, lease, claimsBefore: h.claims() };
    }

    it('leases for its owner while running, and runs a handed-off item at once without a claim', async () => {
      const h = await started({ leaseMs: 10_000 });
      expect(h.runner.owner).toBe('me');
      expect(h.runner.leaseMs).toBe(10_000);
      expect(h.runner.leaseFor(1_000)).toEqual({ owner: 'me', until: 11_000 });
      h.runner.handOff('t1', 'x', h.lease());
      await h.startedCount(1);
      expect(h.started).toEqual(['x']);
      h.release('x');
      await h.runner.stop();
      expect(h.finished).toEqual(['x']);
      expect(h.claims()).toBe(h.claimsBefore);
    });

    it('a stopped runner neither leases nor runs hand-offs (the row stays due for a claim)', async () => {
      const h = harness();
      expect(h.runner.leaseFor(Date.now())).toBeUndefined();
      h.runner.handOff('t1', 'x', { owner: 'me', until: Date.now() + 30_000 });
      await h.tick();
      expect(h.started).toEqual([]);
    });

    it('ignores an item leased to another owner', async () => {
      const h = await started();
      h.runner.handOff('t1', 'x', { owner: 'someone-else', until: Date.now() + 30_000 });
      await h.tick();
      expect(h.started).toEqual([]);
      await h.runner.stop();
    });

    it('counts against maxInFlight: a hand-off without room waits and starts before further claims', async () => {
      const h = await started({ maxInFlight: 2, batchSize: 4 });
      h.due.push('a', 'b', 'c');
      h.runner.kick('t1');
      await h.startedCount(2);
      expect(h.started.sort()).toEqual(['a', 'b']);
      h.runner.handOff('t1', 'x', h.lease());
      await h.tick();
      expect(h.started).toHaveLength(2);
      h.release('a');
      await h.startedCount(3);
      // The freed room went to the handed-off item, not to the claim waiting for room ('c').
      expect(h.started[2]).toBe('x');
      h.release('b');
      await h.startedCount(4);
      expect(h.started[3]).toBe('c');
      h.release('x');
      h.release('c');
      await h.runner.stop();
      expect(h.finished.sort()).toEqual(['a', 'b', 'c', 'x']);
      expect(h.maxRunning()).toBe(2);
    });

    it('drops a queued hand-off whose lease is more than half gone, and stop() drops queued ones', async () => {
      const h = await started({ maxInFlight: 1, leaseMs: 30_000 });
      h.due.push('a');
      h.runner.kick('t1');
      await h.startedCount(1);
      h.runner.handOff('t1', 'old', { owner: 'me', until: Date.now() + 10_000 });
      h.runner.handOff('t1', 'fresh', h.lease());
      h.release('a');
      await h.startedCount(2);
      expect(h.started).toEqual(['a', 'fresh']);
      h.runner.handOff('t1', 'queued', h.lease());
      const stopped = h.runner.stop();
      h.release('fresh');
      await stopped;
      expect(h.started).toEqual(['a', 'fresh']);
      expect(h.finished).toEqual(['a', 'fresh']);
    });
  });

  it('claims nothing once stopped, even while a poll is still walking many tenants', async () => {
    const claimed: string[] = [];
    const state = { stopped: false };
    const claimsAfterStop: string[] = [];
    const tenants = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const runner = createWorkRunner<string>({
      name: 'test',
      db: { withTenant: <R>(tenantId: string, work: (tx: TenantTx) => Promise<R>) => work({ tenantId, query: async () => [], defer: () => undefined }) },
      listTenants: async () => tenants,
      claim: async (tx) => {
        if (state.stopped) claimsAfterStop.push(tx.tenantId);
        claimed.push(tx.tenantId);
        await new Promise((r) => setTimeout(r, 2));
        return [];
      },
      handle: async () => undefined,
      now: () => new Date(),
      owner: 'me',
      pollIntervalMs: 60_000,
    });
    runner.start();
    for (let waited = 0; claimed.length < 3 && waited < 5_000; waited += 1) await new Promise((r) => setTimeout(r, 1));
    await runner.stop();
    state.stopped = true;
    await new Promise((r) => setTimeout(r, 50));
    expect(claimsAfterStop).toEqual([]);
    expect(claimed.length).toBeLessThan(tenants.length);
  });
});
