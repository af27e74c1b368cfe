// DCP end to end between two tenants over loopback HTTP: happy path and the rejection list, each with its reason code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, exportJWK, SignJWT, base64url } from 'jose';
import { verificationMethodId } from '../../../connector/identity/did-document';
import { signJws } from '../../../connector/identity/jws';
import { createScratchDb, type ScratchDb } from './support/scratch-db';
import { startHarness, OEM, OEM_BPN, SUPPLIER, SUPPLIER_BPN, type Harness } from './support/dcp-harness';

const SPECS = path.resolve(__dirname, '../../../../shared/specs');
const sample = (file: string) => JSON.parse(readFileSync(path.join(SPECS, 'catenax-credentials', file), 'utf8')) as { credentialSubject: Record<string, unknown> };

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
  for (const [tenant, did, bpn] of [[OEM, oemDid, OEM_BPN], [SUPPLIER, supplierDid, SUPPLIER_BPN]]) {
    const set = await h.anchor.issueStandardSet(did, bpn);
    if (!set.ok) throw new Error(set.message);
    for (const c of set.value) await h.hold(tenant, c.jwt);
  }
});

afterAll(async () => {
  await h?.close();
  await db?.drop();
});

/** A JWT VP signed by `tenant`'s identity key. */
async function vpOf(tenant: string, credentials: string[], aud?: string): Promise<string> {
  const did = h.dids.didOf(tenant);
  const key = await h.keys.signingKey(tenant, 'identity');
  const iat = Math.floor(h.now().getTime() / 1000);
  return signJws(
    { iss: did, sub: did, ...(aud ? { aud } : {}), iat, exp: iat + 300, vp: { type: ['VerifiablePresentation'], holder: did, verifiableCredential: credentials } },
    { alg: key.alg, kid: verificationMethodId(did, key.kid), privateKey: key.privateKey },
  );
}

async function issued(type: 'MembershipCredential' | 'BpnCredential' | 'DataExchangeGovernanceCredential', holder = oemDid, opts = {}): Promise<string> {
  const r = await h.anchor.issue(type, holder, OEM_BPN, opts);
  if (!r.ok) throw new Error(r.message);
  return r.value.jwt;
}

const verifyVp = (presentations: unknown[], requiredTypes: string[] = ['MembershipCredential']) =>
  h.presentations.verify({ tenantId: SUPPLIER, ourDid: supplierDid, holderDid: oemDid, presentations, requiredTypes });

describe('happy path', () => {
  it('OEM authenticates to the supplier: SI token, presentation query, verified claims', async () => {
    const authorization = await h.dcp.authorizationFor(OEM, supplierDid);
    const claims = await h.dcp.authenticate(SUPPLIER, authorization);
    if (!claims.ok) throw new Error(`${claims.code}: ${claims.message}`);
    expect(claims.value.did).toBe(oemDid);
    expect(claims.value.bpn).toBe(OEM_BPN);
    const byType = Object.fromEntries(claims.value.credentials.map((c) => [c.type, c]));
    expect(Object.keys(byType).sort()).toEqual(['BpnCredential', 'DataExchangeGovernanceCredential', 'MembershipCredential']);
    expect(byType.MembershipCredential.issuer).toBe(h.anchor.did);
    expect(byType.DataExchangeGovernanceCredential.subject.contractVersion).toBe('1.0');
    // Subject claims have the shapes of the Catena-X samples.
    for (const [type, file] of [['MembershipCredential', 'membership.credential.json'], ['BpnCredential', 'bpn.credential.json'], ['DataExchangeGovernanceCredential', 'dataexchange.governance.credential.json']]) {
      expect(Object.keys(byType[type].subject).sort()).toEqual(Object.keys(sample(file).credentialSubject).sort());
    }
    expect(h.hits.get(`/tenants/${OEM}/credentials/presentations/query`)).toBeGreaterThanOrEqual(1);
  });

  it('the supplier authenticates back to the OEM with the DCP 2-part scope form', async () => {
    const authorization = await h.dcp.authorizationFor(SUPPLIER, oemDid);
    const claims = await h.dcp.authenticate(OEM, authorization, { requiredTypes: ['MembershipCredential'], scopeForm: 'dcp' });
    expect(claims).toMatchObject({ ok: true, value: { did: supplierDid, bpn: SUPPLIER_BPN } });
  });

  it('a token signed with a key still within rotation overlap verifies; a retired key does not', async () => {
    const first = await h.siTokens.create(OEM, supplierDid, { scopes: [] });
    const second = await h.siTokens.create(OEM, supplierDid, { scopes: [] });
    await h.keys.rotate(OEM, 'identity', new Date(h.clock.ms + 60_000));
    const doc = await h.dids.documentOf(OEM);
    expect(doc.verificationMethod).toHaveLength(2);
    h.resolver.evict(oemDid);
    expect(await h.siTokens.verify(SUPPLIER, first)).toMatchObject({ ok: true });
    h.clock.ms += 90_000;
    try {
      h.resolver.evict(oemDid);
      expect((await h.dids.documentOf(OEM)).verificationMethod).toHaveLength(1);
      expect(await h.siTokens.verify(SUPPLIER, second)).toMatchObject({ ok: false, code: 'kid-not-authorized' });
      const fresh = await h.siTokens.create(OEM, supplierDid, { scopes: [] });
      expect(await h.siTokens.verify(SUPPLIER, fresh)).toMatchObject({ ok: true });
    } finally {
      h.clock.ms -= 90_000;
    }
  });
});

describe('SI token rejections', () => {
  it('rejects unsigned (alg none) and HMAC tokens', async () => {
    const iat = Math.floor(h.now().getTime() / 1000);
    const claims = { iss: oemDid, sub: oemDid, aud: supplierDid, jti: 'none-1', iat, exp: iat + 60 };
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`;
    expect(await h.siTokens.verify(SUPPLIER, none)).toMatchObject({ ok: false, code: 'alg-not-allowed', reason: 'unauthorized' });
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await h.siTokens.verify(SUPPLIER, hs)).toMatchObject({ ok: false, code: 'alg-not-allowed' });
    expect(await h.dcp.authenticate(SUPPLIER, undefined)).toMatchObject({ ok: false, code: 'token-missing' });
    expect(await h.dcp.authenticate(SUPPLIER, 'Basic abc')).toMatchObject({ ok: false, code: 'token-missing' });
  });

  it('rejects a token for another audience', async () => {
    const token = await h.siTokens.create(OEM, 'did:web:elsewhere.example', { scopes: [] });
    expect(await h.siTokens.verify(SUPPLIER, token)).toMatchObject({ ok: false, code: 'audience-mismatch' });
  });

  it('rejects an expired token', async () => {
    const token = await h.siTokens.create(OEM, supplierDid, { scopes: [] });
    h.clock.ms += 10 * 60_000;
    try {
      expect(await h.siTokens.verify(SUPPLIER, token)).toMatchObject({ ok: false, code: 'token-expired' });
    } finally {
      h.clock.ms -= 10 * 60_000;
    }
  });

  it('rejects a replayed jti', async () => {
    const token = await h.siTokens.create(OEM, supplierDid, { scopes: [] });
    expect(await h.siTokens.verify(SUPPLIER, token)).toMatchObject({ ok: true });
    expect(await h.siTokens.verify(SUPPLIER, token)).toMatchObject({ ok: false, code: 'jti-replayed' });
  });

  it('rejects a tampered signature and iss ≠ sub', async () => {
    const token = await h.siTokens.create(OEM, supplierDid, { scopes: [] });
    const [hd, , sig] = token.split('.');
    const iat = Math.floor(h.now().getTime() / 1000);
    const forged = base64url.encode(JSON.stringify({ iss: oemDid, sub: oemDid, aud: supplierDid, jti: 'forged', iat, exp: iat + 60 }));
    expect(await h.siTokens.verify(SUPPLIER, `${hd}.${forged}.${sig}`)).toMatchObject({ ok: false, code: 'signature-invalid' });
    const key = await h.keys.signingKey(OEM, 'identity');
    const mismatched = await signJws({ iss: oemDid, sub: supplierDid, aud: supplierDid, jti: 'x', iat, exp: iat + 60 }, { alg: key.alg, kid: verificationMethodId(oemDid, key.kid), privateKey: key.privateKey });
    expect(await h.siTokens.verify(SUPPLIER, mismatched)).toMatchObject({ ok: false, code: 'iss-sub-mismatch' });
  });

  it('rejects a DID document whose key does not match, a kid of another DID, and a document with a foreign id', async () => {
    const rogueDid = `did:web:${new URL(h.base).hostname}%3A${new URL(h.base).port}:rogue`;
    const signing = await generateKeyPair('ES256', { extractable: true });
    const published = await generateKeyPair('ES256', { extractable: true });
    const vm = `${rogueDid}#k1`;
    h.extra.set('/rogue/did.json', {
      id: rogueDid,
      verificationMethod: [{ id: vm, type: 'JsonWebKey2020', controller: rogueDid, publicKeyJwk: await exportJWK(published.publicKey) }],
      capabilityInvocation: [vm],
    });
    const iat = Math.floor(h.now().getTime() / 1000);
    const claims = { iss: rogueDid, sub: rogueDid, aud: supplierDid, iat, exp: iat + 60 };
    const wrongKey = await signJws({ ...claims, jti: 'r1' }, { alg: 'ES256', kid: vm, privateKey: signing.privateKey });
    expect(await h.siTokens.verify(SUPPLIER, wrongKey)).toMatchObject({ ok: false, code: 'signature-invalid' });
    const oemKey = await h.keys.signingKey(OEM, 'identity');
    const foreignKid = await signJws({ ...claims, jti: 'r2' }, { alg: 'ES256', kid: verificationMethodId(oemDid, oemKey.kid), privateKey: oemKey.privateKey });
    expect(await h.siTokens.verify(SUPPLIER, foreignKid)).toMatchObject({ ok: false, code: 'kid-not-authorized' });
    const unknownKid = await signJws({ ...claims, jti: 'r3' }, { alg: 'ES256', kid: `${rogueDid}#nope`, privateKey: signing.privateKey });
    expect(await h.siTokens.verify(SUPPLIER, unknownKid)).toMatchObject({ ok: false, code: 'kid-not-authorized' });
    const spoofDid = rogueDid.replace(/:rogue$/, ':spoof');
    h.extra.set('/spoof/did.json', { id: oemDid, verificationMethod: [] });
    const spoof = await signJws({ ...claims, iss: spoofDid, sub: spoofDid, jti: 'r4' }, { alg: 'ES256', kid: `${spoofDid}#k1`, privateKey: signing.privateKey });
    expect(await h.siTokens.verify(SUPPLIER, spoof)).toMatchObject({ ok: false, code: 'did-document-id-mismatch' });
  });

  it('rejects a key that lacks the capabilityInvocation relationship', async () => {
    const did = `did:web:${new URL(h.base).hostname}%3A${new URL(h.base).port}:authonly`;
    const kp = await generateKeyPair('ES256', { extractable: true });
    h.extra.set('/authonly/did.json', {
      id: did,
      verificationMethod: [{ id: `${did}#k`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: await exportJWK(kp.publicKey) }],
      authentication: [`${did}#k`],
    });
    const iat = Math.floor(h.now().getTime() / 1000);
    const token = await signJws({ iss: did, sub: did, aud: supplierDid, jti: 'a1', iat, exp: iat + 60 }, { alg: 'ES256', kid: `${did}#k`, privateKey: kp.privateKey });
    expect(await h.siTokens.verify(SUPPLIER, token)).toMatchObject({ ok: false, code: 'kid-not-authorized' });
  });
});

describe('presentation and credential rejections', () => {
  it('accepts a well-formed presentation (control case)', async () => {
    expect(await verifyVp([await vpOf(OEM, [await issued('MembershipCredential')], supplierDid)])).toMatchObject({ ok: true, value: { bpn: OEM_BPN } });
  });

  it('rejects a VC from an untrusted issuer', async () => {
    const r = await h.rogueIssuer.issue('MembershipCredential', oemDid, OEM_BPN);
    if (!r.ok) throw new Error(r.message);
    expect(await verifyVp([await vpOf(OEM, [r.value.jwt])])).toMatchObject({ ok: false, code: 'credential-untrusted-issuer', reason: 'forbidden' });
  });

  it('rejects a VC of another holder', async () => {
    expect(await verifyVp([await vpOf(OEM, [await issued('MembershipCredential', supplierDid)])])).toMatchObject({ ok: false, code: 'credential-holder-mismatch' });
  });

  it('rejects an expired VC', async () => {
    const jwt = await issued('MembershipCredential', oemDid, { validFrom: new Date(h.clock.ms - 400 * 86_400_000), validUntil: new Date(h.clock.ms - 86_400_000) });
    expect(await verifyVp([await vpOf(OEM, [jwt])])).toMatchObject({ ok: false, code: 'credential-expired' });
  });

  it('rejects a revoked VC (status list fetched over HTTP)', async () => {
    const r = await h.anchor.issue('MembershipCredential', oemDid, OEM_BPN);
    if (!r.ok) throw new Error(r.message);
    const vp = await vpOf(OEM, [r.value.jwt]);
    expect(await verifyVp([vp])).toMatchObject({ ok: true });
    expect(h.anchor.revoke(r.value.id)).toBe(true);
    expect(await verifyVp([await vpOf(OEM, [r.value.jwt])])).toMatchObject({ ok: false, code: 'credential-revoked' });
  });

  it('rejects a presentation missing a requested credential', async () => {
    const vp = await vpOf(OEM, [await issued('MembershipCredential')]);
    const r = await verifyVp([vp], ['MembershipCredential', 'BpnCredential']);
    expect(r).toMatchObject({ ok: false, code: 'credential-missing', reason: 'forbidden' });
    expect(!r.ok && r.message).toContain('BpnCredential');
  });

  it('rejects a VP signed by someone other than the token issuer, or addressed elsewhere', async () => {
    const vp = await vpOf(SUPPLIER, [await issued('MembershipCredential')]);
    expect(await verifyVp([vp])).toMatchObject({ ok: false, code: 'presentation-holder-mismatch' });
    expect(await verifyVp([await vpOf(OEM, [await issued('MembershipCredential')], 'did:web:other')])).toMatchObject({ ok: false, code: 'audience-mismatch' });
    expect(await verifyVp([{ '@context': [], type: 'VerifiablePresentation' }])).toMatchObject({ ok: false, code: 'presentation-invalid' });
  });

  it('fails the full flow when the partner wallet lacks a requested credential or holds a revoked one', async () => {
    const missing = await h.dcp.authenticate(SUPPLIER, await h.dcp.authorizationFor(OEM, supplierDid), { requiredTypes: ['MembershipCredential', 'DismantlerCredential'] });
    expect(missing).toMatchObject({ ok: false, code: 'credential-missing' });
    const set = await h.anchor.issueStandardSet(h.dids.didOf('oem'), OEM_BPN);
    if (!set.ok) throw new Error(set.message);
    const membership = set.value[0];
    await h.hold(OEM, membership.jwt);
    h.anchor.revoke(membership.id);
    const revoked = await h.dcp.authenticate(SUPPLIER, await h.dcp.authorizationFor(OEM, supplierDid), { requiredTypes: ['MembershipCredential'] });
    expect(revoked).toMatchObject({ ok: false, code: 'credential-revoked' });
    await db.withTenant(OEM, (tx) => h.repo.remove(tx, membership.id));
  });
});
