// Obtains access tokens at partner PACT hosts (OIDC discovery, else `auth/token`; client credentials), cached per partner.
import type { PactPartner } from '../clients/partner-store';
import type { PactOutbound } from './outbound';

export type PartnerTokenResult = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly message: string };

/** Tokens for calling partner hosts. */
export interface PartnerTokenClient {
  /** A (cached) bearer token for `partner` of `tenantId`; `secret()` is read only when a new token is needed. */
  token(tenantId: string, partner: PactPartner, secret: () => Promise<string | undefined>): Promise<PartnerTokenResult>;
  /** Drops the cached token (the partner answered 401/403). */
  forget(tenantId: string, partnerId: string): void;
}

export interface PartnerTokenClientDeps {
  readonly outbound: PactOutbound;
  readonly now: () => Date;
  /** Seconds before expiry a cached token is replaced (default 60). */
  readonly marginSeconds?: number;
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createPartnerTokenClient(deps: PartnerTokenClientDeps): PartnerTokenClient {
  const margin = (deps.marginSeconds ?? 60) * 1000;
  const tokens = new Map<string, { token: string; until: number }>();
  const endpoints = new Map<string, string>();
  const key = (tenantId: string, partnerId: string): string => `${tenantId}\u0000${partnerId}`;

  async function tokenEndpoint(tenantId: string, partner: PactPartner): Promise<string> {
    const k = key(tenantId, partner.id);
    const known = endpoints.get(k);
    if (known !== undefined) return known;
    let endpoint = `${partner.authBaseUrl}/auth/token`;
    const discovery = await deps.outbound.get(`${partner.authBaseUrl}/.well-known/openid-configuration`, { Accept: 'application/json' });
    if (discovery.ok && discovery.status === 200) {
      const doc = parseJson(discovery.body);
      if (typeof doc?.token_endpoint === 'string' && /^https?:\/\//.test(doc.token_endpoint)) endpoint = doc.token_endpoint;
    }
    endpoints.set(k, endpoint);
    return endpoint;
  }

  return {
    async token(tenantId, partner, secret) {
      const k = key(tenantId, partner.id);
      const hit = tokens.get(k);
      if (hit !== undefined && hit.until > deps.now().getTime()) return { ok: true, token: hit.token };
      const clientSecret = await secret();
      if (clientSecret === undefined) return { ok: false, message: 'no client secret stored for this partner' };
      const endpoint = await tokenEndpoint(tenantId, partner);
      const basic = Buffer.from(`${partner.clientId}:${clientSecret}`, 'utf8').toString('base64');
      const reply = await deps.outbound.post(endpoint, 'grant_type=client_credentials', {
        'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', Authorization: `Basic ${basic}`,
      });
      if (!reply.ok) return { ok: false, message: `token endpoint unreachable: ${reply.message}` };
      if (reply.status !== 200) {
        endpoints.delete(k);
        return { ok: false, message: `token endpoint answered ${reply.status}` };
      }
      const body = parseJson(reply.body);
      if (typeof body?.access_token !== 'string' || body.access_token === '') return { ok: false, message: 'token endpoint answered without access_token' };
      const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
      tokens.set(k, { token: body.access_token, until: deps.now().getTime() + Math.max(0, expiresIn * 1000 - margin) });
      return { ok: true, token: body.access_token };
    },
    forget(tenantId, partnerId) {
      tokens.delete(key(tenantId, partnerId));
    },
  };
}
