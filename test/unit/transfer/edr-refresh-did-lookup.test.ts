// EDR refresh towards a provider named by BPNL: the DID lookup is made on behalf of the consumer tenant.
import type { OutboundHttpClient } from '../../../connector/common/outbound-http';
import type { DataAddress } from '../../../connector/dsp/messages';
import type { TenantTx } from '../../../connector/store/database';
import { createEdrRefresher } from '../../../connector/transfer/edr-refresh';
import type { TransferProcess } from '../../../connector/transfer/transfer-process';
import type { EdrVault } from '../../../connector/transfer/transfer-store';

const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
const TX_AUTH_NS = 'https://w3id.org/tractusx/auth/';

const transfer: TransferProcess = {
  id: 'tp-1', tenantId: 'oem', role: 'consumer', dialect: '0.8', counterPartyId: 'BPNL000000000PRV', counterPartyAddress: 'https://p.example/dsp',
  consumerPid: 'tp-1', providerPid: 'urn:p:1', agreementId: 'agr-1', format: 'HttpData-PULL', state: 'STARTED', stateCount: 1, stateTimestamp: 0, createdAt: 0,
};

function vault(initial: DataAddress): EdrVault & { current: () => DataAddress | undefined } {
  let stored: DataAddress | undefined = initial;
  return {
    current: () => stored,
    put: async (_t, _id, a) => { stored = a; },
    putIn: async (_tx, _id, a) => { stored = a; },
    get: async () => stored,
    delete: async () => { stored = undefined; },
  };
}

describe('EDR refresh DID lookup', () => {
  it('resolves the provider BPN with the consumer tenant and sends the client token for that DID', async () => {
    const edr: DataAddress = {
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP', endpoint: 'https://p.example/pact',
      endpointProperties: [
        { name: `${EDC_NS}authorization`, value: 'old-access' },
        { name: `${TX_AUTH_NS}refreshToken`, value: 'old-refresh' },
        { name: `${TX_AUTH_NS}refreshEndpoint`, value: 'https://p.example/token' },
      ],
    };
    const v = vault(edr);
    const lookups: [string, string][] = [];
    const clientTokens: [string, string][] = [];
    const http: Pick<OutboundHttpClient, 'request'> = {
      request: async () => ({ ok: true, value: { status: 200, headers: {}, body: Buffer.from(JSON.stringify({ access_token: 'new-access', refresh_token: 'new-refresh', expires_in: 300 })) } }),
    };
    const refresher = createEdrRefresher({
      db: { withTenant: (tenantId, fn) => fn({ tenantId } as TenantTx) },
      store: { find: async () => ({ entity: transfer, version: 1, extra: {} }) },
      vault: v, http, now: () => new Date(0),
      support: { createClientToken: async (tenantId, did) => { clientTokens.push([tenantId, did]); return 'client-jwt'; } },
      resolveDid: async (id, tenantId) => { lookups.push([id, tenantId]); return 'did:web:p.example'; },
    });
    const r = await refresher.refresh('oem', 'tp-1');
    expect(r.ok).toBe(true);
    expect(lookups).toEqual([['BPNL000000000PRV', 'oem']]);
    expect(clientTokens).toEqual([['oem', 'did:web:p.example']]);
    expect(v.current()?.endpointProperties).toContainEqual({ name: `${EDC_NS}authorization`, value: 'new-access' });
  });
});
