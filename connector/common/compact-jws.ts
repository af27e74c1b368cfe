// Fast compact JWS signing for the hot token paths: ES256 / EdDSA through node:crypto, inline or on the libuv thread pool (jose verifies).
import { sign, KeyObject, type webcrypto } from 'node:crypto';
import { offloadCrypto } from './crypto-offload';

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
 * any other algorithm is refused so a caller cannot silently mint something weaker. While the event loop is saturated
 * the signature is computed on the libuv thread pool, so the loop serves other requests meanwhile (an ES256 signature
 * is ~40–80 µs of CPU); otherwise inline (`offloadCrypto`). `offload` forces one way (tests).
 */
export function signCompactJws(header: Readonly<Record<string, unknown>> & { alg: string }, payload: Readonly<Record<string, unknown>>, key: webcrypto.CryptoKey | KeyObject, offload: boolean = offloadCrypto()): Promise<string> {
  if (header.alg !== 'ES256' && header.alg !== 'EdDSA') return Promise.reject(new Error(`unsupported signing algorithm ${header.alg}`));
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  let how: { digest: string | null; key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } };
  try {
    // The algorithm decides digest and key options once, for either way of signing.
    how = header.alg === 'ES256' ? { digest: 'sha256', key: { key: keyObjectOf(key), dsaEncoding: 'ieee-p1363' } } : { digest: null, key: keyObjectOf(key) };
    if (!offload) return Promise.resolve(`${input}.${sign(how.digest, data, how.key).toString('base64url')}`);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  return new Promise((resolve, reject) => {
    sign(how.digest, data, how.key, (error: Error | null, signature: Buffer) => {
      if (error !== null) reject(error);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}
