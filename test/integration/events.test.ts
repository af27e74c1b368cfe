// Real-time events through the runtime: SSE stream per tenant, isolation, Last-Event-ID resume, auth, shutdown.
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

interface SseEvent {
  readonly id?: string;
  readonly data: { id?: string; type: string; subject?: string; data: Record<string, unknown> };
}

interface SseClient {
  readonly status: number;
  readonly events: SseEvent[];
  readonly comments: string[];
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  waitFor(pred: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

async function openStream(baseUrl: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/management/v3/events`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  const ended = (async () => {
    if (res.body === null || res.status !== 200) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let id: string | undefined;
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data !== '') events.push({ ...(id !== undefined ? { id } : {}), data: JSON.parse(data) as SseEvent['data'] });
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return {
    status: res.status, events, comments, ended,
    async waitFor(pred, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!pred(events)) {
        if (Date.now() > until) throw new Error(`stream condition not met in ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => [e.id, e.data.type, e.data.subject]))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => abort.abort(),
  };
}

/** Starts a negotiation towards an address where nothing listens: it yields the tenant's own events without a partner. */
async function negotiateWithNobody(baseUrl: string, apiKey: string, offerId: string): Promise<string> {
  const r = await call(baseUrl, 'POST', '/management/v3/contractnegotiations', { 'x-api-key': apiKey }, {
    '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' }],
    '@type': 'ContractRequest', counterPartyAddress: 'http://127.0.0.1:9/tenants/nobody/dsp/2025-1', counterPartyId: 'did:web:127.0.0.1%3A9:tenants:nobody',
    protocol: 'dataspace-protocol-http:2025-1',
    policy: { '@id': offerId, '@type': 'Offer', target: 'pcf-exchange', assigner: 'did:web:127.0.0.1%3A9:tenants:nobody', permission: [{ action: 'use' }] },
  });
  expect(r.status).toBe(200);
  return (r.body as { '@id': string })['@id'];
}

const subjects = (events: SseEvent[]): string[] => events.map((e) => e.data.subject ?? '');

describe.each(testEngines())('GET /management/v3/events on %s', (engine) => {
  let rt: TestRuntime;
  let keyA: string;
  let keyB: string;
  const streams: SseClient[] = [];
  let closed = false;

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const op = { authorization: `Bearer ${rt.operatorKey}` };
    const a = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'ev-a', displayName: 'A', bpn: 'BPNL0000000000EA' });
    const b = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'ev-b', displayName: 'B', bpn: 'BPNL0000000000EB' });
    expect([a.status, b.status]).toEqual([201, 201]);
    keyA = (a.body as { adminApiKey: string }).adminApiKey;
    keyB = (b.body as { adminApiKey: string }).adminApiKey;
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    if (!closed) await rt?.close();
  });

  it('refuses callers without credentials (401) and a malformed Last-Event-ID (400)', async () => {
    const anonymous = await call(rt.baseUrl, 'GET', '/management/v3/events');
    expect(anonymous.status).toBe(401);
    const bad = await call(rt.baseUrl, 'GET', '/management/v3/events', { 'x-api-key': keyA, 'last-event-id': 'abc' });
    expect(bad.status).toBe(400);
    const badQuery = await call(rt.baseUrl, 'GET', '/management/v3/events?lastEventId=-1', { 'x-api-key': keyA });
    expect(badQuery.status).toBe(400);
  });

  it('streams only the tenant’s own events and resumes after Last-Event-ID', async () => {
    const sA = await openStream(rt.baseUrl, { 'x-api-key': keyA });
    const sB = await openStream(rt.baseUrl, { 'x-api-key': keyB });
    streams.push(sA, sB);
    expect([sA.status, sB.status]).toEqual([200, 200]);

    const n1 = await negotiateWithNobody(rt.baseUrl, keyA, 'offer-1');
    await sA.waitFor((es) => subjects(es).includes(n1));
    const n2 = await negotiateWithNobody(rt.baseUrl, keyA, 'offer-2');
    await sA.waitFor((es) => subjects(es).includes(n2));
    const first = sA.events.find((e) => e.data.subject === n1);
    expect(first?.data.type).toMatch(/^contract\.negotiation\./);
    expect(first?.data.data).toMatchObject({ contractNegotiationId: n1, role: 'consumer' });

    // B's own event arrives after A's were committed, so A's had every chance to leak into B's stream.
    const nb = await negotiateWithNobody(rt.baseUrl, keyB, 'offer-b');
    await sB.waitFor((es) => subjects(es).includes(nb));
    await new Promise((r) => setTimeout(r, 700));
    expect(subjects(sB.events).every((s) => s === nb)).toBe(true);
    expect(subjects(sA.events)).not.toContain(nb);

    // Ids increase strictly; resuming after the last event before n2 replays from n2's first event on, nothing earlier.
    const ids = sA.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    const firstN2 = Number(sA.events.find((e) => e.data.subject === n2)?.id);
    const cutoff = firstN2 - 1;
    const resumed = await openStream(rt.baseUrl, { 'x-api-key': keyA, 'last-event-id': String(cutoff) });
    streams.push(resumed);
    await resumed.waitFor((es) => es.some((e) => Number(e.id) === firstN2));
    const live = sA.events.filter((e) => Number(e.id) > cutoff).map((e) => e.id);
    await resumed.waitFor((es) => live.every((id) => es.some((e) => e.id === id)));
    expect(resumed.events.every((e) => Number(e.id) > cutoff)).toBe(true);
    expect(Number(resumed.events[0]?.id)).toBe(firstN2);
    // B resuming with A's ids still sees nothing of A.
    const bResumed = await openStream(rt.baseUrl, { 'x-api-key': keyB, 'last-event-id': '0' });
    streams.push(bResumed);
    await bResumed.waitFor((es) => subjects(es).includes(nb));
    expect(subjects(bResumed.events).every((s) => s === nb)).toBe(true);
  }, 60_000);

  it('shutdown ends open streams instead of waiting for the grace period', async () => {
    const s = await openStream(rt.baseUrl, { 'x-api-key': keyA });
    streams.push(s);
    expect(s.status).toBe(200);
    const started = Date.now();
    closed = true;
    await rt.close();
    await s.ended;
    // The default grace period is 10 s; open streams must not hold the shutdown that long.
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
