// What a constraint function sees at evaluation time: the clock, the counter-party's verified claims, the agreement.
import type { Policy } from './model';

/** A credential subject as in the Catena-X credential samples (`holderIdentifier`, `bpn`, `contractVersion`, …). */
export interface CredentialSubject {
  readonly id?: string;
  readonly [claim: string]: unknown;
}

/**
 * One verifiable credential of the counter-party, already verified by the identity module (signature, issuer,
 * revocation). Shape of `catenax-credentials/*.json`: `type` names may be short (`MembershipCredential`), prefixed
 * (`cx-credentials:MembershipCredential`) or full IRIs.
 */
export interface VerifiedCredentialClaims {
  readonly id?: string;
  readonly type: string | readonly string[];
  readonly issuer?: string | { readonly id: string };
  readonly issuanceDate?: string;
  readonly validFrom?: string;
  readonly expirationDate?: string;
  readonly validUntil?: string;
  readonly credentialSubject: CredentialSubject | readonly CredentialSubject[];
}

export interface CounterParty {
  readonly did?: string;
  readonly bpn?: string;
  readonly credentials: readonly VerifiedCredentialClaims[];
}

export interface AgreementInfo {
  readonly id: string;
  /** When the provider entered AGREED (`contractAgreement` in date expressions). */
  readonly signedAt: Date;
  readonly assetId?: string;
  readonly policy?: Policy;
}

export interface PolicyContext {
  readonly now: Date;
  readonly counterParty: CounterParty;
  readonly agreement?: AgreementInfo;
  /** The business partner groups the provider tenant placed this counter-party in. */
  readonly businessPartnerGroups?: readonly string[];
}

/** The local name of a credential type (`https://w3id.org/catenax/credentials/PcfCredential` → `PcfCredential`). */
export function credentialTypeName(type: string): string {
  const i = Math.max(type.lastIndexOf('/'), type.lastIndexOf('#'), type.lastIndexOf(':'));
  return type.slice(i + 1);
}

/** Whether a credential type value names `typeName` (short, prefixed or full IRI form). */
function typeMatches(type: string, typeName: string): boolean {
  if (!type.endsWith(typeName)) return false;
  if (type.length === typeName.length) return true;
  const sep = type.charCodeAt(type.length - typeName.length - 1);
  return sep === 47 /* / */ || sep === 35 /* # */ || sep === 58; /* : */
}

function hasType(vc: VerifiedCredentialClaims, typeName: string): boolean {
  return typeof vc.type === 'string' ? typeMatches(vc.type, typeName) : vc.type.some((t) => typeMatches(t, typeName));
}

interface Validity {
  readonly from?: number;
  readonly until?: number;
}

const validityCache = new WeakMap<VerifiedCredentialClaims, Validity>();

function validityOf(vc: VerifiedCredentialClaims): Validity {
  let v = validityCache.get(vc);
  if (v === undefined) {
    const until = Date.parse(vc.validUntil ?? vc.expirationDate ?? '');
    const from = Date.parse(vc.validFrom ?? vc.issuanceDate ?? '');
    v = { ...(Number.isNaN(from) ? {} : { from }), ...(Number.isNaN(until) ? {} : { until }) };
    validityCache.set(vc, v);
  }
  return v;
}

/** The subjects of a credential as an array. */
export function subjectsOf(vc: VerifiedCredentialClaims): readonly CredentialSubject[] {
  const s = vc.credentialSubject;
  return Array.isArray(s) ? (s as readonly CredentialSubject[]) : [s as CredentialSubject];
}

/** Why a credential is not usable at `now` (expired or not yet valid), or undefined when it is. */
export function credentialTimeProblem(vc: VerifiedCredentialClaims, now: Date): string | undefined {
  const { from, until } = validityOf(vc);
  const t = now.getTime();
  if (until !== undefined && until < t) return `expired at ${vc.validUntil ?? vc.expirationDate}`;
  if (from !== undefined && from > t) return `not valid before ${vc.validFrom ?? vc.issuanceDate}`;
  return undefined;
}

export interface CredentialLookup {
  /** Credentials of the wanted type that are valid now. */
  readonly valid: readonly VerifiedCredentialClaims[];
  /** Credentials of the wanted type rejected for their validity period, with the reason. */
  readonly rejected: readonly string[];
}

/** Finds the counter-party's credentials of a type (local name such as `MembershipCredential`). */
export function findCredentials(ctx: PolicyContext, typeName: string): CredentialLookup {
  const valid: VerifiedCredentialClaims[] = [];
  const rejected: string[] = [];
  for (const vc of ctx.counterParty.credentials) {
    if (!hasType(vc, typeName)) continue;
    const problem = credentialTimeProblem(vc, ctx.now);
    if (problem === undefined) valid.push(vc);
    else rejected.push(`${typeName} ${problem}`);
  }
  return { valid, rejected };
}

/** A string claim of the first subject that has it, e.g. `bpn` or `contractVersion`. */
export function subjectClaim(vc: VerifiedCredentialClaims, claim: string): string | undefined {
  for (const s of subjectsOf(vc)) {
    const v = s[claim];
    if (typeof v === 'string') return v;
  }
  return undefined;
}
