// Cache of verified partner presentations (DCP): bounded LRU, lifetime capped by the credentials' expiry, single-flight, failures never stored.
import type { IdentityResult } from './failures';
import type { ParticipantClaims } from './presentation-verifier';

/** What a verified presentation result is valid for: one verifier tenant, one partner, one request shape. */
export interface PresentationCacheKey {
  readonly tenantId: string;
  readonly partnerDid: string;
  /** Order and duplicates do not matter. */
  readonly requiredTypes: readonly string[];
  readonly scopeForm: 'tractusx' | 'dcp';
}

export interface PresentationCacheConfig {
  /** Longest reuse of a verified presentation, seconds (revocations are honoured at most this late); 0 disables the cache. Default 60. */
  readonly ttlSeconds?: number;
  /** Most entries kept; the least recently used is dropped beyond it. Default 10 000. */
  readonly maxEntries?: number;
  readonly now: () => Date;
}

/** Reuses verified presentation results; the caller still verifies the partner's SI token on every request. */
export interface PresentationCache {
  /**
   * Fresh cached claims for `key`, else runs `load` — once for all concurrent callers of the same key — and keeps a
   * success until the earliest of now + TTL and the earliest `validUntil` of its credentials. Failures are returned, never kept.
   */
  getOrLoad(key: PresentationCacheKey, load: () => Promise<IdentityResult<ParticipantClaims>>): Promise<IdentityResult<ParticipantClaims>>;
  /** Drops every entry (and in-flight query) of verifier `tenantId`, e.g. when it is offboarded; returns how many entries. */
  invalidateTenant(tenantId: string): number;
  /** Drops every entry (and in-flight query) about `partnerDid`; returns how many entries. */
  invalidatePartner(partnerDid: string): number;
  clear(): void;
  /** Entries currently held (expired ones included until touched). */
  size(): number;
}

interface Entry {
  readonly key: PresentationCacheKey;
  readonly claims: ParticipantClaims;
  readonly expiresAt: number;
}

interface Pending {
  readonly key: PresentationCacheKey;
  readonly promise: Promise<IdentityResult<ParticipantClaims>>;
}

function keyString(key: PresentationCacheKey): string {
  return JSON.stringify([key.tenantId, key.partnerDid, [...new Set(key.requiredTypes)].sort(), key.scopeForm]);
}

/** The earliest `validUntil` among the credentials, ms since the epoch; undefined when none expires. */
export function earliestCredentialExpiry(claims: ParticipantClaims): number | undefined {
  let earliest: number | undefined;
  for (const c of claims.credentials) {
    if (c.validUntil === undefined) continue;
    const t = Date.parse(c.validUntil);
    if (Number.isNaN(t)) return Number.NEGATIVE_INFINITY;
    if (earliest === undefined || t < earliest) earliest = t;
  }
  return earliest;
}

export function createPresentationCache(config: PresentationCacheConfig): PresentationCache {
  const ttlMs = Math.max(0, (config.ttlSeconds ?? 60) * 1000);
  const maxEntries = Math.max(1, config.maxEntries ?? 10_000);
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Pending>();

  function store(id: string, key: PresentationCacheKey, claims: ParticipantClaims): void {
    const now = config.now().getTime();
    const expiresAt = Math.min(now + ttlMs, earliestCredentialExpiry(claims) ?? Number.POSITIVE_INFINITY);
    if (expiresAt <= now) return;
    entries.delete(id);
    entries.set(id, { key, claims, expiresAt });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  }

  function dropWhere(match: (key: PresentationCacheKey) => boolean): number {
    let dropped = 0;
    for (const [id, e] of entries) {
      if (match(e.key)) {
        entries.delete(id);
        dropped++;
      }
    }
    for (const [id, p] of inFlight) if (match(p.key)) inFlight.delete(id);
    return dropped;
  }

  return {
    async getOrLoad(key, load) {
      if (ttlMs === 0) return load();
      const id = keyString(key);
      const hit = entries.get(id);
      if (hit !== undefined) {
        if (hit.expiresAt > config.now().getTime()) {
          entries.delete(id);
          entries.set(id, hit);
          return { ok: true, value: hit.claims };
        }
        entries.delete(id);
      }
      const running = inFlight.get(id);
      if (running !== undefined) return running.promise;
      const pending: Pending = {
        key,
        promise: load().then((result) => {
          // An invalidation while the query ran removed this pending entry: its result must not be kept.
          if (result.ok && inFlight.get(id) === pending) store(id, key, result.value);
          return result;
        }).finally(() => {
          if (inFlight.get(id) === pending) inFlight.delete(id);
        }),
      };
      inFlight.set(id, pending);
      return pending.promise;
    },
    invalidateTenant(tenantId) {
      return dropWhere((k) => k.tenantId === tenantId);
    },
    invalidatePartner(partnerDid) {
      return dropWhere((k) => k.partnerDid === partnerDid);
    },
    clear() {
      entries.clear();
      inFlight.clear();
    },
    size() {
      return entries.size;
    },
  };
}
