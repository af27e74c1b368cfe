// The read cache: hits, per-tenant invalidation, races with changes, feed outages, byte budget, disabling.
import type { ChannelHandlers } from '../../../connector/store/database';
import { createFootprintReadCache, FOOTPRINTS_CHANGED_CHANNEL, type Sized } from '../../../pcf-exchange-module/store/footprint-read-cache';

interface Value extends Sized {
  readonly text: string;
}

const value = (text: string, bytes = 10): Value => ({ text, bytes });

function feed() {
  let handlers: ChannelHandlers | undefined;
  let channel: string | undefined;
  let stopped = false;
  return {
    db: {
      listen: async (name: string, h: ChannelHandlers) => {
        channel = name;
        handlers = h;
        return async () => void (stopped = true);
      },
    },
    notify: (payload: string) => handlers?.onMessage(payload),
    reset: (connected: boolean) => handlers?.onReset(connected),
    get channel() {
      return channel;
    },
    get stopped() {
      return stopped;
    },
  };
}

describe('footprint read cache', () => {
  it('caches nothing until the change feed listens, then serves hits', async () => {
    const f = feed();
    const cache = createFootprintReadCache<Value>(f.db);
    let loads = 0;
    const load = async () => value(`v${++loads}`);
    expect((await cache.getOrLoad('a', 'k', load))?.text).toBe('v1');
    expect((await cache.getOrLoad('a', 'k', load))?.text).toBe('v2');
    await cache.start();
    expect(f.channel).toBe(FOOTPRINTS_CHANGED_CHANNEL);
    expect((await cache.getOrLoad('a', 'k', load))?.text).toBe('v3');
    expect((await cache.getOrLoad('a', 'k', load))?.text).toBe('v3');
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 10, live: true, hits: 1 });
    await cache.stop();
    expect(f.stopped).toBe(true);
    expect(cache.get('a', 'k')).toBeUndefined();
  });

  it('drops only the notified tenant; "*" drops every tenant', async () => {
    const f = feed();
    const cache = createFootprintReadCache<Value>(f.db);
    await cache.start();
    await cache.getOrLoad('a', 'k', async () => value('a1'));
    await cache.getOrLoad('b', 'k', async () => value('b1'));
    f.notify('a');
    expect(cache.get('a', 'k')).toBeUndefined();
    expect(cache.get('b', 'k')?.text).toBe('b1');
    f.notify('*');
    expect(cache.get('b', 'k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('does not store a value loaded while the tenant changed (the load may have read the old rows)', async () => {
    const f = feed();
    const cache = createFootprintReadCache<Value>(f.db);
    await cache.start();
    await cache.getOrLoad('a', 'k', async () => {
      f.notify('a');
      return value('stale');
    });
    expect(cache.get('a', 'k')).toBeUndefined();
    await cache.getOrLoad('a', 'k', async () => {
      cache.invalidate('a');
      return value('stale');
    });
    expect(cache.get('a', 'k')).toBeUndefined();
    await cache.getOrLoad('b', 'k', async () => {
      f.notify('a');
      return value('b');
    });
    expect(cache.get('b', 'k')?.text).toBe('b');
  });

  it('serves nothing while the feed is down and starts empty when it is back', async () => {
    const f = feed();
    const cache = createFootprintReadCache<Value>(f.db);
    await cache.start();
    await cache.getOrLoad('a', 'k', async () => value('a1'));
    f.reset(false);
    expect(cache.get('a', 'k')).toBeUndefined();
    await cache.getOrLoad('a', 'k', async () => value('a2'));
    expect(cache.get('a', 'k')).toBeUndefined();
    expect(cache.stats().live).toBe(false);
    f.reset(true);
    expect(cache.get('a', 'k')).toBeUndefined();
    await cache.getOrLoad('a', 'k', async () => value('a3'));
    expect(cache.get('a', 'k')?.text).toBe('a3');
  });

  it('keeps within its byte budget, evicting the least recently used, and never stores oversized values', async () => {
    const f = feed();
    const cache = createFootprintReadCache<Value>(f.db, { maxBytes: 30, maxEntryBytes: 20 });
    await cache.start();
    await cache.getOrLoad('a', 'k1', async () => value('1'));
    await cache.getOrLoad('a', 'k2', async () => value('2'));
    await cache.getOrLoad('a', 'k3', async () => value('3'));
    expect(cache.get('a', 'k1')?.text).toBe('1'); // k1 is now the most recent
    await cache.getOrLoad('b', 'k4', async () => value('4'));
    expect(cache.get('a', 'k2')).toBeUndefined();
    expect(cache.get('a', 'k1')?.text).toBe('1');
    expect(cache.stats().bytes).toBeLessThanOrEqual(30);
    await cache.getOrLoad('a', 'big', async () => value('big', 25));
    expect(cache.get('a', 'big')).toBeUndefined();
  });

  it('does not keep failures, re-loads a hit the caller finds unusable, and is off with a zero budget', async () => {
    const f = feed();
    const cache = createFootprintReadCache<Value>(f.db);
    await cache.start();
    expect(await cache.getOrLoad('a', 'k', async () => undefined)).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
    await cache.getOrLoad('a', 'k', async () => value('old'));
    const fresh = await cache.getOrLoad('a', 'k', async () => value('new'), (hit) => hit.text !== 'old');
    expect(fresh?.text).toBe('new');
    expect(cache.get('a', 'k')?.text).toBe('new');

    const off = createFootprintReadCache<Value>(feed().db, { maxBytes: 0 });
    await off.start();
    await off.getOrLoad('a', 'k', async () => value('x'));
    expect(off.stats()).toMatchObject({ entries: 0, live: false });
  });
});

describe('footprint read cache with a change feed that is not reachable at start', () => {
  it('stays off until the feed reports it is connected', async () => {
    let handlers: ChannelHandlers | undefined;
    const db = {
      listen: async (_name: string, h: ChannelHandlers) => {
        handlers = h;
        h.onReset(false);
        return async () => undefined;
      },
    };
    const cache = createFootprintReadCache<Value>(db);
    await cache.start();
    await cache.getOrLoad('a', 'k', async () => value('a1'));
    expect(cache.stats()).toMatchObject({ live: false, entries: 0 });
    handlers?.onReset(true);
    await cache.getOrLoad('a', 'k', async () => value('a2'));
    expect(cache.get('a', 'k')?.text).toBe('a2');
  });
});
