import { SignJWT, jwtVerify } from 'jose';
import nock from '../support/nock';

describe('toolchain', () => {
  it('runs ESM-only jose under jest', async () => {
    const key = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
    const jwt = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    const { payload } = await jwtVerify(jwt, key);
    expect(payload.a).toBe(1);
    expect(typeof nock).toBe('function');
  });
});
