// `pcf-connector footprints import FILE --tenant T`: streams a JSON array or JSON-lines file into a tenant, with progress.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseInputFormat } from '../../pcf-exchange-module/service/footprint-input';
import { importFootprints, type ImportProgress } from '../../pcf-exchange-module/service/import-footprints';
import { isValidTenantId } from '../common/tenant-id';
import { createLogger } from '../observability/logger';
import { applyMigrations } from '../store/migrations';
import { findTenant } from '../tenancy/tenant-store';
import type { AppConfig } from './config';
import { openDatabase } from './runtime';

export interface ImportCommandResult {
  readonly exitCode: number;
  readonly summary: unknown;
}

interface LineError {
  readonly line: number;
  readonly message: string;
}

/** Yields the items of a JSON-lines file; lines that are not JSON are reported, not imported. */
async function* jsonLines(path: string, errors: LineError[]): AsyncGenerator<unknown> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as unknown;
    } catch (err) {
      errors.push({ line: n, message: `not JSON: ${(err as Error).message}` });
    }
  }
}

function progressLine(p: ImportProgress, total: number | undefined): string {
  const width = 30;
  const done = total ? Math.min(width, Math.round((p.processed / total) * width)) : 0;
  const bar = total ? `[${'#'.repeat(done)}${'-'.repeat(width - done)}] ` : '';
  return `\r${bar}${p.processed}${total ? `/${total}` : ''} items, ${p.imported} imported, ${p.failed} refused`;
}

export async function runFootprintImport(config: AppConfig, file: string | undefined, tenantId: string | undefined, format: string | undefined): Promise<ImportCommandResult> {
  if (!file || !tenantId) return { exitCode: 2, summary: 'usage: pcf-connector footprints import FILE --tenant TENANT [--format pact|catenax-7.0.0|catenax-8.0.0|catenax-9.0.0]' };
  if (!isValidTenantId(tenantId)) return { exitCode: 2, summary: `invalid tenant id ${tenantId}` };
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return { exitCode: 2, summary: `no such file: ${file}` };
  const parsedFormat = parseInputFormat(format ?? 'auto');
  if (!parsedFormat.ok) return { exitCode: 2, summary: parsedFormat.message };
  const head = readFileSync(file, { encoding: 'utf8', flag: 'r' }).slice(0, 4096).trimStart();
  const lineErrors: LineError[] = [];
  let items: AsyncIterable<unknown> | unknown[];
  let total: number | undefined;
  if (head.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      return { exitCode: 1, summary: `${file} is not valid JSON: ${(err as Error).message}` };
    }
    items = parsed as unknown[];
    total = (parsed as unknown[]).length;
  } else {
    items = jsonLines(file, lineErrors);
  }
  const logger = createLogger({ level: 'warn' });
  const db = await openDatabase(config, logger);
  try {
    await applyMigrations(db);
    const tenant = await db.withSystem((tx) => findTenant(tx, tenantId));
    if (!tenant || tenant.status !== 'active') return { exitCode: 1, summary: `tenant ${tenantId} does not exist` };
    const report = await importFootprints(db, tenantId, items, (p) => process.stderr.write(progressLine(p, total)), {
      actor: 'cli:footprints-import', publicUrl: config.server.publicUrl,
      format: parsedFormat.value,
    });
    process.stderr.write('\n');
    const refused = report.results.filter((r) => !r.ok);
    return {
      exitCode: refused.length > 0 || lineErrors.length > 0 ? 1 : 0,
      summary: { processed: report.processed, imported: report.imported, refused: report.failed, unreadableLines: lineErrors, refusedItems: refused.slice(0, 50) },
    };
  } finally {
    await db.close();
  }
}
