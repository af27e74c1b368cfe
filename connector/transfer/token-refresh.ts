// Provider side of the Tractus-X refresh-token grant: checks the consumer's DID-signed client JWT, the transfer, then rotates.
import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { fail, ok, type Result } from '../common/result';
import { lockRefreshToken } from '../credentials/local/credential-repository';
import type { RefreshRequest } from '../credentials/local/local-token-minter';
import { tokenHash, type MintResult } from '../credentials/token-minter';
import type { Database } from '../store/database';
import type { TransferLiveness } from './transfer-liveness';
import type { TransferStore } from './transfer-store';

/** What the connector's identity and credential modules lend to token refresh (both roles). */
export interface EdrRefreshSupport {
  /** Consumer: a JWT signed with the tenant's DID key, `iss` = `sub` = its DID, `aud` = the provider DID, claim `token`. */
  createClientToken(tenantId: string, providerDid: string, accessToken: string): Promise<string>;
  /** Provider: verifies such a JWT sent to `tenantId` (signature by the `iss` DID, audience, times, replay). */
  verifyClientToken(tenantId: string, jwt: string): Promise<Result<{ readonly did: string; readonly token?: string }>>;
  /** Provider: the minter's refresh (rotates the refresh token; the presented one is retired once its successor is used). */
  refresh(request: RefreshRequest): Promise<MintResult>;
}

export interface TokenRefreshResponse {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  /** Tractus-X spelling of `expires_in`. */
  readonly expires: number;
}

export interface TokenRefreshDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: Pick<TransferStore, 'find' | 'saveBinding'>;
  readonly liveness: Pick<TransferLiveness, 'invalidate'>;
  readonly support: Pick<EdrRefreshSupport, 'verifyClientToken' | 'refresh'>;
  readonly now: () => Date;
}

export interface TokenRefreshService {
  /** One refresh-token grant for a provider tenant; every refusal is a 4xx-class failure. */
  grant(tenantId: string, input: { authorization?: string; grantType?: unknown; refreshToken?: unknown }): Promise<Result<TokenRefreshResponse>>;
}

/** The unverified claims of a JWT (only to cross-check the `token` claim against the refresh token's transfer). */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createTokenRefreshService(deps: TokenRefreshDeps): TokenRefreshService {
  return {
    async grant(tenantId, input) {
      if (input.grantType !== 'refresh_token') return fail('bad-request', 'grant_type must be refresh_token');
      if (typeof input.refreshToken !== 'string' || input.refreshToken === '' || input.refreshToken.length > 512) return fail('bad-request', 'refresh_token: required');
      const m = input.authorization === undefined ? null : /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(input.authorization.trim());
      if (m === null) return fail('unauthorized', 'Authorization: Bearer <client token> required');
      const client = await deps.support.verifyClientToken(tenantId, m[1]);
      if (!client.ok) return fail('unauthorized', 'client token not accepted');
      if (client.value.token === undefined) return fail('unauthorized', 'client token has no token claim');
      const presented = input.refreshToken;
      const row = await deps.db.withTenant(tenantId, (tx) => lockRefreshToken(tx, tokenHash(presented)));
      if (row === undefined || row.consumerDid !== client.value.did) return fail('bad-request', 'invalid refresh token');
      const claimed = jwtClaims(client.value.token)?.['transfer_id'];
      if (claimed !== undefined && claimed !== row.transferId) return fail('bad-request', 'the token claim belongs to another transfer');
      const transfer = await deps.db.withTenant(tenantId, (tx) => deps.store.find(tx, row.transferId));
      if (transfer === undefined || transfer.entity.role !== 'provider' || transfer.entity.state !== 'STARTED') return fail('forbidden', 'the transfer is not running');
      const minted = await deps.support.refresh({ tenantId, refreshToken: presented });
      if (!minted.ok) return fail(minted.retryable ? 'conflict' : 'bad-request', minted.code === 'refresh-expired' ? 'refresh token expired' : 'invalid refresh token');
      const t = minted.value;
      const nowMs = deps.now().getTime();
      await deps.db.withTenant(tenantId, (tx) => deps.store.saveBinding(tx, {
        binding: t.binding, transferId: row.transferId, agreementId: row.agreementId, consumerDid: row.consumerDid,
        ...(row.consumerBpn !== undefined ? { consumerBpn: row.consumerBpn } : {}),
        expiresAt: t.refreshExpiresAt?.getTime() ?? t.expiresAt.getTime(), createdAt: nowMs,
      }));
      deps.liveness.invalidate(tenantId);
      const expiresIn = Math.max(0, Math.round((t.expiresAt.getTime() - nowMs) / 1000));
      return ok({ access_token: t.token, ...(t.refreshToken !== undefined ? { refresh_token: t.refreshToken } : {}), token_type: 'Bearer', expires_in: expiresIn, expires: expiresIn });
    },
  };
}

const OAUTH_ERROR = { 'bad-request': [400, 'invalid_grant'], unauthorized: [401, 'invalid_client'], forbidden: [403, 'access_denied'], 'not-found': [400, 'invalid_grant'], conflict: [503, 'temporarily_unavailable'] } as const;

/** Mount at `/tenants/:tenantId/pact/token` (the EDR's `tx-auth:refreshEndpoint`), ahead of the PACT router. */
export function createTokenRefreshRouter(service: TokenRefreshService, onError?: (err: unknown, errorId: string) => void): Router {
  const r = Router({ mergeParams: true });
  r.post('/', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }), async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const query = req.query as Record<string, unknown>;
    try {
      const result = await service.grant(String(req.params.tenantId), {
        authorization: req.headers.authorization,
        grantType: body['grant_type'] ?? query['grant_type'],
        refreshToken: body['refresh_token'] ?? query['refresh_token'],
      });
      if (result.ok) return void res.json(result.value);
      const [status, error] = oauthErrorOf(result.reason);
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      res.status(status).json({ error, error_description: result.message });
    } catch (err) {
      const errorId = randomUUID();
      onError?.(err, errorId);
      res.status(500).json({ error: 'server_error', errorId });
    }
  });
  return r;
}

function oauthErrorOf(reason: keyof typeof OAUTH_ERROR): readonly [number, string] {
  return OAUTH_ERROR[reason];
}
