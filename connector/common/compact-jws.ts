// Fast compact JWS signing for the hot token paths: ES256 / EdDSA through node:crypto, synchronously (jose verifies).
import { sign, KeyObject, type webcrypto } from 'node:crypto';

const keyObjects = new WeakMap<object, KeyObject>();

/** The node:crypto key of a WebCrypto key (converted once per key). */
function keyObjectOf(key: webcrypto.CryptoKey | KeyObject): KeyObject {
  if (key instanceof KeyObject) return key;
  let k = keyObjects.get(key);
  if (k === undefined) keyObjects.set(key, (k = KeyObject.from(key)));
  return k;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * `header.payload.signature` for `alg` ES256 (P-256, SHA-256, IEEE P1363 signature as JWS requires) or EdDSA;
 * any other algorithm is refused so a caller cannot silently mint something weaker.
 */
export function signCompactJws(header: Readonly<Record<string, unknown>> & { alg: string }, payload: Readonly<Record<string, unknown>>, key: webcrypto.CryptoKey | KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  if (header.alg === 'ES256') signature = sign('sha256', data, { key: keyObjectOf(key), dsaEncoding: 'ieee-p1363' });
  else if (header.alg === 'EdDSA') signature = sign(null, data, keyObjectOf(key));
  else throw new Error(`unsupported signing algorithm ${header.alg}`);
  return `${input}.${signature.toString('base64url')}`;
}
