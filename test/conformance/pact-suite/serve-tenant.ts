// Starts the connector over HTTPS on loopback with one tenant prepared for the PACT conformance service; prints its settings.
// Usage: npx tsx test/conformance/pact-suite/serve-tenant.ts [--port 8443] [--conformance-url http://127.0.0.1:8004] [--out dir]
// Uses PostgreSQL when DATABASE_URL is set, else an embedded PGlite in a temp dir. Stops on SIGINT/SIGTERM.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../connector/app/config';
import { createRuntime } from '../../../connector/app/runtime';
import { createLogger } from '../../../connector/observability/logger';
import { createLoopbackCert, httpsCall } from './tls';

const SPECS = resolve(__dirname, '../../../../shared/specs/pact');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** The footprints the tenant publishes: the v3 examples and the v2 list example (so both versions list ≥ 2). */
function conformanceFootprints(): unknown[] {
  const v3 = [1, 2, 3, 4].map((n) => JSON.parse(readFileSync(join(SPECS, `v3/examples/example-${n}.json`), 'utf8')) as unknown);
  const v2 = (JSON.parse(readFileSync(join(SPECS, 'v2/examples/list-footprints-response.json'), 'utf8')) as { data: unknown[] }).data;
  return [...v3, ...v2];
}

async function main(): Promise<void> {
  const port = Number(arg('port', '8443'));
  const conformanceUrl = arg('conformance-url', 'http://127.0.0.1:8004');
  const out = arg('out', mkdtempSync(join(tmpdir(), 'pact-conf-')));
  mkdirSync(out, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'pcf-conf-data-'));
  const cert = createLoopbackCert(out);
  const base = `https://127.0.0.1:${port}`;
  const operatorKey = `pcfop_${randomBytes(24).toString('base64url')}`;
  const { config } = loadConfig({
    PCF_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), PCF_PUBLIC_URL: base,
    PCF_TLS_CERT_FILE: cert.certFile, PCF_TLS_KEY_FILE: cert.keyFile, PCF_OUTBOUND_ALLOW_LOOPBACK: 'true',
    PCF_OPERATOR_KEY: operatorKey, PCF_MASTER_KEY: randomBytes(32).toString('base64url'), PCF_LOG_LEVEL: process.env.PCF_LOG_LEVEL ?? 'warn',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  }, undefined);
  const runtime = await createRuntime(config, createLogger({ level: config.log.level }));
  await runtime.start();

  const ca = cert.certPem;
  const json = { 'content-type': 'application/json' };
  const tenant = await httpsCall(ca, `${base}/operator/v1/tenants`, 'POST', { ...json, authorization: `Bearer ${operatorKey}` },
    JSON.stringify({ id: 'conformance', displayName: 'Conformance Supplier', bpn: 'BPNL00000000CONF' }));
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${tenant.text}`);
  const mgmt = { ...json, 'x-api-key': (tenant.json as { adminApiKey: string }).adminApiKey };
  const m = (method: string, path: string, body: unknown) => httpsCall(ca, `${base}/management/v3${path}`, method, mgmt, JSON.stringify(body));

  const imported = await m('POST', '/footprints', conformanceFootprints());
  const summary = imported.json as { imported: number; failed: number };
  if (imported.status !== 200 || summary.failed > 0) throw new Error(`footprints: ${imported.status} ${imported.text}`);
  const client = await m('POST', '/pact/clients', { name: 'PACT conformance service' });
  if (client.status !== 201) throw new Error(`client: ${client.status} ${client.text}`);
  const partner = await m('POST', '/pact/partners', {
    name: 'PACT conformance service', baseUrl: conformanceUrl, apiVersion: '3', clientId: 'test_client_id', clientSecret: 'test_client_secret', subscribed: false,
  });
  if (partner.status !== 201) throw new Error(`partner: ${partner.status} ${partner.text}`);
  const settings = await m('PUT', '/pact/settings', { autoFulfil: true });
  if (settings.status !== 200) throw new Error(`settings: ${settings.status} ${settings.text}`);

  const { clientId, clientSecret, baseUrl } = client.json as Record<string, string>;
  const info = { baseUrl, clientId, clientSecret, caFile: cert.certFile, footprints: summary.imported, conformanceUrl };
  writeFileSync(join(out, 'tenant.json'), JSON.stringify(info, null, 2));
  process.stdout.write(`${JSON.stringify(info)}\n`);

  const stop = async (): Promise<void> => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
