// Tests: AES-256-GCM envelope crypto without a database.
import { randomBytes } from 'node:crypto';
import { createMasterKey, generateDataKey, open, seal } from '../../../connector/credentials/local/envelope-crypto';

describe('envelope crypto (AES-256-GCM, no database)', () => {
  const master = createMasterKey(randomBytes(32));

  it('round-trips a secret and never stores plaintext', () => {
    const key = generateDataKey();
    const blob = seal(key, 'hunter2-very-secret', 'secret|t1|api');
    expect(blob).not.toContain('hunter2');
    expect(Buffer.from(blob.split('.')[3], 'base64url').toString('utf8')).not.toContain('hunter2');
    expect(open(key, blob, 'secret|t1|api').toString('utf8')).toBe('hunter2-very-secret');
  });

  it('uses a fresh IV each time', () => {
    const key = generateDataKey();
    expect(seal(key, 'same', 'a')).not.toBe(seal(key, 'same', 'a'));
  });

  it('refuses a blob moved to another owner (AAD), a wrong key, or tampered bytes', () => {
    const key = generateDataKey();
    const blob = seal(key, 'value', 'secret|t1|api');
    expect(() => open(key, blob, 'secret|t2|api')).toThrow(/authentication failed/);
    expect(() => open(generateDataKey(), blob, 'secret|t1|api')).toThrow(/authentication failed/);
    const parts = blob.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    expect(() => open(key, [parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), 'secret|t1|api')).toThrow();
    expect(() => open(key, 'v9.a.b.c', 'x')).toThrow(/unknown format/);
  });

  it('wraps data keys per tenant; another master key or tenant cannot unwrap', () => {
    const dk = generateDataKey();
    const wrapped = master.wrap(dk, 'tenant-a');
    expect(master.unwrap(wrapped, 'tenant-a').equals(dk)).toBe(true);
    expect(() => master.unwrap(wrapped, 'tenant-b')).toThrow();
    expect(() => createMasterKey(randomBytes(32)).unwrap(wrapped, 'tenant-a')).toThrow();
  });

  it('accepts 32 bytes as raw, hex or base64 text and rejects other lengths', () => {
    const raw = randomBytes(32);
    const ids = [createMasterKey(raw), createMasterKey(raw.toString('hex')), createMasterKey(raw.toString('base64')), createMasterKey(raw.toString('base64url'))].map((k) => k.id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).not.toContain(raw.toString('hex').slice(0, 16));
    expect(() => createMasterKey(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => createMasterKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
