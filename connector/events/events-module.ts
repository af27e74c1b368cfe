// The real-time events module: journal reader, notifier, SSE routes, and a process-event sink that wakes local streams.
import type { Router } from 'express';
import type { ProcessEvent, ProcessEventSink } from '../negotiation/control-plane-events';
import type { Database } from '../store/database';
import { createEventNotifier } from './event-notifier';
import { createEventStreams } from './event-stream-routes';

export interface EventsModuleOptions {
  readonly db: Database;
  readonly pollIntervalMs?: number;
  readonly heartbeatMs?: number;
  readonly onError?: (err: unknown, context: string) => void;
}

export interface EventsModule {
  /** Management router (`GET /events`), mounted under /management/v3. */
  readonly managementRouter: Router;
  /** Compose with the callback dispatcher: a process event wakes this tenant's streams at once (no poll delay). */
  readonly sink: ProcessEventSink;
  /** Wakes a tenant's streams (for modules that know they just committed an event). */
  wake(tenantId: string): void;
  /** Ends every open stream; new requests get 503. Call before the HTTP server drains. */
  closeStreams(): void;
  start(): void;
  stop(): Promise<void>;
}

/** Fans one process event out to several sinks; a throwing sink never stops the others. */
export function composeSinks(...sinks: readonly ProcessEventSink[]): ProcessEventSink {
  return {
    emit(event: ProcessEvent) {
      for (const s of sinks) {
        try {
          s.emit(event);
        } catch {
          // sinks must not throw; one that does must not take the others down
        }
      }
    },
  };
}

export function createEventsModule(options: EventsModuleOptions): EventsModule {
  const notifier = createEventNotifier({ db: options.db, pollIntervalMs: options.pollIntervalMs, onError: options.onError });
  const streams = createEventStreams({ db: options.db, notifier, heartbeatMs: options.heartbeatMs, onError: options.onError });
  return {
    managementRouter: streams.router,
    // The journal row was written by a trigger in the committed transaction; this only shortens the wait.
    sink: { emit: (event) => notifier.wake(event.tenantId) },
    wake: (tenantId) => notifier.wake(tenantId),
    closeStreams: () => streams.closeAll(),
    start: () => notifier.start(),
    async stop() {
      streams.closeAll();
      await notifier.stop();
    },
  };
}
