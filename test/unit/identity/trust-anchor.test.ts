// Development trust anchor (ES256K JWT VCs in the Catena-X shapes, status list) and the BPN ↔ DID directory.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTableBpnDirectory } from '../../../connector/identity/bpn-directory';
import { createDevTrustAnchor, generateDevIssuerKey } from '../../../connector/identity/dev-trust-anchor';
import { decodeJws, verifyJwsSignature } from '../../../connector/identity/jws';
import { decodeStatusBits, statusBit } from '../../../connector/identity/status-list';
import { parseCredentialJwt } from '../../../connector/identity/vc-jwt';

const SPECS = path.resolve(__dirname, '../../../../shared/specs');
const now = () => new Date('2026-03-01T00:00:00Z');

describe('dev trust anchor', () => {
  const key = generateDevIssuerKey();
  const anchor = createDevTrustAnchor({ publicBaseUrl: 'https://connector.example:8443', key, now });

  it('has a did:web DID and a document with an assertionMethod key', () => {
    expect(anchor.did).toBe('did:web:connector.example%3A8443:issuer');
    const doc = anchor.didDocument();
    expect(doc.assertionMethod).toEqual([`${anchor.did}#issuer-key-1`]);
    expect(doc.verificationMethod[0].publicKeyJwk).toMatchObject({ kty: 'EC', crv: 'secp256k1' });
    expect(JSON.stringify(doc)).not.toContain('"d"');
  });

  it.each([
    ['MembershipCredential', 'membership.credential.json'],
    ['BpnCredential', 'bpn.credential.json'],
    ['DataExchangeGovernanceCredential', 'dataexchange.governance.credential.json'],
  ] as const)('issues %s as an ES256K JWT VC shaped like the Catena-X sample', async (type, file) => {
    const r = await anchor.issue(type, 'did:web:holder.example', 'BPNL00000003CRHK');
    if (!r.ok) throw new Error(r.message);
    const decoded = decodeJws(r.value.jwt);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.header).toMatchObject({ alg: 'ES256K', kid: `${anchor.did}#issuer-key-1` });
    expect(await verifyJwsSignature(decoded.value, key.publicJwk)).toEqual({ ok: true, value: true });
    const vc = decoded.value.payload.vc as Record<string, unknown>;
    const sample = JSON.parse(readFileSync(path.join(SPECS, 'catenax-credentials', file), 'utf8')) as Record<string, unknown>;
    expect(vc['@context']).toEqual(sample['@context']);
    expect(vc.type).toEqual(sample.type);
    expect(Object.keys(vc.credentialSubject as object).sort()).toEqual(Object.keys(sample.credentialSubject as object).sort());
    const parsed = parseCredentialJwt(r.value.jwt);
    expect(parsed).toMatchObject({ ok: true, value: { issuer: anchor.did, subjectId: 'did:web:holder.example' } });
    expect(parsed.ok && parsed.value.validUntil?.toISOString()).toBe('2027-03-01T00:00:00.000Z');
  });

  it('refuses malformed BPNs and holders', async () => {
    expect(await anchor.issue('BpnCredential', 'did:web:h', 'BPNL000000001')).toMatchObject({ ok: false, code: 'bpn-invalid' });
    expect(await anchor.issue('BpnCredential', 'holder', 'BPNL00000003CRHK')).toMatchObject({ ok: false, code: 'did-invalid' });
  });

  it('publishes revocations in its status list', async () => {
    const a = await anchor.issue('MembershipCredential', 'did:web:h', 'BPNL00000003CRHK');
    const b = await anchor.issue('MembershipCredential', 'did:web:h', 'BPNL00000003CRHK');
    if (!a.ok || !b.ok) throw new Error('issue failed');
    expect(anchor.revoke(b.value.id)).toBe(true);
    expect(anchor.revoke('urn:uuid:unknown')).toBe(false);
    const list = parseCredentialJwt(await anchor.statusListCredential());
    if (!list.ok) throw new Error(list.message);
    const bits = decodeStatusBits(list.value.subject.encodedList as string, false);
    const index = (jwt: string) => {
      const p = parseCredentialJwt(jwt);
      return p.ok ? p.value.status[0].statusListIndex : -1;
    };
    expect(statusBit(bits, index(a.value.jwt))).toBe(false);
    expect(statusBit(bits, index(b.value.jwt))).toBe(true);
  });
});

describe('status bitstrings', () => {
  it('decodes multibase and plain base64url lists, most significant bit first', () => {
    const raw = Buffer.from([0b1000_0001, 0b0100_0000]);
    const encoded = gzipSync(raw).toString('base64url');
    for (const bits of [decodeStatusBits(encoded, false), decodeStatusBits(`u${encoded}`, true)]) {
      expect([0, 1, 7, 8, 9].map((i) => statusBit(bits, i))).toEqual([true, false, true, false, true]);
      expect(statusBit(bits, 16)).toBeUndefined();
    }
  });
});

describe('BPN directory', () => {
  it('maps both ways, replaces entries and validates input', async () => {
    const dir = createTableBpnDirectory({ BPNL00000003CRHK: 'did:web:a.example' });
    expect(await dir.didOf('BPNL00000003CRHK')).toBe('did:web:a.example');
    expect(await dir.bpnOf('did:web:a.example')).toBe('BPNL00000003CRHK');
    expect(dir.register('BPNL00000003CRHK', 'did:web:b.example')).toEqual({ ok: true, value: undefined });
    expect(await dir.bpnOf('did:web:a.example')).toBeUndefined();
    expect(await dir.entries()).toEqual({ BPNL00000003CRHK: 'did:web:b.example' });
    expect(dir.register('BPNL000000001', 'did:web:c')).toMatchObject({ ok: false, code: 'bpn-invalid' });
    expect(dir.register('BPNL00000003AAAA', 'not-a-did')).toMatchObject({ ok: false, code: 'did-invalid' });
    expect(dir.remove('BPNL00000003CRHK')).toBe(true);
    expect(await dir.didOf('BPNL00000003CRHK')).toBeUndefined();
    expect(() => createTableBpnDirectory({ bad: 'did:web:x' })).toThrow(/invalid BPN/);
  });
});
