// Identity module on both engines: did.json and rotation overlap, the Credential Service route, operator issue/revoke/list,
// directory CRUD, onboarding/erasure hooks, and the dev trust anchor surviving a restart.
import { testEngines } from '../../support/databases';
import { DCP_CONTEXT } from '../../../connector/identity/credential-service';
import { decodeJws } from '../../../connector/identity/jws';
import { typeScope } from '../../../connector/identity/scopes';
import { decodeStatusBits, statusBit } from '../../../connector/identity/status-list';
import { parseCredentialJwt, parsePresentationJwt } from '../../../connector/identity/vc-jwt';
import { deleteDirectoryEntry, issueCredentials, listCredentials, putDirectoryEntry, revokeCredential } from '../../../connector/identity/module/identity-cli';
import { OPERATOR_KEY, startModuleHarness, type ModuleHarness } from './support/module-harness';

const ALPHA = 'alpha';
const BETA = 'beta';
const ALPHA_BPN = 'BPNL0000000ALPHA';
const BETA_BPN = 'BPNL00000000BETA';
const PARTNER_BPN = 'BPNL000000PARTNR';

/** Revocation bits of the trust anchor's status list, fetched over HTTP like a verifier does. */
async function statusBits(h: ModuleHarness): Promise<Buffer> {
  const res = await h.call('GET', '/trust-anchor/status/revocation');
  expect(res.status).toBe(200);
  const list = parseCredentialJwt(res.text);
  if (!list.ok) throw new Error(list.message);
  return decodeStatusBits(list.value.subject.encodedList as string, false);
}

const query = (scope: unknown, extra: Record<string, unknown> = {}) => ({ '@context': [DCP_CONTEXT], type: 'PresentationQueryMessage', scope, ...extra });

describe.each(testEngines())('identity module on %s', (engine) => {
  let h: ModuleHarness;
  let alphaDid: string;
  let betaDid: string;

  beforeAll(async () => {
    h = await startModuleHarness(engine);
    await h.onboard(ALPHA, ALPHA_BPN);
    await h.onboard(BETA, BETA_BPN);
    alphaDid = h.module.components.dids.didOf(ALPHA);
    betaDid = h.module.components.dids.didOf(BETA);
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('did.json', () => {
    it('serves the tenant document: did:web of the public URL, one public JWK, Credential Service and DSP entries', async () => {
      const res = await h.call('GET', `/tenants/${ALPHA}/did.json`);
      expect(res.status).toBe(200);
      const port = new URL(h.base).port;
      expect(alphaDid).toBe(`did:web:127.0.0.1%3A${port}:tenants:${ALPHA}`);
      const doc = res.body as { id: string; verificationMethod: { id: string; publicKeyJwk: Record<string, unknown> }[]; capabilityInvocation: string[]; service: { type: string; serviceEndpoint: string }[] };
      expect(doc.id).toBe(alphaDid);
      expect(doc.verificationMethod).toHaveLength(1);
      expect(doc.verificationMethod[0].publicKeyJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
      expect(doc.verificationMethod[0].publicKeyJwk).not.toHaveProperty('d');
      expect(doc.capabilityInvocation).toEqual([doc.verificationMethod[0].id]);
      expect(doc.service).toEqual(expect.arrayContaining([
        expect.objectContaining({ type: 'CredentialService', serviceEndpoint: `${h.base}/tenants/${ALPHA}/credentials` }),
        expect.objectContaining({ type: 'DataService', serviceEndpoint: `${h.base}/tenants/${ALPHA}/.well-known/dspace-version` }),
      ]));
    });

    it('answers 404 JSON for unknown and malformed tenants', async () => {
      for (const id of ['nobody', 'NOT_A_SLUG', '..%2Fx']) {
        const res = await h.call('GET', `/tenants/${id}/did.json`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'not found' });
      }
    });

    it('publishes the previous key during the rotation overlap, then only the new one', async () => {
      const before = (await h.call('GET', `/tenants/${BETA}/did.json`)).body as { verificationMethod: { id: string }[] };
      await h.keys.rotate(BETA, 'identity', new Date(h.clock.ms + 60_000));
      const during = (await h.call('GET', `/tenants/${BETA}/did.json`)).body as { verificationMethod: { id: string }[]; authentication: string[] };
      expect(during.verificationMethod).toHaveLength(2);
      expect(during.verificationMethod.map((m) => m.id)).toContain(before.verificationMethod[0].id);
      expect(during.authentication).toHaveLength(2);
      h.clock.ms += 90_000;
      const after = (await h.call('GET', `/tenants/${BETA}/did.json`)).body as { verificationMethod: { id: string }[] };
      expect(after.verificationMethod).toHaveLength(1);
      expect(after.verificationMethod[0].id).not.toBe(before.verificationMethod[0].id);
    });
  });

  describe('credential service route', () => {
    const path = `/tenants/${ALPHA}/credentials/presentations/query`;

    /** Beta's SI token to alpha carrying an access token alpha issued to beta for `scopes`. */
    async function betaAsks(scopes: string[]): Promise<string> {
      const { accessTokens, siTokens } = h.module.components;
      const token = await accessTokens.issue(ALPHA, betaDid, scopes);
      return `Bearer ${await siTokens.create(BETA, alphaDid, { token })}`;
    }

    it('answers with one VP holding only the granted credential types', async () => {
      const authorization = await betaAsks([typeScope('MembershipCredential')]);
      const res = await h.call('POST', path, { headers: { authorization }, body: query([typeScope('MembershipCredential'), typeScope('BpnCredential'), typeScope('DataExchangeGovernanceCredential', 'dcp')]) });
      expect(res.status).toBe(200);
      const body = res.body as { type: string; presentation: string[] };
      expect(body.type).toBe('PresentationResponseMessage');
      expect(body.presentation).toHaveLength(1);
      const vp = parsePresentationJwt(body.presentation[0]);
      if (!vp.ok) throw new Error(vp.message);
      expect(vp.value.holder).toBe(alphaDid);
      const types = vp.value.credentials.map((c) => {
        const p = parseCredentialJwt(c);
        return p.ok ? p.value.types[1] : 'unreadable';
      });
      expect(types).toEqual(['MembershipCredential']);
      const decoded = decodeJws(body.presentation[0]);
      expect(decoded.ok && decoded.value.payload.aud).toBe(betaDid);
    });

    it('maps failures to the DCP statuses', async () => {
      expect((await h.call('POST', path, { body: query([typeScope('MembershipCredential')]) })).status).toBe(401);
      const both = await h.call('POST', path, { headers: { authorization: await betaAsks([typeScope('MembershipCredential')]) }, body: query([typeScope('MembershipCredential')], { presentationDefinition: { id: 'x' } }) });
      expect(both).toMatchObject({ status: 400, body: { code: 'query-invalid' } });
      const definition = await h.call('POST', path, { headers: { authorization: await betaAsks([typeScope('MembershipCredential')]) }, body: { '@context': [DCP_CONTEXT], type: 'PresentationQueryMessage', presentationDefinition: { id: 'x' } } });
      expect(definition.status).toBe(501);
      const empty = await h.call('POST', path, { headers: { authorization: await betaAsks([typeScope('MembershipCredential')]) }, body: query([]) });
      expect(empty.status).toBe(400);
      const malformed = await h.call('POST', path, { headers: { authorization: await betaAsks([]) }, body: '{"scope": [' });
      expect(malformed.status).toBe(400);
      const unknown = await h.call('POST', '/tenants/nobody/credentials/presentations/query', { headers: { authorization: await betaAsks([]) }, body: query([typeScope('MembershipCredential')]) });
      expect(unknown.status).toBe(404);
    });
  });

  describe('operator routes', () => {
    it('issues the standard set, lists it, revokes one (status bit over HTTP) and refuses bad requests', async () => {
      const issued = await h.call('POST', '/operator/v1/credentials/issue', { operator: true, body: { tenantId: BETA } });
      expect(issued.status).toBe(201);
      const items = (issued.body as { issuer: string; items: { id: string; types: string[]; statusListIndex: number }[] }).items;
      expect(items.map((i) => i.types[1]).sort()).toEqual(['BpnCredential', 'DataExchangeGovernanceCredential', 'MembershipCredential']);
      expect((issued.body as { issuer: string }).issuer).toBe(h.module.trustAnchorDid);

      const listed = await h.call('GET', `/operator/v1/tenants/${BETA}/credentials`, { operator: true });
      expect(listed.status).toBe(200);
      const ids = (listed.body as { items: { id: string; revoked?: boolean }[] }).items;
      for (const i of items) expect(ids).toContainEqual(expect.objectContaining({ id: i.id, revoked: false }));
      expect(JSON.stringify(listed.body)).not.toMatch(/eyJ/);

      const target = items[0];
      expect(statusBit(await statusBits(h), target.statusListIndex)).toBe(false);
      const revoked = await h.call('POST', '/operator/v1/credentials/revoke', { operator: true, body: { tenantId: BETA, credentialId: target.id } });
      expect(revoked).toMatchObject({ status: 200, body: { revoked: true } });
      expect(statusBit(await statusBits(h), target.statusListIndex)).toBe(true);
      expect(statusBit(await statusBits(h), items[1].statusListIndex)).toBe(false);
      const after = (await h.call('GET', `/operator/v1/tenants/${BETA}/credentials`, { operator: true })).body as { items: { id: string }[] };
      expect(after.items.map((i) => i.id)).not.toContain(target.id);

      expect((await h.call('POST', '/operator/v1/credentials/revoke', { operator: true, body: { tenantId: ALPHA, credentialId: items[1].id } })).status).toBe(404);
      expect((await h.call('POST', '/operator/v1/credentials/revoke', { operator: true, body: { tenantId: BETA } })).status).toBe(400);
      expect((await h.call('POST', '/operator/v1/credentials/issue', { operator: true, body: { tenantId: BETA, types: ['DismantlerCredential'] } })).status).toBe(400);
      expect((await h.call('POST', '/operator/v1/credentials/issue', { operator: true, body: { tenantId: BETA, types: 'MembershipCredential' } })).status).toBe(400);
      expect((await h.call('POST', '/operator/v1/credentials/issue', { operator: true, body: { tenantId: 'nobody' } })).status).toBe(404);
      expect((await h.call('POST', '/operator/v1/credentials/issue', { body: { tenantId: BETA } })).status).toBe(401);
    });

    it('the CLI client functions reach the same routes', async () => {
      const issued = await issueCredentials(h.base, OPERATOR_KEY, BETA, ['BpnCredential']);
      expect(issued.status).toBe(201);
      const id = (issued.body as { items: { id: string }[] }).items[0].id;
      expect((await listCredentials(h.base, OPERATOR_KEY, BETA)).body).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ id })]) });
      expect((await revokeCredential(h.base, OPERATOR_KEY, BETA, id)).status).toBe(200);
      expect((await putDirectoryEntry(h.base, OPERATOR_KEY, 'BPNL00000000CLI1', 'did:web:cli.example')).status).toBe(201);
      expect((await deleteDirectoryEntry(h.base, OPERATOR_KEY, 'BPNL00000000CLI1')).status).toBe(204);
      expect((await issueCredentials(h.base, 'wrong-key', BETA)).status).toBe(401);
    });

    it('manages partner directory entries and keeps tenants\' entries read-only', async () => {
      const partnerDid = 'did:web:partner.example:bpn';
      expect((await h.call('PUT', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true, body: { did: partnerDid } })).status).toBe(201);
      expect((await h.call('PUT', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true, body: { did: `${partnerDid}2` } })).status).toBe(200);
      expect(await h.call('GET', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true })).toMatchObject({ status: 200, body: { bpn: PARTNER_BPN, did: `${partnerDid}2`, source: 'operator' } });
      expect(await h.module.bpnDirectory.didOf(PARTNER_BPN)).toBe(`${partnerDid}2`);
      expect(await h.module.bpnDirectory.bpnOf(alphaDid)).toBe(ALPHA_BPN);
      const all = (await h.call('GET', '/operator/v1/directory', { operator: true })).body as { items: { bpn: string; source: string }[] };
      expect(all.items).toEqual(expect.arrayContaining([expect.objectContaining({ bpn: ALPHA_BPN, source: 'tenant' }), expect.objectContaining({ bpn: PARTNER_BPN, source: 'operator' })]));

      expect((await h.call('PUT', `/operator/v1/directory/${ALPHA_BPN}`, { operator: true, body: { did: partnerDid } })).status).toBe(409);
      expect((await h.call('PUT', '/operator/v1/directory/BPNL0000000OTHER', { operator: true, body: { did: alphaDid } })).status).toBe(409);
      expect((await h.call('PUT', '/operator/v1/directory/BPNL0000000OTHER', { operator: true, body: { did: `${partnerDid}2` } })).status).toBe(409);
      expect((await h.call('PUT', '/operator/v1/directory/BPNL001', { operator: true, body: { did: partnerDid } })).status).toBe(400);
      expect((await h.call('PUT', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true, body: { did: 'not a did' } })).status).toBe(400);
      expect((await h.call('DELETE', `/operator/v1/directory/${ALPHA_BPN}`, { operator: true })).status).toBe(409);

      expect((await h.call('DELETE', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true })).status).toBe(204);
      expect((await h.call('DELETE', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true })).status).toBe(404);
      expect((await h.call('GET', `/operator/v1/directory/${PARTNER_BPN}`, { operator: true })).status).toBe(404);
      expect(await h.module.bpnDirectory.didOf(PARTNER_BPN)).toBeUndefined();
    });
  });

  describe('lifecycle hooks and persistence', () => {
    it('onboarding creates the identity key, the directory entry and the dev credentials; erasure revokes and removes them', async () => {
      const id = 'gamma';
      const bpn = 'BPNL0000000GAMMA';
      await h.call('PUT', `/operator/v1/directory/${bpn}`, { operator: true, body: { did: 'did:web:stale.example' } });
      await h.onboard(id, bpn);
      const did = h.module.components.dids.didOf(id);
      expect(await h.module.bpnDirectory.didOf(bpn)).toBe(did);
      expect((await h.call('GET', `/tenants/${id}/did.json`)).body).toMatchObject({ id: did, verificationMethod: [expect.anything()] });
      const held = (await h.call('GET', `/operator/v1/tenants/${id}/credentials`, { operator: true })).body as { items: { types: string[]; issuer: string; statusListIndex: number }[] };
      expect(held.items.map((c) => c.types[1]).sort()).toEqual(['BpnCredential', 'DataExchangeGovernanceCredential', 'MembershipCredential']);
      expect(held.items.every((c) => c.issuer === h.module.trustAnchorDid)).toBe(true);
      const indexes = held.items.map((c) => c.statusListIndex);
      // Verified presentations cached with the tenant as verifier and as partner must not outlive it.
      const cache = h.module.components.presentationCache;
      cache.clear();
      const verified = async () => ({ ok: true as const, value: { did, credentials: [] } });
      await cache.getOrLoad({ tenantId: id, partnerDid: 'did:web:partner.example', requiredTypes: ['MembershipCredential'], scopeForm: 'tractusx' }, verified);
      await cache.getOrLoad({ tenantId: 'another', partnerDid: did, requiredTypes: ['MembershipCredential'], scopeForm: 'tractusx' }, verified);
      await cache.getOrLoad({ tenantId: 'another', partnerDid: 'did:web:partner.example', requiredTypes: ['MembershipCredential'], scopeForm: 'tractusx' }, verified);
      expect(cache.size()).toBe(3);

      const off = await h.tenants.offboard(id, { actor: 'test' });
      expect(cache.size()).toBe(1);
      expect(off.ok).toBe(true);
      expect((await h.call('GET', `/tenants/${id}/did.json`)).status).toBe(404);
      expect(await h.module.bpnDirectory.didOf(bpn)).toBeUndefined();
      const bits = await statusBits(h);
      expect(indexes.map((i) => statusBit(bits, i))).toEqual([true, true, true]);
      const leftovers = await h.db.withSystem((tx) => tx.query('SELECT 1 FROM identity_bpn_directory WHERE bpn = $1', [bpn]));
      expect(leftovers).toHaveLength(0);
      if (off.ok) expect(off.value.removed).toMatchObject({ trust_anchor_issued: 3, identity_held_credentials: 3 });
    });

    it('a restarted module (or another replica) keeps the anchor key, its revocations and its index allocation', async () => {
      const before = (await h.call('GET', '/trust-anchor/did.json')).body as { verificationMethod: { id: string }[] };
      const bitsBefore = await statusBits(h);
      const replica = h.replica();
      await replica.start();
      const other = await h.serve(replica);
      try {
        expect((await other.call('GET', '/trust-anchor/did.json')).body).toEqual(before);
        const list = parseCredentialJwt((await other.call('GET', '/trust-anchor/status/revocation')).text);
        if (!list.ok) throw new Error(list.message);
        expect(Buffer.compare(decodeStatusBits(list.value.subject.encodedList as string, false), bitsBefore)).toBe(0);
      } finally {
        await other.close();
      }
      const stored = await h.db.withSystem((tx) => tx.query<{ kid: string; sealed_private: string }>('SELECT kid, sealed_private FROM trust_anchor_keys'));
      expect(stored).toHaveLength(1);
      expect(before.verificationMethod[0].id).toBe(`${h.module.trustAnchorDid}#${stored[0].kid}`);
      expect(stored[0].sealed_private).toMatch(/^v1\./);
      expect(stored[0].sealed_private).not.toContain('"d"');

      const indexes = async () => (await h.db.withTenant(ALPHA, (tx) => tx.query<{ list_index: number }>('SELECT list_index FROM trust_anchor_issued'))).map((r) => Number(r.list_index));
      const used = await indexes();
      const alpha = await h.tenants.get(ALPHA);
      if (alpha === undefined) throw new Error('alpha missing');
      await replica.hooks.afterOnboard(alpha);
      const now = await indexes();
      expect(now).toHaveLength(used.length + 3);
      expect(new Set(now).size).toBe(now.length);
    });
  });
});
