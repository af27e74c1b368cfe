// Two onboarded tenants authenticate each other with DCP through the module's real wiring: DID documents, Credential
// Services and the persisted dev trust anchor all served over loopback HTTP by the public routers; plus the rejections.
import { createDevTrustAnchor, generateDevIssuerKey } from '../../../connector/identity/dev-trust-anchor';
import { heldCredentialFromJwt } from '../../../connector/identity/held-credential-repository';
import { testEngines } from '../../support/databases';
import { startModuleHarness, type ModuleHarness } from './support/module-harness';

const OEM = 'oem';
const SUPPLIER = 'supplier';
const ROGUE = 'rogue';
const OEM_BPN = 'BPNL000000000OEM';
const SUPPLIER_BPN = 'BPNL000000000SUP';
const ROGUE_BPN = 'BPNL00000000ROGU';

describe.each(testEngines())('DCP between two tenants of one connector on %s', (engine) => {
  let h: ModuleHarness;
  let oemDid: string;
  let supplierDid: string;

  beforeAll(async () => {
    h = await startModuleHarness(engine);
    await h.onboard(OEM, OEM_BPN);
    await h.onboard(SUPPLIER, SUPPLIER_BPN);
    oemDid = h.module.components.dids.didOf(OEM);
    supplierDid = h.module.components.dids.didOf(SUPPLIER);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('the OEM authenticates to the supplier with the credentials the dev anchor issued at onboarding, and back', async () => {
    const { dcp } = h.module;
    const claims = await dcp.authenticate(SUPPLIER, await dcp.authorizationFor(OEM, supplierDid));
    if (!claims.ok) throw new Error(`${claims.code}: ${claims.message}`);
    expect(claims.value).toMatchObject({ did: oemDid, bpn: OEM_BPN });
    expect(claims.value.credentials.map((c) => c.type).sort()).toEqual(['BpnCredential', 'DataExchangeGovernanceCredential', 'MembershipCredential']);
    expect(claims.value.credentials.every((c) => c.issuer === h.module.trustAnchorDid)).toBe(true);
    // Everything came over HTTP from the module's routers.
    expect(h.hits).toEqual(expect.arrayContaining([
      `GET /tenants/${OEM}/did.json`,
      `POST /tenants/${OEM}/credentials/presentations/query`,
      'GET /trust-anchor/did.json',
      'GET /trust-anchor/status/revocation',
    ]));

    const back = await dcp.authenticate(OEM, await dcp.authorizationFor(SUPPLIER, oemDid), { requiredTypes: ['MembershipCredential'], scopeForm: 'dcp' });
    expect(back).toMatchObject({ ok: true, value: { did: supplierDid, bpn: SUPPLIER_BPN } });
    expect(await h.module.bpnDirectory.bpnOf(oemDid)).toBe(OEM_BPN);
  });

  it('rejects credentials from an issuer the connector does not trust', async () => {
    const rogueIssuer = createDevTrustAnchor({ publicBaseUrl: h.base, key: generateDevIssuerKey('ES256K'), now: h.now, pathSegments: ['rogue-issuer'] });
    h.extra.get('/rogue-issuer/did.json', (_req, res) => void res.json(rogueIssuer.didDocument()));
    h.extra.get('/rogue-issuer/status/revocation', async (_req, res) => void res.type('application/vc+jwt').send(await rogueIssuer.statusListCredential()));
    await h.onboard(ROGUE, ROGUE_BPN);
    const rogueDid = h.module.components.dids.didOf(ROGUE);
    const forged = await rogueIssuer.issueStandardSet(rogueDid, ROGUE_BPN);
    if (!forged.ok) throw new Error(forged.message);
    const repo = h.module.components.heldCredentials;
    await h.db.withTenant(ROGUE, async (tx) => {
      for (const c of await repo.list(tx)) await repo.remove(tx, c.id);
      for (const c of forged.value) {
        const held = heldCredentialFromJwt(c.jwt);
        if (!held.ok) throw new Error(held.message);
        await repo.save(tx, held.value);
      }
    });
    const { dcp } = h.module;
    expect(await dcp.authenticate(SUPPLIER, await dcp.authorizationFor(ROGUE, supplierDid))).toMatchObject({ ok: false, code: 'credential-untrusted-issuer' });
  });

  it('rejects a revoked credential once the status list is re-read; a re-issued one is accepted again', async () => {
    const listed = (await h.call('GET', `/operator/v1/tenants/${OEM}/credentials`, { operator: true })).body as { items: { id: string; types: string[] }[] };
    const membership = listed.items.find((c) => c.types.includes('MembershipCredential'));
    if (membership === undefined) throw new Error('no membership credential');
    // Keep it in the wallet: the OEM keeps presenting it, as a careless or stale wallet would.
    const revoked = await h.call('POST', '/operator/v1/credentials/revoke', { operator: true, body: { tenantId: OEM, credentialId: membership.id, removeFromWallet: false } });
    expect(revoked.status).toBe(200);
    h.clock.ms += 6 * 60_000; // past the verifier's status-list cache (5 min by default)
    const { dcp } = h.module;
    expect(await dcp.authenticate(SUPPLIER, await dcp.authorizationFor(OEM, supplierDid))).toMatchObject({ ok: false, code: 'credential-revoked' });

    const repo = h.module.components.heldCredentials;
    await h.db.withTenant(OEM, (tx) => repo.remove(tx, membership.id));
    expect((await h.call('POST', '/operator/v1/credentials/issue', { operator: true, body: { tenantId: OEM, types: ['MembershipCredential'] } })).status).toBe(201);
    expect(await dcp.authenticate(SUPPLIER, await dcp.authorizationFor(OEM, supplierDid))).toMatchObject({ ok: true, value: { did: oemDid } });
  });
});
