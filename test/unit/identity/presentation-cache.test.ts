// Presentation cache rules: hit/miss, expiry by TTL and by credential validity, failures not kept, LRU bound, single-flight, invalidation, TTL 0.
import { identityFailure, type IdentityResult } from '../../../connector/identity/failures';
import { createPresentationCache, type PresentationCacheKey } from '../../../connector/identity/presentation-cache';
import type { ParticipantClaims } from '../../../connector/identity/presentation-verifier';

const T0 = Date.UTC(2026, 0, 15, 12);

function claims(did: string, validUntil?: string[]): ParticipantClaims {
  return {
    did,
    credentials: (validUntil ?? [undefined]).map((v, i) => ({
      type: `Type${i}`, types: ['VerifiableCredential', `Type${i}`], issuer: 'did:web:issuer', subject: { id: did }, ...(v === undefined ? {} : { validUntil: v }),
    })),
  };
}

function setup(ttlSeconds?: number, maxEntries?: number) {
  const clock = { ms: T0 };
  const cache = createPresentationCache({ ttlSeconds, maxEntries, now: () => new Date(clock.ms) });
  const calls: string[] = [];
  const loader = (result: IdentityResult<ParticipantClaims>, label = 'load') => async () => {
    calls.push(label);
    return result;
  };
  return { clock, cache, calls, loader };
}

const key = (over: Partial<PresentationCacheKey> = {}): PresentationCacheKey => ({
  tenantId: 'supplier', partnerDid: 'did:web:oem', requiredTypes: ['MembershipCredential', 'BpnCredential'], scopeForm: 'tractusx', ...over,
});

describe('presentation cache', () => {
  it('misses once, then hits for the same key (type order irrelevant)', async () => {
    const { cache, calls, loader } = setup();
    const ok = { ok: true as const, value: claims('did:web:oem') };
    expect(await cache.getOrLoad(key(), loader(ok))).toEqual(ok);
    expect(await cache.getOrLoad(key({ requiredTypes: ['BpnCredential', 'MembershipCredential', 'BpnCredential'] }), loader(ok))).toEqual(ok);
    expect(calls).toHaveLength(1);
    expect(cache.size()).toBe(1);
  });

  it('misses for different required types, scope form, tenant or partner', async () => {
    const { cache, calls, loader } = setup();
    const ok = { ok: true as const, value: claims('did:web:oem') };
    await cache.getOrLoad(key(), loader(ok));
    await cache.getOrLoad(key({ requiredTypes: ['MembershipCredential'] }), loader(ok));
    await cache.getOrLoad(key({ scopeForm: 'dcp' }), loader(ok));
    await cache.getOrLoad(key({ tenantId: 'other' }), loader(ok));
    await cache.getOrLoad(key({ partnerDid: 'did:web:other' }), loader(ok));
    expect(calls).toHaveLength(5);
  });

  it('expires after the TTL (injected clock) and is never used after it', async () => {
    const { clock, cache, calls, loader } = setup(60);
    const ok = { ok: true as const, value: claims('did:web:oem') };
    await cache.getOrLoad(key(), loader(ok));
    clock.ms = T0 + 59_999;
    await cache.getOrLoad(key(), loader(ok));
    expect(calls).toHaveLength(1);
    clock.ms = T0 + 60_000;
    await cache.getOrLoad(key(), loader(ok));
    expect(calls).toHaveLength(2);
  });

  it('expires at the earliest credential validUntil when that comes before the TTL', async () => {
    const { clock, cache, calls, loader } = setup(60);
    const ok = { ok: true as const, value: claims('did:web:oem', [new Date(T0 + 3_600_000).toISOString(), new Date(T0 + 10_000).toISOString()]) };
    await cache.getOrLoad(key(), loader(ok));
    clock.ms = T0 + 9_999;
    await cache.getOrLoad(key(), loader(ok));
    expect(calls).toHaveLength(1);
    clock.ms = T0 + 10_000;
    await cache.getOrLoad(key(), loader(ok));
    expect(calls).toHaveLength(2);
  });

  it('does not keep a result whose credential has already expired or has an unreadable expiry', async () => {
    const { cache, calls, loader } = setup(60);
    await cache.getOrLoad(key(), loader({ ok: true, value: claims('did:web:oem', [new Date(T0).toISOString()]) }));
    await cache.getOrLoad(key({ tenantId: 'b' }), loader({ ok: true, value: claims('did:web:oem', ['not a date']) }));
    expect(cache.size()).toBe(0);
    await cache.getOrLoad(key(), loader({ ok: true, value: claims('did:web:oem') }));
    expect(calls).toHaveLength(3);
  });

  it('never keeps a failure', async () => {
    const { cache, calls, loader } = setup();
    const bad = identityFailure('credential-revoked', 'revoked');
    expect(await cache.getOrLoad(key(), loader(bad))).toEqual(bad);
    expect(cache.size()).toBe(0);
    const ok = { ok: true as const, value: claims('did:web:oem') };
    expect(await cache.getOrLoad(key(), loader(ok))).toEqual(ok);
    expect(calls).toHaveLength(2);
  });

  it('is bounded: beyond maxEntries the least recently used entry goes', async () => {
    const { cache, calls, loader } = setup(60, 3);
    const ok = (did: string) => ({ ok: true as const, value: claims(did) });
    for (const d of ['a', 'b', 'c']) await cache.getOrLoad(key({ partnerDid: `did:web:${d}` }), loader(ok(d), d));
    await cache.getOrLoad(key({ partnerDid: 'did:web:a' }), loader(ok('a'), 'a')); // touch a: b is now the oldest
    for (let i = 0; i < 100; i++) await cache.getOrLoad(key({ partnerDid: `did:web:flood${i}` }), loader(ok('x'), 'flood'));
    expect(cache.size()).toBe(3);
    calls.length = 0;
    await cache.getOrLoad(key({ partnerDid: 'did:web:flood99' }), loader(ok('x'), 'flood99'));
    expect(calls).toEqual([]);
    await cache.getOrLoad(key({ partnerDid: 'did:web:a' }), loader(ok('a'), 'a'));
    expect(calls).toEqual(['a']);
  });

  it('single-flight: concurrent callers of one key share one query', async () => {
    const { cache } = setup();
    let release: (v: IdentityResult<ParticipantClaims>) => void = () => undefined;
    let queries = 0;
    const slow = () => {
      queries++;
      return new Promise<IdentityResult<ParticipantClaims>>((r) => (release = r));
    };
    const all = Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad(key(), slow)));
    await Promise.resolve();
    release({ ok: true, value: claims('did:web:oem') });
    const results = await all;
    expect(queries).toBe(1);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('single-flight shares a failure with the callers that waited for it, and keeps nothing', async () => {
    const { cache } = setup();
    let queries = 0;
    const failing = async () => {
      queries++;
      await new Promise((r) => setTimeout(r, 5));
      return identityFailure('presentation-query-failed', 'down');
    };
    const results = await Promise.all([cache.getOrLoad(key(), failing), cache.getOrLoad(key(), failing)]);
    expect(queries).toBe(1);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    await cache.getOrLoad(key(), failing);
    expect(queries).toBe(2);
  });

  it('invalidates per tenant and per partner, including a query in flight', async () => {
    const { cache, calls, loader } = setup();
    const ok = { ok: true as const, value: claims('did:web:oem') };
    await cache.getOrLoad(key(), loader(ok));
    await cache.getOrLoad(key({ tenantId: 'other' }), loader(ok));
    await cache.getOrLoad(key({ partnerDid: 'did:web:p2' }), loader(ok));
    expect(cache.invalidateTenant('supplier')).toBe(2);
    expect(cache.size()).toBe(1);
    expect(cache.invalidatePartner('did:web:oem')).toBe(1);
    expect(cache.size()).toBe(0);

    let release: (v: IdentityResult<ParticipantClaims>) => void = () => undefined;
    const running = cache.getOrLoad(key(), () => new Promise((r) => (release = r)));
    cache.invalidateTenant('supplier');
    release(ok);
    expect(await running).toEqual(ok);
    expect(cache.size()).toBe(0);
    calls.length = 0;
    await cache.getOrLoad(key(), loader(ok));
    expect(calls).toHaveLength(1);
  });

  it('TTL 0 disables caching and coalescing', async () => {
    const { cache, calls, loader } = setup(0);
    const ok = { ok: true as const, value: claims('did:web:oem') };
    await cache.getOrLoad(key(), loader(ok));
    await Promise.all([cache.getOrLoad(key(), loader(ok)), cache.getOrLoad(key(), loader(ok))]);
    expect(calls).toHaveLength(3);
    expect(cache.size()).toBe(0);
  });
});
