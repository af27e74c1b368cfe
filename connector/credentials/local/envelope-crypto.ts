// AES-256-GCM envelope encryption: a data key per tenant, wrapped by the master key; every blob bound to its context.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** The master key from config (32 bytes). It never leaves this object; only wrapped data keys reach the database. */
export interface MasterKey {
  /** Non-secret identifier (HMAC of a constant under the key), stored next to wrapped keys to detect a wrong master key. */
  readonly id: string;
  /** Encrypts a tenant's data key, bound to `tenantId`. */
  wrap(dataKey: Uint8Array, tenantId: string): string;
  /** Decrypts a wrapped data key; throws when the blob was made for another tenant, another key, or altered. */
  unwrap(wrapped: string, tenantId: string): Buffer;
}

/** Validates and holds the master key. Accepts 32 raw bytes, or their base64/base64url/hex text. */
export function createMasterKey(material: Uint8Array | string): MasterKey {
  const key = typeof material === 'string' ? decodeKeyText(material) : Buffer.from(material);
  if (key.length !== 32) throw new Error('credentials master key must be 32 bytes (AES-256)');
  const id = createHmac('sha256', key).update('pcf-connector master key id').digest('hex').slice(0, 16);
  return {
    id,
    wrap: (dataKey, tenantId) => seal(key, dataKey, `data-key|${tenantId}`),
    unwrap: (wrapped, tenantId) => open(key, wrapped, `data-key|${tenantId}`),
  };
}

function decodeKeyText(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  return Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
}

/** A fresh random 256-bit data key. */
export function generateDataKey(): Buffer {
  return randomBytes(32);
}

/** Encrypts `plaintext` under `key` with `aad` (the blob's owner and purpose) as associated data: `v1.iv.tag.ciphertext`. */
export function seal(key: Uint8Array, plaintext: Uint8Array | string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const ct = Buffer.concat([cipher.update(data), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** Decrypts a blob from `seal`; throws on a wrong key, a wrong `aad` or any alteration. */
export function open(key: Uint8Array, blob: string, aad: string): Buffer {
  const parts = blob.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('encrypted blob: unknown format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(parts[2], 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]);
  } catch {
    throw new Error('encrypted blob: authentication failed (wrong master key, wrong owner or tampered data)');
  }
}
