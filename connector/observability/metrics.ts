// Prometheus metrics (prom-client): one registry per runtime, HTTP latency and counts per route template.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createHttpMetrics, type HttpMetrics } from './http-metrics';

export interface Metrics {
  readonly registry: Registry;
  /** HTTP latency and counts per route template (both the Express app and the fast lane record here). */
  readonly http: HttpMetrics;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pcf_' });
  return { registry, http: createHttpMetrics(registry) };
}

/** Counters of an in-process cache as its owner reports them. */
export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  readonly live: boolean;
}

/** Exposes a cache as `pcf_<name>_{entries,bytes,hits,misses,live}` gauges, read at scrape time. */
export function registerCacheGauges(metrics: Metrics, name: string, stats: () => CacheStats): void {
  const fields = ['entries', 'bytes', 'hits', 'misses', 'live'] as const;
  for (const field of fields) {
    new Gauge({
      name: `pcf_${name}_${field}`, help: `${name.replace(/_/g, ' ')}: ${field}`, registers: [metrics.registry],
      collect() {
        const value = stats()[field];
        this.set(typeof value === 'boolean' ? (value ? 1 : 0) : value);
      },
    });
  }
}
