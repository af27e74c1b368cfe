// The data-plane token check of a provider's PACT host: a valid token, a running transfer, an agreement still in force.
import { ok } from '../common/result';
import { verifyFailure, type DataPlaneTokenVerifier, type VerifyFailure } from '../credentials/token-verifier';
import type { TransferLiveness } from './transfer-liveness';
import type { UsagePolicyGuard } from './usage-policy-guard';

export interface DataPlaneAccessDeps {
  /** Signature, issuer, audience, expiry (local keys or Cognito). */
  readonly tokens: DataPlaneTokenVerifier;
  readonly liveness: Pick<TransferLiveness, 'isLive'>;
  /** Time-bound usage terms of the agreement; without it only liveness is checked. */
  readonly usage?: UsagePolicyGuard;
}

/**
 * A refusal because the agreement's usage terms no longer hold (e.g. its DataUsageEndDate passed): reason `forbidden`,
 * so the PACT host can answer 403 AccessDenied instead of an invalid-token error.
 */
export function usageDenied(message: string): VerifyFailure {
  return { ...verifyFailure('invalid', message), reason: 'forbidden' };
}

/**
 * Composes the checks: the token verifies; the transfer it was minted for is running (suspended, completed or
 * terminated → refused as invalid); the agreement's policy still holds in the `policy.monitor` scope (→ `forbidden`),
 * so access ends at the end date even before the policy monitor's next pass terminates the transfer.
 */
export function createDataPlaneAccessVerifier(deps: DataPlaneAccessDeps): DataPlaneTokenVerifier {
  return {
    async verify(tenantId, token) {
      const verified = await deps.tokens.verify(tenantId, token);
      if (!verified.ok) return verified;
      const live = await deps.liveness.isLive(tenantId, verified.value.binding);
      if (!live.live) return verifyFailure('invalid', 'the transfer this token was issued for is not running');
      const agreementId = live.agreementId ?? verified.value.agreementId;
      if (deps.usage !== undefined && agreementId !== undefined) {
        const usage = await deps.usage.check(tenantId, agreementId);
        if (!usage.allowed) return usageDenied(`the agreement no longer permits use: ${usage.reason}`);
      }
      return ok({
        ...verified.value,
        ...(agreementId !== undefined ? { agreementId } : {}),
        transferId: live.transferId ?? verified.value.transferId,
        consumer: { ...verified.value.consumer, ...(live.consumerBpn ? { bpn: live.consumerBpn } : {}) },
      });
    },
  };
}
