// With deferReplay, the DCP flow hands the token id's admission to the caller, and never queries a Credential Service for an unrecorded id.
import { createDcpIdentityService } from '../../../connector/identity/dcp-identity-service';
import type { DidResolver } from '../../../connector/identity/did-resolver';
import type { ReplayAdmission } from '../../../connector/identity/jti-replay-store';
import type { PresentationCache } from '../../../connector/identity/presentation-cache';
import type { PresentationVerifier } from '../../../connector/identity/presentation-verifier';
import type { SelfIssuedTokenService } from '../../../connector/identity/self-issued-token';
import type { OutboundHttpClient } from '../../../connector/common/outbound-http';

const PARTNER = 'did:web:partner.example';

function admission(fresh: boolean): ReplayAdmission & { confirmed: number } {
  return {
    state: 'open', confirmed: 0,
    take: () => undefined, settle: () => undefined,
    async confirm() {
      this.confirmed++;
      return fresh;
    },
  };
}

function service(adm: ReplayAdmission, cache?: PresentationCache) {
  const calls = { resolve: 0, verifyOptions: [] as unknown[] };
  const siTokens: SelfIssuedTokenService = {
    create: async () => 'our-token',
    verify: async (_tenant, _token, options) => {
      calls.verifyOptions.push(options);
      return { ok: true, value: { issuer: PARTNER, jti: 'j', expiresAt: new Date(), token: 'access', ...(options?.deferReplay === true ? { admission: adm } : {}) } };
    },
  };
  const resolver = { resolve: async () => { calls.resolve++; return { ok: true, value: { id: PARTNER, service: [] } }; } } as unknown as DidResolver;
  const dcp = createDcpIdentityService({
    siTokens, resolver, http: {} as OutboundHttpClient, presentations: {} as PresentationVerifier, didOf: () => 'did:web:us.example', ...(cache !== undefined ? { cache } : {}),
  });
  return { dcp, calls };
}

describe('DCP authentication with a deferred replay check', () => {
  it('records the id before a presentation query, and refuses a replay without any outbound call', async () => {
    const replayed = admission(false);
    const { dcp, calls } = service(replayed);
    expect(await dcp.authenticate('t1', 'Bearer abc', { deferReplay: true })).toMatchObject({ ok: false, code: 'jti-replayed' });
    expect([replayed.confirmed, calls.resolve]).toEqual([1, 0]);

    const fresh = admission(true);
    const second = service(fresh);
    // The query goes ahead once the id is recorded (here it fails later: no Credential Service in the DID document).
    expect(await second.dcp.authenticate('t1', 'Bearer abc', { deferReplay: true })).toMatchObject({ ok: false, code: 'credential-service-missing' });
    expect([fresh.confirmed, second.calls.resolve]).toEqual([1, 1]);
  });

  it('on a cache hit leaves the id to the caller, attached to this request only', async () => {
    const claims = { did: PARTNER, credentials: [] };
    const cache = { getOrLoad: async () => ({ ok: true, value: claims }) } as unknown as PresentationCache;
    const adm = admission(true);
    const { dcp, calls } = service(adm, cache);
    const r = await dcp.authenticate('t1', 'Bearer abc', { deferReplay: true });
    expect(r).toEqual({ ok: true, value: { ...claims, admission: adm } });
    expect(claims).toEqual({ did: PARTNER, credentials: [] });
    expect(adm.confirmed).toBe(0);
    expect(calls.verifyOptions).toEqual([{ deferReplay: true }]);
    // Without deferReplay the SI-token service records the id itself, as before.
    await dcp.authenticate('t1', 'Bearer abc');
    expect(calls.verifyOptions[1]).toEqual({ deferReplay: false });
  });
});
