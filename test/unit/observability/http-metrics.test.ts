// HTTP metrics: the exposition text prom-client renders for the hand-rolled histogram and counter.
import { createMetrics } from '../../../connector/observability/metrics';

describe('HTTP metrics', () => {
  it('renders a cumulative latency histogram and a request counter per (method, route, status)', async () => {
    const metrics = createMetrics();
    const ok = metrics.http.series('GET', '/tenants/:tenantId/pact/3/footprints/:id', 200);
    ok.record(0.0004);
    ok.record(0.003);
    ok.record(7);
    expect(metrics.http.series('GET', '/tenants/:tenantId/pact/3/footprints/:id', 200)).toBe(ok);
    metrics.http.series('POST', '/x', 404).record(0.02);
    const text = await metrics.registry.metrics();
    const lines = text.split('\n');
    const labels = 'method="GET",route="/tenants/:tenantId/pact/3/footprints/:id",status="200"';
    expect(lines).toContain('# TYPE pcf_http_request_duration_seconds histogram');
    expect(lines).toContain(`pcf_http_request_duration_seconds_bucket{${labels},le="0.001"} 1`);
    expect(lines).toContain(`pcf_http_request_duration_seconds_bucket{${labels},le="0.0025"} 1`);
    expect(lines).toContain(`pcf_http_request_duration_seconds_bucket{${labels},le="0.005"} 2`);
    expect(lines).toContain(`pcf_http_request_duration_seconds_bucket{${labels},le="2.5"} 2`);
    expect(lines).toContain(`pcf_http_request_duration_seconds_bucket{${labels},le="+Inf"} 3`);
    expect(lines).toContain(`pcf_http_request_duration_seconds_count{${labels}} 3`);
    expect(lines.find((l) => l.startsWith(`pcf_http_request_duration_seconds_sum{${labels}}`))).toMatch(/ 7\.0034\d*$/);
    expect(lines).toContain('# TYPE pcf_http_requests_total counter');
    expect(lines).toContain(`pcf_http_requests_total{${labels}} 3`);
    expect(lines).toContain('pcf_http_requests_total{method="POST",route="/x",status="404"} 1');
    // The default process metrics are still there.
    expect(text).toContain('pcf_process_cpu_user_seconds_total');
  });
});
