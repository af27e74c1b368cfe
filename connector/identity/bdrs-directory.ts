// BPN ↔ DID directory from a Catena-X BDRS server: `GET {url}/bpn-directory` with a membership VP, gzip or plain JSON, cached map.
import { gunzipSync } from 'node:zlib';
import type { OutboundHttpClient } from '../common/outbound-http';
import { fail, ok, type Result } from '../common/result';
import type { Logger } from '../observability/logger';
import { BPNL_PATTERN, type BpnDirectory } from './bpn-directory';
import type { MembershipPresenter } from './membership-presentation';

export interface BdrsDirectoryDeps {
  /** BDRS base URL, e.g. `https://bdrs.example.com/api/directory`. */
  readonly url: string;
  /** The SSRF-safe client (its timeout and size limit apply; see `maxResponseBytes`). */
  readonly http: OutboundHttpClient;
  /** Signs the MembershipCredential presentation that authenticates the call. */
  readonly presenter: MembershipPresenter;
  readonly now: () => Date;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
  /** How long a fetched map is reused, seconds. Default 900 (Tractus-X `tx.edc.iam.dcp.bdrs.cache.validity`). */
  readonly cacheSeconds?: number;
  /** A lookup that misses, or a failed fetch, triggers a new fetch only once the last attempt is this old, seconds. Default 30. */
  readonly minRefreshSeconds?: number;
  /** Largest accepted body, bytes, before and after gzip decoding. Default 5 MiB. */
  readonly maxResponseBytes?: number;
  /** Deadline of the fetch, ms; default the client's. */
  readonly timeoutMs?: number;
}

/** The BDRS-backed directory. The map is shared by all tenants; a fetch is authenticated by the tenant the lookup is for. */
export interface BdrsBpnDirectory extends BpnDirectory {
  /** Fetches the map now on behalf of `tenantId` (default: the first active tenant holding a MembershipCredential); the entry count or why it failed. */
  refresh(tenantId?: string): Promise<Result<number>>;
  /** Forgets the cached map. */
  invalidate(): void;
}

interface Snapshot {
  readonly byBpn: ReadonlyMap<string, string>;
  readonly byDid: ReadonlyMap<string, string>;
  readonly fetchedAt: number;
}

const DID_PATTERN = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The body as text: gzip (declared, or recognised by its magic bytes) is decoded within `limit` bytes. */
export function decodeDirectoryBody(body: Buffer, contentEncoding: string | undefined, limit: number): Result<string> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  const gzipMagic = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
  if (encoding === 'gzip' || encoding === 'x-gzip' || (encoding === 'identity' && gzipMagic)) {
    try {
      return ok(gunzipSync(body, { maxOutputLength: limit }).toString('utf8'));
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      return fail('bad-request', tooLarge ? `decompressed directory exceeds ${limit} bytes` : 'directory body is not valid gzip');
    }
  }
  if (encoding !== 'identity') return fail('bad-request', `unsupported content-encoding ${encoding.slice(0, 40)}`);
  return ok(body.toString('utf8'));
}

/** Parses `{ "<BPNL>": "<DID>", … }`; malformed entries are skipped and counted, a DID claimed by two BPNs keeps the first. */
export function parseDirectory(text: string): Result<{ byBpn: Map<string, string>; byDid: Map<string, string>; skipped: number }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('bad-request', 'directory body is not JSON');
  }
  if (!isObject(json)) return fail('bad-request', 'directory body is not a JSON object');
  const byBpn = new Map<string, string>();
  const byDid = new Map<string, string>();
  let skipped = 0;
  for (const [bpn, did] of Object.entries(json)) {
    if (!BPNL_PATTERN.test(bpn) || typeof did !== 'string' || did.length > 2048 || !DID_PATTERN.test(did) || byDid.has(did)) {
      skipped++;
      continue;
    }
    byBpn.set(bpn, did);
    byDid.set(did, bpn);
  }
  return ok({ byBpn, byDid, skipped });
}

export function createBdrsBpnDirectory(deps: BdrsDirectoryDeps): BdrsBpnDirectory {
  const cacheMs = (deps.cacheSeconds ?? 900) * 1000;
  const minMs = (deps.minRefreshSeconds ?? 30) * 1000;
  const limit = deps.maxResponseBytes ?? 5 * 1024 * 1024;
  const endpoint = `${deps.url.replace(/\/+$/, '')}/bpn-directory`;
  let snapshot: Snapshot | undefined;
  let refreshing: Promise<Snapshot | undefined> | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  const nowMs = () => deps.now().getTime();

  async function fetchDirectory(tenantId: string | undefined): Promise<Result<Snapshot>> {
    const presentation = await deps.presenter.present(tenantId);
    if (!presentation.ok) return fail('unauthorized', `no membership presentation: ${presentation.message}`);
    const res = await deps.http.request({
      url: endpoint,
      method: 'GET',
      headers: { authorization: `Bearer ${presentation.value.vp}`, accept: 'application/json', 'accept-encoding': 'gzip' },
      maxResponseBytes: limit,
      ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
    });
    if (!res.ok) return fail('bad-request', `${res.reason}: ${res.message}`);
    const { status, headers, body } = res.value;
    if (status < 200 || status > 299) {
      const why = status === 401 || status === 403 ? ' (the membership presentation was refused)' : '';
      return fail('bad-request', `BDRS answered HTTP ${status}${why}`);
    }
    const text = decodeDirectoryBody(body, headers['content-encoding'], limit);
    if (!text.ok) return text;
    const parsed = parseDirectory(text.value);
    if (!parsed.ok) return parsed;
    const { byBpn, byDid, skipped } = parsed.value;
    deps.logger.info('BDRS directory fetched', { entries: byBpn.size, skipped, tenantId: presentation.value.tenantId });
    return ok({ byBpn, byDid, fetchedAt: nowMs() });
  }

  function startRefresh(tenantId: string | undefined): Promise<Snapshot | undefined> {
    lastAttempt = nowMs();
    const pending: Promise<Snapshot | undefined> = fetchDirectory(tenantId)
      .catch((err: unknown) => fail('bad-request', `unexpected fault: ${err instanceof Error ? err.message : String(err)}`))
      .then((r) => {
        if (r.ok) {
          if (refreshing === pending) snapshot = r.value;
          return r.value;
        }
        deps.logger.warn('BDRS directory fetch failed; lookups use the previous map, if any', { reason: r.message, stale: snapshot !== undefined });
        return snapshot;
      })
      .finally(() => {
        if (refreshing === pending) refreshing = undefined;
      });
    refreshing = pending;
    return pending;
  }

  /** Joins a fetch in flight; else starts one unless the last attempt was under the minimum interval ago. */
  function refreshIfAllowed(tenantId: string | undefined): Promise<Snapshot | undefined> {
    if (refreshing !== undefined) return refreshing;
    if (nowMs() - lastAttempt < minMs) return Promise.resolve(snapshot);
    return startRefresh(tenantId);
  }

  async function lookup(pick: (s: Snapshot) => string | undefined, tenantId: string | undefined): Promise<string | undefined> {
    let s = snapshot;
    if (s === undefined || nowMs() - s.fetchedAt >= cacheMs) s = await refreshIfAllowed(tenantId);
    if (s === undefined) return undefined;
    const found = pick(s);
    if (found !== undefined || nowMs() - s.fetchedAt < minMs) return found;
    const fresher = await refreshIfAllowed(tenantId);
    return fresher === undefined ? undefined : pick(fresher);
  }

  return {
    didOf(bpn, tenantId) {
      return lookup((s) => s.byBpn.get(bpn), tenantId);
    },
    bpnOf(did, tenantId) {
      return lookup((s) => s.byDid.get(did), tenantId);
    },
    async entries(tenantId) {
      let s = snapshot;
      if (s === undefined || nowMs() - s.fetchedAt >= cacheMs) s = await refreshIfAllowed(tenantId);
      return s === undefined ? {} : Object.fromEntries(s.byBpn);
    },
    async refresh(tenantId) {
      const r = await fetchDirectory(tenantId).catch((err: unknown) => fail('bad-request', `unexpected fault: ${err instanceof Error ? err.message : String(err)}`));
      lastAttempt = nowMs();
      if (!r.ok) {
        deps.logger.warn('BDRS directory fetch failed', { reason: r.message });
        return r;
      }
      snapshot = r.value;
      return ok(r.value.byBpn.size);
    },
    invalidate() {
      snapshot = undefined;
      refreshing = undefined;
      lastAttempt = Number.NEGATIVE_INFINITY;
    },
  };
}
