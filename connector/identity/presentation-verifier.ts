// Verifies a partner's presentations (holder-signed JWT VPs of issuer-signed JWT VCs) and turns them into claims for policies.
import { audienceIncludes, checkTokenTimes, verifyDidSignature } from './did-jwt';
import type { DidResolver } from './did-resolver';
import { identityFailure, type IdentityResult } from './failures';
import { DEFAULT_ALLOWED_ALGS } from './jws';
import type { StatusListChecker } from './status-list';
import type { TrustedIssuers } from './trusted-issuers';
import { parseCredentialJwt, parsePresentationJwt, type ParsedCredential } from './vc-jwt';

/** One verified credential as the policy engine sees it. */
export interface VerifiedCredential {
  /** The specific type, e.g. `MembershipCredential` (first type other than `VerifiableCredential`). */
  readonly type: string;
  readonly types: readonly string[];
  readonly id?: string;
  readonly issuer: string;
  /** The `credentialSubject` claims, e.g. `{ id, holderIdentifier }` or `{ id, bpn }`. */
  readonly subject: Readonly<Record<string, unknown>>;
  readonly validFrom?: string;
  readonly validUntil?: string;
}

/** Verified identity and claims of a counter-party. */
export interface ParticipantClaims {
  readonly did: string;
  /** From the BpnCredential (`bpn`), else the MembershipCredential (`holderIdentifier`). */
  readonly bpn?: string;
  readonly credentials: readonly VerifiedCredential[];
}

export interface PresentationCheck {
  readonly tenantId: string;
  /** Our DID: a VP `aud`, when present, must contain it. */
  readonly ourDid: string;
  /** The DID whose SI token started the exchange; every VP must be signed by it and every VC issued to it. */
  readonly holderDid: string;
  /** The `presentation` array of a PresentationResponseMessage. */
  readonly presentations: readonly unknown[];
  /** Credential types that must be present, e.g. `['MembershipCredential']`. */
  readonly requiredTypes: readonly string[];
}

/** Validates presentations per DCP (signatures, holder binding, issuer trust, validity, status). */
export interface PresentationVerifier {
  /** Claims when every presentation and credential is valid and every required type is present; the first failure otherwise. */
  verify(check: PresentationCheck): Promise<IdentityResult<ParticipantClaims>>;
}

export function createPresentationVerifier(deps: {
  resolver: DidResolver;
  trustedIssuers: TrustedIssuers;
  statusLists: StatusListChecker;
  now: () => Date;
  skewSeconds?: number;
  allowedAlgs?: readonly string[];
}): PresentationVerifier {
  const skew = deps.skewSeconds ?? 30;
  const algs = deps.allowedAlgs ?? DEFAULT_ALLOWED_ALGS;

  async function verifyCredential(tenantId: string, token: string, holderDid: string): Promise<IdentityResult<VerifiedCredential>> {
    const parsed = parseCredentialJwt(token, algs);
    if (!parsed.ok) return parsed;
    const vc: ParsedCredential = parsed.value;
    if (!(await deps.trustedIssuers.isTrusted(tenantId, vc.issuer, vc.types))) {
      return identityFailure('credential-untrusted-issuer', `issuer ${vc.issuer} is not trusted`);
    }
    const signed = await verifyDidSignature(deps.resolver, vc.jws, { signerDid: vc.issuer, relationship: 'assertionMethod' });
    if (!signed.ok) return identityFailure(signed.code === 'did-resolution-failed' ? 'did-resolution-failed' : 'credential-invalid', `credential signature: ${signed.message}`);
    if (vc.subjectId !== holderDid) return identityFailure('credential-holder-mismatch', 'credential was issued to another holder');
    const now = deps.now().getTime();
    if (vc.validUntil !== undefined && vc.validUntil.getTime() + skew * 1000 <= now) return identityFailure('credential-expired', 'credential has expired');
    if (vc.validFrom !== undefined && vc.validFrom.getTime() - skew * 1000 > now) return identityFailure('credential-not-yet-valid', 'credential is not valid yet');
    for (const entry of vc.status) {
      const status = await deps.statusLists.check(entry, vc.issuer);
      if (!status.ok) return status;
    }
    const type = vc.types.find((t) => t !== 'VerifiableCredential') ?? 'VerifiableCredential';
    const out: VerifiedCredential = { type, types: vc.types, issuer: vc.issuer, subject: vc.subject };
    return {
      ok: true,
      value: {
        ...out,
        ...(vc.id === undefined ? {} : { id: vc.id }),
        ...(vc.validFrom === undefined ? {} : { validFrom: vc.validFrom.toISOString() }),
        ...(vc.validUntil === undefined ? {} : { validUntil: vc.validUntil.toISOString() }),
      },
    };
  }

  return {
    async verify(check) {
      const credentials: VerifiedCredential[] = [];
      for (const presentation of check.presentations) {
        if (typeof presentation !== 'string') return identityFailure('presentation-invalid', 'only JWT presentations are supported');
        const vp = parsePresentationJwt(presentation, algs);
        if (!vp.ok) return vp;
        if (vp.value.holder !== check.holderDid) return identityFailure('presentation-holder-mismatch', 'presentation was signed by another participant');
        const { payload } = vp.value.jws;
        if (payload.aud !== undefined && !audienceIncludes(payload.aud, check.ourDid)) return identityFailure('audience-mismatch', 'presentation is addressed to another participant');
        const times = checkTokenTimes(payload, { nowSeconds: deps.now().getTime() / 1000, skewSeconds: skew, requireExp: false });
        if (!times.ok) return times;
        const signed = await verifyDidSignature(deps.resolver, vp.value.jws, { signerDid: vp.value.holder, relationship: 'authentication' });
        if (!signed.ok) return signed;
        for (const token of vp.value.credentials) {
          const vc = await verifyCredential(check.tenantId, token, check.holderDid);
          if (!vc.ok) return vc;
          credentials.push(vc.value);
        }
      }
      const missing = check.requiredTypes.filter((t) => !credentials.some((c) => c.types.includes(t)));
      if (missing.length > 0) return identityFailure('credential-missing', `presentation lacks required credential(s): ${missing.join(', ')}`);
      return { ok: true, value: { did: check.holderDid, ...bpnOf(credentials), credentials } };
    },
  };
}

function bpnOf(credentials: readonly VerifiedCredential[]): { bpn?: string } {
  const fromBpn = credentials.find((c) => c.types.includes('BpnCredential'))?.subject.bpn;
  if (typeof fromBpn === 'string') return { bpn: fromBpn };
  const fromMembership = credentials.find((c) => c.types.includes('MembershipCredential'))?.subject.holderIdentifier;
  return typeof fromMembership === 'string' ? { bpn: fromMembership } : {};
}
