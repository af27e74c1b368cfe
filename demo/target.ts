// Finds the connector(s) the demo talks to: a running one (URL + operator key from the environment) or one it starts in-process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { loadConfig } from '../connector/app/config';
import { createRuntime } from '../connector/app/runtime';
import { createLogger } from '../connector/observability/logger';

/** One connector as the demo sees it. */
export interface Side {
  /** Where the demo reaches it. */
  readonly url: string;
  /** Its public URL (what the other connector and DIDs use); equal to `url` unless the demo runs outside its network. */
  readonly publicUrl: string;
  readonly operatorKey: string;
}

export interface DemoTarget {
  readonly supplier: Side;
  readonly consumer: Side;
  /** How the target was found, for the first output line. */
  readonly description: string;
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

function operatorKeyFrom(env: Env, specific: string | undefined): string {
  const key = specific ?? env.PCF_OPERATOR_KEY;
  if (key) return key.trim();
  const file = join(env.PCF_DATA_DIR ?? './data', 'operator.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(`no operator key: set PCF_OPERATOR_KEY (or start the connector once so it writes ${file})`);
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

/** Starts a connector on PGlite in a temporary data directory, loopback outbound allowed; removed on close. */
async function startInProcess(): Promise<DemoTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcf-demo-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const operatorKey = `pcfop_${randomBytes(24).toString('base64url')}`;
  const { config } = loadConfig({
    PCF_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), PCF_PUBLIC_URL: url, PCF_OUTBOUND_ALLOW_LOOPBACK: 'true',
    PCF_OPERATOR_KEY: operatorKey, PCF_MASTER_KEY: randomBytes(32).toString('base64url'), PCF_SHUTDOWN_GRACE_MS: '2000',
  }, undefined);
  const logger = createLogger({ level: 'error', transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })] });
  const runtime = await createRuntime(config, logger);
  await runtime.start();
  const side = { url, publicUrl: url, operatorKey };
  return {
    supplier: side, consumer: side, description: `started in-process on ${url} (embedded PGlite in ${dataDir})`,
    async close() {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `PCF_DEMO_SUPPLIER_URL` + `PCF_DEMO_CONSUMER_URL`: two connectors (e.g. docker/compose.yaml). Else `PCF_DEMO_URL`
 * (must answer), else `PCF_PUBLIC_URL` or `http://localhost:$PORT` if it answers, else an in-process connector.
 */
export async function resolveTarget(env: Env = process.env): Promise<DemoTarget> {
  const noop = async (): Promise<void> => undefined;
  if (env.PCF_DEMO_SUPPLIER_URL || env.PCF_DEMO_CONSUMER_URL) {
    const sUrl = env.PCF_DEMO_SUPPLIER_URL;
    const cUrl = env.PCF_DEMO_CONSUMER_URL;
    if (!sUrl || !cUrl) throw new Error('set both PCF_DEMO_SUPPLIER_URL and PCF_DEMO_CONSUMER_URL');
    for (const u of [sUrl, cUrl]) if (!(await answers(u))) throw new Error(`no connector answers at ${u}/health`);
    return {
      supplier: { url: sUrl, publicUrl: env.PCF_DEMO_SUPPLIER_PUBLIC_URL ?? sUrl, operatorKey: operatorKeyFrom(env, env.PCF_DEMO_SUPPLIER_OPERATOR_KEY) },
      consumer: { url: cUrl, publicUrl: env.PCF_DEMO_CONSUMER_PUBLIC_URL ?? cUrl, operatorKey: operatorKeyFrom(env, env.PCF_DEMO_CONSUMER_OPERATOR_KEY) },
      description: `supplier connector ${sUrl}, consumer connector ${cUrl}`,
      close: noop,
    };
  }
  if (env.PCF_DEMO_URL) {
    const url = env.PCF_DEMO_URL.replace(/\/$/, '');
    if (!(await answers(url))) throw new Error(`no connector answers at ${url}/health (PCF_DEMO_URL)`);
    const side = { url, publicUrl: url, operatorKey: operatorKeyFrom(env, undefined) };
    return { supplier: side, consumer: side, description: `running connector at ${url}`, close: noop };
  }
  const candidate = (env.PCF_PUBLIC_URL ?? `http://localhost:${env.PORT ?? '8080'}`).replace(/\/$/, '');
  if (await answers(candidate)) {
    const side = { url: candidate, publicUrl: candidate, operatorKey: operatorKeyFrom(env, undefined) };
    return { supplier: side, consumer: side, description: `running connector at ${candidate}`, close: noop };
  }
  return startInProcess();
}
