// Self-issued ID tokens (DCP): minted per outbound request with our DID key, verified inbound against the sender's DID document.
import { randomUUID } from 'node:crypto';
import type { TenantKeyProvider } from '../credentials/key-provider';
import type { AccessTokenService } from './access-token';
import { verificationMethodId } from './did-document';
import { audienceIncludes, checkTokenTimes, verifyDidSignature } from './did-jwt';
import type { DidResolver } from './did-resolver';
import { identityFailure, type IdentityResult } from './failures';
import type { JtiReplayStore, ReplayAdmission } from './jti-replay-store';
import { decodeJws, DEFAULT_ALLOWED_ALGS, signJws } from './jws';
import { DEFAULT_CREDENTIAL_TYPES, typeScope } from './scopes';

export interface SelfIssuedTokenOptions {
  /** Copy this access token into the `token` claim (a verifier relaying the client's token to its Credential Service). */
  readonly token?: string;
  /**
   * Scopes the embedded access token grants on OUR Credential Service; default: Membership, BPN and
   * DataExchangeGovernance (Tractus-X form). An empty array omits the `token` claim. Ignored when `token` is given.
   */
  readonly scopes?: readonly string[];
}

export interface VerifiedSelfIssuedToken {
  /** The sender's DID (`iss` = `sub`). */
  readonly issuer: string;
  readonly jti: string;
  readonly expiresAt: Date;
  /** The access token for the sender's Credential Service, if the sender included one. */
  readonly token?: string;
  /** With `deferReplay`: the token id's one-time use, which the caller records within the request. */
  readonly admission?: ReplayAdmission;
}

export interface VerifyOptions {
  /**
   * Leave recording the token id (`jti`) to the caller: the result carries its `admission`, which the caller records
   * in the transaction of the request's effects or confirms on its own before answering. Default: recorded here.
   */
  readonly deferReplay?: boolean;
}

/** Creates and verifies SI tokens for tenants. */
export interface SelfIssuedTokenService {
  /** A signed SI token from `tenantId` to `audience` (partner DID), for one request. */
  create(tenantId: string, audience: string, options?: SelfIssuedTokenOptions): Promise<string>;
  /**
   * Verifies an SI token sent to `tenantId`: signature by a key of the `iss` DID authorised for `capabilityInvocation`
   * (kid must belong to that DID), iss = sub, aud = our DID, exp/nbf/iat with skew, allowed algorithm, jti unused.
   */
  verify(tenantId: string, token: string, options?: VerifyOptions): Promise<IdentityResult<VerifiedSelfIssuedToken>>;
}

export interface SelfIssuedTokenDeps {
  readonly keys: TenantKeyProvider;
  readonly didOf: (tenantId: string) => string;
  readonly resolver: DidResolver;
  readonly replay: JtiReplayStore;
  readonly accessTokens: AccessTokenService;
  readonly now: () => Date;
  /** Lifetime of tokens we create, seconds. Default 300. */
  readonly ttlSeconds?: number;
  /** Clock-skew leeway for verification, seconds. Default 30. */
  readonly skewSeconds?: number;
  /** Longest lifetime accepted inbound (`exp` − now), seconds; bounds the replay store. Default 3600. */
  readonly maxInboundLifetimeSeconds?: number;
  readonly allowedAlgs?: readonly string[];
}

export const DEFAULT_SCOPES: readonly string[] = DEFAULT_CREDENTIAL_TYPES.map((t) => typeScope(t));

/** Extracts the token from an `Authorization: Bearer …` header; other schemes are rejected. */
export function bearerToken(authorization: string | undefined): IdentityResult<string> {
  const match = authorization === undefined ? null : /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization.trim());
  return match === null ? identityFailure('token-missing', 'Authorization: Bearer <token> required') : { ok: true, value: match[1] };
}

export function createSelfIssuedTokenService(deps: SelfIssuedTokenDeps): SelfIssuedTokenService {
  const ttl = deps.ttlSeconds ?? 300;
  const skew = deps.skewSeconds ?? 30;
  const maxLifetime = deps.maxInboundLifetimeSeconds ?? 3600;
  return {
    async create(tenantId, audience, options = {}) {
      const did = deps.didOf(tenantId);
      const key = await deps.keys.signingKey(tenantId, 'identity');
      const iat = Math.floor(deps.now().getTime() / 1000);
      const scopes = options.scopes ?? DEFAULT_SCOPES;
      const token = options.token ?? (scopes.length > 0 ? await deps.accessTokens.issue(tenantId, audience, scopes) : undefined);
      const payload: Record<string, unknown> = { iss: did, sub: did, aud: audience, jti: randomUUID(), iat, nbf: iat, exp: iat + ttl };
      if (token !== undefined) payload.token = token;
      return signJws(payload, { alg: key.alg, kid: verificationMethodId(did, key.kid), privateKey: key.privateKey });
    },

    async verify(tenantId, token, options = {}) {
      const ourDid = deps.didOf(tenantId);
      const decoded = decodeJws(token, deps.allowedAlgs ?? DEFAULT_ALLOWED_ALGS);
      if (!decoded.ok) return decoded;
      const { payload } = decoded.value;
      const iss = payload.iss;
      if (typeof iss !== 'string' || !iss.startsWith('did:')) return identityFailure('token-malformed', 'iss must be a DID');
      if (payload.sub !== iss) return identityFailure('iss-sub-mismatch', 'iss and sub differ');
      if (!audienceIncludes(payload.aud, ourDid)) return identityFailure('audience-mismatch', 'token is addressed to another participant');
      const nowSeconds = deps.now().getTime() / 1000;
      const times = checkTokenTimes(payload, { nowSeconds, skewSeconds: skew, requireExp: true });
      if (!times.ok) return times;
      const exp = times.value.exp as number;
      if (exp - nowSeconds > maxLifetime) return identityFailure('token-malformed', `token lifetime exceeds ${maxLifetime} s`);
      if (typeof payload.jti !== 'string' || payload.jti === '') return identityFailure('jti-missing', 'token has no jti');
      if (payload.token !== undefined && typeof payload.token !== 'string') return identityFailure('token-malformed', 'token claim must be a string');
      const signer = await verifyDidSignature(deps.resolver, decoded.value, { signerDid: iss, relationship: 'capabilityInvocation' });
      if (!signer.ok) return signer;
      const expiresAt = new Date((exp + skew) * 1000);
      let admission: ReplayAdmission | undefined;
      if (options.deferReplay === true) {
        admission = deps.replay.admit(ourDid, payload.jti, expiresAt);
        if (admission.state === 'replayed') return identityFailure('jti-replayed', 'token id was already used');
      } else if (!(await deps.replay.remember(ourDid, payload.jti, expiresAt))) {
        return identityFailure('jti-replayed', 'token id was already used');
      }
      const value: VerifiedSelfIssuedToken = {
        issuer: iss, jti: payload.jti, expiresAt: new Date(exp * 1000),
        ...(typeof payload.token === 'string' ? { token: payload.token } : {}), ...(admission !== undefined ? { admission } : {}),
      };
      return { ok: true, value };
    },
  };
}
