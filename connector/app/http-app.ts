// Builds the express application: hygiene middleware, operations endpoints, and every API mounted at its place in the URL map.
import express, { type Express, type RequestHandler, type Router } from 'express';
import { errorHandler, notFoundHandler, sendTransportError } from '../http/error-responses';
import { requestContext, responseTimeout } from '../http/request-context';
import { securityHeadersMiddleware } from '../http/security-headers';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

export interface HttpAppParts {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly isReady: () => Promise<boolean>;
  readonly operatorRouter: Router;
  /** Authenticates management callers and sets the caller. */
  readonly managementAuthorizer: RequestHandler;
  /** Routers mounted under /management/v3 after the authorizer. */
  readonly managementRouters: readonly Router[];
  /** Unauthenticated routers mounted at the root (issuer metadata, per-tenant protocol endpoints). */
  readonly publicRouters: readonly { readonly path: string; readonly router: Router }[];
}

export function createHttpApp(parts: HttpAppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'extended');
  app.use(securityHeadersMiddleware());
  app.use(requestContext(parts.logger, parts.metrics));
  app.use(responseTimeout(parts.requestTimeoutMs, (req, res) => sendTransportError(req, res, 503, 'the request took too long')));
  app.use(express.json({ limit: parts.bodyLimitBytes, type: ['application/json', 'application/*+json', 'application/ld+json'] }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const ready = await parts.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: { database: ready ? 'ok' : 'unreachable or migrations pending' } });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(parts.metrics.registry.contentType).send(await parts.metrics.registry.metrics());
  });

  app.use('/operator/v1', parts.operatorRouter);
  for (const { path, router } of parts.publicRouters) app.use(path, router);
  app.use('/management/v3', parts.managementAuthorizer, ...parts.managementRouters);

  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger));
  return app;
}
