// Per-request id (x-request-id, echoed), child logger, access log and metrics; the route label is the route template.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `res.locals` of a request: its id, and its child logger made on first use (most requests never log, and a winston
 * child is not free). A class, not `defineProperty` on each request's object: a per-request accessor gave every request
 * its own hidden class.
 */
class RequestLocals {
  private child: Logger | undefined;
  private context: Record<string, string> | undefined;

  constructor(private readonly parent: Logger, readonly requestId: string) {}

  get logger(): Logger {
    return (this.child ??= this.parent.child({ correlationId: this.requestId, ...this.context }));
  }

  set logger(value: Logger) {
    this.child = value;
  }

  /** Adds fields to every line the request's logger writes (also to a logger already made). */
  addLogContext(fields: Readonly<Record<string, string>>): void {
    if (this.child !== undefined) this.child = this.child.child(fields);
    else this.context = { ...this.context, ...fields };
  }
}

/** Adds fields (e.g. the caller's tenant) to the request's log lines, without making a logger nobody may use. */
export function addLogContext(locals: Record<string, unknown>, fields: Readonly<Record<string, string>>): void {
  if (locals instanceof RequestLocals) locals.addLogContext(fields);
  else if (locals.logger !== undefined) locals.logger = (locals.logger as Logger).child(fields);
}

export function requestContext(logger: Logger, metrics: Metrics) {
  const accessLog = logger.isLevelEnabled('http');
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals = Object.assign(new RequestLocals(logger, requestId), res.locals);
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      metrics.http.series(req.method, route, res.statusCode).record(seconds);
      if (accessLog) (res.locals.logger as Logger).http('request', { method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 });
    });
    next();
  };
}

/** The matched route template (bounded label cardinality), or a coarse prefix for unmatched paths. */
function routeLabel(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl.replace(/\/tenants\/[^/]+/, '/tenants/:tenantId')}${route}`;
  return 'unmatched';
}

/** Answers 503 when a handler has not responded within `timeoutMs` (the handler's late write is discarded). */
export function responseTimeout(timeoutMs: number, onTimeout: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
      if (!res.headersSent) onTimeout(req, res);
    }, timeoutMs);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    res.on('finish', () => clearTimeout(timer));
    next();
  };
}
