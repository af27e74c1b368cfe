// The outbound HTTP the PACT module needs (partner token endpoints, OIDC discovery, event delivery) and an adapter.
import type { OutboundHttpClient } from '../../connector/common/outbound-http';

export type OutboundReply =
  | { readonly ok: true; readonly status: number; readonly body: string }
  | { readonly ok: false; readonly message: string };

/** HTTP calls to partner hosts; implementations must refuse unsafe targets (SSRF) and never follow redirects. */
export interface PactOutbound {
  /** POSTs `body` as is with `headers`; any HTTP status is a reply, network/policy failures are `ok: false`. */
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<OutboundReply>;
  /** GETs `url`; same reply rules as `post`. */
  get(url: string, headers: Readonly<Record<string, string>>): Promise<OutboundReply>;
}

/** Adapts the connector's SSRF-safe client (`connector/common/outbound-http.ts`) to `PactOutbound`. */
export function pactOutboundFrom(client: OutboundHttpClient): PactOutbound {
  const call = async (method: 'GET' | 'POST', url: string, headers: Readonly<Record<string, string>>, body?: string): Promise<OutboundReply> => {
    const r = await client.request({ url, method, headers, ...(body === undefined ? {} : { body }) });
    if (!r.ok) return { ok: false, message: `${r.reason}: ${r.message}` };
    return { ok: true, status: r.value.status, body: r.value.body.toString('utf8') };
  };
  return {
    post: (url, body, headers) => call('POST', url, headers, body),
    get: (url, headers) => call('GET', url, headers),
  };
}
