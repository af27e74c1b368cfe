// Reads JWT-encoded verifiable credentials and presentations (VCDM 1.1 `vc`/`vp` claims and VCDM 2.0 enveloped form).
import { identityFailure, type IdentityResult } from './failures';
import { decodeJws, type DecodedJws } from './jws';

export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const CATENAX_CREDENTIALS_CONTEXT = 'https://w3id.org/catenax/credentials/v1.0.0';

export interface CredentialStatusEntry {
  readonly type: string;
  readonly statusPurpose: string;
  readonly statusListIndex: number;
  readonly statusListCredential: string;
}

/** The parts of a credential the verifier needs, normalised across VCDM 1.1 and 2.0. */
export interface ParsedCredential {
  readonly jws: DecodedJws;
  readonly id?: string;
  readonly types: readonly string[];
  readonly issuer: string;
  readonly subject: Readonly<Record<string, unknown>>;
  readonly subjectId?: string;
  readonly validFrom?: Date;
  readonly validUntil?: Date;
  readonly status: readonly CredentialStatusEntry[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asDate(v: unknown): Date | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parseStatus(raw: unknown): CredentialStatusEntry[] | undefined {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const out: CredentialStatusEntry[] = [];
  for (const s of list) {
    if (!isObject(s) || typeof s.type !== 'string') return undefined;
    const index = typeof s.statusListIndex === 'string' ? Number(s.statusListIndex) : s.statusListIndex;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || typeof s.statusListCredential !== 'string') return undefined;
    out.push({ type: s.type, statusPurpose: typeof s.statusPurpose === 'string' ? s.statusPurpose : 'revocation', statusListIndex: index, statusListCredential: s.statusListCredential });
  }
  return out;
}

/** Parses a JWT VC (signature NOT checked). JWT claims (`iss`, `sub`, `nbf`, `exp`, `jti`) must agree with the body. */
export function parseCredentialJwt(token: string, allowedAlgs?: readonly string[]): IdentityResult<ParsedCredential> {
  const decoded = decodeJws(token, allowedAlgs);
  if (!decoded.ok) return identityFailure(decoded.code === 'alg-not-allowed' ? 'alg-not-allowed' : 'credential-invalid', `credential: ${decoded.message}`);
  const { payload } = decoded.value;
  const vc = isObject(payload.vc) ? payload.vc : payload;
  const types = typeof vc.type === 'string' ? [vc.type] : Array.isArray(vc.type) ? vc.type.filter((t): t is string => typeof t === 'string') : [];
  if (!types.includes('VerifiableCredential')) return identityFailure('credential-invalid', 'credential type must include VerifiableCredential');
  const bodyIssuer = typeof vc.issuer === 'string' ? vc.issuer : isObject(vc.issuer) && typeof vc.issuer.id === 'string' ? vc.issuer.id : undefined;
  const issuer = typeof payload.iss === 'string' ? payload.iss : bodyIssuer;
  if (issuer === undefined || (bodyIssuer !== undefined && bodyIssuer !== issuer)) return identityFailure('credential-invalid', 'credential issuer missing or inconsistent');
  const subjects = Array.isArray(vc.credentialSubject) ? vc.credentialSubject : [vc.credentialSubject];
  if (subjects.length !== 1 || !isObject(subjects[0])) return identityFailure('credential-invalid', 'credential must have exactly one credentialSubject');
  const subject = subjects[0];
  const subjectId = typeof subject.id === 'string' ? subject.id : typeof payload.sub === 'string' ? payload.sub : undefined;
  if (typeof subject.id === 'string' && typeof payload.sub === 'string' && subject.id !== payload.sub) return identityFailure('credential-invalid', 'sub and credentialSubject.id differ');
  const from = asDate(vc.validFrom ?? vc.issuanceDate);
  const until = asDate(vc.validUntil ?? vc.expirationDate);
  if (from === null || until === null) return identityFailure('credential-invalid', 'malformed validity dates');
  const nbf = typeof payload.nbf === 'number' ? new Date(payload.nbf * 1000) : undefined;
  const exp = typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined;
  const status = parseStatus(vc.credentialStatus);
  if (status === undefined) return identityFailure('credential-invalid', 'malformed credentialStatus');
  const latestFrom = [from, nbf].filter((d): d is Date => d !== undefined).sort((a, b) => b.getTime() - a.getTime())[0];
  const earliestUntil = [until, exp].filter((d): d is Date => d !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
  const id = typeof vc.id === 'string' ? vc.id : typeof payload.jti === 'string' ? payload.jti : undefined;
  return {
    ok: true,
    value: { jws: decoded.value, id, types, issuer, subject, subjectId, validFrom: latestFrom, validUntil: earliestUntil, status },
  };
}

export interface ParsedPresentation {
  readonly jws: DecodedJws;
  /** The signer (`iss`), which must be the holder. */
  readonly holder: string;
  /** The embedded credentials as JWT strings. */
  readonly credentials: readonly string[];
}

const ENVELOPED_PREFIX = 'data:application/vc+jwt,';

/** Parses a JWT VP (signature NOT checked): VCDM 1.1 `vp` claim or a VCDM 2.0 payload with enveloped credentials. */
export function parsePresentationJwt(token: string, allowedAlgs?: readonly string[]): IdentityResult<ParsedPresentation> {
  const decoded = decodeJws(token, allowedAlgs);
  if (!decoded.ok) return decoded.code === 'alg-not-allowed' ? decoded : identityFailure('presentation-invalid', `presentation: ${decoded.message}`);
  const { payload } = decoded.value;
  const vp = isObject(payload.vp) ? payload.vp : payload;
  const types = typeof vp.type === 'string' ? [vp.type] : Array.isArray(vp.type) ? vp.type : [];
  if (!types.includes('VerifiablePresentation')) return identityFailure('presentation-invalid', 'not a VerifiablePresentation');
  const holder = typeof payload.iss === 'string' ? payload.iss : typeof vp.holder === 'string' ? vp.holder : undefined;
  if (holder === undefined) return identityFailure('presentation-invalid', 'presentation has no holder');
  if (typeof vp.holder === 'string' && vp.holder !== holder) return identityFailure('presentation-holder-mismatch', 'vp.holder differs from the signer');
  const raw = vp.verifiableCredential === undefined ? [] : Array.isArray(vp.verifiableCredential) ? vp.verifiableCredential : [vp.verifiableCredential];
  const credentials: string[] = [];
  for (const c of raw) {
    if (typeof c === 'string') credentials.push(c);
    else if (isObject(c) && typeof c.id === 'string' && c.id.startsWith(ENVELOPED_PREFIX)) credentials.push(c.id.slice(ENVELOPED_PREFIX.length));
    else return identityFailure('presentation-invalid', 'only JWT credentials are supported inside presentations');
  }
  return { ok: true, value: { jws: decoded.value, holder, credentials } };
}
