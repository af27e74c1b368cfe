// Runs a state processor over every tenant: claims due rows with leases per tenant, kicks on demand, polls as a safety net.
import type { Database, TenantTx } from '../store/database';

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
  readonly batchSize?: number;
  /** Safety-net poll for retries, expired leases and work written by other replicas. Default 1 000 ms. */
  readonly pollIntervalMs?: number;
  readonly onError?: (err: unknown, context: string) => void;
}

export interface WorkRunner {
  start(): void;
  /** Stops polling and waits for running batches. */
  stop(): Promise<void>;
  /** Work for `tenantId` may be due now: process it right away (coalesced with a running pass). */
  kick(tenantId: string): void;
  /** One pass over every tenant (what the poll does); resolves when done. */
  runOnce(): Promise<void>;
  /** Processes `tenantId` until nothing is due; resolves when done. */
  runTenant(tenantId: string): Promise<void>;
}

export function createWorkRunner<T>(deps: WorkRunnerDeps<T>): WorkRunner {
  const leaseMs = deps.leaseMs ?? 30_000;
  const batch = deps.batchSize ?? 16;
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let poll: NodeJS.Timeout | undefined;
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

  async function pass(tenantId: string): Promise<void> {
    for (;;) {
      const items = await deps.db.withTenant(tenantId, (tx) => deps.claim(tx, deps.owner, deps.now().getTime(), leaseMs, batch));
      if (items.length === 0) return;
      await Promise.all(items.map(async (item) => {
        try {
          const due = await deps.handle(tenantId, item);
          if (due !== undefined) schedule(tenantId, due);
        } catch (err) {
          onError(err, `${deps.name}: processing failed for tenant ${tenantId}`);
        }
      }));
    }
  }

  function runTenant(tenantId: string): Promise<void> {
    const current = running.get(tenantId);
    if (current !== undefined) {
      again.add(tenantId);
      return current;
    }
    const p = (async () => {
      try {
        do {
          again.delete(tenantId);
          await pass(tenantId);
        } while (again.has(tenantId));
      } catch (err) {
        onError(err, `${deps.name}: claiming failed for tenant ${tenantId}`);
      } finally {
        running.delete(tenantId);
      }
    })();
    running.set(tenantId, p);
    return p;
  }

  function kick(tenantId: string): void {
    if (stopped) return;
    setImmediate(() => void runTenant(tenantId));
  }

  async function runOnce(): Promise<void> {
    let tenants: readonly string[];
    try {
      tenants = await deps.listTenants();
    } catch (err) {
      onError(err, `${deps.name}: listing tenants failed`);
      return;
    }
    for (const t of tenants) await runTenant(t);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      const tick = (): void => {
        poll = setTimeout(() => {
          void runOnce().finally(() => {
            if (!stopped) tick();
          });
        }, deps.pollIntervalMs ?? 1000);
        poll.unref();
      };
      tick();
      void runOnce();
    },
    async stop() {
      stopped = true;
      if (poll !== undefined) clearTimeout(poll);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...running.values()]);
    },
    kick,
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
