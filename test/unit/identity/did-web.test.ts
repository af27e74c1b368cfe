// did:web identifiers and documents, verification-method lookup, scopes, and the resolver's cache and checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundHttpClient } from '../../../connector/common/outbound-http';
import { buildTenantDidDocument, findVerificationMethod, type DidDocument } from '../../../connector/identity/did-document';
import { createDidWebResolver } from '../../../connector/identity/did-resolver';
import { didWebToUrl, tenantDid, credentialServiceUrl, splitDidUrl } from '../../../connector/identity/did-web';
import { parseScope, typeScope } from '../../../connector/identity/scopes';

describe('did:web identifiers', () => {
  it('builds tenant DIDs with percent-encoded ports and base paths', () => {
    expect(tenantDid('https://connector.example.com', 'acme')).toBe('did:web:connector.example.com:tenants:acme');
    expect(tenantDid('https://connector.example.com:8443/', 'acme')).toBe('did:web:connector.example.com%3A8443:tenants:acme');
    expect(tenantDid('https://h.example/pcf/', 'a b')).toBe('did:web:h.example:pcf:tenants:a%20b');
  });

  it('maps DIDs to document URLs per did:web', () => {
    expect(didWebToUrl('did:web:connector.example.com%3A8443:tenants:acme')).toEqual({ ok: true, value: 'https://connector.example.com:8443/tenants/acme/did.json' });
    expect(didWebToUrl('did:web:example.com')).toEqual({ ok: true, value: 'https://example.com/.well-known/did.json' });
    expect(didWebToUrl('did:web:127.0.0.1%3A9000:tenants:x')).toEqual({ ok: true, value: 'https://127.0.0.1:9000/tenants/x/did.json' });
    expect(didWebToUrl('did:web:127.0.0.1%3A9000:tenants:x', { allowLoopbackHttp: true })).toEqual({ ok: true, value: 'http://127.0.0.1:9000/tenants/x/did.json' });
    expect(didWebToUrl('did:web:example.com:x', { allowLoopbackHttp: true })).toEqual({ ok: true, value: 'https://example.com/x/did.json' });
  });

  it.each(['did:key:z6Mk', 'did:web:', 'did:web:example.com:..:etc', 'did:web:user%40evil.com', 'did:web:exa mple.com', 'did:web:example.com%2Fpath'])('rejects %s', (did) => {
    expect(didWebToUrl(did)).toMatchObject({ ok: false, code: 'did-invalid', reason: 'bad-request' });
  });

  it('splits DID URLs', () => {
    expect(splitDidUrl('did:web:a.example:x#key-1')).toEqual({ did: 'did:web:a.example:x', fragment: 'key-1' });
    expect(splitDidUrl('did:web:a.example')).toEqual({ did: 'did:web:a.example' });
  });
});

describe('tenant DID document', () => {
  const jwk = { kty: 'EC', crv: 'P-256', x: 'x1', y: 'y1', kid: 'k1', alg: 'ES256', use: 'sig' };
  const doc = buildTenantDidDocument({ publicBaseUrl: 'https://c.example:8443', tenantId: 'acme', jwks: [jwk, { ...jwk, kid: 'k0', x: 'x0' }] });
  const did = 'did:web:c.example%3A8443:tenants:acme';

  it('publishes every key as JsonWebKey2020 with the DCP relationships and services', () => {
    expect(doc.id).toBe(did);
    expect(doc.verificationMethod.map((m) => [m.id, m.type, m.controller])).toEqual([
      [`${did}#k1`, 'JsonWebKey2020', did],
      [`${did}#k0`, 'JsonWebKey2020', did],
    ]);
    expect(doc.verificationMethod[0].publicKeyJwk).toEqual(jwk);
    for (const rel of ['authentication', 'assertionMethod', 'capabilityInvocation'] as const) expect(doc[rel]).toEqual([`${did}#k1`, `${did}#k0`]);
    expect(doc.service).toEqual([
      { id: `${did}#credential-service`, type: 'CredentialService', serviceEndpoint: credentialServiceUrl('https://c.example:8443', 'acme') },
      { id: `${did}#dsp`, type: 'DataService', serviceEndpoint: 'https://c.example:8443/tenants/acme/.well-known/dspace-version' },
    ]);
  });

  it('finds methods by absolute, relative and bare kid, and checks the relationship', () => {
    expect(findVerificationMethod(doc, `${did}#k0`, 'capabilityInvocation')).toMatchObject({ found: true, method: { id: `${did}#k0` } });
    expect(findVerificationMethod(doc, '#k1', 'authentication')).toMatchObject({ found: true });
    expect(findVerificationMethod(doc, 'k1', 'assertionMethod')).toMatchObject({ found: true });
    expect(findVerificationMethod(doc, 'k9', 'assertionMethod')).toEqual({ found: false, why: 'not-in-document' });
    expect(findVerificationMethod(doc, undefined, 'assertionMethod')).toEqual({ found: false, why: 'ambiguous' });
    const narrow: DidDocument = { ...doc, verificationMethod: [doc.verificationMethod[0]], capabilityInvocation: [] };
    expect(findVerificationMethod(narrow, undefined, 'capabilityInvocation')).toEqual({ found: false, why: 'not-authorized' });
    expect(findVerificationMethod(narrow, undefined, 'authentication')).toMatchObject({ found: true });
  });
});

describe('scopes', () => {
  it.each([
    ['org.eclipse.dspace.dcp.vc.type:MembershipCredential', { kind: 'type', value: 'MembershipCredential' }],
    ['org.eclipse.tractusx.vc.type:BpnCredential:read', { kind: 'type', value: 'BpnCredential' }],
    ['org.eclipse.tractusx.vc.type:BpnCredential:*', { kind: 'type', value: 'BpnCredential' }],
    ['org.eclipse.dspace.dcp.vc.id:urn:uuid:1234', { kind: 'id', value: 'urn:uuid:1234' }],
    ['org.eclipse.tractusx.vc.type:BpnCredential:write', undefined],
    ['com.example:BpnCredential:read', undefined],
    ['presentation1', undefined],
    ['org.eclipse.dspace.dcp.vc.type:', undefined],
  ])('%s', (raw, expected) => {
    expect(parseScope(raw)).toEqual(expected);
  });

  it('formats type scopes in both forms', () => {
    expect(typeScope('MembershipCredential')).toBe('org.eclipse.tractusx.vc.type:MembershipCredential:read');
    expect(typeScope('MembershipCredential', 'dcp')).toBe('org.eclipse.dspace.dcp.vc.type:MembershipCredential');
  });
});

describe('did:web resolver', () => {
  let server: http.Server;
  let port: number;
  let fetches = 0;
  const docs = new Map<string, unknown>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      fetches++;
      const body = docs.get(req.url ?? '');
      res.statusCode = body === undefined ? 404 : 200;
      res.end(typeof body === 'string' ? body : JSON.stringify(body ?? {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const setup = (allowLoopbackHttp = true) => {
    const clock = { ms: 0 };
    const client = createOutboundHttpClient({ allowLoopback: true });
    return { clock, client, resolver: createDidWebResolver({ http: client, allowLoopbackHttp, now: () => new Date(clock.ms), cacheTtlMs: 1000 }) };
  };

  it('caches documents for the TTL and validates the id', async () => {
    const did = `did:web:127.0.0.1%3A${port}:a`;
    docs.set('/a/did.json', { id: did, verificationMethod: [] });
    docs.set('/b/did.json', { id: did, verificationMethod: [] });
    docs.set('/c/did.json', { id: `did:web:127.0.0.1%3A${port}:c`, verificationMethod: 'nope' });
    docs.set('/d/did.json', '<html>');
    const { clock, client, resolver } = setup();
    const before = fetches;
    expect(await resolver.resolve(did)).toMatchObject({ ok: true, value: { id: did } });
    expect(await resolver.resolve(did)).toMatchObject({ ok: true });
    expect(fetches - before).toBe(1);
    clock.ms += 1500;
    expect(await resolver.resolve(did)).toMatchObject({ ok: true });
    expect(fetches - before).toBe(2);
    expect(await resolver.resolve(`did:web:127.0.0.1%3A${port}:b`)).toMatchObject({ ok: false, code: 'did-document-id-mismatch' });
    expect(await resolver.resolve(`did:web:127.0.0.1%3A${port}:c`)).toMatchObject({ ok: false, code: 'did-document-invalid' });
    expect(await resolver.resolve(`did:web:127.0.0.1%3A${port}:d`)).toMatchObject({ ok: false, code: 'did-resolution-failed' });
    expect(await resolver.resolve(`did:web:127.0.0.1%3A${port}:missing`)).toMatchObject({ ok: false, code: 'did-resolution-failed' });
    client.close();
  });

  it('requires HTTPS unless loopback http is allowed', async () => {
    const did = `did:web:127.0.0.1%3A${port}:a`;
    const { client, resolver } = setup(false);
    const r = await resolver.resolve(did);
    expect(r).toMatchObject({ ok: false, code: 'did-resolution-failed' });
    client.close();
  });
});
