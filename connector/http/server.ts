// The HTTP(S) listener with timeouts and graceful shutdown: stop accepting, let in-flight requests finish, then cut the rest.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly requestTimeoutMs: number;
  readonly shutdownGraceMs: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface GracefulServer {
  start(): Promise<AddressInfo>;
  /** Resolves once every in-flight request has finished or the grace period has cut the remaining connections. */
  stop(): Promise<void>;
}

export function createGracefulServer(handler: RequestListener, options: ServerOptions): GracefulServer {
  let server: Server | undefined;
  return {
    start() {
      const tls = options.tls;
      const s = tls ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler) : createHttpServer(handler);
      s.requestTimeout = options.requestTimeoutMs;
      s.headersTimeout = Math.min(60_000, options.requestTimeoutMs);
      s.keepAliveTimeout = 5_000;
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port, options.host, () => resolve(s.address() as AddressInfo));
      });
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      // Keep-alive connections that become idle after their last response must not hold the shutdown open.
      const sweep = setInterval(() => s.closeIdleConnections(), 100);
      const grace = setTimeout(() => s.closeAllConnections(), options.shutdownGraceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(grace);
    },
  };
}
