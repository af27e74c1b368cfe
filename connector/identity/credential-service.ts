// Our Credential Service (DCP presentation API): answers a verifier's PresentationQueryMessage with a signed VP of the granted credentials.
import { randomUUID } from 'node:crypto';
import type { TenantKeyProvider } from '../credentials/key-provider';
import type { Database } from '../store/database';
import type { AccessTokenService } from './access-token';
import { verificationMethodId } from './did-document';
import { identityFailure, type IdentityResult } from './failures';
import type { HeldCredential, HeldCredentialRepository } from './held-credential-repository';
import { signJws } from './jws';
import { parseScope, scopeCovers, type CredentialScope } from './scopes';
import { bearerToken, type SelfIssuedTokenService } from './self-issued-token';
import { VC_V1_CONTEXT } from './vc-jwt';

export const DCP_CONTEXT = 'https://w3id.org/dspace-dcp/v1.0/dcp.jsonld';

export interface PresentationResponseMessage {
  readonly '@context': readonly string[];
  readonly type: 'PresentationResponseMessage';
  readonly presentation: readonly string[];
}

/** Handler-level API of `POST /tenants/{tenantId}/credentials/presentations/query`. */
export interface CredentialService {
  /**
   * Authenticates the verifier (its SI token in `authorization`, whose `token` claim must be an access token this
   * tenant issued to that verifier), validates the query and returns the granted credentials as one signed JWT VP.
   * Requested scopes the token does not grant are left out (DCP: 2xx with fewer presentations).
   * Failure codes: `token-*`/`jti-*`/`signature-*` etc. (401), `access-token-invalid` (401), `query-invalid` (400),
   * `presentation-definition-unsupported` (map to 501).
   */
  answerQuery(tenantId: string, authorization: string | undefined, body: unknown): Promise<IdentityResult<PresentationResponseMessage>>;
}

export interface CredentialServiceDeps {
  readonly siTokens: SelfIssuedTokenService;
  readonly accessTokens: AccessTokenService;
  readonly credentials: HeldCredentialRepository;
  readonly db: Pick<Database, 'withTenant'>;
  readonly keys: TenantKeyProvider;
  readonly didOf: (tenantId: string) => string;
  readonly now: () => Date;
  /** VP lifetime, seconds. Default 300. */
  readonly vpTtlSeconds?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validates a PresentationQueryMessage and returns its scopes. */
export function parsePresentationQuery(body: unknown): IdentityResult<readonly string[]> {
  if (!isObject(body)) return identityFailure('query-invalid', 'body must be a JSON object');
  const ctx = body['@context'];
  if (!Array.isArray(ctx) || !ctx.includes(DCP_CONTEXT)) return identityFailure('query-invalid', `@context must be an array containing ${DCP_CONTEXT}`);
  if (body.type !== 'PresentationQueryMessage') return identityFailure('query-invalid', 'type must be PresentationQueryMessage');
  const hasScope = body.scope !== undefined;
  const hasDefinition = body.presentationDefinition !== undefined;
  if (hasScope && hasDefinition) return identityFailure('query-invalid', 'scope and presentationDefinition are mutually exclusive');
  if (hasDefinition) return identityFailure('presentation-definition-unsupported', 'presentationDefinition queries are not supported; use scope');
  const scope = body.scope;
  if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === 'string')) {
    return identityFailure('query-invalid', 'scope must be a non-empty array of strings');
  }
  return { ok: true, value: scope as string[] };
}

function selectGranted(requested: readonly string[], granted: readonly CredentialScope[]): { types: string[]; ids: string[] } {
  const types = new Set<string>();
  const ids = new Set<string>();
  for (const raw of requested) {
    const scope = parseScope(raw);
    if (scope === undefined || !scopeCovers(granted, scope)) continue;
    (scope.kind === 'type' ? types : ids).add(scope.value);
  }
  return { types: [...types], ids: [...ids] };
}

/** One JWT VP (VCDM 1.1 `vp` claim) signed with `tenantId`'s identity key, holder `did`, embedding the raw JWT VCs. */
export async function signPresentation(
  keys: TenantKeyProvider,
  tenantId: string,
  vp: { readonly did: string; readonly audience: string; readonly credentials: readonly string[]; readonly now: Date; readonly ttlSeconds: number },
): Promise<string> {
  const key = await keys.signingKey(tenantId, 'identity');
  const iat = Math.floor(vp.now.getTime() / 1000);
  return signJws(
    {
      iss: vp.did,
      sub: vp.did,
      aud: vp.audience,
      jti: randomUUID(),
      iat,
      nbf: iat,
      exp: iat + vp.ttlSeconds,
      vp: {
        '@context': [VC_V1_CONTEXT],
        id: `urn:uuid:${randomUUID()}`,
        type: ['VerifiablePresentation'],
        holder: vp.did,
        verifiableCredential: [...vp.credentials],
      },
    },
    { alg: key.alg, kid: verificationMethodId(vp.did, key.kid), privateKey: key.privateKey },
  );
}

export function createCredentialService(deps: CredentialServiceDeps): CredentialService {
  const ttl = deps.vpTtlSeconds ?? 300;
  return {
    async answerQuery(tenantId, authorization, body) {
      const bearer = bearerToken(authorization);
      if (!bearer.ok) return bearer;
      const si = await deps.siTokens.verify(tenantId, bearer.value);
      if (!si.ok) return si;
      if (si.value.token === undefined) return identityFailure('access-token-invalid', 'SI token carries no access token');
      const access = await deps.accessTokens.verify(tenantId, si.value.token, si.value.issuer);
      if (!access.ok) return access;
      const query = parsePresentationQuery(body);
      if (!query.ok) return query;
      const wanted = selectGranted(query.value, access.value.scopes);
      const now = deps.now();
      const held = await deps.db.withTenant(tenantId, async (tx) => {
        const byType = await deps.credentials.findByTypes(tx, wanted.types);
        const byId = await deps.credentials.findByIds(tx, wanted.ids);
        const unique = new Map<string, HeldCredential>();
        for (const c of [...byType, ...byId]) unique.set(c.id, c);
        return [...unique.values()];
      });
      const current = held.filter((c) => (c.validUntil === undefined || c.validUntil > now) && (c.validFrom === undefined || c.validFrom <= now));
      const did = deps.didOf(tenantId);
      if (current.length === 0) return { ok: true, value: { '@context': [DCP_CONTEXT], type: 'PresentationResponseMessage', presentation: [] } };
      const vp = await signPresentation(deps.keys, tenantId, { did, audience: si.value.issuer, credentials: current.map((c) => c.raw), now, ttlSeconds: ttl });
      return { ok: true, value: { '@context': [DCP_CONTEXT], type: 'PresentationResponseMessage', presentation: [vp] } };
    },
  };
}
