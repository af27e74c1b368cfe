// Local TokenMinter: JWTs signed with the tenant's data-plane key, plus Tractus-X-style single-use refresh tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Logger } from '../../observability/logger';
import { deferredStatements, finalStatement, type Database } from '../../store/database';
import type { TenantKeyProvider } from '../key-provider';
import { MINT_WRITES, mintFailure, tokenHash, type MintedToken, type MintRequest, type MintResult, type TokenMinter } from '../token-minter';
import type { Success } from '../../common/result';
import * as repo from './credential-repository';

export interface RefreshRequest {
  readonly tenantId: string;
  /** The opaque refresh token the consumer presents. */
  readonly refreshToken: string;
  readonly ttlSeconds?: number;
}

export interface LocalTokenMinter extends TokenMinter {
  /**
   * Exchanges a refresh token for a new access token and a new refresh token (same agreement, transfer, consumer and
   * audience). The presented token stays usable until its successor is used (a lost response can be retried); a
   * retired token presented again retires its whole family. The caller must store the new `jti` → transfer mapping.
   */
  refresh(request: RefreshRequest): Promise<MintResult>;
  /** Retires every refresh token of a transfer (terminated/completed); returns how many were active. */
  revokeTransferTokens(tenantId: string, transferId: string): Promise<number>;
}

export interface LocalTokenMinterDeps {
  readonly keys: TenantKeyProvider;
  readonly db: Database;
  /** The connector's public base URL, e.g. `https://connector.example.com` (no trailing slash needed). */
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Access token lifetime when the request names none (default 600 s); requests are capped at `maxTtlSeconds` (3600). */
  readonly defaultTtlSeconds?: number;
  readonly maxTtlSeconds?: number;
  /** Refresh token lifetime (default 86,400 s); 0 disables refresh tokens. */
  readonly refreshTtlSeconds?: number;
}

/** The issuer of a tenant's local data-plane tokens: its PACT host. */
export function localIssuer(publicUrl: string, tenantId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/tenants/${encodeURIComponent(tenantId)}/pact`;
}

/** The default audience of a tenant's local data-plane tokens (its PACT host as a resource). */
export function localDefaultAudience(publicUrl: string, tenantId: string): string {
  return localIssuer(publicUrl, tenantId);
}

export const LOCAL_TOKEN_TYPE = 'at+jwt';

interface Binding {
  readonly agreementId: string;
  readonly transferId: string;
  readonly consumerDid?: string;
  readonly consumerBpn?: string;
  readonly audience: string;
}

export function createLocalTokenMinter(deps: LocalTokenMinterDeps): LocalTokenMinter {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'credentials.local-minter' });
  const maxTtl = deps.maxTtlSeconds ?? 3600;
  const refreshTtl = deps.refreshTtlSeconds ?? 86_400;

  async function sign(tenantId: string, b: Binding, ttlSeconds: number | undefined) {
    const key = await deps.keys.signingKey(tenantId, 'data-plane');
    const iat = Math.floor(now().getTime() / 1000);
    const ttl = Math.min(Math.max(1, Math.floor(ttlSeconds ?? deps.defaultTtlSeconds ?? 600)), maxTtl);
    const jti = randomUUID();
    const token = await new SignJWT({
      tenant_id: tenantId,
      agreement_id: b.agreementId,
      transfer_id: b.transferId,
      ...(b.consumerDid === undefined ? {} : { consumer_did: b.consumerDid }),
      ...(b.consumerBpn === undefined ? {} : { consumer_bpn: b.consumerBpn }),
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: LOCAL_TOKEN_TYPE })
      .setIssuer(localIssuer(deps.publicUrl, tenantId))
      .setAudience(b.audience)
      .setSubject(b.consumerDid ?? b.consumerBpn ?? `transfer:${b.transferId}`)
      .setJti(jti)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + ttl)
      .sign(key.privateKey);
    return { token, jti, expiresAt: new Date((iat + ttl) * 1000) };
  }

  function result(signed: { token: string; jti: string; expiresAt: Date }, b: Binding, refresh?: { token: string; expiresAt: Date }): Success<MintedToken> {
    return {
      ok: true,
      value: {
        token: signed.token, tokenType: 'Bearer', expiresAt: signed.expiresAt, jti: signed.jti, tokenHash: tokenHash(signed.token),
        binding: { kind: 'jti', value: signed.jti }, agreementId: b.agreementId, transferId: b.transferId, issuer: 'local',
        ...(refresh === undefined ? {} : { refreshToken: refresh.token, refreshExpiresAt: refresh.expiresAt }),
      },
    };
  }

  function newRefresh(): { token: string; hash: string; expiresAt: Date } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: tokenHash(token), expiresAt: new Date(now().getTime() + refreshTtl * 1000) };
  }

  return {
    async mint(request: MintRequest) {
      for (const [name, v] of [['tenantId', request.tenantId], ['agreementId', request.agreementId], ['transferId', request.transferId]] as const) {
        if (typeof v !== 'string' || v === '') return mintFailure('invalid-request', `${name}: required`);
      }
      if (request.ttlSeconds !== undefined && !(Number.isFinite(request.ttlSeconds) && request.ttlSeconds > 0)) return mintFailure('invalid-request', 'ttlSeconds: must be positive');
      const b: Binding = {
        agreementId: request.agreementId, transferId: request.transferId, audience: request.audience ?? localDefaultAudience(deps.publicUrl, request.tenantId),
        ...(request.consumer.did === undefined ? {} : { consumerDid: request.consumer.did }),
        ...(request.consumer.bpn === undefined ? {} : { consumerBpn: request.consumer.bpn }),
      };
      const signed = await sign(request.tenantId, b, request.ttlSeconds);
      const refresh = refreshTtl > 0 ? newRefresh() : undefined;
      const minted = result(signed, b, refresh);
      if (refresh !== undefined || request.supersede === true || request.alongside !== undefined) {
        // One round trip: every write is deferred to COMMIT, retiring the transfer's earlier refresh tokens first.
        await deps.db.withTenant(request.tenantId, async (tx) => {
          const writes = deferredStatements(tx);
          if (request.supersede === true) await repo.retireRefreshTokensOfTransfer(writes, b.transferId);
          if (refresh !== undefined) await repo.insertRefreshToken(writes, { tokenHash: refresh.hash, familyId: randomUUID(), ...b, createdAt: now(), expiresAt: refresh.expiresAt });
          if (request.alongside !== undefined) await request.alongside(writes, minted.value);
        }, MINT_WRITES);
      }
      log.info('minted data-plane token', { tenantId: request.tenantId, agreementId: b.agreementId, transferId: b.transferId, jti: signed.jti });
      return minted;
    },

    async refresh(request) {
      if (refreshTtl <= 0) return mintFailure('refresh-invalid', 'refresh tokens are disabled');
      if (typeof request.refreshToken !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(request.refreshToken)) return mintFailure('refresh-invalid', 'malformed refresh token');
      const presented = tokenHash(request.refreshToken);
      await deps.keys.signingKey(request.tenantId, 'data-plane');
      const outcome = await deps.db.withTenant(request.tenantId, async (tx) => {
        const row = await repo.lockRefreshToken(tx, presented);
        if (row === undefined) return { failure: mintFailure('refresh-invalid', 'unknown refresh token') };
        if (row.status === 'retired') {
          await repo.retireRefreshFamily(tx, row.familyId);
          return { failure: mintFailure('refresh-invalid', 'refresh token already superseded; token family revoked'), reuse: true };
        }
        if (row.expiresAt.getTime() <= now().getTime()) return { failure: mintFailure('refresh-expired', 'refresh token expired') };
        await repo.markRefreshTokenUsed(tx, row.tokenHash, now());
        if (row.parentHash !== undefined) await repo.retireSupersededRefreshTokens(tx, row.parentHash, row.tokenHash);
        const next = newRefresh();
        const b: Binding = {
          agreementId: row.agreementId, transferId: row.transferId, audience: row.audience,
          ...(row.consumerDid === undefined ? {} : { consumerDid: row.consumerDid }),
          ...(row.consumerBpn === undefined ? {} : { consumerBpn: row.consumerBpn }),
        };
        await repo.insertRefreshToken(tx, { tokenHash: next.hash, familyId: row.familyId, parentHash: row.tokenHash, ...b, createdAt: now(), expiresAt: next.expiresAt });
        return { binding: b, next };
      });
      if ('failure' in outcome && outcome.failure !== undefined) {
        log.warn('refresh refused', { tenantId: request.tenantId, outcome: outcome.failure.code, reuse: outcome.reuse === true });
        return outcome.failure;
      }
      const { binding, next } = outcome as { binding: Binding; next: { token: string; expiresAt: Date } };
      const signed = await sign(request.tenantId, binding, request.ttlSeconds);
      log.info('refreshed data-plane token', { tenantId: request.tenantId, transferId: binding.transferId, jti: signed.jti });
      return result(signed, binding, next);
    },

    async revokeTransferTokens(tenantId, transferId) {
      return deps.db.withTenant(tenantId, (tx) => repo.retireRefreshTokensOfTransfer(finalStatement(tx), transferId));
    },

    evictTenant() {
      // Nothing cached here; the key store keeps its own short-lived cache.
    },
  };
}
