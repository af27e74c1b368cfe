// Wakes open event streams: at once for changes made in this process, and by polling each watched tenant's journal
// head for changes committed by other replicas (or by code paths that do not report to the process-event sink).
import type { Database } from '../store/database';
import { latestEventSeq } from './event-journal';

export interface EventNotifier {
  /** Calls `listener` whenever the tenant may have new events; returns the unsubscribe function. */
  subscribe(tenantId: string, listener: () => void): () => void;
  /** Signals that the tenant may have new events (best effort, never throws). */
  wake(tenantId: string): void;
  /** Starts the head poller (idempotent). */
  start(): void;
  /** Stops the poller and waits for a poll in progress. */
  stop(): Promise<void>;
}

export interface EventNotifierDeps {
  readonly db: Database;
  /** How often the journal heads of tenants with open streams are read (default 500 ms). */
  readonly pollIntervalMs?: number;
  readonly onError?: (err: unknown, context: string) => void;
}

export function createEventNotifier(deps: EventNotifierDeps): EventNotifier {
  const listeners = new Map<string, Set<() => void>>();
  const heads = new Map<string, number>();
  const interval = deps.pollIntervalMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  function wake(tenantId: string): void {
    for (const l of listeners.get(tenantId) ?? []) {
      try {
        l();
      } catch (err) {
        deps.onError?.(err, `event listener of tenant ${tenantId}`);
      }
    }
  }

  async function pollOnce(): Promise<void> {
    for (const tenantId of [...listeners.keys()]) {
      try {
        const head = await deps.db.withTenant(tenantId, (tx) => latestEventSeq(tx));
        const known = heads.get(tenantId);
        heads.set(tenantId, head);
        if (known !== undefined && head !== known) wake(tenantId);
      } catch (err) {
        deps.onError?.(err, `event head poll of tenant ${tenantId}`);
      }
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      polling = pollOnce().finally(() => {
        polling = undefined;
        if (timer !== undefined) schedule();
      });
    }, interval);
    timer.unref();
  }

  return {
    subscribe(tenantId, listener) {
      let set = listeners.get(tenantId);
      if (set === undefined) listeners.set(tenantId, (set = new Set()));
      set.add(listener);
      return () => {
        const s = listeners.get(tenantId);
        if (s === undefined) return;
        s.delete(listener);
        if (s.size === 0) {
          listeners.delete(tenantId);
          heads.delete(tenantId);
        }
      };
    },
    wake,
    start() {
      if (timer === undefined) schedule();
    },
    async stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await polling;
    },
  };
}
