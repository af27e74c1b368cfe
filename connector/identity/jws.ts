// Compact JWS signing and verification with an algorithm allow-list; EC and EdDSA via node:crypto (keys imported once), RSA via jose.
import { createPublicKey, sign as nodeSign, verify as nodeVerify, KeyObject } from 'node:crypto';
import { signCompactJws } from '../common/compact-jws';
import { offloadCrypto } from '../common/crypto-offload';
import { CompactSign, compactVerify, importJWK, base64url, type CryptoKey, type JWK } from 'jose';
import { identityFailure, type IdentityResult } from './failures';

/** Algorithms we accept from partners; `none` and HMAC are never accepted. */
export const DEFAULT_ALLOWED_ALGS: readonly string[] = ['ES256', 'ES256K', 'ES384', 'EdDSA', 'Ed25519', 'RS256', 'PS256'];

export interface DecodedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly raw: string;
}

export interface JwsSigningKey {
  readonly alg: string;
  /** Value of the `kid` header (for DIDs: the absolute verification method id). */
  readonly kid: string;
  readonly privateKey: CryptoKey | KeyObject;
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(segment)));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes a compact JWS with a JSON payload without verifying it; rejects `alg: none` and unlisted algorithms. */
export function decodeJws(token: string, allowedAlgs: readonly string[] = DEFAULT_ALLOWED_ALGS): IdentityResult<DecodedJws> {
  const parts = token.split('.');
  if (parts.length !== 3) return identityFailure('token-malformed', 'not a compact JWS');
  const header = parseSegment(parts[0]);
  const payload = parseSegment(parts[1]);
  if (header === undefined || payload === undefined) return identityFailure('token-malformed', 'JWS header or payload is not a JSON object');
  const alg = header.alg;
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none' || parts[2] === '') {
    return identityFailure('alg-not-allowed', 'unsigned tokens (alg none) are rejected');
  }
  if (!allowedAlgs.includes(alg)) return identityFailure('alg-not-allowed', `algorithm ${alg} is not accepted`);
  if (Array.isArray(header.crit) && header.crit.length > 0) return identityFailure('token-malformed', 'critical header parameters are not supported');
  return { ok: true, value: { header, payload, raw: token } };
}

function keyMatchesAlg(jwk: JWK, alg: string): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg && !(jwk.alg === 'EdDSA' && alg === 'Ed25519') && !(jwk.alg === 'Ed25519' && alg === 'EdDSA')) return false;
  switch (alg) {
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'ES256K':
      return jwk.kty === 'EC' && jwk.crv === 'secp256k1';
    case 'ES384':
      return jwk.kty === 'EC' && jwk.crv === 'P-384';
    case 'EdDSA':
    case 'Ed25519':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
    default:
      return jwk.kty === 'RSA';
  }
}

/** node:crypto parameters of the algorithms verified without jose: digest and raw (IEEE P1363) signature length. */
const NODE_VERIFIED: Readonly<Record<string, { readonly digest: string | null; readonly length: number }>> = {
  ES256: { digest: 'sha256', length: 64 },
  ES256K: { digest: 'sha256', length: 64 },
  ES384: { digest: 'sha384', length: 96 },
  EdDSA: { digest: null, length: 64 },
  Ed25519: { digest: null, length: 64 },
};

/** Public keys imported once per JWK object (resolved DID documents are cached, so their JWK objects are reused). */
const nodeKeys = new WeakMap<object, KeyObject>();
const joseKeys = new WeakMap<object, Map<string, Awaited<ReturnType<typeof importJWK>>>>();

function nodePublicKey(jwk: JWK): KeyObject {
  let key = nodeKeys.get(jwk);
  if (key === undefined) {
    key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    nodeKeys.set(jwk, key);
  }
  return key;
}

async function josePublicKey(jwk: JWK, alg: string): Promise<Awaited<ReturnType<typeof importJWK>>> {
  let byAlg = joseKeys.get(jwk);
  if (byAlg === undefined) joseKeys.set(jwk, (byAlg = new Map()));
  let key = byAlg.get(alg);
  if (key === undefined) {
    key = await importJWK(jwk, alg);
    byAlg.set(alg, key);
  }
  return key;
}

function checkInline(digest: string | null, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  return digest === null ? nodeVerify(null, data, key, signature) : nodeVerify(digest, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

function checkOnPool(digest: string | null, data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const done = (error: Error | null, result: boolean): void => (error === null ? resolve(result) : reject(error));
    if (digest === null) nodeVerify(null, data, key, signature, done);
    else nodeVerify(digest, data, { key, dsaEncoding: 'ieee-p1363' }, signature, done);
  });
}

/**
 * Verifies the signature of a decoded JWS with a public JWK; the key type must fit the header's algorithm. ES256 and
 * EdDSA are checked inline, or on the thread pool while the event loop is saturated (`offloadCrypto`; `offload`
 * forces one way, for tests).
 */
export async function verifyJwsSignature(jws: DecodedJws, jwk: JWK, offload: boolean = offloadCrypto()): Promise<IdentityResult<true>> {
  const alg = jws.header.alg as string;
  if (!keyMatchesAlg(jwk, alg)) return identityFailure('signature-invalid', `key type does not match algorithm ${alg}`);
  if ('d' in jwk) return identityFailure('did-document-invalid', 'published key contains private members');
  try {
    const viaNode = NODE_VERIFIED[alg];
    if (viaNode !== undefined) {
      const dot = jws.raw.lastIndexOf('.');
      const signature = Buffer.from(base64url.decode(jws.raw.slice(dot + 1)));
      if (signature.length !== viaNode.length) return identityFailure('signature-invalid', 'signature has the wrong length');
      const key = nodePublicKey(jwk);
      const data = Buffer.from(jws.raw.slice(0, dot));
      // Under load on the libuv thread pool, so the event loop serves other work while the signature is checked.
      const valid = offload ? await checkOnPool(viaNode.digest, data, key, signature) : checkInline(viaNode.digest, data, key, signature);
      return valid ? { ok: true, value: true } : identityFailure('signature-invalid', 'signature does not verify');
    }
    await compactVerify(jws.raw, await josePublicKey(jwk, alg), { algorithms: [alg] });
    return { ok: true, value: true };
  } catch {
    return identityFailure('signature-invalid', 'signature does not verify with the selected key');
  }
}

/** Signs `payload` as a compact JWS (`typ` defaults to `JWT`). */
export async function signJws(payload: Record<string, unknown>, key: JwsSigningKey, extraHeader: Record<string, unknown> = {}): Promise<string> {
  const header = { typ: 'JWT', ...extraHeader, alg: key.alg, kid: key.kid };
  if (key.alg === 'ES256' || key.alg === 'EdDSA') return signCompactJws(header, payload, key.privateKey);
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  if (key.alg === 'ES256K') {
    const privateKey = key.privateKey instanceof KeyObject ? key.privateKey : KeyObject.from(key.privateKey);
    const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(bytes)}`;
    const signature = nodeSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${base64url.encode(signature)}`;
  }
  return new CompactSign(bytes).setProtectedHeader(header).sign(key.privateKey);
}

/** The public JWK of a node private key (no private members). */
export function publicJwkOf(privateKey: KeyObject): JWK {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const out: JWK = {};
  for (const k of ['kty', 'crv', 'x', 'y', 'n', 'e'] as const) if (jwk[k] !== undefined) out[k] = jwk[k];
  return out;
}
