// Transport-level errors in each API's wire format; a crash is a 500 carrying only an error id, which is also logged.
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import winston from 'winston';
import { errorHandler, notFoundHandler } from '../../../connector/http/error-responses';
import { createLogger } from '../../../connector/observability/logger';

function app() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'error', transports: [new winston.transports.Stream({ stream: new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }) })] });
  const a = express();
  a.use(express.json({ limit: 100 }));
  const crash = () => {
    throw new Error('secret internals at /srv/app.ts:42');
  };
  a.get('/management/v3/crash', crash);
  a.get('/tenants/t1/pact/3/crash', crash);
  a.get('/tenants/t1/pact/2/crash', crash);
  a.post('/management/v3/echo', (req, res) => void res.json(req.body));
  a.get('/management/v3/bad-value', () => {
    throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
  });
  a.use(notFoundHandler);
  a.use(errorHandler(logger));
  return { a, lines };
}

describe('transport errors', () => {
  it('answers a crash with 500 and an error id only, and logs the same id with the cause', async () => {
    const { a, lines } = app();
    const res = await request(a).get('/management/v3/crash');
    expect(res.status).toBe(500);
    const id = res.headers['x-error-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toEqual([{ message: `internal error (error id ${id})`, type: 'InternalError', path: null, invalidValue: null, errorId: id }]);
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
    expect(lines.join('')).toContain(id);
    expect(lines.join('')).toContain('secret internals');
  });

  it('answers a database data exception (a bad value the client sent) with 400, not 500', async () => {
    const { a } = app();
    const res = await request(a).get('/management/v3/bad-value');
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({ type: 'BadRequest' });
  });

  it('uses the PACT error shape per version and EDC arrays for the management API', async () => {
    const { a } = app();
    const v3 = await request(a).get('/tenants/t1/pact/3/crash');
    expect(v3.body).toMatchObject({ code: 'InternalError' });
    const v2missing = await request(a).get('/tenants/t1/pact/2/nothing');
    expect(v2missing.status).toBe(404);
    expect(v2missing.body).toMatchObject({ code: 'NoSuchFootprint' });
    const bad = await request(a).post('/management/v3/echo').set('content-type', 'application/json').send('{oops');
    expect(bad.status).toBe(400);
    expect(bad.body[0]).toMatchObject({ type: 'BadRequest' });
    const big = await request(a).post('/management/v3/echo').send({ pad: 'x'.repeat(200) });
    expect(big.status).toBe(413);
    expect(big.body[0]).toMatchObject({ type: 'PayloadTooLarge' });
  });
});
