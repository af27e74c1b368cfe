#!/usr/bin/env node
// The pcf-connector command line: serve, tenants (over the operator API), audit verify.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../observability/logger';
import { verifyAllAuditTrails } from '../tenancy/operator-routes';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { runFootprintImport } from './footprint-import-cli';
import { createRuntime } from './runtime';

const USAGE = `usage: pcf-connector <command>

  serve                                   start the connector (configuration from env / PCF_CONFIG_FILE)
  tenants list                            list tenants
  tenants create --id ID --name NAME --bpn BPNL… [--region R]
                                          onboard a tenant; prints its first admin API key once
  tenants show ID                         show one tenant
  tenants delete ID                       offboard a tenant and erase all its data
  tenants token ID --subject S --role admin|publisher|viewer [--ttl SECONDS]
                                          a management token from the built-in issuer
  footprints import FILE --tenant T [--format pact|catenax-9.0.0|…]
                                          import a JSON array or JSON-lines file into a tenant, with progress
                                          (opens the database directly; for PGlite stop the server first)
  credentials issue --tenant T [--types MembershipCredential,BpnCredential,DataExchangeGovernanceCredential]
                                          issue development-trust-anchor credentials to a tenant
  audit verify [--local]                  verify every audit hash chain (through the running server, or
                                          --local: open the database directly; the server must be stopped for PGlite)

The tenants and audit commands call the running connector at --server URL (default PCF_PUBLIC_URL or
http://localhost:PORT) with the operator key from PCF_OPERATOR_KEY or the data directory.`;

function flags(args: string[]): { positional: string[]; named: Map<string, string | true> } {
  const positional: string[] = [];
  const named = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        named.set(a.slice(2), next);
        i++;
      } else named.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { positional, named };
}

function operatorKey(config: AppConfig): string {
  if (config.operator.key) return config.operator.key;
  const path = join(config.dataDir, 'operator.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  throw new Error(`no operator key: set PCF_OPERATOR_KEY or start the connector once so it creates ${path}`);
}

async function callOperator(config: AppConfig, server: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server}/operator/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${operatorKey(config)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return parsed;
}

async function serve(config: AppConfig, warnings: readonly string[]): Promise<void> {
  const logger = createLogger({ level: config.log.level });
  for (const w of warnings) logger.warn(`configuration: ${w}`, { component: 'config' });
  const runtime = await createRuntime(config, logger);
  const address = await runtime.start();
  const url = config.server.publicUrl;
  const store = config.database.url ? 'PostgreSQL' : `embedded PGlite in ${join(config.dataDir, 'pglite')}`;
  console.log(`PCF connector listening on ${address.address}:${address.port}, public URL ${url} (${config.mode} mode, ${store})`);
  if (runtime.operatorKey.generated) {
    console.log(`Operator key (shown once; kept in ${runtime.operatorKey.path ?? 'the data directory'}): ${runtime.operatorKey.value}`);
  } else {
    console.log(`Operator key: ${runtime.operatorKey.path ? `in ${runtime.operatorKey.path}` : 'from PCF_OPERATOR_KEY'}`);
  }
  console.log(`Onboard a tenant: npx pcf-connector tenants create --id acme --name "ACME" --bpn BPNL000000000001`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { config, warnings } = loadConfig();
  const { positional, named } = flags(['tenants', 'audit', 'footprints', 'credentials'].includes(command) ? rest : [sub, ...rest].filter((a) => a !== undefined));
  const server = String(named.get('server') ?? config.server.publicUrl);
  const str = (name: string) => (typeof named.get(name) === 'string' ? (named.get(name) as string) : undefined);
  const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));

  switch (`${command} ${command === 'serve' ? '' : sub ?? ''}`.trim()) {
    case 'serve':
      await serve(config, warnings);
      return -1;
    case 'tenants list':
      print(await callOperator(config, server, 'GET', '/tenants?limit=500'));
      return 0;
    case 'tenants create':
      print(await callOperator(config, server, 'POST', '/tenants', { id: str('id'), displayName: str('name'), bpn: str('bpn'), region: str('region') }));
      return 0;
    case 'tenants show':
      print(await callOperator(config, server, 'GET', `/tenants/${encodeURIComponent(positional[0] ?? '')}`));
      return 0;
    case 'tenants delete':
      print(await callOperator(config, server, 'DELETE', `/tenants/${encodeURIComponent(positional[0] ?? '')}`));
      return 0;
    case 'tenants token':
      print(await callOperator(config, server, 'POST', `/tenants/${encodeURIComponent(positional[0] ?? '')}/tokens`, {
        subject: str('subject'), role: str('role'), ...(str('ttl') ? { ttlSeconds: Number(str('ttl')) } : {}),
      }));
      return 0;
    case 'footprints import': {
      const result = await runFootprintImport(config, positional[0], str('tenant'), str('format'));
      if (typeof result.summary === 'string') console.error(result.summary);
      else print(result.summary);
      return result.exitCode;
    }
    case 'credentials issue': {
      const tenant = str('tenant');
      if (!tenant) {
        console.error('usage: pcf-connector credentials issue --tenant T [--types A,B]');
        return 2;
      }
      print(await callOperator(config, server, 'POST', '/credentials/issue', { tenantId: tenant, ...(str('types') ? { types: (str('types') as string).split(',') } : {}) }));
      return 0;
    }
    case 'audit verify': {
      let report: { ok: boolean };
      if (named.has('local')) {
        const logger = createLogger({ level: 'warn' });
        const runtime = await createRuntime(config, logger);
        try {
          report = await verifyAllAuditTrails(runtime.db);
        } finally {
          await runtime.stop();
        }
      } else {
        report = (await callOperator(config, server, 'POST', '/audit/verify')) as { ok: boolean };
      }
      print(report);
      return report.ok ? 0 : 1;
    }
    default:
      console.error(`unknown command: ${argv.join(' ')}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`);
    process.exit(1);
  },
);
