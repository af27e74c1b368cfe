// Embedded mode's generated secrets: the master key and operator key, created once in the data directory (mode 0600).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirSecret {
  readonly value: string;
  /** True when this call created it (the operator key is printed once, then). */
  readonly created: boolean;
  readonly path: string;
}

/** Reads `name` from the data directory, creating it with `generate()` on first use. */
export function dataDirSecret(dataDir: string, name: string, generate: () => string): DataDirSecret {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, name);
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), created: false, path };
  const value = generate();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { value, created: true, path };
}

export const generateMasterKey = (): string => randomBytes(32).toString('base64url');
export const generateOperatorKey = (): string => `pcfop_${randomBytes(32).toString('base64url')}`;

/** Decodes the 32-byte master key from base64, base64url or hex text. */
export function decodeMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, /[-_]/.test(t) ? 'base64url' : 'base64');
  if (key.length !== 32) throw new Error('the master key must be 32 bytes (base64, base64url or hex)');
  return key;
}
