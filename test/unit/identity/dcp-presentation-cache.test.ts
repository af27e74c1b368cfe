// The presentation cache inside the DCP flow: the SI token is verified on every request, only the query+verification is reused.
import { SignJWT } from 'jose';
import { createScratchDb, type ScratchDb } from './support/scratch-db';
import { startHarness, OEM, OEM_BPN, SUPPLIER, type Harness } from './support/dcp-harness';

const QUERY = `/tenants/${OEM}/credentials/presentations/query`;

describe('DCP with the presentation cache (TTL 60 s)', () => {
  let db: ScratchDb;
  let h: Harness;
  let oemDid: string;
  let supplierDid: string;
  const queries = () => h.hits.get(QUERY) ?? 0;
  const authenticate = async (types?: string[]) =>
    h.dcp.authenticate(SUPPLIER, await h.dcp.authorizationFor(OEM, supplierDid), types === undefined ? {} : { requiredTypes: types });

  beforeAll(async () => {
    db = await createScratchDb();
    await db.addTenant(OEM);
    await db.addTenant(SUPPLIER);
    h = await startHarness(db, { presentationCacheSeconds: 60 });
    oemDid = h.dids.didOf(OEM);
    supplierDid = h.dids.didOf(SUPPLIER);
  });

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('a missing credential is refused and not cached: holding it makes the next request pass at once', async () => {
    const membership = await h.anchor.issue('MembershipCredential', oemDid, OEM_BPN);
    if (!membership.ok) throw new Error(membership.message);
    await h.hold(OEM, membership.value.jwt);
    const before = queries();
    expect(await authenticate()).toMatchObject({ ok: false, code: 'credential-missing' });
    for (const type of ['BpnCredential', 'DataExchangeGovernanceCredential'] as const) {
      const c = await h.anchor.issue(type, oemDid, OEM_BPN);
      if (!c.ok) throw new Error(c.message);
      await h.hold(OEM, c.value.jwt);
    }
    expect(await authenticate()).toMatchObject({ ok: true, value: { did: oemDid, bpn: OEM_BPN } });
    expect(queries()).toBe(before + 2);
  });

  it('reuses the verified result for fresh SI tokens; other required types miss', async () => {
    const before = queries();
    const first = await authenticate();
    const second = await authenticate();
    expect(second).toEqual(first);
    expect(queries()).toBe(before);
    expect(await authenticate(['MembershipCredential'])).toMatchObject({ ok: true });
    expect(queries()).toBe(before + 1);
  });

  it('still verifies the SI token on a cache hit: replay, wrong audience, expiry, forgery', async () => {
    const authorization = await h.dcp.authorizationFor(OEM, supplierDid);
    expect(await h.dcp.authenticate(SUPPLIER, authorization)).toMatchObject({ ok: true });
    expect(await h.dcp.authenticate(SUPPLIER, authorization)).toMatchObject({ ok: false, code: 'jti-replayed' });
    expect(await h.dcp.authenticate(SUPPLIER, await h.dcp.authorizationFor(OEM, 'did:web:elsewhere'))).toMatchObject({ ok: false, code: 'audience-mismatch' });
    const old = await h.dcp.authorizationFor(OEM, supplierDid);
    h.clock.ms += 10 * 60_000;
    try {
      expect(await h.dcp.authenticate(SUPPLIER, old)).toMatchObject({ ok: false, code: 'token-expired' });
    } finally {
      h.clock.ms -= 10 * 60_000;
    }
    const forged = await new SignJWT({ iss: oemDid, sub: oemDid, aud: supplierDid, jti: 'forged' })
      .setProtectedHeader({ alg: 'HS256', kid: `${oemDid}#x` }).setIssuedAt(Math.floor(h.now().getTime() / 1000)).setExpirationTime('5m')
      .sign(new TextEncoder().encode('0123456789abcdef0123456789abcdef'));
    expect(await h.dcp.authenticate(SUPPLIER, `Bearer ${forged}`)).toMatchObject({ ok: false, code: 'alg-not-allowed' });
  });

  it('honours a revocation at most TTL seconds late', async () => {
    await authenticate();
    const list = await db.withTenant(OEM, (tx) => h.repo.findByTypes(tx, ['MembershipCredential']));
    for (const c of list) h.anchor.revoke(c.id);
    const before = queries();
    expect(await authenticate()).toMatchObject({ ok: true });
    expect(queries()).toBe(before);
    h.clock.ms += 60_000;
    expect(await authenticate()).toMatchObject({ ok: false, code: 'credential-revoked' });
    expect(queries()).toBe(before + 1);
  });

  it('offboarding-style invalidation of the verifier tenant or the partner forces a new query', async () => {
    h.presentationCache.clear();
    const list = await db.withTenant(OEM, (tx) => h.repo.findByTypes(tx, ['MembershipCredential']));
    for (const c of list) await db.withTenant(OEM, (tx) => h.repo.remove(tx, c.id));
    const fresh = await h.anchor.issue('MembershipCredential', oemDid, OEM_BPN);
    if (!fresh.ok) throw new Error(fresh.message);
    await h.hold(OEM, fresh.value.jwt);
    expect(await authenticate()).toMatchObject({ ok: true });
    const before = queries();
    h.presentationCache.invalidateTenant(SUPPLIER);
    await authenticate();
    h.presentationCache.invalidatePartner(oemDid);
    await authenticate();
    expect(queries()).toBe(before + 2);
  });
});

describe('DCP with the presentation cache disabled (TTL 0)', () => {
  let db: ScratchDb;
  let h: Harness;

  beforeAll(async () => {
    db = await createScratchDb();
    await db.addTenant(OEM);
    await db.addTenant(SUPPLIER);
    h = await startHarness(db, { presentationCacheSeconds: 0 });
    const set = await h.anchor.issueStandardSet(h.dids.didOf(OEM), OEM_BPN);
    if (!set.ok) throw new Error(set.message);
    for (const c of set.value) await h.hold(OEM, c.jwt);
  });

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  it('queries the partner on every request', async () => {
    const supplierDid = h.dids.didOf(SUPPLIER);
    for (let i = 0; i < 3; i++) expect(await h.dcp.authenticate(SUPPLIER, await h.dcp.authorizationFor(OEM, supplierDid))).toMatchObject({ ok: true });
    expect(h.hits.get(QUERY)).toBe(3);
    expect(h.presentationCache.size()).toBe(0);
  });
});
