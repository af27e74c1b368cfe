// Authenticates DSP callers: the small seam between DSP routes and the DCP identity service.
import type { Participant } from '../../catalog-service/participant';
import { fail, ok, type Result } from '../../common/result';
import type { DcpIdentityService } from '../../identity/dcp-identity-service';

export interface ParticipantAuthenticator {
  /**
   * Verifies the `Authorization` header of a DSP request to `tenantId` and returns the caller's verified identity and
   * credentials, and the admission of its token id, which the request must record (`Participant.admission`). Any
   * problem is an `unauthorized` failure (the route answers as for an unknown process).
   */
  authenticate(tenantId: string, authorization: string | undefined): Promise<Result<Participant>>;
}

export interface DcpAuthenticatorOptions {
  /** Credential types every caller must present (default: the identity module's default set). */
  readonly requiredTypes?: readonly string[];
  /** Gets the failure code for logging (never the token). */
  readonly onFailure?: (tenantId: string, code: string) => void;
}

/** The authenticator over `dcp.authenticate`. */
export function createDcpParticipantAuthenticator(dcp: Pick<DcpIdentityService, 'authenticate'>, options: DcpAuthenticatorOptions = {}): ParticipantAuthenticator {
  return {
    async authenticate(tenantId, authorization) {
      const r = await dcp.authenticate(tenantId, authorization, { deferReplay: true, ...(options.requiredTypes !== undefined ? { requiredTypes: options.requiredTypes } : {}) });
      if (!r.ok) {
        options.onFailure?.(tenantId, r.code);
        return fail('unauthorized', 'not authenticated');
      }
      return ok({
        did: r.value.did, ...(r.value.bpn !== undefined ? { bpn: r.value.bpn } : {}), credentials: r.value.credentials,
        ...(r.value.admission !== undefined ? { admission: r.value.admission } : {}),
      });
    },
  };
}
