// Consumer side of EDR refresh: the refresh-token grant at the provider's endpoint named in the EDR, and auto-refresh on read.
import type { OutboundHttpClient } from '../common/outbound-http';
import { fail, ok, type Result } from '../common/result';
import type { DataAddress } from '../dsp/messages';
import type { Database } from '../store/database';
import type { EdrRefreshSupport } from './token-refresh';
import type { EdrVault, TransferStore } from './transfer-store';

const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
const TX_AUTH_NS = 'https://w3id.org/tractusx/auth/';

export interface EdrRefresherDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly store: Pick<TransferStore, 'find'>;
  readonly vault: EdrVault;
  readonly http: Pick<OutboundHttpClient, 'request'>;
  readonly support: Pick<EdrRefreshSupport, 'createClientToken'>;
  /** BPN → DID for DSP 0.8 providers named by BPNL, looked up on behalf of `tenantId` (the consumer). */
  resolveDid?(counterPartyId: string, tenantId: string): Promise<string | undefined>;
  readonly now: () => Date;
  /** Refresh on read when the access token expires within this many seconds (default 30). */
  readonly thresholdSeconds?: number;
  readonly timeoutMs?: number;
}

export interface EdrRefresher {
  /** The cached EDR of a STARTED consumer transfer; with `autoRefresh`, refreshed first when expired or near expiry. */
  dataAddress(tenantId: string, transferId: string, autoRefresh: boolean): Promise<Result<DataAddress>>;
  /** Refreshes now: new access token and refresh token from the provider, the old refresh token is not used again. */
  refresh(tenantId: string, transferId: string): Promise<Result<DataAddress>>;
}

/** The value of an endpoint property by short or expanded name. */
export function edrProperty(address: DataAddress, ns: string, name: string): string | undefined {
  return address.endpointProperties.find((p) => p.name === `${ns}${name}` || p.name === name)?.value;
}

/** The access token's `exp` (seconds) when it is a JWT; undefined when unknown. */
function tokenExpiry(token: string | undefined): number | undefined {
  const part = token?.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

function withProperties(address: DataAddress, values: Readonly<Record<string, string | undefined>>): DataAddress {
  const set = new Map(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
  const props = address.endpointProperties.filter((p) => !set.has(p.name)).concat([...set].map(([name, value]) => ({ name, value })));
  return { ...address, endpointProperties: props };
}

export function createEdrRefresher(deps: EdrRefresherDeps): EdrRefresher {
  const threshold = deps.thresholdSeconds ?? 30;
  // One refresh per transfer at a time in this process: concurrent readers share the outcome.
  const inFlight = new Map<string, Promise<Result<DataAddress>>>();

  async function current(tenantId: string, transferId: string) {
    const t = await deps.db.withTenant(tenantId, (tx) => deps.store.find(tx, transferId));
    if (t === undefined || t.entity.role !== 'consumer' || t.entity.state !== 'STARTED') return undefined;
    const edr = await deps.vault.get(tenantId, transferId);
    return edr === undefined ? undefined : { transfer: t.entity, edr };
  }

  async function doRefresh(tenantId: string, transferId: string): Promise<Result<DataAddress>> {
    const found = await current(tenantId, transferId);
    if (found === undefined) return fail('not-found', `no EDR for transfer process ${transferId}`);
    const { edr, transfer } = found;
    const refreshToken = edrProperty(edr, TX_AUTH_NS, 'refreshToken');
    const accessToken = edrProperty(edr, EDC_NS, 'authorization');
    const endpoint = edrProperty(edr, TX_AUTH_NS, 'refreshEndpoint') ?? edrProperty(edr, EDC_NS, 'endpoint') ?? edr.endpoint;
    if (refreshToken === undefined || accessToken === undefined || endpoint === undefined) return fail('conflict', 'the provider issued no refresh token for this transfer');
    const providerDid = transfer.counterPartyId.startsWith('did:') ? transfer.counterPartyId : await deps.resolveDid?.(transfer.counterPartyId, tenantId);
    if (providerDid === undefined) return fail('conflict', `no DID known for provider ${transfer.counterPartyId}`);
    const clientToken = await deps.support.createClientToken(tenantId, providerDid, accessToken);
    const res = await deps.http.request({
      url: endpoint, method: 'POST', timeoutMs: deps.timeoutMs,
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
    if (!res.ok) return fail('conflict', `refresh endpoint unreachable: ${res.reason}`);
    if (res.value.status < 200 || res.value.status > 299) return fail('conflict', `provider refused the refresh (HTTP ${res.value.status}); access may be gone`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(res.value.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail('conflict', 'provider answered the refresh with a body that is not JSON');
    }
    const access = body['access_token'];
    const expires = body['expires_in'] ?? body['expires'];
    if (typeof access !== 'string' || access === '') return fail('conflict', 'provider answered the refresh without an access_token');
    const next = withProperties(edr, {
      [`${EDC_NS}authorization`]: access,
      [`${TX_AUTH_NS}refreshToken`]: typeof body['refresh_token'] === 'string' ? body['refresh_token'] : refreshToken,
      [`${TX_AUTH_NS}expiresIn`]: typeof expires === 'number' || typeof expires === 'string' ? String(expires) : undefined,
    });
    await deps.vault.put(tenantId, transferId, next);
    // The transfer may have ended while we refreshed (its EDR was deleted then): do not resurrect it.
    if ((await current(tenantId, transferId)) === undefined) {
      await deps.vault.delete(tenantId, transferId);
      return fail('not-found', `transfer process ${transferId} ended during the refresh`);
    }
    return ok(next);
  }

  function refresh(tenantId: string, transferId: string): Promise<Result<DataAddress>> {
    const key = `${tenantId}\u0000${transferId}`;
    const running = inFlight.get(key);
    if (running !== undefined) return running;
    const p = doRefresh(tenantId, transferId).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  }

  return {
    refresh,
    async dataAddress(tenantId, transferId, autoRefresh) {
      const found = await current(tenantId, transferId);
      if (found === undefined) return fail('not-found', `no EDR for transfer process ${transferId}`);
      if (!autoRefresh) return ok(found.edr);
      const exp = tokenExpiry(edrProperty(found.edr, EDC_NS, 'authorization'));
      const due = exp !== undefined && exp - threshold <= deps.now().getTime() / 1000;
      if (!due || edrProperty(found.edr, TX_AUTH_NS, 'refreshToken') === undefined) return ok(found.edr);
      return refresh(tenantId, transferId);
    },
  };
}
