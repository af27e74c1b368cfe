// JWS signing and verification on the node:crypto paths agree with jose, and refuse tampering and foreign keys.
import { generateKeyPairSync } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { signCompactJws } from '../../../connector/common/compact-jws';
import { decodeJws, signJws, verifyJwsSignature } from '../../../connector/identity/jws';

const PAYLOAD = { iss: 'did:web:a.example', sub: 'did:web:a.example', aud: 'did:web:b.example', jti: 'j-1', iat: 1, exp: 2 };

async function keyPair(alg: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const kp = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { privateKey: kp.privateKey, jwk: await exportJWK(kp.publicKey) };
}

describe('jws', () => {
  it.each(['ES256', 'EdDSA'])('signJws (%s, node:crypto) produces a JWS that jose verifies, and verifyJwsSignature accepts', async (alg) => {
    const { privateKey, jwk } = await keyPair(alg);
    const token = await signJws(PAYLOAD, { alg, kid: 'did:web:a.example#k1', privateKey });
    const verified = await compactVerify(token, await importJWK(jwk, alg));
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(PAYLOAD);
    expect(verified.protectedHeader).toEqual({ typ: 'JWT', alg, kid: 'did:web:a.example#k1' });
    const decoded = decodeJws(token);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(await verifyJwsSignature(decoded.value, jwk)).toEqual({ ok: true, value: true });
  });

  it.each(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'])('verifies jose-made %s tokens; refuses a tampered payload, another key and a truncated signature', async (alg) => {
    const { privateKey, jwk } = await keyPair(alg);
    const other = await keyPair(alg);
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(PAYLOAD))).setProtectedHeader({ alg, kid: 'k1' }).sign(privateKey);
    const decode = (t: string) => {
      const d = decodeJws(t);
      if (!d.ok) throw new Error(d.message);
      return d.value;
    };
    expect((await verifyJwsSignature(decode(token), jwk)).ok).toBe(true);
    // Twice: the second check uses the cached imported key.
    expect((await verifyJwsSignature(decode(token), jwk)).ok).toBe(true);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...PAYLOAD, aud: 'did:web:evil.example' })).toString('base64url')}.${s}`;
    expect(await verifyJwsSignature(decode(forged), jwk)).toMatchObject({ ok: false, code: 'signature-invalid' });
    expect(await verifyJwsSignature(decode(token), other.jwk)).toMatchObject({ ok: false, code: 'signature-invalid' });
    const truncated = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from(s, 'base64url').subarray(1).toString('base64url')}`;
    expect(await verifyJwsSignature(decode(truncated), jwk)).toMatchObject({ ok: false, code: 'signature-invalid' });
  });

  it.each([['ES256', true], ['ES256', false], ['EdDSA', true], ['EdDSA', false]] as const)('%s signs and checks alike inline and on the thread pool (offload %s)', async (alg, offload) => {
    const { privateKey, jwk } = await keyPair(alg);
    const token = await signCompactJws({ alg, kid: 'k1' }, PAYLOAD, privateKey, offload);
    await compactVerify(token, await importJWK(jwk, alg));
    const decoded = decodeJws(token);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(await verifyJwsSignature(decoded.value, jwk, offload)).toEqual({ ok: true, value: true });
    expect(await verifyJwsSignature(decoded.value, jwk, !offload)).toEqual({ ok: true, value: true });
    const [h, , sig] = token.split('.');
    const forged = decodeJws(`${h}.${Buffer.from(JSON.stringify({ ...PAYLOAD, jti: 'j-2' })).toString('base64url')}.${sig}`);
    if (!forged.ok) throw new Error(forged.message);
    expect(await verifyJwsSignature(forged.value, jwk, offload)).toMatchObject({ ok: false, code: 'signature-invalid' });
    await expect(signCompactJws({ alg: 'RS256' }, PAYLOAD, privateKey, offload)).rejects.toThrow('unsupported signing algorithm RS256');
  });

  it('ES256K (secp256k1) round-trips through signJws and verifyJwsSignature', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const token = await signJws(PAYLOAD, { alg: 'ES256K', kid: 'k', privateKey });
    const decoded = decodeJws(token);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(await verifyJwsSignature(decoded.value, jwk)).toEqual({ ok: true, value: true });
    const other = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'jwk' }) as JWK;
    expect(await verifyJwsSignature(decoded.value, other)).toMatchObject({ ok: false, code: 'signature-invalid' });
  });

  it('refuses a key whose type does not fit the algorithm', async () => {
    const { privateKey } = await keyPair('ES256');
    const ed = await keyPair('EdDSA');
    const token = await signJws(PAYLOAD, { alg: 'ES256', kid: 'k', privateKey });
    const decoded = decodeJws(token);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(await verifyJwsSignature(decoded.value, ed.jwk)).toMatchObject({ ok: false, code: 'signature-invalid' });
  });
});
