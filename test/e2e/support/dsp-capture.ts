// Records the DSP messages a control plane sends (via its outbound HTTP client) and validates them against the schemas.
import type { OutboundHttpClient } from '../../../connector/common/outbound-http';
import { createDspValidators, type DspDialect, type DspMessageType } from '../../../connector/dsp';

export interface SentDspMessage {
  readonly url: string;
  readonly type: DspMessageType;
  readonly body: Record<string, unknown>;
}

export interface DspCapture {
  /** Messages sent so far whose `@type` is one of `types` (all when omitted). */
  sent(types?: readonly string[]): SentDspMessage[];
  /** Schema problems of every message sent so far in `dialect` (empty when all are valid). */
  invalid(dialect: DspDialect): string[];
  restore(): void;
}

/** Wraps `http.request`; the wrapped client behaves exactly as before. */
export function captureDspMessages(http: OutboundHttpClient): DspCapture {
  const validators = createDspValidators();
  const original = http.request.bind(http);
  const sent: SentDspMessage[] = [];
  http.request = (req) => {
    if (typeof req.body === 'string' && req.url.includes('/dsp')) {
      const body = JSON.parse(req.body) as Record<string, unknown>;
      if (typeof body['@type'] === 'string') sent.push({ url: req.url, type: body['@type'] as DspMessageType, body });
    }
    return original(req);
  };
  return {
    sent: (types) => sent.filter((m) => types === undefined || types.includes(m.type)),
    invalid(dialect) {
      return sent.flatMap((m) => {
        const v = validators.validate(dialect, m.type, m.body);
        return v.ok ? [] : [`${m.type} to ${m.url}: ${v.message}`];
      });
    },
    restore() {
      http.request = original;
    },
  };
}
