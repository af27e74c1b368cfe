// The DSP endpoints on the fast lane: every canonical DSP request (plain JSON body or none) skips Express.
import type { IncomingMessage } from 'node:http';
import { decodePathSegment } from '../../common/path-segment';
import { dspTransportError } from '../../http/error-responses';
import type { FastReply, FastRoute } from '../../http/fast-lane';
import type { DspDialect } from '../dialects';
import type { DspEndpoint, DspEndpoints } from './dsp-endpoints';

const DSP_PATH = /^\/tenants\/([^/]+)\/dsp(\/2025-1|\/2024-1)?(\/.*)$/;
/** The JSON media types the Express path parses too (`application/json`, `application/ld+json`, `application/*+json`), in UTF-8. */
const JSON_TYPE = /^application\/(?:json|[a-z0-9.+-]*\+json)\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

const DIALECTS: Readonly<Record<string, DspDialect>> = { '/2025-1': '2025-1', '/2024-1': '2024-1', '': '0.8' };

/** DSP's transport-failure answer (too large, not JSON, timeout), the same body as on the Express path. */
function transportError(status: number, message: string): FastReply {
  return { status, body: Buffer.from(JSON.stringify(dspTransportError(status, message))) };
}

/** True when the request has no body or a plain (unencoded) UTF-8 JSON body; anything else goes to Express. */
function plainJson(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  return type === undefined ? req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined : JSON_TYPE.test(type);
}

/** Parses a JSON body like Express's strict parser: an object or array; empty is `{}`; undefined when not JSON. */
function parseJsonBody(raw: Buffer): { value: unknown } | undefined {
  const text = raw.toString('utf8');
  const first = /\S/.exec(text);
  if (first === null) return { value: {} };
  if (first[0] !== '{' && first[0] !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

export function createDspFastRoutes(endpoints: DspEndpoints, options: { readonly bodyLimitBytes: number }): FastRoute[] {
  const labels = new Map<DspEndpoint, Map<string, string>>();
  const labelOf = (endpoint: DspEndpoint, prefix: string): string => {
    let byPrefix = labels.get(endpoint);
    if (byPrefix === undefined) labels.set(endpoint, (byPrefix = new Map()));
    let label = byPrefix.get(prefix);
    if (label === undefined) byPrefix.set(prefix, (label = `/tenants/:tenantId/dsp${prefix}${endpoint.path}`));
    return label;
  };

  const route: FastRoute = {
    label: '/tenants/:tenantId/dsp',
    failure: transportError,
    match(method, pathname, req) {
      if (method !== 'GET' && method !== 'POST') return undefined;
      const m = DSP_PATH.exec(pathname);
      if (m === null || !plainJson(req)) return undefined;
      const tenantId = decodePathSegment(m[1] as string);
      const prefix = m[2] ?? '';
      const found = endpoints.find(method, m[3] as string);
      if (tenantId === undefined || found === undefined) return undefined;
      const dialect = DIALECTS[prefix] as DspDialect;
      return {
        label: labelOf(found.endpoint, prefix),
        handler: async (ctx) => {
          let body: unknown;
          if (method === 'POST') {
            const raw = await ctx.readBody(options.bodyLimitBytes);
            if (raw === undefined) return transportError(413, 'the request body is too large');
            const parsed = parseJsonBody(raw);
            if (parsed === undefined) return transportError(400, 'the request body is not valid JSON');
            body = parsed.value;
          }
          const answer = await endpoints.serve(found.endpoint, { tenantId, dialect, params: found.params, query: ctx.query, body, authorization: ctx.req.headers.authorization });
          return { status: answer.status, ...(answer.headers !== undefined ? { headers: answer.headers } : {}), ...(answer.json !== undefined ? { body: Buffer.from(answer.json) } : {}) };
        },
      };
    },
  };
  return [route];
}
