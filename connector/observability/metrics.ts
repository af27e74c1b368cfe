// Prometheus metrics (prom-client): one registry per runtime, HTTP latency and counts per route template.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pcf_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'pcf_http_request_duration_seconds', help: 'HTTP request latency by route template',
      labelNames: ['method', 'route', 'status'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    httpRequests: new Counter({ name: 'pcf_http_requests_total', help: 'HTTP requests by route template', labelNames: ['method', 'route', 'status'], registers: [registry] }),
  };
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
