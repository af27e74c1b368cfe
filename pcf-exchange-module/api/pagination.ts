// PACT pagination: `limit` parsing, signed cursors bound to tenant, API version and filter, absolute `Link: rel="next"`.
import { createHash } from 'node:crypto';
import type { PactTokenService } from '../clients/pact-tokens';
import type { PactApiVersion } from './pact-errors';

export const CURSOR_PARAM = 'cursor';

export type QueryValues = Readonly<Record<string, unknown>>;

/** The query parameters that define the result set (everything but `limit` and the cursor), in a canonical order. */
function defining(query: QueryValues): [string, string[]][] {
  return Object.entries(query)
    .filter(([k]) => k !== 'limit' && k !== CURSOR_PARAM)
    .map(([k, v]): [string, string[]] => [k, (Array.isArray(v) ? v : [v]).map(String)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The result-set-defining parameters as one canonical string (order of parameters and of repeated values ignored). */
export function canonicalQuery(query: QueryValues): string {
  return JSON.stringify(defining(query).map(([k, v]) => [k, [...v].sort()]));
}

/** A digest of the result-set-defining parameters: a cursor only continues the listing it was issued for. */
export function filterDigest(version: PactApiVersion, query: QueryValues): string {
  const canonical = `[${JSON.stringify(version)},${canonicalQuery(query)}]`;
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

/** `limit` as a page size: absent → `fallback`; else a positive integer capped at `max`; undefined when malformed. */
export function parseLimit(raw: unknown, fallback: number, max: number): number | undefined {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,8}$/.test(raw.trim())) return undefined;
  return Math.min(Number(raw.trim()), max);
}

export type CursorCheck = { ok: true; storeCursor: string | undefined } | { ok: false; message: string };

export interface Paginator {
  /** The store cursor of the request's `cursor` parameter, checked against tenant, version and filter. */
  read(tenantId: string, version: PactApiVersion, query: QueryValues): Promise<CursorCheck>;
  /** The absolute next-page URL continuing after `storeCursor` with the same parameters, and when it expires (epoch ms). */
  nextLink(tenantId: string, version: PactApiVersion, query: QueryValues, limit: number, storeCursor: string): Promise<{ url: string; expiresAt: number }>;
}

/** Links stay valid `ttlSeconds` (at least 180 s, as PACT requires). */
export function createPaginator(tokens: PactTokenService, ttlSeconds = 900, now: () => Date = () => new Date()): Paginator {
  const ttl = Math.max(180, ttlSeconds);
  return {
    async read(tenantId, version, query) {
      const raw = query[CURSOR_PARAM];
      if (raw === undefined) return { ok: true, storeCursor: undefined };
      if (typeof raw !== 'string' || raw.length > 2048) return { ok: false, message: 'invalid pagination link' };
      const r = await tokens.verifyCursor(tenantId, raw);
      if (!r.ok) return { ok: false, message: r.code === 'expired' ? 'pagination link expired: list again from the start' : 'invalid pagination link' };
      if (r.claims.v !== version || r.claims.q !== filterDigest(version, query) || typeof r.claims.c !== 'string') {
        return { ok: false, message: 'pagination link does not belong to this listing' };
      }
      return { ok: true, storeCursor: r.claims.c };
    },
    async nextLink(tenantId, version, query, limit, storeCursor) {
      const expiresAt = (Math.floor(now().getTime() / 1000) + ttl) * 1000;
      const cursor = await tokens.signCursor(tenantId, { v: version, q: filterDigest(version, query), c: storeCursor }, ttl);
      const params = new URLSearchParams();
      for (const [k, values] of defining(query)) for (const v of values) params.append(k, v);
      params.set('limit', String(limit));
      params.set(CURSOR_PARAM, cursor);
      return { url: `${tokens.issuer(tenantId)}/${version}/footprints?${params.toString()}`, expiresAt };
    },
  };
}
