// The PACT host's read path, independent of the HTTP framework: tenant check, bearer check, GetFootprint, ListFootprints.
import { isValidTenantId } from '../../connector/common/tenant-id';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { toV2, toV3 } from '../model/convert-v2-v3';
import type { FilterParse } from '../query/filter-ast';
import { parseODataFilter } from '../query/odata-filter';
import { parseV3QueryParams, type QueryParams } from '../query/v3-query-params';
import type { StoredFootprint } from '../store/footprint-store';
import type { FootprintReadCache, Sized } from '../store/footprint-read-cache';
import { createSqlFootprintStore } from '../store/sql-footprint-store';
import type { PactBearerVerifier, PactPrincipal } from './pact-auth';
import { pactError, pactErrorForFailure, pactTokenError, type PactApiVersion } from './pact-errors';
import { errorReply, type PactReply } from './pact-replies';
import { canonicalQuery, parseLimit, type Paginator, type QueryValues } from './pagination';

/** The app's view of tenants (the PACT host only needs to know whether one exists). */
export interface PactTenantDirectory {
  /** The tenant, or undefined when unknown or offboarded. */
  get(tenantId: string): Promise<{ readonly id: string; readonly bpn: string; readonly displayName: string } | undefined>;
}

/** A cached answer: the JSON bytes, and for a list page the next-page link and until when it may be handed out. */
export interface CachedAnswer extends Sized {
  readonly body: Buffer;
  readonly link?: { readonly url: string; readonly reusableUntil: number };
}

export interface PactHostCoreDeps {
  readonly db: Database;
  readonly tenants: PactTenantDirectory;
  readonly verifier: PactBearerVerifier;
  readonly paginator: Paginator;
  readonly cache: FootprintReadCache<CachedAnswer>;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  /** How long a tenant lookup is reused (default 10 s). */
  readonly tenantCacheMs?: number;
}

export type Authentication = { readonly ok: true; readonly principal: PactPrincipal } | { readonly ok: false; readonly reply: PactReply };

export interface PactHostCore {
  /** True when `tenantId` is a tenant of this connector (cached briefly). */
  tenantKnown(tenantId: unknown): Promise<boolean>;
  /** Checks the `Authorization` header of a request to `tenantId`'s host; the refusal is in the version's format. */
  authenticate(version: PactApiVersion, tenantId: string, authorization: string | undefined, context: { path: string; method: string; requestId?: string }): Promise<Authentication>;
  /**
   * The caller's principal when the tenant, the token's verification and its client's status are all cached (the
   * common case of a partner polling with one token), synchronously; undefined means: call `authenticate`.
   */
  authenticateCached(tenantId: string, authorization: string | undefined): PactPrincipal | undefined;
  /** GetFootprint in the shape of `version`. */
  getFootprint(version: PactApiVersion, tenantId: string, id: string): Promise<PactReply>;
  /** ListFootprints (filters, `limit`, signed cursor) in the shape of `version`. */
  listFootprints(version: PactApiVersion, tenantId: string, query: QueryValues): Promise<PactReply>;
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i;
/** A cached next-page link is handed out only while it stays valid this long afterwards (PACT: at least 180 s). */
const LINK_MIN_REMAINING_MS = 185_000;

/** The footprint in the shape of `version`, or undefined when it cannot be expressed there. */
function shape(version: PactApiVersion, s: StoredFootprint): unknown {
  const r = version === '2' ? toV2(s.footprint, { version: s.version, updated: s.updated }) : toV3(s.footprint);
  return r.ok ? r.value : undefined;
}

function parseFilter(version: PactApiVersion, query: QueryValues): FilterParse {
  if (version === '3') return parseV3QueryParams(query as QueryParams);
  const raw = query.$filter;
  if (raw === undefined) return { ok: true, value: { kind: 'true' } };
  if (typeof raw !== 'string') return { ok: false, reason: 'bad-request', message: '$filter may be given once', details: [] };
  return parseODataFilter(raw);
}

const answer = (body: Buffer, link?: CachedAnswer['link']): CachedAnswer => ({ body, bytes: body.length + (link?.url.length ?? 0) + 64, ...(link === undefined ? {} : { link }) });

export function createPactHostCore(deps: PactHostCoreDeps): PactHostCore {
  const store = createSqlFootprintStore();
  const log = deps.logger.child({ component: 'pact.host' });
  const tenantCacheMs = deps.tenantCacheMs ?? 10_000;
  const tenantCache = new Map<string, { known: boolean; until: number }>();

  function cachedTenantKnown(tenantId: string): boolean | undefined {
    const hit = tenantCache.get(tenantId);
    return hit !== undefined && hit.until > deps.now().getTime() ? hit.known : undefined;
  }

  async function tenantKnown(tenantId: unknown): Promise<boolean> {
    if (!isValidTenantId(tenantId)) return false;
    const cached = cachedTenantKnown(tenantId);
    if (cached !== undefined) return cached;
    const known = (await deps.tenants.get(tenantId)) !== undefined;
    if (tenantCache.size > 10_000) tenantCache.clear();
    tenantCache.set(tenantId, { known, until: deps.now().getTime() + tenantCacheMs });
    return known;
  }

  return {
    tenantKnown,

    authenticateCached(tenantId, authorization) {
      // Only the canonical `Bearer <token>` form; anything else takes the full path (and its precise refusals).
      if (authorization === undefined || authorization.length < 8 || authorization.charCodeAt(6) !== 32 || !authorization.startsWith('Bearer')) return undefined;
      if (cachedTenantKnown(tenantId) !== true) return undefined;
      // A cached verification exists only for the exact string of a token that passed full verification.
      return deps.verifier.verifyCached(tenantId, authorization.slice(7));
    },

    async authenticate(version, tenantId, authorization, context) {
      const m = BEARER.exec(authorization ?? '');
      const refuse = (expired: boolean, message: string): Authentication => ({
        ok: false, reply: errorReply(pactTokenError(version, expired, message), { 'WWW-Authenticate': 'Bearer realm="pact", error="invalid_token"' }),
      });
      if (m === null) return refuse(false, 'missing or malformed bearer token');
      if (!(await tenantKnown(tenantId))) return refuse(false, 'invalid access token');
      const check = await deps.verifier.verify(tenantId, m[1]);
      if (!check.ok) {
        if (check.forbidden === true) return { ok: false, reply: errorReply(pactError(version, 'AccessDenied', check.message)) };
        if (!check.unavailable) return refuse(check.expired, check.message);
        return { ok: false, reply: errorReply(pactError(version, 'InternalError', 'token verification temporarily unavailable')) };
      }
      const p = check.principal;
      if (p.kind === 'data-plane') {
        log.info('data-plane call', { tenantId, path: context.path, method: context.method, consumerBpn: p.bpn, agreementId: p.agreementId, transferId: p.transferId, requestId: context.requestId });
      }
      return { ok: true, principal: p };
    },

    async getFootprint(version, tenantId, id) {
      const key = `get\u0000${version}\u0000${id}`;
      const hit = deps.cache.get(tenantId, key);
      if (hit !== undefined) return { status: 200, body: hit.body };
      let failure: PactReply | undefined;
      const cached = await deps.cache.getOrLoad(tenantId, key, async () => {
        const found = await deps.db.withTenant(tenantId, (tx) => store.get(tx, id));
        if (!found.ok) {
          failure = errorReply(pactErrorForFailure(version, found));
          return undefined;
        }
        const doc = shape(version, found.value);
        if (doc === undefined) {
          failure = errorReply(pactError(version, 'NotFound', `footprint ${id} cannot be expressed in PACT v${version}`));
          return undefined;
        }
        return answer(Buffer.from(JSON.stringify({ data: doc })));
      });
      return cached === undefined ? (failure as PactReply) : { status: 200, body: cached.body };
    },

    async listFootprints(version, tenantId, query) {
      const limit = parseLimit(query.limit, deps.defaultPageSize, deps.maxPageSize);
      if (limit === undefined) return errorReply(pactError(version, 'BadRequest', 'limit must be a positive integer'));
      const filter = parseFilter(version, query);
      if (!filter.ok) {
        const unsupported = filter.details.some((d) => d.problem === 'unsupported');
        return errorReply(pactError(version, unsupported ? 'NotImplemented' : 'BadRequest', filter.message));
      }
      const cursor = await deps.paginator.read(tenantId, version, query);
      if (!cursor.ok) return errorReply(pactError(version, 'BadRequest', cursor.message));
      const key = `list\u0000${version}\u0000${limit}\u0000${cursor.storeCursor ?? ''}\u0000${canonicalQuery(query)}`;
      let failure: PactReply | undefined;
      const loaded = await deps.cache.getOrLoad(tenantId, key, async () => {
        const page = await deps.db.withTenant(tenantId, (tx) => store.list(tx, {
          filter: filter.value, limit, ...(cursor.storeCursor === undefined ? {} : { cursor: cursor.storeCursor }),
        }));
        if (!page.ok) {
          failure = errorReply(pactErrorForFailure(version, page));
          return undefined;
        }
        const data = page.value.items.map((s) => shape(version, s)).filter((d) => d !== undefined);
        const body = Buffer.from(JSON.stringify({ data }));
        if (page.value.nextCursor === null) return answer(body);
        const issuedAt = deps.now().getTime();
        const next = await deps.paginator.nextLink(tenantId, version, query, limit, page.value.nextCursor);
        return answer(body, { url: next.url, reusableUntil: Math.max(issuedAt, next.expiresAt - LINK_MIN_REMAINING_MS) });
      }, (hit) => hit.link === undefined || hit.link.reusableUntil > deps.now().getTime());
      if (loaded === undefined) return failure as PactReply;
      return { status: 200, body: loaded.body, ...(loaded.link === undefined ? {} : { headers: { Link: `<${loaded.link.url}>; rel="next"` } }) };
    },
  };
}
