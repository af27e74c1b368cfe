// Request context on the Express app: request id, the lazily made request logger and the context fields it carries.
import { Writable } from 'node:stream';
import express from 'express';
import winston from 'winston';
import type { AddressInfo } from 'node:net';
import { addLogContext, requestContext } from '../../../connector/http/request-context';
import { createLogger, type Logger } from '../../../connector/observability/logger';
import { createMetrics } from '../../../connector/observability/metrics';

describe('request context', () => {
  it('gives each request its id and a logger carrying the id and any context added before or after first use', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const logger = createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream })] });
    const app = express();
    app.use(requestContext(logger, createMetrics()));
    app.get('/before', (_req, res) => {
      addLogContext(res.locals, { tenantId: 't-before' });
      (res.locals.logger as Logger).info('hello');
      res.json({ id: res.locals.requestId as string });
    });
    app.get('/after', (_req, res) => {
      (res.locals.logger as Logger).info('first');
      addLogContext(res.locals, { tenantId: 't-after' });
      (res.locals.logger as Logger).info('second');
      res.json({ id: res.locals.requestId as string });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const before = await fetch(`${base}/before`, { headers: { 'x-request-id': 'req-1' } });
      expect(before.headers.get('x-request-id')).toBe('req-1');
      expect(await before.json()).toEqual({ id: 'req-1' });
      const after = await fetch(`${base}/after`);
      const id = after.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries).toEqual([
        expect.objectContaining({ message: 'hello', correlationId: 'req-1', tenantId: 't-before' }),
        expect.objectContaining({ message: 'first', correlationId: id }),
        expect.objectContaining({ message: 'second', correlationId: id, tenantId: 't-after' }),
      ]);
      expect(entries[1]).not.toHaveProperty('tenantId');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
