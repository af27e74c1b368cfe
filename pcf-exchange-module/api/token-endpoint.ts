// `POST auth/token` of a tenant's PACT host: OAuth2 client credentials (RFC 6749 §4.4) with HTTP Basic client auth.
import { createHash } from 'node:crypto';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { createPactClientStore } from '../clients/pact-client-store';
import type { PactTokenService } from '../clients/pact-tokens';
import { DUMMY_SECRET_HASH, verifySecret } from '../clients/secret-hash';
import type { ClientStatusCache } from './pact-auth';
import { jsonReply, type PactReply } from './pact-replies';

export interface TokenEndpointDeps {
  readonly db: Database;
  readonly tokens: PactTokenService;
  readonly tenantKnown: (tenantId: string) => Promise<boolean>;
  readonly logger: Logger;
  /** Client status (revocation) shared with the bearer verifier; with it, verified credentials are remembered. */
  readonly clientStatus?: ClientStatusCache;
  readonly now?: () => Date;
  /** How long a successful secret verification is reused (default 60 s; 0 disables). */
  readonly verifiedTtlMs?: number;
}

/**
 * Successful client authentications by SHA-256 of tenant, client id and secret (never the secret itself), so a
 * client asking for tokens repeatedly costs one hash instead of one scrypt. Failures are never remembered, and a
 * hit is still checked against the client-status cache (revocation evicts it at once on this replica).
 */
function createVerifiedCredentials(ttlMs: number, now: () => Date) {
  const entries = new Map<string, { clientId: string; until: number }>();
  const keyOf = (tenantId: string, id: string, secret: string): string =>
    createHash('sha256').update(tenantId).update('\u0000').update(id).update('\u0000').update(secret).digest('base64url');
  return {
    get(tenantId: string, id: string, secret: string): string | undefined {
      if (ttlMs <= 0) return undefined;
      const k = keyOf(tenantId, id, secret);
      const e = entries.get(k);
      if (e === undefined) return undefined;
      if (e.until <= now().getTime()) {
        entries.delete(k);
        return undefined;
      }
      return e.clientId;
    },
    set(tenantId: string, id: string, secret: string, clientId: string): void {
      if (ttlMs <= 0) return;
      if (entries.size >= 10_000) entries.clear();
      entries.set(keyOf(tenantId, id, secret), { clientId, until: now().getTime() + ttlMs });
    },
  };
}

/** Client id and secret of an HTTP Basic header (RFC 6749 §2.3.1: each part may be form-urlencoded). */
export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const unform = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

/** What the token endpoint needs of one request, however it arrived. */
export interface TokenRequest {
  readonly tenantId: string;
  /** True when the body was `application/x-www-form-urlencoded`. */
  readonly isForm: boolean;
  /** The parsed form fields. */
  readonly form: Readonly<Record<string, unknown>>;
  readonly authorization: string | undefined;
}

const NO_STORE = { 'Cache-Control': 'no-store' };

function oauthError(status: number, error: string, description: string): PactReply {
  return jsonReply(status, { error, error_description: description }, status === 401 ? { ...NO_STORE, 'WWW-Authenticate': 'Basic realm="pact"' } : NO_STORE);
}

/** The token endpoint as a function from request to reply (the Express route and the fast lane both call it). */
export function createTokenEndpoint(deps: TokenEndpointDeps): (request: TokenRequest) => Promise<PactReply> {
  const clients = createPactClientStore();
  const log = deps.logger.child({ component: 'pact.auth' });
  const now = deps.now ?? (() => new Date());
  const verified = createVerifiedCredentials(deps.clientStatus === undefined ? 0 : deps.verifiedTtlMs ?? 60_000, now);
  const respond = async (tenantId: string, clientId: string): Promise<PactReply> => {
    const issued = await deps.tokens.issue(tenantId, clientId);
    log.info('access token issued', { tenantId, clientId });
    return jsonReply(200, { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn, scope: issued.scope }, { ...NO_STORE, Pragma: 'no-cache' });
  };
  return async ({ tenantId, isForm, form, authorization }) => {
    if (!isForm) return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    if (form.grant_type === undefined) return oauthError(400, 'invalid_request', 'grant_type is required');
    if (form.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');
    const basic = parseBasic(authorization);
    if (basic === undefined) return oauthError(401, 'invalid_client', 'client authentication with HTTP Basic is required');
    const known = await deps.tenantKnown(tenantId);
    const remembered = known ? verified.get(tenantId, basic.id, basic.secret) : undefined;
    if (remembered !== undefined && deps.clientStatus !== undefined && (await deps.clientStatus.isActive(tenantId, remembered))) {
      return respond(tenantId, remembered);
    }
    const found = known ? await deps.db.withTenant(tenantId, (tx) => clients.findActive(tx, basic.id)) : undefined;
    const matches = await verifySecret(basic.secret, found?.secretHash ?? DUMMY_SECRET_HASH);
    if (found === undefined || !matches) {
      log.warn('client authentication failed', { tenantId: known ? tenantId : undefined, clientId: basic.id.slice(0, 64) });
      return oauthError(401, 'invalid_client', 'client authentication failed');
    }
    verified.set(tenantId, basic.id, basic.secret, found.client.clientId);
    return respond(tenantId, found.client.clientId);
  };
}
