// Management-token verification per issuer: the built-in issuer (embedded) or a Cognito user pool (production).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { Router } from 'express';
import type { BuiltinIssuer } from './builtin-issuer';
import type { ManagementTokenVerifier } from './management-authorizer';

export interface CognitoPool {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientIds: readonly string[];
}

/** Cognito ID tokens carry `aud` = app client; access tokens carry `client_id`; both must name a configured client. */
export function createCognitoManagementVerifier(pool: CognitoPool): ManagementTokenVerifier {
  const issuer = `https://cognito-idp.${pool.region}.amazonaws.com/${pool.userPoolId}`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  return async (token: string): Promise<JWTPayload> => {
    const { payload } = await jwtVerify(token, jwks, { issuer, algorithms: ['RS256'], clockTolerance: 30 });
    const client = payload.token_use === 'id' ? payload.aud : payload.token_use === 'access' ? payload.client_id : undefined;
    const clients = Array.isArray(client) ? client : [client];
    if (!clients.some((c) => typeof c === 'string' && pool.clientIds.includes(c))) {
      throw Object.assign(new Error('token of an unknown app client or token use'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    }
    return payload;
  };
}

/** `/auth/jwks.json` and `/auth/.well-known/openid-configuration` of the built-in issuer. */
export function createBuiltinIssuerRouter(issuer: BuiltinIssuer): Router {
  const router = Router();
  router.get('/jwks.json', async (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(await issuer.jwks());
  });
  router.get('/.well-known/openid-configuration', (_req, res) => {
    res.json({ issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/jwks.json`, id_token_signing_alg_values_supported: ['ES256'], token_endpoint_auth_methods_supported: [] });
  });
  return router;
}
