// Work runner: claimed items run without a batch barrier, in-flight work is bounded, kicks coalesce, runTenant settles.
import { createWorkRunner } from '../../../connector/negotiation/work-runner';
import type { TenantTx } from '../../../connector/store/database';

/** An in-memory queue standing in for a process table: claim takes due ids and leases them. */
function harness(opts: { batchSize?: number; maxInFlight?: number; pollIntervalMs?: number } = {}) {
  const due: string[] = [];
  const started: string[] = [];
  const finished: string[] = [];
  const gates = new Map<string, () => void>();
  let claims = 0;
  let running = 0;
  let maxRunning = 0;
  const db = { withTenant: <R>(tenantId: string, work: (tx: TenantTx) => Promise<R>) => work({ tenantId, query: async () => [] }) };
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
});
