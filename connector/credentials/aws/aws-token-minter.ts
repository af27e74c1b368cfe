// AWS TokenMinter: STS AssumeRole (tenant role) → Secrets Manager (tenant's Cognito client) → Cognito M2M token, cached.
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Logger } from '../../observability/logger';
import { createExpiringCache } from '../expiring-cache';
import { mintFailure, tokenHash, type MintFailure, type MintRequest, type TokenMinter } from '../token-minter';
import { peekPayload } from '../token-verifier';
import type { AwsCallCounter, AwsClientFactory, AwsCredentials } from './aws-clients';
import { classifyAwsError, defaultRetryOptions, withRetry, type RetryOptions } from './aws-errors';
import { isStaleSecret, parseClientSecret, tokenFromApi, tokenFromEndpoint, type CognitoAccessToken, type CognitoClientSecret } from './cognito-token-client';
import type { AwsTenantSettings, AwsTenantSettingsLookup } from './tenant-settings';
import { sessionPolicy } from './session-policy';

export interface AwsTokenMinterDeps {
  readonly settings: AwsTenantSettingsLookup;
  readonly clients: AwsClientFactory;
  readonly logger: Logger;
  readonly counter?: AwsCallCounter;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  readonly retry?: Partial<RetryOptions>;
  /** AssumeRole session duration (default 3600, minimum 900). */
  readonly sessionDurationSeconds?: number;
  /** Temporary credentials are renewed this long before they expire (default 300). */
  readonly credentialMarginSeconds?: number;
  /** Cached client secrets are re-read after this long (default 3600), or at once when Cognito rejects them. */
  readonly secretMaxAgeSeconds?: number;
  /** A cached Cognito token is handed out only with at least this much life left (default 300). */
  readonly tokenMarginSeconds?: number;
  /**
   * Who may share a cached Cognito token: `consumer` (default; all transfers of one consumer of one tenant) or
   * `transfer` (a fresh token per transfer: one Cognito call per mint).
   */
  readonly tokenSharing?: 'consumer' | 'transfer';
  /** Adds a `tenant` session tag (the trust policy must then allow `sts:TagSession`). Default false. */
  readonly sessionTags?: boolean;
  /** Adds an inline session policy limiting the session to the tenant's secret (default true). */
  readonly scopedSessionPolicy?: boolean;
  /** Timeout of one token-endpoint request (default 5000 ms). */
  readonly httpTimeoutMs?: number;
}

interface TenantSession {
  readonly credentials: AwsCredentials;
  readonly secrets: SecretsManagerClient;
  readonly cognito: CognitoIdentityProviderClient;
}

interface CachedToken extends CognitoAccessToken {
  readonly expiresAt: Date;
  readonly jti?: string;
}

class MintAbort extends Error {
  constructor(readonly failure: MintFailure) {
    super(failure.message);
  }
}

function validRequest(r: MintRequest): string | undefined {
  for (const [name, v] of [['tenantId', r.tenantId], ['agreementId', r.agreementId], ['transferId', r.transferId]] as const) {
    if (typeof v !== 'string' || v === '' || v.includes('|')) return `${name}: required`;
  }
  return undefined;
}

/**
 * Builds the AWS minter. Per tenant: ≤ 1 AssumeRole per credential lifetime, ≤ 1 secret read per max age, 1 token per
 * consumer (or per transfer). A transfer minted again (resume or retried start) never gets the token it had before.
 */
export function createAwsTokenMinter(deps: AwsTokenMinterDeps): TokenMinter {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'credentials.aws-minter' });
  const retry: RetryOptions = { ...defaultRetryOptions, ...deps.retry };
  const fetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const duration = Math.max(900, deps.sessionDurationSeconds ?? 3600);
  const sessions = createExpiringCache<TenantSession>({ now, marginMs: (deps.credentialMarginSeconds ?? 300) * 1000 });
  const secrets = createExpiringCache<CognitoClientSecret>({ now, marginMs: 0, maxAgeMs: (deps.secretMaxAgeSeconds ?? 3600) * 1000 });
  const tokens = createExpiringCache<CachedToken>({ now, marginMs: (deps.tokenMarginSeconds ?? 300) * 1000 });
  const liveSessions = new Map<string, TenantSession>();
  // `${tenantId}|${transferId}` → hash and expiry of the token last handed to that transfer. A second mint for a
  // transfer is a restart (resume, retried start): it must not get that token again, as Cognito cannot revoke it.
  const handedOut = new Map<string, { readonly hash: string; readonly expiresAt: number }>();
  let mintsSinceSweep = 0;

  function rememberHandedOut(key: string, hash: string, expiresAt: Date): void {
    handedOut.set(key, { hash, expiresAt: expiresAt.getTime() });
    mintsSinceSweep += 1;
    if (mintsSinceSweep < 1024) return;
    mintsSinceSweep = 0;
    const at = now().getTime();
    for (const [k, v] of handedOut) if (v.expiresAt <= at) handedOut.delete(k);
  }

  function count(tenantId: string, service: 'sts' | 'secretsmanager' | 'cognito-idp' | 'cognito-oauth2', operation: string, region: string): void {
    deps.counter?.record({ tenantId, service, operation, region });
  }

  async function assumeRole(tenantId: string, s: AwsTenantSettings, key: string): Promise<{ value: TenantSession; expiresAt: Date }> {
    const sts = deps.clients.sts(s.region);
    const result = await withRetry(retry, async () => {
      count(tenantId, 'sts', 'AssumeRole', s.region);
      try {
        const out = await sts.send(new AssumeRoleCommand({
          RoleArn: s.roleArn,
          RoleSessionName: `pcf-${tenantId}`.slice(0, 64),
          DurationSeconds: duration,
          ...(s.externalId === undefined ? {} : { ExternalId: s.externalId }),
          ...(deps.sessionTags === true ? { Tags: [{ Key: 'tenant', Value: tenantId }] } : {}),
          ...(deps.scopedSessionPolicy === false ? {} : { Policy: sessionPolicy(s) }),
        }));
        const c = out.Credentials;
        if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.Expiration === undefined) {
          return mintFailure('role-not-assumable', 'sts: AssumeRole answered without credentials');
        }
        return { ok: true as const, value: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration } };
      } catch (error) {
        return classifyAwsError('sts', error);
      }
    });
    if (!result.ok) throw new MintAbort(result);
    const credentials = result.value;
    const previous = liveSessions.get(key);
    const session: TenantSession = {
      credentials,
      secrets: deps.clients.secretsManager(s.region, credentials),
      cognito: deps.clients.cognito(s.region, credentials),
    };
    liveSessions.set(key, session);
    if (previous !== undefined) {
      previous.secrets.destroy();
      previous.cognito.destroy();
    }
    log.info('assumed tenant role', { tenantId, region: s.region, expiresAt: credentials.expiration?.toISOString() });
    return { value: session, expiresAt: credentials.expiration ?? new Date(now().getTime() + duration * 1000) };
  }

  async function readSecret(tenantId: string, s: AwsTenantSettings, session: TenantSession): Promise<{ value: CognitoClientSecret; expiresAt: Date }> {
    const result = await withRetry(retry, async () => {
      count(tenantId, 'secretsmanager', 'GetSecretValue', s.region);
      try {
        const out = await session.secrets.send(new GetSecretValueCommand({ SecretId: s.secretId }));
        const parsed = parseClientSecret(out.SecretString);
        if (parsed === undefined) return mintFailure('secret-invalid', 'secretsmanager: secret is not {"clientId","clientSecret"} JSON');
        if (parsed.clientId !== s.cognito.clientId) return mintFailure('secret-invalid', 'secretsmanager: secret belongs to another app client');
        return { ok: true as const, value: parsed };
      } catch (error) {
        return classifyAwsError('secrets', error);
      }
    });
    if (!result.ok) throw new MintAbort(result);
    return { value: result.value, expiresAt: new Date(8.64e15) };
  }

  async function fetchToken(tenantId: string, s: AwsTenantSettings, secret: CognitoClientSecret, session: TenantSession): Promise<{ ok: true; value: CognitoAccessToken } | MintFailure> {
    return withRetry(retry, async () => {
      if (s.cognito.tokenMode === 'get-client-token') {
        count(tenantId, 'cognito-idp', 'GetClientToken', s.region);
        return tokenFromApi(s, secret, session.cognito);
      }
      count(tenantId, 'cognito-oauth2', 'token', s.region);
      return tokenFromEndpoint(s, secret, fetchFn, deps.httpTimeoutMs ?? 5000);
    });
  }

  async function obtainToken(tenantId: string, s: AwsTenantSettings, base: string): Promise<{ value: CachedToken; expiresAt: Date }> {
    const sessionKey = `${base}|session`;
    const session = await sessions.get(sessionKey, () => assumeRole(tenantId, s, sessionKey));
    const secretKey = `${base}|secret|${s.secretId}|${s.cognito.clientId}`;
    let secret = await secrets.get(secretKey, () => readSecret(tenantId, s, session));
    let outcome = await fetchToken(tenantId, s, secret, session);
    if (isStaleSecret(outcome)) {
      secrets.delete(secretKey);
      log.warn('cognito rejected the cached client secret; re-reading it once', { tenantId });
      secret = await secrets.get(secretKey, () => readSecret(tenantId, s, session));
      outcome = await fetchToken(tenantId, s, secret, session);
    }
    if (!outcome.ok) throw new MintAbort(outcome);
    const issuedAt = now().getTime();
    const payload = peekPayload(outcome.value.accessToken);
    const jti = typeof payload?.jti === 'string' ? payload.jti : undefined;
    const expiresAt = new Date(issuedAt + outcome.value.expiresInSeconds * 1000);
    return { value: { ...outcome.value, expiresAt, ...(jti === undefined ? {} : { jti }) }, expiresAt };
  }

  return {
    async mint(request) {
      const invalid = validRequest(request);
      if (invalid !== undefined) return mintFailure('invalid-request', invalid);
      const { tenantId } = request;
      const s = await deps.settings(tenantId);
      if (s === undefined) return mintFailure('tenant-not-configured', 'tenant has no aws credential settings');
      const base = `${tenantId}|${s.region}|${s.roleArn}|${s.externalId ?? ''}`;
      const consumer = request.consumer.did ?? request.consumer.bpn;
      const sharing = deps.tokenSharing ?? 'consumer';
      const audienceKey = sharing === 'consumer' && consumer !== undefined ? `consumer:${consumer}` : `transfer:${request.transferId}`;
      const tokenKey = `${base}|token|${s.cognito.clientId}|${s.cognito.scope}|${audienceKey}`;
      const handedKey = `${tenantId}|${request.transferId}`;
      const before = handedOut.get(handedKey);
      try {
        let cached = await tokens.get(tokenKey, () => obtainToken(tenantId, s, base));
        let hash = tokenHash(cached.accessToken);
        if (before !== undefined && before.hash === hash) {
          // Restart of this transfer: replace the shared cache entry with a fresh Cognito token.
          tokens.delete(tokenKey);
          cached = await tokens.get(tokenKey, () => obtainToken(tenantId, s, base));
          hash = tokenHash(cached.accessToken);
          log.info('replaced the cached token handed to this transfer before', { tenantId, transferId: request.transferId });
        }
        rememberHandedOut(handedKey, hash, cached.expiresAt);
        log.info('minted data-plane token', { tenantId, agreementId: request.agreementId, transferId: request.transferId, expiresAt: cached.expiresAt.toISOString() });
        return {
          ok: true,
          value: {
            token: cached.accessToken,
            tokenType: 'Bearer',
            expiresAt: cached.expiresAt,
            ...(cached.jti === undefined ? {} : { jti: cached.jti }),
            tokenHash: hash,
            binding: { kind: 'token-hash', value: hash },
            agreementId: request.agreementId,
            transferId: request.transferId,
            issuer: 'cognito',
          },
        };
      } catch (error) {
        if (!(error instanceof MintAbort)) throw error;
        log.warn('data-plane token not minted', { tenantId, transferId: request.transferId, outcome: error.failure.code, detail: error.failure.message });
        return error.failure;
      }
    },
    evictTenant(tenantId) {
      for (const cache of [sessions, secrets, tokens]) cache.deletePrefix(`${tenantId}|`);
      for (const key of handedOut.keys()) if (key.startsWith(`${tenantId}|`)) handedOut.delete(key);
      for (const [key, session] of liveSessions) {
        if (key.startsWith(`${tenantId}|`)) {
          liveSessions.delete(key);
          session.secrets.destroy();
          session.cognito.destroy();
        }
      }
    },
  };
}
