import express from 'express';
import { createGracefulServer } from '../../../connector/http/server';

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const app = express();
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.json({ done: true }), 300);
    });
    const server = createGracefulServer(app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 5000, shutdownGraceMs: 5000 });
    const { port } = await server.start();
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.json() as Promise<unknown>);
    await new Promise((r) => setTimeout(r, 50));
    const stopped = server.stop();
    await expect(inFlight).resolves.toEqual({ done: true });
    await stopped;
    await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow();
  });

  it('cuts requests that outlive the grace period', async () => {
    const app = express();
    app.get('/hang', () => undefined);
    const server = createGracefulServer(app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 5000, shutdownGraceMs: 100 });
    const { port } = await server.start();
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).then(() => 'answered', () => 'cut');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(hanging).resolves.toBe('cut');
  });
});
