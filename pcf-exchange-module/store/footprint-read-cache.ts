// Byte-bounded cache of serialized PACT answers per tenant, dropped by the footprints change feed (LISTEN/NOTIFY).
import type { Database } from '../../connector/store/database';
import { createChangeFeedCache, type ChangeFeedCache, type ChangeFeedCacheOptions, type Sized } from '../../connector/store/change-feed-cache';

export type { Sized } from '../../connector/store/change-feed-cache';

/** The channel the footprints table notifies on every committed change (migration 0120). */
export const FOOTPRINTS_CHANGED_CHANNEL = 'pcf_footprints_changed';

export type FootprintReadCacheOptions = Omit<ChangeFeedCacheOptions, 'channel' | 'maxAgeMs'>;

/** Answers derived from one tenant's footprints, valid until that tenant's footprints change. */
export type FootprintReadCache<V extends Sized> = ChangeFeedCache<V>;

export function createFootprintReadCache<V extends Sized>(db: Pick<Database, 'listen'>, options: FootprintReadCacheOptions = {}): FootprintReadCache<V> {
  return createChangeFeedCache<V>(db, { ...options, channel: FOOTPRINTS_CHANGED_CHANNEL });
}
