// The DSP client resolves a BPNL counter-party to its DID on behalf of the sending tenant, and uses a DID as is.
import type { OutboundHttpClient, OutboundRequest } from '../../../connector/common/outbound-http';
import { createDspClient } from '../../../connector/dsp/client/dsp-client';
import type { DspCodec } from '../../../connector/dsp/codec';

function recordingHttp(): { http: OutboundHttpClient; requests: OutboundRequest[] } {
  const requests: OutboundRequest[] = [];
  const http: OutboundHttpClient = {
    async request(req) {
      requests.push(req);
      return { ok: true, value: { status: 200, headers: {}, body: Buffer.from('{}') } };
    },
    requestJson: () => Promise.reject(new Error('not used')),
    close: () => undefined,
  };
  return { http, requests };
}

describe('DSP client DID lookup', () => {
  const codec = {} as DspCodec; // a GET without `expect` neither encodes nor decodes
  const get = { baseUrl: 'https://provider.example/dsp', path: '/negotiations/urn:p:1', dialect: '0.8' as const };

  it('passes the requesting tenant to the BPN → DID lookup and authenticates towards that DID', async () => {
    const lookups: [string, string][] = [];
    const tokens: [string, string][] = [];
    const { http, requests } = recordingHttp();
    const client = createDspClient({
      http, codec,
      resolveDid: async (id, tenantId) => { lookups.push([id, tenantId]); return 'did:web:provider.example'; },
      authorizationFor: async (tenantId, did) => { tokens.push([tenantId, did]); return 'Bearer si'; },
    });
    const r = await client.fetchJson({ ...get, tenantId: 'oem', counterPartyId: 'BPNL000000000PRV' });
    expect(r.ok).toBe(true);
    expect(lookups).toEqual([['BPNL000000000PRV', 'oem']]);
    expect(tokens).toEqual([['oem', 'did:web:provider.example']]);
    expect(requests).toHaveLength(1);
  });

  it('does not look up a DID counter-party, and refuses an unknown BPN without sending', async () => {
    const lookups: string[] = [];
    const { http, requests } = recordingHttp();
    const client = createDspClient({
      http, codec, authorizationFor: async () => 'Bearer si',
      resolveDid: async (id, tenantId) => { lookups.push(`${id}@${tenantId}`); return undefined; },
    });
    expect((await client.fetchJson({ ...get, tenantId: 'oem', counterPartyId: 'did:web:p.example' })).ok).toBe(true);
    const unknown = await client.fetchJson({ ...get, tenantId: 'supplier', counterPartyId: 'BPNL0000000UNKWN' });
    expect(unknown).toMatchObject({ ok: false, retryable: false });
    expect(lookups).toEqual(['BPNL0000000UNKWN@supplier']);
    expect(requests).toHaveLength(1);
  });
});
