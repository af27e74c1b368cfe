// Runs a state processor over every tenant: runs rows handed off already leased, claims due rows, polls as a safety net.
import type { Database, TenantTx } from '../store/database';
import type { Lease } from './process-table';

export interface WorkRunnerDeps<T> {
  /** Used in logs. */
  readonly name: string;
  readonly db: Pick<Database, 'withTenant'>;
  /** Tenants to poll (e.g. every active tenant; see docs/control-plane.md). */
  listTenants(): Promise<readonly string[]>;
  /** Claims up to `limit` due items of the transaction's tenant (FOR UPDATE SKIP LOCKED + lease). */
  claim(tx: TenantTx, owner: string, now: number, leaseMs: number, limit: number): Promise<T[]>;
  /**
   * Processes one claimed item outside any transaction. Returns the epoch ms at which the item is due again
   * (a retry), or undefined. Must not throw for expected failures; a throw is logged and the lease simply expires.
   */
  handle(tenantId: string, item: T): Promise<number | undefined>;
  readonly now: () => Date;
  /** Unique per process (e.g. `${hostname}:${pid}:${uuid}`). */
  readonly owner: string;
  /** How long a claim is exclusive; a process killed mid-flight loses its claims after this. Default 30 000. */
  readonly leaseMs?: number;
  /** Rows claimed per transaction. Default 16. */
  readonly batchSize?: number;
  /** Items of one tenant processed at once; further claims wait until some finish. Default 64. */
  readonly maxInFlight?: number;
  /** Safety-net poll for retries, expired leases and work written by other replicas. Default 1 000 ms. */
  readonly pollIntervalMs?: number;
  readonly onError?: (err: unknown, context: string) => void;
}

/** What a processor hands to its work runner unchanged: database, tenants, clock, owner and timing. */
export type RunnerSettings = Pick<WorkRunnerDeps<unknown>, 'db' | 'listTenants' | 'now' | 'owner' | 'leaseMs' | 'batchSize' | 'maxInFlight' | 'pollIntervalMs' | 'onError'>;

/** The runner settings out of a processor's dependencies (only these fields, nothing else of them). */
export function runnerSettings(deps: RunnerSettings): RunnerSettings {
  return {
    db: deps.db, listTenants: () => deps.listTenants(), now: deps.now, owner: deps.owner, leaseMs: deps.leaseMs,
    batchSize: deps.batchSize, maxInFlight: deps.maxInFlight, pollIntervalMs: deps.pollIntervalMs, onError: deps.onError,
  };
}

export interface WorkRunner<T = unknown> {
  /** The lease owner of this runner (unique per process). */
  readonly owner: string;
  /** How long a claim or a hand-off lease is exclusive. */
  readonly leaseMs: number;
  start(): void;
  /** Stops polling, drops queued hand-offs (their leases expire) and waits for running claims and items. */
  stop(): Promise<void>;
  /** Work for `tenantId` may be due now: claim it right away (coalesced with a running claim). */
  kick(tenantId: string): void;
  /**
   * The lease to write a row with that is made due now and handed to this runner after commit (`handOff`), or
   * undefined while the runner is not running: then write the row unleased, for whichever process claims it.
   */
  leaseFor(now: number): Lease | undefined;
  /**
   * Runs `item`, committed with `lease` (from `leaseFor`), without a claim transaction: at once if the tenant's lane
   * has room (it counts against `maxInFlight` like claimed items), else queued ahead of further claims. Never loses
   * work: an item it does not run (runner stopped, lease not ours, still queued when less than half the lease is
   * left) stays due, and a claim takes it once the lease has expired.
   */
  handOff(tenantId: string, item: T, lease: Lease): void;
  /** One pass over every tenant (what the poll does); resolves when done. */
  runOnce(): Promise<void>;
  /** Processes `tenantId` until nothing is due; resolves when done. */
  runTenant(tenantId: string): Promise<void>;
}

/**
 * What a service needs of its processor's runner: a lease for the rows it makes due now, the hand-off of such a row
 * after commit, and `kick` for due work it holds no row of (or wrote unleased because the runner was not running).
 */
export type ProcessorHandOff<T> = Pick<WorkRunner<T>, 'kick' | 'leaseFor' | 'handOff'>;

/** Per-tenant pipeline: one claim transaction at a time, claimed items run without waiting for their batch. */
interface TenantLane<T> {
  claiming: boolean;
  /** Claim again once possible: a kick arrived during a claim, the last claim was full, or no room was left. */
  again: boolean;
  /** Claim until a claim comes back empty (runTenant and the poll); kicks stop after a claim that was not full. */
  drain: boolean;
  inFlight: number;
  /** Handed-off items waiting for room, with their lease expiry; they start before further claims. */
  readonly handedOff: { readonly item: T; readonly until: number }[];
  readonly done: Promise<void>;
  settle(): void;
}

export function createWorkRunner<T>(deps: WorkRunnerDeps<T>): WorkRunner<T> {
  const leaseMs = deps.leaseMs ?? 30_000;
  const batch = deps.batchSize ?? 16;
  const maxInFlight = Math.max(1, deps.maxInFlight ?? 64);
  const lanes = new Map<string, TenantLane<T>>();
  const timers = new Set<NodeJS.Timeout>();
  let poll: NodeJS.Timeout | undefined;
  // Set by stop() (a runner that was never started still drains on runTenant): no claim starts afterwards.
  let halted = false;
  let stopped = true;
  const onError = deps.onError ?? (() => undefined);

  function schedule(tenantId: string, at: number): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      kick(tenantId);
    }, Math.max(0, at - deps.now().getTime()));
    timer.unref();
    timers.add(timer);
  }

  function laneOf(tenantId: string): TenantLane<T> {
    let lane = lanes.get(tenantId);
    if (lane === undefined) {
      let settle!: () => void;
      const done = new Promise<void>((ok) => { settle = ok; });
      lane = { claiming: false, again: false, drain: false, inFlight: 0, handedOff: [], done, settle };
      lanes.set(tenantId, lane);
    }
    return lane;
  }

  /** Ends the lane once nothing is claiming, running, queued or wanted; its `done` resolves. */
  function maybeIdle(tenantId: string, lane: TenantLane<T>): void {
    if (lane.claiming || lane.inFlight > 0 || lane.handedOff.length > 0 || lane.again) return;
    if (lanes.get(tenantId) === lane) lanes.delete(tenantId);
    lane.settle();
  }

  async function runItem(tenantId: string, lane: TenantLane<T>, item: T): Promise<void> {
    try {
      const due = await deps.handle(tenantId, item);
      if (due !== undefined) schedule(tenantId, due);
    } catch (err) {
      onError(err, `${deps.name}: processing failed for tenant ${tenantId}`);
    } finally {
      lane.inFlight--;
      startHandedOff(tenantId, lane);
      if (lane.again) pump(tenantId, lane);
      else maybeIdle(tenantId, lane);
    }
  }

  /**
   * Starts queued hand-offs while the lane has room. One with less than half its lease left is dropped instead: its
   * send might outlast the lease and race the claim that another process may then make; that claim recovers it.
   */
  function startHandedOff(tenantId: string, lane: TenantLane<T>): void {
    while (lane.handedOff.length > 0 && lane.inFlight < maxInFlight) {
      const next = lane.handedOff.shift() as { item: T; until: number };
      if (next.until - deps.now().getTime() < leaseMs / 2) continue;
      lane.inFlight++;
      void runItem(tenantId, lane, next.item);
    }
  }

  /** Claims what is due (within the lane's free room) and starts each item at once. */
  function pump(tenantId: string, lane: TenantLane<T>): void {
    if (halted) {
      // Stopped: claim nothing more (the database may be closing); the lane settles once its items finish.
      lane.again = false;
      maybeIdle(tenantId, lane);
      return;
    }
    if (lane.claiming) {
      lane.again = true;
      return;
    }
    const room = Math.min(batch, maxInFlight - lane.inFlight);
    if (room <= 0) {
      lane.again = true;
      return;
    }
    lane.claiming = true;
    lane.again = false;
    void deps.db.withTenant(tenantId, (tx) => deps.claim(tx, deps.owner, deps.now().getTime(), leaseMs, room)).then(
      (items) => {
        lane.claiming = false;
        // A full claim may have left due rows behind. A partial one took everything due, except that under READ
        // COMMITTED a claim racing another replica's may come back short: draining (runTenant, the poll) therefore
        // claims until a claim is empty, while a kick settles for the safety-net poll to pick up such rows.
        if (items.length === room || (lane.drain && items.length > 0)) lane.again = true;
        else if (items.length === 0) lane.drain = false;
        lane.inFlight += items.length;
        for (const item of items) void runItem(tenantId, lane, item);
        if (lane.again) pump(tenantId, lane);
        else maybeIdle(tenantId, lane);
      },
      (err: unknown) => {
        lane.claiming = false;
        lane.again = false;
        onError(err, `${deps.name}: claiming failed for tenant ${tenantId}`);
        maybeIdle(tenantId, lane);
      },
    );
  }

  function runTenant(tenantId: string): Promise<void> {
    const lane = laneOf(tenantId);
    lane.drain = true;
    pump(tenantId, lane);
    return lane.done;
  }

  function kick(tenantId: string): void {
    if (stopped) return;
    setImmediate(() => pump(tenantId, laneOf(tenantId)));
  }

  function handOff(tenantId: string, item: T, lease: Lease): void {
    if (stopped || lease.owner !== deps.owner) return;
    const lane = laneOf(tenantId);
    if (lane.inFlight >= maxInFlight) {
      lane.handedOff.push({ item, until: lease.until });
      return;
    }
    // The room is taken now; the item starts after the current I/O phase, so the caller's response goes out first.
    lane.inFlight++;
    setImmediate(() => void runItem(tenantId, lane, item));
  }

  async function runOnce(): Promise<void> {
    let tenants: readonly string[];
    try {
      tenants = await deps.listTenants();
    } catch (err) {
      onError(err, `${deps.name}: listing tenants failed`);
      return;
    }
    for (const t of tenants) {
      if (halted) return;
      await runTenant(t);
    }
  }

  // The poll in progress, if any: stop() waits for it, so no claim runs after the runner has stopped.
  let polling: Promise<void> | undefined;
  function pollNow(): Promise<void> {
    const run = runOnce().finally(() => {
      if (polling === run) polling = undefined;
    });
    polling = run;
    return run;
  }

  return {
    owner: deps.owner,
    leaseMs,
    start() {
      if (!stopped) return;
      stopped = false;
      halted = false;
      const tick = (): void => {
        poll = setTimeout(() => {
          void pollNow().finally(() => {
            if (!stopped) tick();
          });
        }, deps.pollIntervalMs ?? 1000);
        poll.unref();
      };
      tick();
      void pollNow();
    },
    async stop() {
      stopped = true;
      halted = true;
      if (poll !== undefined) clearTimeout(poll);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const lane of lanes.values()) lane.handedOff.length = 0;
      await polling;
      await Promise.all([...lanes.values()].map((l) => l.done));
    },
    kick,
    leaseFor: (now) => (stopped ? undefined : { owner: deps.owner, until: now + leaseMs }),
    handOff,
    runOnce,
    runTenant,
  };
}

/** Exponential backoff: `baseMs · 2^(attempt-1)`, capped at `maxMs`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** A process entity as the retry policy sees it. */
export interface RetriableEntity {
  readonly state: string;
  readonly stateCount: number;
}

/**
 * After a failed send: retry with exponential backoff while attempts remain and the failure is retryable, else fail
 * the process with the reason. Returns what to save and when to try again (`null`: nothing pending), or undefined
 * when the entity cannot fail from its state.
 */
export function retryOrFail<E extends RetriableEntity>(
  entity: E,
  failure: { readonly retryable: boolean; readonly message: string },
  policy: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number; readonly now: number },
  machine: { retry(e: E): E; fail(e: E, reason: string): { ok: true; value: E } | { ok: false } },
): { readonly next: E; readonly dueAt: number | null } | undefined {
  if (failure.retryable && entity.stateCount < policy.maxAttempts) {
    return { next: { ...machine.retry(entity), errorDetail: failure.message }, dueAt: policy.now + backoffDelay(entity.stateCount, policy.baseDelayMs, policy.maxDelayMs) };
  }
  const ended = machine.fail(entity, `${entity.state} failed${failure.retryable ? ` after ${entity.stateCount} attempts` : ''}: ${failure.message}`);
  return ended.ok ? { next: ended.value, dueAt: null } : undefined;
}
