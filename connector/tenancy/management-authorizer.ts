// Authenticates management-API callers (x-api-key or bearer JWT) and sets the caller; the tenant comes only from the credential.
import type { NextFunction, Request, Response } from 'express';
import type { JWTPayload } from 'jose';
import { isValidTenantId } from '../common/tenant-id';
import type { Logger } from '../observability/logger';
import type { Database } from '../store/database';
import { managementError } from '../management/management-errors';
import type { ApiKeyCache, CachedApiKey } from './api-key-cache';
import { parseApiKey, secretMatches } from './api-keys';
import { isRole, setCaller, type Caller, type Role } from './caller';
import { findActiveApiKey, findTenant, findUserRole } from './tenant-store';
import { addLogContext } from '../http/request-context';

/** Verifies a management JWT (built-in issuer or Cognito) and returns its payload; throws when invalid. */
export type ManagementTokenVerifier = (token: string) => Promise<JWTPayload>;

export interface ManagementAuthorizerDeps {
  readonly db: Database;
  readonly verifyToken: ManagementTokenVerifier;
  readonly tenantClaim: string;
  readonly rolesClaim: string;
  readonly logger: Logger;
  /** Keys found active, kept exact by the credentials change feed; without it every call reads the database. */
  readonly apiKeys?: ApiKeyCache;
}

const ROLE_RANK: Record<Role, number> = { admin: 3, publisher: 2, viewer: 1 };

/** The highest role a token's groups claim grants (groups may be named `admin` or `<tenant>:admin`). */
export function roleFromClaim(claim: unknown, tenantId: string): Role | undefined {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  let best: Role | undefined;
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const name = v.startsWith(`${tenantId}:`) ? v.slice(tenantId.length + 1) : v;
    if (isRole(name) && (!best || ROLE_RANK[name] > ROLE_RANK[best])) best = name;
  }
  return best;
}

function unauthenticated(res: Response, message: string): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="management", error="invalid_token"');
  managementError(res, 401, 'Unauthenticated', message);
}

export function createManagementAuthorizer(deps: ManagementAuthorizerDeps) {
  const log = deps.logger.child({ component: 'management-authorizer' });

  async function viaApiKey(value: string): Promise<Caller | string> {
    const parsed = parseApiKey(value);
    if (!parsed) return 'the API key is malformed';
    const load = (): Promise<CachedApiKey | undefined> => deps.db.withTenant(parsed.tenantId, async (tx) => {
      const tenant = await findTenant(tx, parsed.tenantId);
      if (!tenant || tenant.status !== 'active') return undefined;
      const key = await findActiveApiKey(tx, parsed.keyId);
      return key === undefined ? undefined : { ...key, bytes: 128 + key.secretHash.length };
    });
    // The secret is checked against the (cached) hash on every call: a cache hit proves nothing about the secret.
    const found = deps.apiKeys !== undefined ? await deps.apiKeys.getOrLoad(parsed.tenantId, parsed.keyId, load) : await load();
    if (!found || !secretMatches(parsed.secret, found.secretHash)) return 'the API key is unknown or revoked';
    return { tenantId: parsed.tenantId, subject: parsed.keyId, role: found.role, via: 'api-key', actor: `api-key:${parsed.keyId}` };
  }

  async function viaJwt(token: string): Promise<Caller | string> {
    let payload: JWTPayload;
    try {
      payload = await deps.verifyToken(token);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'invalid';
      return code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is invalid';
    }
    const tenantId = payload[deps.tenantClaim];
    const subject = payload.sub;
    if (!isValidTenantId(tenantId) || typeof subject !== 'string' || subject.length === 0) return 'the token names no valid tenant or subject';
    const assigned = await deps.db.withTenant(tenantId, async (tx) => {
      const tenant = await findTenant(tx, tenantId);
      if (!tenant || tenant.status !== 'active') return { tenant: false as const };
      return { tenant: true as const, role: await findUserRole(tx, subject) };
    });
    if (!assigned.tenant) return 'the token names no active tenant';
    const role = assigned.role ? assigned.role.role : roleFromClaim(payload[deps.rolesClaim], tenantId);
    if (!role || role === 'none') return 'the token grants no role in this tenant';
    return { tenantId, subject, role, via: 'jwt', actor: `user:${subject}` };
  }

  return async function authorizeManagement(req: Request, res: Response, next: NextFunction): Promise<void> {
    const apiKey = req.get('x-api-key');
    const authorization = req.get('authorization');
    let outcome: Caller | string;
    if (apiKey !== undefined) outcome = await viaApiKey(apiKey.trim());
    else if (authorization && /^bearer\s+/i.test(authorization)) outcome = await viaJwt(authorization.replace(/^bearer\s+/i, '').trim());
    else outcome = 'send an API key in x-api-key or a bearer token in Authorization';
    if (typeof outcome === 'string') {
      log.info('management request refused', { reason: outcome, path: req.path, correlationId: res.locals.requestId });
      unauthenticated(res, outcome);
      return;
    }
    setCaller(res, outcome);
    addLogContext(res.locals, { tenantId: outcome.tenantId });
    next();
  };
}
