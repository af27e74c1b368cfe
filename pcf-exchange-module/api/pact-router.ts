// The tenant's PACT host (mounted at /tenants/:tenantId/pact): token endpoint, discovery, JWKS, /2 and /3 actions.
import { randomUUID } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { isValidTenantId } from '../../connector/common/tenant-id';
import type { TenantKeyProvider } from '../../connector/credentials/key-provider';
import type { DataPlaneTokenVerifier } from '../../connector/credentials/token-verifier';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { createPactTokenService, PACT_SCOPES, type PactTokenService } from '../clients/pact-tokens';
import { createFootprintRequestService, type FootprintRequestService } from '../service/request-service';
import { createClientStatusCache, createPactBearerVerifier, type ClientStatusCache, type PactBearerVerifier } from './pact-auth';
import { pactTokenError, type PactApiVersion } from './pact-errors';
import { createPactHandlers, sendPact, sendPactCode } from './pact-host-handlers';
import { createPaginator } from './pagination';
import { createTokenEndpoint } from './token-endpoint';

/** The app's view of tenants (the PACT host only needs to know whether one exists). */
export interface PactTenantDirectory {
  /** The tenant, or undefined when unknown or offboarded. */
  get(tenantId: string): Promise<{ readonly id: string; readonly bpn: string; readonly displayName: string } | undefined>;
}

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
}

/** Services shared between the PACT host and the management router (one instance per process). */
export interface PactShared {
  readonly tokens: PactTokenService;
  readonly clientStatus: ClientStatusCache;
  readonly requests: FootprintRequestService;
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
  /** Called after a commit that queued events for `tenantId` (wakes the delivery worker). */
  readonly onEnqueued?: (tenantId: string) => void;
}

/** Shared services from the router deps (used when the caller does not provide them). */
export function createPactShared(deps: Pick<PactRouterDeps, 'db' | 'keys' | 'publicUrl' | 'now' | 'options' | 'onEnqueued'>): PactShared {
  return {
    tokens: createPactTokenService({ keys: deps.keys, publicUrl: deps.publicUrl, now: deps.now, tokenTtlSeconds: deps.options?.tokenTtlSeconds }),
    clientStatus: createClientStatusCache(deps.db, deps.now),
    requests: createFootprintRequestService({ db: deps.db, now: deps.now, publicUrl: deps.publicUrl, onEnqueued: deps.onEnqueued }),
  };
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i;
const CLOUD_EVENT_TYPES = ['application/cloudevents+json', 'application/json', 'application/*+json'];

function versionOf(req: Request): PactApiVersion {
  return /^\/2(\/|$)/.test(req.path) ? '2' : '3';
}

type Handler = (req: Request, res: Response) => Promise<void>;

export function createPactRouter(deps: PactRouterDeps): Router {
  const opts = deps.options ?? {};
  const shared = deps.shared ?? createPactShared(deps);
  const log = deps.logger.child({ component: 'pact.host' });
  const verifier: PactBearerVerifier = createPactBearerVerifier({ tokens: shared.tokens, clients: shared.clientStatus, dataPlaneVerifier: deps.dataPlaneVerifier });
  const handlers = createPactHandlers({
    db: deps.db, logger: deps.logger, paginator: createPaginator(shared.tokens, opts.linkTtlSeconds), requests: shared.requests,
    defaultPageSize: opts.defaultPageSize ?? 100, maxPageSize: opts.maxPageSize ?? 1000,
  });
  const tenantCacheMs = opts.tenantCacheMs ?? 10_000;
  const tenantCache = new Map<string, { known: boolean; until: number }>();

  async function tenantKnown(tenantId: unknown): Promise<boolean> {
    if (!isValidTenantId(tenantId)) return false;
    const t = deps.now().getTime();
    const hit = tenantCache.get(tenantId);
    if (hit !== undefined && hit.until > t) return hit.known;
    const known = (await deps.tenants.get(tenantId)) !== undefined;
    if (tenantCache.size > 10_000) tenantCache.clear();
    tenantCache.set(tenantId, { known, until: t + tenantCacheMs });
    return known;
  }

  const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };

  /** Resolves true when the request may proceed (principal in `res.locals`), false when a refusal was sent. */
  async function authenticateRequest(version: PactApiVersion, req: Request, res: Response): Promise<boolean> {
    res.locals.pactVersion = version;
    const tenantId = String(req.params.tenantId);
    const m = BEARER.exec(req.headers.authorization ?? '');
    const refuse = (expired: boolean, message: string): false => {
      res.setHeader('WWW-Authenticate', 'Bearer realm="pact", error="invalid_token"');
      sendPact(res, pactTokenError(version, expired, message));
      return false;
    };
    if (m === null) return refuse(false, 'missing or malformed bearer token');
    if (!(await tenantKnown(tenantId))) return refuse(false, 'invalid access token');
    const check = await verifier.verify(tenantId, m[1]);
    if (!check.ok) {
      if (!check.unavailable) return refuse(check.expired, check.message);
      sendPactCode(res, version, 'InternalError', 'token verification temporarily unavailable');
      return false;
    }
    res.locals.pactTenantId = tenantId;
    res.locals.pactPrincipal = check.principal;
    const p = check.principal;
    if (p.kind === 'data-plane') {
      log.info('data-plane call', { tenantId, path: req.path, method: req.method, consumerBpn: p.bpn, agreementId: p.agreementId, transferId: p.transferId, requestId: res.locals.requestId });
    }
    return true;
  }

  const authenticate = (version: PactApiVersion) => (req: Request, res: Response, next: NextFunction): void => {
    authenticateRequest(version, req, res).then((passed) => { if (passed) next(); }, next);
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

  router.post('/auth/token', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }),
    wrap(createTokenEndpoint({ db: deps.db, tokens: shared.tokens, tenantKnown, logger: deps.logger, clientStatus: shared.clientStatus, now: deps.now })));

  const eventBody = express.json({ type: CLOUD_EVENT_TYPES, limit: opts.eventBodyLimit ?? '1mb' });
  for (const version of ['2', '3'] as const) {
    router.get(`/${version}/footprints`, authenticate(version), wrap(handlers.list));
    router.get(`/${version}/footprints/:id`, authenticate(version), wrap(handlers.get));
    router.post(`/${version}/events`, authenticate(version), eventBody, wrap(handlers.events));
    router.all(`/${version}/{*rest}`, (_req: Request, res: Response) => sendPactCode(res, version, 'NotImplemented', 'unknown action'));
  }

  router.use((error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const version = versionOf(req);
    const e = error as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed' || e.type === 'entity.too.large' || e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || e.status === 400) {
      return sendPactCode(res, version, 'BadRequest', e.type === 'entity.too.large' ? 'request body too large' : 'malformed request body');
    }
    const errorId = randomUUID();
    log.error('PACT request failed', { errorId, path: req.path, error, requestId: res.locals.requestId });
    sendPactCode(res, version, 'InternalError', `internal error ${errorId}`);
  });
  return router;
}
