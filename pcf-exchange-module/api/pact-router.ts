// The tenant's PACT host (mounted at /tenants/:tenantId/pact): token endpoint, discovery, JWKS, /2 and /3 actions.
import { randomUUID } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { TenantKeyProvider } from '../../connector/credentials/key-provider';
import type { DataPlaneTokenVerifier } from '../../connector/credentials/token-verifier';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { createPactTokenService, PACT_SCOPES, type PactTokenService } from '../clients/pact-tokens';
import { createFootprintRequestService, type FootprintRequestService } from '../service/request-service';
import { createClientStatusCache, createPactBearerVerifier, type ClientStatusCache } from './pact-auth';
import type { PactApiVersion } from './pact-errors';
import { createPactHandlers, sendPactCode } from './pact-host-handlers';
import { createPactHostCore, type CachedAnswer, type PactHostCore, type PactTenantDirectory } from './pact-host-core';
import { sendReply, type PactReply } from './pact-replies';
import { createFootprintReadCache, type FootprintReadCache } from '../store/footprint-read-cache';
import { createPaginator } from './pagination';
import { createTokenEndpoint, type TokenRequest } from './token-endpoint';

export type { PactTenantDirectory };

export interface PactHostOptions {
  /** Access token lifetime (default 900 s). */
  readonly tokenTtlSeconds?: number;
  /** Pagination link lifetime (default 900 s, never below 180 s). */
  readonly linkTtlSeconds?: number;
  /** Page size when `limit` is absent (default 100) and the cap of any page (default 1000). */
  readonly defaultPageSize?: number;
  readonly maxPageSize?: number;
  /** How long a tenant lookup is reused (default 10 s). */
  readonly tenantCacheMs?: number;
  /** Largest accepted event body (default `1mb`). */
  readonly eventBodyLimit?: string;
  /** Bytes of serialized answers kept in the read cache (default 64 MiB; 0 disables it). */
  readonly readCacheBytes?: number;
}

/** Services shared between the PACT host and the management router (one instance per process). */
export interface PactShared {
  readonly tokens: PactTokenService;
  readonly clientStatus: ClientStatusCache;
  readonly requests: FootprintRequestService;
  /** Serialized GetFootprint / ListFootprints answers, dropped on every committed footprint change. */
  readonly cache: FootprintReadCache<CachedAnswer>;
}

/** The framework-neutral PACT host: read path and token endpoint (the Express router and the fast lane share it). */
export interface PactHostServices {
  readonly core: PactHostCore;
  readonly token: (request: TokenRequest) => Promise<PactReply>;
}

export interface PactRouterDeps {
  readonly db: Database;
  readonly tenants: PactTenantDirectory;
  readonly keys: TenantKeyProvider;
  /** Accepts data-plane tokens minted at transfer start in addition to PACT access tokens. */
  readonly dataPlaneVerifier?: DataPlaneTokenVerifier;
  /** Absolute base URL of the connector (Link headers, issuer URLs). */
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly options?: PactHostOptions;
  /** Shared services (built by `createPactModule`); built here when absent. */
  readonly shared?: PactShared;
  /** The host services (built by `createPactModule`); built here when absent. */
  readonly host?: PactHostServices;
  /** Called after a commit that queued events for `tenantId` (wakes the delivery worker). */
  readonly onEnqueued?: (tenantId: string) => void;
}

/** Shared services from the router deps (used when the caller does not provide them). */
export function createPactShared(deps: Pick<PactRouterDeps, 'db' | 'keys' | 'publicUrl' | 'now' | 'options' | 'onEnqueued'>): PactShared {
  return {
    tokens: createPactTokenService({ keys: deps.keys, publicUrl: deps.publicUrl, now: deps.now, tokenTtlSeconds: deps.options?.tokenTtlSeconds }),
    clientStatus: createClientStatusCache(deps.db, deps.now),
    requests: createFootprintRequestService({ db: deps.db, now: deps.now, publicUrl: deps.publicUrl, onEnqueued: deps.onEnqueued }),
    cache: createFootprintReadCache<CachedAnswer>(deps.db, { maxBytes: deps.options?.readCacheBytes }),
  };
}

/** The PACT host services of one tenant directory and set of shared services. */
export function createPactHostServices(deps: PactRouterDeps, shared: PactShared): PactHostServices {
  const opts = deps.options ?? {};
  const core = createPactHostCore({
    db: deps.db, tenants: deps.tenants, logger: deps.logger, now: deps.now, cache: shared.cache,
    verifier: createPactBearerVerifier({ tokens: shared.tokens, clients: shared.clientStatus, dataPlaneVerifier: deps.dataPlaneVerifier }),
    paginator: createPaginator(shared.tokens, opts.linkTtlSeconds, deps.now),
    defaultPageSize: opts.defaultPageSize ?? 100, maxPageSize: opts.maxPageSize ?? 1000, tenantCacheMs: opts.tenantCacheMs,
  });
  const token = createTokenEndpoint({ db: deps.db, tokens: shared.tokens, tenantKnown: core.tenantKnown, logger: deps.logger, clientStatus: shared.clientStatus, now: deps.now });
  return { core, token };
}

/** Limits of the token endpoint's form body (the fast lane applies the same). */
export const TOKEN_BODY_LIMIT = 2048;
export const TOKEN_PARAMETER_LIMIT = 10;
const CLOUD_EVENT_TYPES = ['application/cloudevents+json', 'application/json', 'application/*+json'];

function versionOf(req: Request): PactApiVersion {
  return /^\/2(\/|$)/.test(req.path) ? '2' : '3';
}

type Handler = (req: Request, res: Response) => Promise<void>;

export function createPactRouter(deps: PactRouterDeps): Router {
  const opts = deps.options ?? {};
  const shared = deps.shared ?? createPactShared(deps);
  const { core, token } = deps.host ?? createPactHostServices(deps, shared);
  const log = deps.logger.child({ component: 'pact.host' });
  const handlers = createPactHandlers({ logger: deps.logger, requests: shared.requests });
  const tenantKnown = core.tenantKnown;

  const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };

  const authenticate = (version: PactApiVersion) => (req: Request, res: Response, next: NextFunction): void => {
    res.locals.pactVersion = version;
    const tenantId = String(req.params.tenantId);
    core.authenticate(version, tenantId, req.headers.authorization, { path: req.path, method: req.method, requestId: res.locals.requestId as string | undefined }).then((auth) => {
      if (!auth.ok) return sendReply(res, auth.reply);
      res.locals.pactTenantId = tenantId;
      res.locals.pactPrincipal = auth.principal;
      next();
    }, next);
  };

  const router = Router({ mergeParams: true });

  router.get('/.well-known/openid-configuration', wrap(async (req, res) => {
    const tenantId = String(req.params.tenantId);
    if (!(await tenantKnown(tenantId))) return sendPactCode(res, '3', 'NotFound', 'not found');
    const issuer = shared.tokens.issuer(tenantId);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      issuer, token_endpoint: `${issuer}/auth/token`, jwks_uri: `${issuer}/jwks.json`,
      grant_types_supported: ['client_credentials'], token_endpoint_auth_methods_supported: ['client_secret_basic'],
      response_types_supported: ['token'], scopes_supported: PACT_SCOPES.split(' '), subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  }));
  const jwks = wrap(async (req, res) => {
    const tenantId = String(req.params.tenantId);
    if (!(await tenantKnown(tenantId))) return sendPactCode(res, '3', 'NotFound', 'not found');
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json({ keys: await shared.tokens.jwks(tenantId) });
  });
  router.get('/jwks.json', jwks);
  router.get('/.well-known/jwks.json', jwks);

  router.post('/auth/token', express.urlencoded({ extended: false, limit: TOKEN_BODY_LIMIT, parameterLimit: TOKEN_PARAMETER_LIMIT }), wrap(async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    sendReply(res, await token({ tenantId: String(req.params.tenantId), isForm: req.is('application/x-www-form-urlencoded') !== false, form, authorization: req.headers.authorization }));
  }));

  const eventBody = express.json({ type: CLOUD_EVENT_TYPES, limit: opts.eventBodyLimit ?? '1mb' });
  for (const version of ['2', '3'] as const) {
    router.get(`/${version}/footprints`, authenticate(version), wrap(async (req, res) => sendReply(res, await core.listFootprints(version, String(req.params.tenantId), req.query))));
    router.get(`/${version}/footprints/:id`, authenticate(version), wrap(async (req, res) => sendReply(res, await core.getFootprint(version, String(req.params.tenantId), String(req.params.id)))));
    router.post(`/${version}/events`, authenticate(version), eventBody, wrap(handlers.events));
    router.all(`/${version}/{*rest}`, (_req: Request, res: Response) => sendPactCode(res, version, 'NotImplemented', 'unknown action'));
  }

  router.use((error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const version = versionOf(req);
    const e = error as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed' || e.type === 'entity.too.large' || e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || e.type === 'parameters.too.many' || e.status === 400) {
      return sendPactCode(res, version, 'BadRequest', e.type === 'entity.too.large' ? 'request body too large' : e.type === 'parameters.too.many' ? 'too many parameters' : 'malformed request body');
    }
    const errorId = randomUUID();
    log.error('PACT request failed', { errorId, path: req.path, error, requestId: res.locals.requestId });
    sendPactCode(res, version, 'InternalError', `internal error ${errorId}`);
  });
  return router;
}
