// Remembers API keys found active (role and secret hash, never a secret) per tenant; the credentials change feed drops them.
import { createChangeFeedCache, type ChangeFeedCache, type Sized } from '../store/change-feed-cache';
import type { Database } from '../store/database';
import type { Role } from './caller';

/** The channel api_keys and tenants notify on every committed change (migration 0004). */
export const CREDENTIALS_CHANGED_CHANNEL = 'pcf_credentials_changed';

/** An active key of an active tenant as the authorizer needs it; the secret is still checked on every request. */
export interface CachedApiKey extends Sized {
  readonly role: Role;
  readonly secretHash: string;
}

export type ApiKeyCache = ChangeFeedCache<CachedApiKey>;

/**
 * The cache, or undefined when `maxAgeSeconds` is 0 (every call then reads the database). Only keys found active are
 * kept (a new key is a miss, so it works at once on every replica); an entry lives until a change of its tenant's keys
 * or status commits anywhere, the feed drops, or `maxAgeSeconds` pass.
 */
export function createApiKeyCache(db: Pick<Database, 'listen'>, maxAgeSeconds: number): ApiKeyCache | undefined {
  if (maxAgeSeconds <= 0) return undefined;
  return createChangeFeedCache<CachedApiKey>(db, { channel: CREDENTIALS_CHANGED_CHANNEL, maxAgeMs: maxAgeSeconds * 1000, maxBytes: 4 * 1024 * 1024 });
}
