// BDRS client against the BDRS wire format (nock): gzip and plain maps, membership VP auth, caching, refresh on miss, failures, size limits.
import { gzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import { decodeJwt } from 'jose';
import winston from 'winston';
import { createOutboundHttpClient, type OutboundHttpClient } from '../../../connector/common/outbound-http';
import { createBdrsBpnDirectory, type BdrsBpnDirectory } from '../../../connector/identity/bdrs-directory';
import { createMembershipPresenter } from '../../../connector/identity/membership-presentation';
import { createLogger } from '../../../connector/observability/logger';
import nock from '../../support/nock';
import { createScratchDb, type ScratchDb } from './support/scratch-db';
import { startHarness, OEM, OEM_BPN, SUPPLIER, type Harness } from './support/dcp-harness';

const BDRS = 'https://bdrs.example.com';
const PATH = '/api/directory/bpn-directory';
const PARTNER_BPN = 'BPNL00000000PART';
const PARTNER_DID = 'did:web:partner.example.com';
const EMPTY = 'a-no-credentials';

let db: ScratchDb;
let h: Harness;
let bdrsHttp: OutboundHttpClient;
let oemDid: string;
let membershipJwt: string;

beforeAll(async () => {
  db = await createScratchDb();
  for (const t of [EMPTY, OEM, SUPPLIER]) await db.addTenant(t);
  h = await startHarness(db);
  oemDid = h.dids.didOf(OEM);
  const membership = await h.anchor.issue('MembershipCredential', oemDid, OEM_BPN);
  if (!membership.ok) throw new Error(membership.message);
  membershipJwt = membership.value.jwt;
  await h.hold(OEM, membershipJwt);
  // A public address for bdrs.example.com (no DNS in tests); nock answers before any socket connects.
  bdrsHttp = createOutboundHttpClient({ timeoutMs: 2000, resolve: async () => [{ address: '93.184.216.34', family: 4 }] });
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});

afterAll(async () => {
  bdrsHttp?.close();
  await h?.close();
  await db?.drop();
});

afterEach(() => nock.cleanAll());

function setup(options: { maxResponseBytes?: number; activeTenants?: readonly string[] } = {}): { dir: BdrsBpnDirectory; logs: string[]; clock: { ms: number } } {
  const logs: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const logger = createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream })] });
  const clock = { ms: h.clock.ms };
  const now = () => new Date(clock.ms);
  const presenter = createMembershipPresenter({
    db, credentials: h.repo, keys: h.keys, didOf: h.dids.didOf, now, activeTenants: async () => options.activeTenants ?? [EMPTY, OEM, SUPPLIER],
  });
  const dir = createBdrsBpnDirectory({ url: `${BDRS}/api/directory/`, http: bdrsHttp, presenter, now, logger, maxResponseBytes: options.maxResponseBytes });
  return { dir, logs, clock };
}

const MAP = { [OEM_BPN]: 'did:web:oem.example.com', [PARTNER_BPN]: PARTNER_DID };

/** Answers the directory `times` times, counting calls and keeping the Authorization headers. */
function serve(body: Record<string, unknown> | Buffer, opts: { gzip?: boolean; status?: number; times?: number } = {}) {
  const seen: string[] = [];
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  nock(BDRS)
    .get(PATH)
    .times(opts.times ?? 1)
    .reply(function reply() {
      seen.push(String(this.req.headers.authorization));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.gzip) headers['content-encoding'] = 'gzip';
      return [opts.status ?? 200, opts.gzip ? gzipSync(payload) : payload, headers];
    });
  return seen;
}

describe('BDRS directory client', () => {
  it('fetches a gzip map with Accept-Encoding: gzip and a membership VP; one HTTP call serves many lookups', async () => {
    const { dir } = setup();
    const seen: string[] = [];
    nock(BDRS)
      .get(PATH)
      .matchHeader('accept-encoding', 'gzip')
      .reply(function reply() {
        seen.push(String(this.req.headers.authorization));
        return [200, gzipSync(Buffer.from(JSON.stringify(MAP))), { 'content-encoding': 'gzip', 'content-type': 'application/json' }];
      });
    const lookups = await Promise.all([
      dir.didOf(PARTNER_BPN, OEM), dir.didOf(PARTNER_BPN, OEM), dir.bpnOf(PARTNER_DID, OEM), dir.didOf(OEM_BPN),
      ...Array.from({ length: 20 }, () => dir.didOf(PARTNER_BPN, OEM)),
    ]);
    expect(lookups.slice(0, 4)).toEqual([PARTNER_DID, PARTNER_DID, PARTNER_BPN, 'did:web:oem.example.com']);
    expect(await dir.entries()).toEqual(MAP);
    expect(seen).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it('the Authorization header is a VP JWT of the tenant, holding its MembershipCredential, that a DCP verifier accepts', async () => {
    const { dir } = setup();
    const seen = serve(MAP);
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    const vp = /^Bearer (.+)$/.exec(seen[0])?.[1] ?? '';
    const payload = decodeJwt(vp) as { iss: string; sub: string; aud: string; vp: { verifiableCredential: string[] } };
    expect(payload).toMatchObject({ iss: oemDid, sub: oemDid, aud: oemDid });
    expect(payload.vp.verifiableCredential).toEqual([membershipJwt]);
    const verified = await h.presentations.verify({ tenantId: SUPPLIER, ourDid: oemDid, holderDid: oemDid, presentations: [vp], requiredTypes: ['MembershipCredential'] });
    expect(verified).toMatchObject({ ok: true, value: { did: oemDid, bpn: OEM_BPN } });
  });

  it('reads a plain JSON map; without a tenant it authenticates as the first active tenant holding a membership', async () => {
    const { dir } = setup();
    const seen = serve(MAP);
    expect(await dir.didOf(PARTNER_BPN)).toBe(PARTNER_DID);
    expect(decodeJwt(seen[0].slice('Bearer '.length)).iss).toBe(oemDid);
  });

  it('refreshes on a miss only once the map is older than the minimum interval, and after the cache validity', async () => {
    const { dir, clock } = setup();
    serve(MAP);
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    const NEW_BPN = 'BPNL0000000NEW01';
    const newer = serve({ ...MAP, [NEW_BPN]: 'did:web:new.example.com' }, { times: 2 });
    clock.ms += 10_000;
    expect(await dir.didOf(NEW_BPN, OEM)).toBeUndefined();
    expect(newer).toHaveLength(0);
    clock.ms += 20_000;
    expect(await dir.didOf(NEW_BPN, OEM)).toBe('did:web:new.example.com');
    expect(newer).toHaveLength(1);
    clock.ms += 899_000;
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    expect(newer).toHaveLength(1);
    clock.ms += 1_000;
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    expect(newer).toHaveLength(2);
  });

  it('a server error fails the lookup cleanly with a logged reason and no token in the logs; retries after the interval', async () => {
    const { dir, logs, clock } = setup();
    const failing = serve({ error: 'boom' }, { status: 500, times: 2 });
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBeUndefined();
    expect(failing).toHaveLength(1);
    clock.ms += 29_000;
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBeUndefined();
    expect(failing).toHaveLength(1); // throttled: no second call within 30 s
    nock.cleanAll();
    expect(logs.join('\n')).toMatch(/BDRS directory fetch failed.*BDRS answered HTTP 500/);
    serve({}, { status: 401 });
    clock.ms += 1_000;
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBeUndefined();
    expect(logs.join('\n')).toMatch(/HTTP 401 \(the membership presentation was refused\)/);
    serve(MAP);
    clock.ms += 30_000;
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    const all = logs.join('\n');
    expect(all).not.toMatch(/eyJ/);
    expect(all).not.toContain(membershipJwt.split('.')[2]);
  });

  it('keeps serving the previous map when a refresh after expiry fails', async () => {
    const { dir, clock, logs } = setup();
    serve(MAP);
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    serve({}, { status: 503 });
    clock.ms += 900_000;
    expect(await dir.didOf(PARTNER_BPN, OEM)).toBe(PARTNER_DID);
    expect(logs.join('\n')).toMatch(/"stale":true/);
  });

  it('refuses an oversized body, plain or gzip-decoded (bomb)', async () => {
    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`BPNL${String(i).padStart(12, '0')}`, `did:web:p${i}.example.com`]));
    const plain = setup({ maxResponseBytes: 2048 });
    serve(big);
    expect(await plain.dir.didOf('BPNL000000000001', OEM)).toBeUndefined();
    expect(plain.logs.join('\n')).toMatch(/response-too-large/);
    const bomb = setup({ maxResponseBytes: 2048 });
    const padded = Buffer.from(JSON.stringify({ ...MAP, pad: 'x'.repeat(100_000) }));
    expect(gzipSync(padded).length).toBeLessThan(2048);
    serve(padded, { gzip: true });
    expect(await bomb.dir.didOf(PARTNER_BPN, OEM)).toBeUndefined();
    expect(bomb.logs.join('\n')).toMatch(/decompressed directory exceeds 2048 bytes/);
  });

  it('skips malformed entries, refuses a body that is not a JSON object', async () => {
    const { dir, logs } = setup();
    serve({ ...MAP, BPNLbad: 'did:web:x', BPNL0000000000X1: 42, BPNL0000000000X2: 'not a did', BPNL0000000000X3: PARTNER_DID });
    expect(await dir.entries(OEM)).toEqual(MAP);
    expect(logs.join('\n')).toMatch(/"skipped":4/);
    const other = setup();
    serve(Buffer.from('[1,2,3]'));
    expect(await other.dir.didOf(PARTNER_BPN, OEM)).toBeUndefined();
    expect(other.logs.join('\n')).toMatch(/not a JSON object/);
  });

  it('without any membership credential no request is made and the reason is logged', async () => {
    const { dir, logs, clock } = setup({ activeTenants: [EMPTY, SUPPLIER] });
    const seen = serve(MAP);
    expect(await dir.didOf(PARTNER_BPN)).toBeUndefined();
    expect(logs.join('\n')).toMatch(/no active tenant holds a valid MembershipCredential/);
    clock.ms += 30_000;
    expect(await dir.didOf(PARTNER_BPN, SUPPLIER)).toBeUndefined();
    expect(logs.join('\n')).toMatch(/tenant supplier holds no valid MembershipCredential/);
    expect(seen).toHaveLength(0);
  });
});
