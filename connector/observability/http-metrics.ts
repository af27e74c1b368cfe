// HTTP latency histogram and request counter per (method, route, status), recorded with plain arithmetic and rendered for prom-client at scrape time.
import type { Registry } from 'prom-client';

/** Upper bounds (seconds) of the latency buckets. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One (method, route, status) series: what a finished request records into. */
export interface HttpSeries {
  record(seconds: number): void;
}

export interface HttpMetrics {
  /** The series of (method, route template, status), created on first use and reused (hold on to it on hot paths). */
  series(method: string, route: string, status: number): HttpSeries;
}

class Series implements HttpSeries {
  readonly buckets = new Float64Array(HTTP_DURATION_BUCKETS.length);
  count = 0;
  sum = 0;

  constructor(readonly labels: Readonly<{ method: string; route: string; status: string }>) {}

  record(seconds: number): void {
    this.count += 1;
    this.sum += seconds;
    for (let i = 0; i < HTTP_DURATION_BUCKETS.length; i++) {
      if (seconds <= (HTTP_DURATION_BUCKETS[i] as number)) {
        this.buckets[i] = (this.buckets[i] as number) + 1;
        return;
      }
    }
  }
}

interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/**
 * `pcf_http_request_duration_seconds` (histogram) and `pcf_http_requests_total` (counter) in `registry`, in
 * prom-client's exposition format. prom-client's own metrics re-validate and re-hash the labels on every observation
 * (~0.7 KB of garbage per request); these series are looked up once and then only add numbers.
 */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const all = new Map<string, Series>();
  const histogram = {
    name: 'pcf_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    type: 'histogram',
    aggregator: 'sum',
    get: async () => {
      const values: MetricValue[] = [];
      for (const s of all.values()) {
        let cumulative = 0;
        HTTP_DURATION_BUCKETS.forEach((le, i) => {
          cumulative += s.buckets[i] as number;
          values.push({ metricName: 'pcf_http_request_duration_seconds_bucket', labels: { ...s.labels, le }, value: cumulative });
        });
        values.push({ metricName: 'pcf_http_request_duration_seconds_bucket', labels: { ...s.labels, le: '+Inf' }, value: s.count });
        values.push({ metricName: 'pcf_http_request_duration_seconds_sum', labels: s.labels, value: s.sum });
        values.push({ metricName: 'pcf_http_request_duration_seconds_count', labels: s.labels, value: s.count });
      }
      return { name: histogram.name, help: histogram.help, type: histogram.type, aggregator: histogram.aggregator, values };
    },
  };
  const counter = {
    name: 'pcf_http_requests_total',
    help: 'HTTP requests by route template',
    type: 'counter',
    aggregator: 'sum',
    get: async () => ({
      name: counter.name, help: counter.help, type: counter.type, aggregator: counter.aggregator,
      values: [...all.values()].map((s): MetricValue => ({ labels: s.labels, value: s.count })),
    }),
  };
  // prom-client's Registry takes any object with a name and an async get() returning this shape.
  registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0]);
  registry.registerMetric(counter as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    series(method, route, status) {
      const key = `${method} ${status} ${route}`;
      let s = all.get(key);
      if (s === undefined) all.set(key, (s = new Series({ method, route, status: String(status) })));
      return s;
    },
  };
}
