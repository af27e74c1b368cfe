// GET /management/v3/events: the caller's tenant's events as Server-Sent Events, resumable with Last-Event-ID.
import { Router, type Request, type Response } from 'express';
import type { Database } from '../store/database';
import { fail } from '../common/result';
import { sendFailure } from '../management/management-errors';
import { callerOf } from '../tenancy/caller';
import { latestEventSeq, oldestEventSeq, readEventsAfter, type TenantEvent } from './event-journal';
import type { EventNotifier } from './event-notifier';

export interface EventStreamDeps {
  readonly db: Database;
  readonly notifier: EventNotifier;
  /** Comment line sent when nothing else was (default 15 s), so proxies and clients keep the connection. */
  readonly heartbeatMs?: number;
  /** `retry:` hint sent to EventSource clients (default 2000 ms). */
  readonly retryMs?: number;
  readonly onError?: (err: unknown, context: string) => void;
}

export interface EventStreams {
  /** Mount under /management/v3 (after the authorizer): serves `GET /events`. */
  readonly router: Router;
  /** Number of open streams. */
  openCount(): number;
  /** Ends every open stream and refuses new ones with 503 (call before the HTTP server drains). */
  closeAll(): void;
}

const BATCH = 200;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** The resume position from `Last-Event-ID` (or `?lastEventId=` for clients that cannot set headers). */
function resumeFrom(req: Request): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const header = req.headers['last-event-id'];
  const query = req.query['lastEventId'];
  const raw = typeof header === 'string' && header.trim() !== '' ? header.trim() : query;
  if (raw === undefined) return { ok: true, value: undefined };
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw) || Number(raw) > MAX_ID) {
    return { ok: false, message: 'Last-Event-ID must be an event id (a non-negative integer) from this stream' };
  }
  return { ok: true, value: Number(raw) };
}

function frame(e: TenantEvent): string {
  return `id: ${e.seq}\ndata: ${JSON.stringify({ id: String(e.seq), type: e.type, subject: e.subject, at: e.at, data: e.data })}\n\n`;
}

export function createEventStreams(deps: EventStreamDeps): EventStreams {
  const open = new Set<Response>();
  let closing = false;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const router = Router();

  router.get('/events', async (req: Request, res: Response) => {
    if (closing) {
      res.status(503).json([{ message: 'the connector is shutting down', type: 'InternalError', path: null, invalidValue: null }]);
      return;
    }
    const resume = resumeFrom(req);
    if (!resume.ok) return sendFailure(res, fail('bad-request', resume.message));
    const tenantId = callerOf(res).tenantId;
    const { head, oldest } = await deps.db.withTenant(tenantId, async (tx) => ({ head: await latestEventSeq(tx), oldest: await oldestEventSeq(tx) }));
    let cursor = resume.value ?? head;

    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('connection', 'keep-alive');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    res.write(`retry: ${deps.retryMs ?? 2000}\n\n`);
    // Events between the resume point and the oldest retained one were pruned: say so instead of skipping silently.
    if (resume.value !== undefined && oldest !== undefined && oldest > resume.value + 1) {
      res.write(`data: ${JSON.stringify({ type: 'stream.gap', data: { after: resume.value, nextAvailable: oldest } })}\n\n`);
    }

    let ended = false;
    let reading = false;
    let again = false;
    let lastWrite = Date.now();
    async function drain(): Promise<void> {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const events = await deps.db.withTenant(tenantId, (tx) => readEventsAfter(tx, cursor, BATCH));
          if (ended) return;
          for (const e of events) {
            res.write(frame(e));
            cursor = e.seq;
          }
          if (events.length > 0) lastWrite = Date.now();
          if (events.length === BATCH) again = true;
        } while (again && !ended);
      } catch (err) {
        deps.onError?.(err, `event stream of tenant ${tenantId}`);
      } finally {
        reading = false;
      }
    }

    const unsubscribe = deps.notifier.subscribe(tenantId, () => void drain());
    const heartbeat = setInterval(() => {
      if (Date.now() - lastWrite < heartbeatMs / 2) return;
      res.write(': heartbeat\n\n');
      lastWrite = Date.now();
    }, Math.max(50, Math.floor(heartbeatMs / 2)));
    heartbeat.unref();
    open.add(res);
    const cleanup = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    };
    res.on('close', cleanup);
    res.on('finish', cleanup);
    await drain();
  });

  return {
    router,
    openCount: () => open.size,
    closeAll() {
      closing = true;
      for (const res of [...open]) res.end();
    },
  };
}
