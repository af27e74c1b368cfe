// Management API keys: `pcfk_<tenant>_<keyId>_<secret>`; only a SHA-256 of the secret is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TENANT_ID_PATTERN } from '../common/tenant-id';

export interface IssuedApiKey {
  readonly id: string;
  /** The full key, shown once. */
  readonly key: string;
  readonly secretHash: string;
}

export interface ParsedApiKey {
  readonly tenantId: string;
  readonly keyId: string;
  readonly secret: string;
}

const KEY_FORMAT = /^pcfk_([a-z][a-z0-9-]*[a-z0-9])_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function issueApiKey(tenantId: string): IssuedApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `pcfk_${tenantId}_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key; undefined when it is not one of ours (the caller answers 401 without a database lookup). */
export function parseApiKey(value: string): ParsedApiKey | undefined {
  const m = KEY_FORMAT.exec(value);
  if (!m || !TENANT_ID_PATTERN.test(m[1])) return undefined;
  return { tenantId: m[1], keyId: m[2], secret: m[3] };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
