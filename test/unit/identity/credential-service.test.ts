// Our Credential Service: authentication of the verifier, query validation, and disclosure limited to granted scopes.
import { parseCredentialJwt, parsePresentationJwt } from '../../../connector/identity/vc-jwt';
import { DCP_CONTEXT } from '../../../connector/identity/credential-service';
import { typeScope } from '../../../connector/identity/scopes';
import { createScratchDb, type ScratchDb } from './support/scratch-db';
import { startHarness, OEM, OEM_BPN, SUPPLIER, type Harness } from './support/dcp-harness';

let db: ScratchDb;
let h: Harness;
let oemDid: string;
let supplierDid: string;

beforeAll(async () => {
  db = await createScratchDb();
  await db.addTenant(OEM);
  await db.addTenant(SUPPLIER);
  h = await startHarness(db);
  oemDid = h.dids.didOf(OEM);
  supplierDid = h.dids.didOf(SUPPLIER);
  const set = await h.anchor.issueStandardSet(oemDid, OEM_BPN);
  if (!set.ok) throw new Error(set.message);
  for (const c of set.value) await h.hold(OEM, c.jwt);
  const expired = await h.anchor.issue('BpnCredential', oemDid, OEM_BPN, { validFrom: new Date(h.clock.ms - 3 * 86_400_000), validUntil: new Date(h.clock.ms - 86_400_000) });
  if (!expired.ok) throw new Error(expired.message);
  await h.hold(OEM, expired.value.jwt);
});

afterAll(async () => {
  await h?.close();
  await db?.drop();
});

const query = (scope: unknown, extra: Record<string, unknown> = {}) => ({ '@context': [DCP_CONTEXT], type: 'PresentationQueryMessage', scope, ...extra });

/** The supplier (verifier) calls the OEM's Credential Service, relaying an access token the OEM granted it. */
async function verifierHeader(grantedScopes: string[], grantee = supplierDid): Promise<string> {
  const access = await h.accessTokens.issue(OEM, grantee, grantedScopes);
  return `Bearer ${await h.siTokens.create(SUPPLIER, oemDid, { token: access })}`;
}

function credentialTypes(vp: string): string[] {
  const parsed = parsePresentationJwt(vp);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value.credentials.map((c) => {
    const vc = parseCredentialJwt(c);
    if (!vc.ok) throw new Error(vc.message);
    return vc.value.types[1];
  }).sort();
}

describe('credential service', () => {
  it('returns a VP signed by the holder with exactly the granted, requested and valid credentials', async () => {
    const granted = ['MembershipCredential', 'BpnCredential'].map((t) => typeScope(t));
    const r = await h.credentialService.answerQuery(OEM, await verifierHeader(granted), query([typeScope('MembershipCredential'), typeScope('BpnCredential', 'dcp'), typeScope('DataExchangeGovernanceCredential')]));
    if (!r.ok) throw new Error(r.message);
    expect(r.value).toMatchObject({ '@context': [DCP_CONTEXT], type: 'PresentationResponseMessage' });
    expect(r.value.presentation).toHaveLength(1);
    expect(credentialTypes(r.value.presentation[0])).toEqual(['BpnCredential', 'MembershipCredential']);
    const vp = parsePresentationJwt(r.value.presentation[0]);
    expect(vp.ok && vp.value.holder).toBe(oemDid);
    expect(vp.ok && vp.value.jws.payload.aud).toBe(supplierDid);
    const verified = await h.presentations.verify({ tenantId: SUPPLIER, ourDid: supplierDid, holderDid: oemDid, presentations: r.value.presentation, requiredTypes: ['BpnCredential'] });
    expect(verified).toMatchObject({ ok: true });
  });

  it('answers with no presentation when nothing requested is granted', async () => {
    const r = await h.credentialService.answerQuery(OEM, await verifierHeader([typeScope('MembershipCredential')]), query([typeScope('DismantlerCredential'), 'unknown-scope']));
    expect(r).toMatchObject({ ok: true, value: { presentation: [] } });
  });

  it('rejects a missing bearer token, a token without access token, and an access token issued to someone else', async () => {
    expect(await h.credentialService.answerQuery(OEM, undefined, query([typeScope('MembershipCredential')]))).toMatchObject({ ok: false, code: 'token-missing' });
    const noAccess = `Bearer ${await h.siTokens.create(SUPPLIER, oemDid, { scopes: [] })}`;
    expect(await h.credentialService.answerQuery(OEM, noAccess, query([typeScope('MembershipCredential')]))).toMatchObject({ ok: false, code: 'access-token-invalid' });
    const stolen = await verifierHeader([typeScope('MembershipCredential')], 'did:web:someone.else');
    expect(await h.credentialService.answerQuery(OEM, stolen, query([typeScope('MembershipCredential')]))).toMatchObject({ ok: false, code: 'access-token-invalid' });
    // An access token minted by another tenant is not accepted either.
    const foreign = await h.accessTokens.issue(SUPPLIER, supplierDid, [typeScope('MembershipCredential')]);
    const foreignHeader = `Bearer ${await h.siTokens.create(SUPPLIER, oemDid, { token: foreign })}`;
    expect(await h.credentialService.answerQuery(OEM, foreignHeader, query([typeScope('MembershipCredential')]))).toMatchObject({ ok: false, code: 'access-token-invalid' });
  });

  it('validates the query message', async () => {
    const scopes = [typeScope('MembershipCredential')];
    expect(await h.credentialService.answerQuery(OEM, await verifierHeader(scopes), query(scopes, { presentationDefinition: { id: 'x' } }))).toMatchObject({ ok: false, code: 'query-invalid', reason: 'bad-request' });
    expect(await h.credentialService.answerQuery(OEM, await verifierHeader(scopes), { '@context': [DCP_CONTEXT], type: 'PresentationQueryMessage', presentationDefinition: { id: 'x' } })).toMatchObject({ ok: false, code: 'presentation-definition-unsupported' });
    expect(await h.credentialService.answerQuery(OEM, await verifierHeader(scopes), query([]))).toMatchObject({ ok: false, code: 'query-invalid' });
    expect(await h.credentialService.answerQuery(OEM, await verifierHeader(scopes), { type: 'PresentationQueryMessage', scope: scopes })).toMatchObject({ ok: false, code: 'query-invalid' });
  });

  it('is reachable over HTTP and maps presentationDefinition to 501 in the test route', async () => {
    const res = await h.http.requestJson({
      url: `${h.base}/tenants/${OEM}/credentials/presentations/query`,
      method: 'POST',
      headers: { authorization: await verifierHeader([typeScope('MembershipCredential')]) },
      json: { '@context': [DCP_CONTEXT], type: 'PresentationQueryMessage', presentationDefinition: { id: 'x' } },
    });
    expect(res).toMatchObject({ ok: false, reason: 'http-status', status: 501 });
  });
});
