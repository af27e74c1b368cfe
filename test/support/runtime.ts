// Starts a full connector runtime on a loopback port for integration tests, with logs captured in memory.
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { loadConfig } from '../../connector/app/config';
import { createRuntime, type Runtime } from '../../connector/app/runtime';
import { createLogger } from '../../connector/observability/logger';
import { openTestDatabase, type EngineName } from './databases';

export interface TestRuntime {
  readonly runtime: Runtime;
  readonly baseUrl: string;
  readonly operatorKey: string;
  /** Every log line written so far. */
  readonly logs: string[];
  /** The runtime's database URL on PostgreSQL (undefined on PGlite). */
  readonly databaseUrl?: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

export async function startTestRuntime(engine: EngineName, env: Record<string, string> = {}): Promise<TestRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcf-it-'));
  const operatorKey = `pcfop_${randomBytes(24).toString('base64url')}`;
  // The public URL must carry the real port: DIDs, DSP callback addresses and EDR endpoints are derived from it.
  const port = await freePort();
  const { config } = loadConfig({
    PCF_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), PCF_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PCF_OUTBOUND_ALLOW_LOOPBACK: 'true',
    PCF_OPERATOR_KEY: operatorKey, PCF_MASTER_KEY: randomBytes(32).toString('base64url'),
    PCF_ALLOWED_REGIONS: 'eu-central-1,eu-west-1', PCF_LOG_LEVEL: 'http', ...env,
  }, undefined);
  const logs: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _e, cb) { logs.push(chunk.toString()); cb(); } });
  const logger = createLogger({ level: 'http', transports: [new winston.transports.Stream({ stream })] });
  const db = await openTestDatabase(engine);
  const runtime = await createRuntime(config, logger, { db });
  const address = await runtime.start();
  return {
    runtime, operatorKey, logs, baseUrl: `http://127.0.0.1:${address.port}`, ...(db.url === undefined ? {} : { databaseUrl: db.url }),
    async close() {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch + JSON with the status, for terse tests. */
export async function call(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (e.g. JSON lines): keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
