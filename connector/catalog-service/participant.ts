// The verified counter-party as the control plane sees it, and its translation into a policy evaluation context.
import type { AgreementInfo, PolicyContext, VerifiedCredentialClaims } from '../../policies/index';
import type { ReplayAdmission } from '../identity/jti-replay-store';
import type { TenantTxOptions } from '../store/database';

/** One verified credential (the identity module's `VerifiedCredential` shape). */
export interface ParticipantCredential {
  readonly type: string;
  readonly types: readonly string[];
  readonly id?: string;
  readonly issuer: string;
  readonly subject: Readonly<Record<string, unknown>>;
  readonly validFrom?: string;
  readonly validUntil?: string;
}

/** A counter-party after authentication (the identity module's `ParticipantClaims`). */
export interface Participant {
  readonly did: string;
  readonly bpn?: string;
  readonly credentials: readonly ParticipantCredential[];
  /**
   * Set on the caller of a DSP request: the one-time use of its token id, recorded as the guard of the first tenant
   * transaction the request opens (every one passes `inRequestOf(caller)`) or confirmed on its own before the answer.
   */
  readonly admission?: ReplayAdmission;
}

/** The options of a tenant transaction opened for a request of `caller`: its token id travels in the first one. */
export function inRequestOf(caller: Participant): TenantTxOptions | undefined {
  return caller.admission === undefined ? undefined : { guard: caller.admission };
}

/**
 * `inRequestOf` for a request that only reads (catalog, dataset, process state): its transaction records nothing but the
 * token id, so it commits without waiting for the WAL flush, like the standalone replay cache (docs/identity.md).
 */
export function inReadOnlyRequestOf(caller: Participant): TenantTxOptions | undefined {
  return caller.admission === undefined ? undefined : { guard: caller.admission, durable: false };
}

/** Converts verified credentials to the policy engine's credential claims. */
export function credentialClaims(p: Participant): VerifiedCredentialClaims[] {
  return p.credentials.map((c) => ({
    ...(c.id !== undefined ? { id: c.id } : {}),
    type: c.types.length > 0 ? c.types : [c.type],
    issuer: c.issuer,
    ...(c.validFrom !== undefined ? { validFrom: c.validFrom } : {}),
    ...(c.validUntil !== undefined ? { validUntil: c.validUntil } : {}),
    credentialSubject: c.subject,
  }));
}

/** The evaluation context for `participant` at `now`, optionally with the agreement being used. */
export function policyContextOf(participant: Participant, now: Date, agreement?: AgreementInfo): PolicyContext {
  return {
    now,
    counterParty: { did: participant.did, ...(participant.bpn !== undefined ? { bpn: participant.bpn } : {}), credentials: credentialClaims(participant) },
    ...(agreement !== undefined ? { agreement } : {}),
  };
}

/** A short, loggable reason from a policy explanation: the failed constraints' reasons. */
export function denialReason(explanation: unknown): string {
  const reasons: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (o['type'] === 'atomic' && (o['verdict'] === 'unsatisfied' || o['verdict'] === 'error')) {
      const left = typeof o['leftOperand'] === 'string' ? o['leftOperand'] : 'constraint';
      reasons.push(`${left}: ${typeof o['reason'] === 'string' ? o['reason'] : String(o['verdict'])}`);
    }
    walk(o['rules']);
    walk(o['constraints']);
  };
  walk(explanation);
  return reasons.length > 0 ? reasons.join('; ') : 'policy not satisfied';
}

/**
 * The id under which a process knows this caller: its DID, or its verified BPN when the process was started with a
 * BPNL counter-party id (DSP 0.8). Compare the result with the process's `counterPartyId`.
 */
export function senderIdFor(counterPartyId: string, from: Pick<Participant, 'did' | 'bpn'>): string {
  return from.bpn !== undefined && counterPartyId === from.bpn ? from.bpn : from.did;
}
