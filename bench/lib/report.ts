// Bench report types: every figure is reported next to a baseline measured in the same run.

export interface BenchMetric {
  /** What was measured, e.g. `GET 3/footprints/{id} with token check`. */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The same-run baseline this figure is compared with, when there is one. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value (or the inverse for latencies, as `ratioNote` says). */
  readonly ratio?: number;
  readonly ratioNote?: string;
  /** A target from the issue, e.g. `≥ 0.5 of baseline`, and whether it was met. */
  readonly target?: { readonly text: string; readonly met: boolean };
}

export interface BenchSuiteResult {
  readonly suite: string;
  readonly description: string;
  readonly metrics: readonly BenchMetric[];
  readonly notes?: readonly string[];
}

export interface BenchContext {
  /** Shorter runs (`npm run bench -- --quick`), for smoke-testing the suite. */
  readonly quick: boolean;
  /** Log a progress line (stderr). */
  log(message: string): void;
}

/** A bench suite module in bench/suites/ exports `suite`. */
export interface BenchSuite {
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchSuiteResult>;
}

export function ratioOf(value: number, baseline: number): number {
  return baseline === 0 ? 0 : Math.round((value / baseline) * 1000) / 1000;
}
