// Catalog data routes of the management API v3 (assets, policy definitions, contract definitions) and their shared kit.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ActionContext, CatalogDataService } from '../catalog/catalog-data-service';
import type { Result } from '../common/result';
import type { Logger } from '../observability/logger';
import { silentLogger } from '../observability/logger';
import { callerOf } from '../tenancy/caller';
import { createAssetRoutes } from './asset-routes';
import { createContractDefinitionRoutes } from './contract-definition-routes';
import { createManagementBodyReader, type ManagementBodyReader, type NormalizedNode } from './jsonld-body';
import { managementError, sendFailure } from './management-errors';
import { buildManagementOpenApi, catalogDataOpenApi } from './openapi/management-openapi';
import { controlPlaneOpenApi, publishingOpenApi } from './openapi/process-openapi';
import { createPolicyDefinitionRoutes } from './policy-definition-routes';

export interface CatalogDataRouterDeps {
  readonly service: CatalogDataService;
  readonly logger?: Logger;
  /** Clock for `explain` when the body gives no evaluation time. */
  readonly now?: () => Date;
  /** Largest accepted body (default `1mb`). */
  readonly bodyLimit?: string;
}

/** What each resource's route file gets: the service, body reading, error mapping and the caller's action context. */
export interface CatalogRouteKit {
  readonly service: CatalogDataService;
  readonly reader: ManagementBodyReader;
  readonly now: () => Date;
  /** Wraps an async handler: unexpected faults become a 500 whose body carries only an error id (also logged). */
  handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler;
  /** The normalized JSON-LD body, or undefined after sending a 400 (absent body when `optional` gives `{}`). */
  body(req: Request, res: Response, optional?: boolean): Promise<NormalizedNode | undefined>;
  /** Tenant, actor and request id of the call, for audited changes. */
  actionContext(req: Request, res: Response): ActionContext;
  /** Sends `onOk(value)` or the EDC error body of the failure. */
  reply<T>(res: Response, result: Result<T>, onOk: (value: T) => void): void;
}

function requestIdOf(req: Request, res: Response): string | undefined {
  const fromLocals = res.locals.requestId as unknown;
  if (typeof fromLocals === 'string') return fromLocals;
  const header = req.header('x-request-id');
  return header !== undefined && /^[\w.:-]{1,128}$/.test(header) ? header : undefined;
}

function hasBody(req: Request): boolean {
  const b = req.body as unknown;
  return b !== undefined && b !== null;
}

/**
 * The router for `/management/v3` (mount it after the authorizer): `/assets`, `/policydefinitions`,
 * `/contractdefinitions` and `GET /openapi.json`. The tenant comes only from `callerOf(res)`.
 */
export function createCatalogDataRouter(deps: CatalogDataRouterDeps): Router {
  const logger = (deps.logger ?? silentLogger()).child({ component: 'management-catalog' });
  const reader = createManagementBodyReader();
  const kit: CatalogRouteKit = {
    service: deps.service,
    reader,
    now: deps.now ?? (() => new Date()),
    handle(fn) {
      return (req, res, next) => {
        fn(req, res).catch(next);
      };
    },
    async body(req, res, optional = false) {
      if (!hasBody(req)) {
        if (optional) return {};
        managementError(res, 400, 'BadRequest', 'a JSON-LD request body is required');
        return undefined;
      }
      const r = await reader.read(req.body);
      if (!r.ok) {
        sendFailure(res, r);
        return undefined;
      }
      return r.value;
    },
    actionContext(req, res) {
      const caller = callerOf(res);
      const requestId = requestIdOf(req, res);
      return { tenantId: caller.tenantId, actor: caller.actor, ...(requestId !== undefined ? { requestId } : {}) };
    },
    reply(res, result, onOk) {
      if (result.ok) onOk(result.value);
      else sendFailure(res, result);
    },
  };

  const router = express.Router();
  router.use(express.json({ type: ['application/json', 'application/ld+json', 'application/*+json'], limit: deps.bodyLimit ?? '1mb' }));
  router.use('/assets', createAssetRoutes(kit));
  router.use('/policydefinitions', createPolicyDefinitionRoutes(kit));
  router.use('/contractdefinitions', createContractDefinitionRoutes(kit));
  const openApi = buildManagementOpenApi([catalogDataOpenApi(), controlPlaneOpenApi(), publishingOpenApi()]);
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = err as { type?: unknown; status?: unknown; message?: unknown };
    if (e.type === 'entity.parse.failed') return managementError(res, 400, 'BadRequest', 'the request body is not valid JSON');
    if (e.type === 'entity.too.large') return managementError(res, 413, 'PayloadTooLarge', 'the request body is too large');
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return managementError(res, 415, 'UnsupportedMediaType', String(e.message));
    const errorId = randomUUID();
    logger.error('management request failed', { errorId, method: req.method, path: req.path, error: err });
    managementError(res, 500, 'InternalError', `internal error (error id ${errorId})`);
  });
  return router;
}
