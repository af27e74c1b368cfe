// DCP flow for DSP: outbound SI tokens for our requests; inbound, verify the partner's token, query its Credential Service (or reuse a cached verified result), verify.
import type { OutboundHttpClient } from '../common/outbound-http';
import { DCP_CONTEXT } from './credential-service';
import { findService } from './did-document';
import type { DidResolver } from './did-resolver';
import { identityFailure, type IdentityResult } from './failures';
import type { PresentationCache } from './presentation-cache';
import type { ParticipantClaims, PresentationVerifier } from './presentation-verifier';
import { DEFAULT_CREDENTIAL_TYPES, typeScope } from './scopes';
import type { ReplayAdmission } from './jti-replay-store';
import { bearerToken, type SelfIssuedTokenService } from './self-issued-token';

export interface AuthenticateOptions {
  /** Credential types the partner must present; default Membership, BPN and DataExchangeGovernance. */
  readonly requiredTypes?: readonly string[];
  /** Scope syntax for the query: Tractus-X 3-part (default) or DCP 2-part. */
  readonly scopeForm?: 'tractusx' | 'dcp';
  /**
   * Leave recording the SI token's id to the caller (`AuthenticatedParticipant.admission`), so it can travel in the
   * transaction of the request's effects. A presentation query is never made for an unrecorded id: on a cache miss the
   * id is recorded first. Default: recorded during authentication.
   */
  readonly deferReplay?: boolean;
}

/** A verified partner, with the admission of its token's id when the caller records it (`deferReplay`). */
export interface AuthenticatedParticipant extends ParticipantClaims {
  readonly admission?: ReplayAdmission;
}

/** What DSP handlers call to authenticate partners and to authenticate themselves. */
export interface DcpIdentityService {
  /**
   * Authenticates an inbound DSP request to `tenantId`: verifies the SI token in `authorization` (always), then
   * fetches the partner's presentations for `requiredTypes` with our own SI token (relaying the partner's access
   * token) and verifies them — or reuses a still-valid verified result for the same tenant, partner, types and scope
   * form from the presentation cache. Returns the partner's claims for the policy engine, or a failure with a precise code.
   */
  authenticate(tenantId: string, authorization: string | undefined, options?: AuthenticateOptions): Promise<IdentityResult<AuthenticatedParticipant>>;
  /** The `Authorization` header value for a DSP request from `tenantId` to `partnerDid` (an SI token with an access token for `scopes`). */
  authorizationFor(tenantId: string, partnerDid: string, scopes?: readonly string[]): Promise<string>;
}

export interface DcpIdentityServiceDeps {
  readonly siTokens: SelfIssuedTokenService;
  readonly resolver: DidResolver;
  readonly http: OutboundHttpClient;
  readonly presentations: PresentationVerifier;
  readonly didOf: (tenantId: string) => string;
  /** Accept `http:` Credential Service URLs on loopback hosts (tests, development). Default false. */
  readonly allowLoopbackHttp?: boolean;
  /** Deadline of the presentation query, ms. Default 10 000. */
  readonly queryTimeoutMs?: number;
  /** Reuse of verified presentation results; without it every request queries the partner's Credential Service. */
  readonly cache?: PresentationCache;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function acceptableEndpoint(endpoint: string, allowLoopbackHttp: boolean): URL | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') return url;
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname.startsWith('127.');
  return url.protocol === 'http:' && allowLoopbackHttp && loopback ? url : undefined;
}

export function createDcpIdentityService(deps: DcpIdentityServiceDeps): DcpIdentityService {
  async function queryAndVerify(
    tenantId: string,
    partner: string,
    accessToken: string | undefined,
    requiredTypes: readonly string[],
    scopeForm: AuthenticateOptions['scopeForm'],
  ): Promise<IdentityResult<ParticipantClaims>> {
    const doc = await deps.resolver.resolve(partner);
    if (!doc.ok) return doc;
    const endpoint = findService(doc.value, 'CredentialService');
    if (endpoint === undefined) return identityFailure('credential-service-missing', 'partner DID document has no CredentialService');
    const base = acceptableEndpoint(endpoint, deps.allowLoopbackHttp ?? false);
    if (base === undefined) return identityFailure('credential-service-missing', 'partner Credential Service URL must be HTTPS');
    const ourToken = await deps.siTokens.create(tenantId, partner, accessToken === undefined ? { scopes: [] } : { token: accessToken });
    const res = await deps.http.requestJson({
      url: `${base.toString().replace(/\/+$/, '')}/presentations/query`,
      method: 'POST',
      headers: { authorization: `Bearer ${ourToken}` },
      json: { '@context': [DCP_CONTEXT], type: 'PresentationQueryMessage', scope: requiredTypes.map((t) => typeScope(t, scopeForm)) },
      timeoutMs: deps.queryTimeoutMs ?? 10_000,
    });
    if (!res.ok) return identityFailure('presentation-query-failed', `presentation query failed: ${res.reason}${res.status ? ` ${res.status}` : ''}`);
    const body = res.value.json;
    if (!isObject(body) || body.type !== 'PresentationResponseMessage' || !Array.isArray(body.presentation)) {
      return identityFailure('presentation-invalid', 'response is not a PresentationResponseMessage');
    }
    return deps.presentations.verify({ tenantId, ourDid: deps.didOf(tenantId), holderDid: partner, presentations: body.presentation, requiredTypes });
  }

  return {
    async authenticate(tenantId, authorization, options = {}) {
      const bearer = bearerToken(authorization);
      if (!bearer.ok) return bearer;
      const si = await deps.siTokens.verify(tenantId, bearer.value, { deferReplay: options.deferReplay === true });
      if (!si.ok) return si;
      const partner = si.value.issuer;
      const admission = si.value.admission;
      const requiredTypes = options.requiredTypes ?? DEFAULT_CREDENTIAL_TYPES;
      const query = async (): Promise<IdentityResult<ParticipantClaims>> => {
        // No outbound call on behalf of a token whose id may have been used before.
        if (admission !== undefined && !(await admission.confirm())) return identityFailure('jti-replayed', 'token id was already used');
        return queryAndVerify(tenantId, partner, si.value.token, requiredTypes, options.scopeForm);
      };
      const claims = deps.cache === undefined ? await query()
        : await deps.cache.getOrLoad({ tenantId, partnerDid: partner, requiredTypes, scopeForm: options.scopeForm ?? 'tractusx' }, query);
      // The cached claims are shared between requests; the admission belongs to this one.
      return claims.ok && admission !== undefined ? { ok: true, value: { ...claims.value, admission } } : claims;
    },

    async authorizationFor(tenantId, partnerDid, scopes) {
      return `Bearer ${await deps.siTokens.create(tenantId, partnerDid, scopes === undefined ? {} : { scopes })}`;
    },
  };
}
