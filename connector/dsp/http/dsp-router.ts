// The DSP endpoints on Express, for the requests the fast lane leaves to it (e.g. compressed bodies), under 2025-1, 2024-1 and 0.8.
import { Router, type Request, type Response } from 'express';
import type { DspDialect } from '../dialects';
import type { DspAnswer, DspEndpoints } from './dsp-endpoints';

const DIALECT_PREFIXES: readonly [string, DspDialect][] = [['/2025-1', '2025-1'], ['/2024-1', '2024-1'], ['/', '0.8']];

function send(res: Response, answer: DspAnswer): void {
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
  if (answer.json === undefined) {
    res.status(answer.status).end();
    return;
  }
  res.status(answer.status).type('application/json').send(answer.json);
}

export function createDspRouter(endpoints: DspEndpoints): Router {
  const root = Router({ mergeParams: true });
  for (const [prefix, dialect] of DIALECT_PREFIXES) {
    const r = Router({ mergeParams: true });
    for (const endpoint of endpoints.list) {
      const handler = async (req: Request, res: Response): Promise<void> => {
        const params = req.params as Record<string, string>;
        const answer = await endpoints.serve(endpoint, {
          tenantId: String(params['tenantId'] ?? ''), dialect, params, query: req.query as Record<string, unknown>, body: req.body as unknown,
          authorization: req.get('authorization'),
        });
        send(res, answer);
      };
      if (endpoint.method === 'GET') r.get(endpoint.path, handler);
      else r.post(endpoint.path, handler);
    }
    root.use(prefix, r);
  }
  return root;
}

/** Our callbackAddress for a tenant and dialect: the DSP base plus `/callback`. */
export function callbackAddressOf(dspBase: string): string {
  return `${dspBase.replace(/\/+$/, '')}/callback`;
}
