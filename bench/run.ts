// `npm run bench`: runs every suite in bench/suites (or those named), each in a process of its own; writes bench/results/<time>.json and latest.md.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite, BenchSuiteResult } from './lib/report';

function markdown(results: readonly BenchSuiteResult[], machine: string): string {
  const lines = [`Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.`, '', '| suite | metric | value | baseline (same run) | ratio | target |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    for (const m of r.metrics) {
      const value = `${m.value.toLocaleString('en')} ${m.unit}`;
      const baseline = m.baseline ? `${m.baseline.name}: ${m.baseline.value.toLocaleString('en')}` : '—';
      const ratio = m.ratio !== undefined ? `${m.ratio}${m.ratioNote ? ` (${m.ratioNote})` : ''}` : '—';
      const target = m.target ? `${m.target.text} ${m.target.met ? '✅' : '❌'}` : '—';
      lines.push(`| ${r.suite} | ${m.name} | ${value} | ${baseline} | ${ratio} | ${target} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `--suite-child <name> <result file>`: runs one suite in this process and writes its result as JSON. */
async function child(name: string, resultFile: string, quick: boolean): Promise<number> {
  const mod = (await import(join(__dirname, 'suites', `${name}.ts`))) as { suite: BenchSuite };
  const result = await mod.suite.run({ quick, log: (m) => console.error(`[${name}] ${m}`) });
  writeFileSync(resultFile, JSON.stringify(result));
  return 0;
}

/**
 * Runs one suite in a fresh process (same Node flags and loader), so no suite measures another's leftovers: a suite
 * that ran before in the same process (aws-calls with nock, AWS SDK clients and load generators) made the
 * control-plane flow ~25 % slower, with the same code, through the JIT and heap state it left behind.
 */
function runIsolated(name: string, quick: boolean): Promise<BenchSuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pcf-bench-'));
  const resultFile = join(dir, 'result.json');
  return new Promise<BenchSuiteResult>((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, __filename, '--suite-child', name, resultFile, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`suite process exited with ${signal ?? code}`);
        resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as BenchSuiteResult);
      } catch (err) {
        reject(err as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const childAt = args.indexOf('--suite-child');
  if (childAt >= 0) return child(args[childAt + 1] as string, args[childAt + 2] as string, args.includes('--quick'));
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const dir = join(__dirname, 'suites');
  const names = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  const selected = only.length > 0 ? names.filter((n) => only.includes(n)) : names;
  if (only.length > 0 && selected.length !== only.length) {
    console.error(`unknown suite; available: ${names.join(', ')}`);
    return 2;
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const results: BenchSuiteResult[] = [];
  let failed = false;
  for (const name of selected) {
    const started = Date.now();
    try {
      results.push(await runIsolated(name, quick));
      console.error(`[${name}] done in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (err) {
      failed = true;
      console.error(`[${name}] failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
  const out = join(__dirname, 'results');
  mkdirSync(join(out, 'runs'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const report = { machine, quick, suites: selected, at: new Date().toISOString(), results };
  writeFileSync(join(out, 'runs', `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(results, machine);
  // Only a complete, full-length run replaces the committed report.
  if (!quick && only.length === 0 && !failed) {
    writeFileSync(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'latest.md'), md);
  }
  console.log(md);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
