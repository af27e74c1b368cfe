// Verifies that a JWT was signed by a DID: key selection by kid within that DID's document, relationship, signature, times.
import type { DidDocument, VerificationRelationship } from './did-document';
import { findVerificationMethod } from './did-document';
import type { DidResolver } from './did-resolver';
import { splitDidUrl } from './did-web';
import { identityFailure, type IdentityResult } from './failures';
import { verifyJwsSignature, type DecodedJws } from './jws';

export interface SignerCheck {
  /** The DID that must have signed (SI token `iss`, VP holder, VC issuer). */
  readonly signerDid: string;
  /** The relationship the key must hold in the signer's DID document. */
  readonly relationship: VerificationRelationship;
}

export interface VerifiedSigner {
  readonly document: DidDocument;
  readonly verificationMethodId: string;
}

/** Checks the signature of `jws` against the key `kid` names in `signerDid`'s document; a kid of another DID is refused. */
export async function verifyDidSignature(resolver: DidResolver, jws: DecodedJws, check: SignerCheck): Promise<IdentityResult<VerifiedSigner>> {
  const kid = typeof jws.header.kid === 'string' ? jws.header.kid : undefined;
  if (kid !== undefined && kid.startsWith('did:') && splitDidUrl(kid).did !== check.signerDid) {
    return identityFailure('kid-not-authorized', `key ${kid} does not belong to ${check.signerDid}`);
  }
  let fresh = false;
  for (;;) {
    const doc = await resolver.resolve(check.signerDid);
    if (!doc.ok) return doc;
    const lookup = findVerificationMethod(doc.value, kid, check.relationship);
    if (!lookup.found) {
      if (lookup.why === 'not-in-document' && !fresh) {
        resolver.evict(check.signerDid);
        fresh = true;
        continue;
      }
      if (lookup.why === 'ambiguous') return identityFailure('kid-missing', 'token has no kid and the DID document has several keys');
      if (lookup.why === 'no-jwk') return identityFailure('did-document-invalid', 'verification method has no publicKeyJwk');
      return identityFailure(
        'kid-not-authorized',
        lookup.why === 'not-in-document'
          ? `key ${kid ?? '(none)'} is not in the DID document of ${check.signerDid}`
          : `key ${lookup.why === 'not-authorized' && kid ? kid : '(single key)'} lacks the ${check.relationship} relationship`,
      );
    }
    const verified = await verifyJwsSignature(jws, lookup.method.publicKeyJwk);
    if (verified.ok) return { ok: true, value: { document: doc.value, verificationMethodId: lookup.method.id } };
    if (fresh) return verified;
    // The cached document may predate a key rotation: retry once with a fresh copy.
    resolver.evict(check.signerDid);
    fresh = true;
  }
}

export interface TimeCheck {
  readonly nowSeconds: number;
  readonly skewSeconds: number;
  readonly requireExp: boolean;
}

function numericDate(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Checks `exp`, `nbf` and `iat` (NumericDate) with leeway. */
export function checkTokenTimes(payload: Readonly<Record<string, unknown>>, t: TimeCheck): IdentityResult<{ exp?: number }> {
  const exp = numericDate(payload.exp);
  const nbf = numericDate(payload.nbf);
  const iat = numericDate(payload.iat);
  if (exp === null || nbf === null || iat === null) return identityFailure('token-malformed', 'exp, nbf and iat must be numbers');
  if (exp === undefined && t.requireExp) return identityFailure('token-malformed', 'token has no exp');
  if (exp !== undefined && exp + t.skewSeconds <= t.nowSeconds) return identityFailure('token-expired', 'token has expired');
  if (nbf !== undefined && nbf - t.skewSeconds > t.nowSeconds) return identityFailure('token-not-yet-valid', 'token is not valid yet (nbf)');
  if (iat !== undefined && iat - t.skewSeconds > t.nowSeconds) return identityFailure('token-issued-in-future', 'token iat lies in the future');
  return { ok: true, value: exp === undefined ? {} : { exp } };
}

/** True when the JWT `aud` (string or array) contains `expected`. */
export function audienceIncludes(aud: unknown, expected: string): boolean {
  return aud === expected || (Array.isArray(aud) && aud.includes(expected));
}
