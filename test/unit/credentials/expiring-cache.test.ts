// Tests: Single-flight expiring cache behaviour.
import { createExpiringCache } from '../../../connector/credentials/expiring-cache';

describe('expiring single-flight cache', () => {
  let t = 0;
  const now = () => new Date(t);
  beforeEach(() => { t = 1_000_000; });

  it('shares one in-flight load among concurrent callers and serves hits until the margin', async () => {
    const cache = createExpiringCache<string>({ now, marginMs: 100 });
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const load = async () => { loads += 1; await gate; return { value: `v${loads}`, expiresAt: new Date(t + 1000) }; };
    const all = Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
    release();
    expect(new Set(await all)).toEqual(new Set(['v1']));
    expect(loads).toBe(1);
    t += 899;
    expect(await cache.get('k', load)).toBe('v1');
    t += 1;
    expect(await cache.get('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('does not cache failures, honours maxAge and deletion', async () => {
    const cache = createExpiringCache<number>({ now, marginMs: 0, maxAgeMs: 50 });
    await expect(cache.get('k', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    let n = 0;
    const load = async () => ({ value: ++n, expiresAt: new Date(8.64e15) });
    expect(await cache.get('k', load)).toBe(1);
    t += 49;
    expect(await cache.get('k', load)).toBe(1);
    t += 1;
    expect(await cache.get('k', load)).toBe(2);
    cache.deletePrefix('k');
    expect(await cache.get('k', load)).toBe(3);
  });

  it('ignores a load that finishes after its key was deleted', async () => {
    const cache = createExpiringCache<string>({ now, marginMs: 0 });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const stale = cache.get('k', async () => { await gate; return { value: 'stale', expiresAt: new Date(t + 1000) }; });
    cache.delete('k');
    release();
    expect(await stale).toBe('stale');
    expect(await cache.get('k', async () => ({ value: 'fresh', expiresAt: new Date(t + 1000) }))).toBe('fresh');
  });
});
