// The control-plane bench's management client and callback sink, on a worker thread: the runtime's event loop serves only the runtime.
import { readlinkSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

type Json = Record<string, unknown>;

const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };

/** What the client needs to drive flows: the runtime, the consumer's management key and the provider as DSP target. */
export interface FlowClientSetup {
  readonly base: string;
  readonly apiKey: string;
  readonly target: { readonly counterPartyAddress: string; readonly counterPartyId: string; readonly protocol: string };
}

/** Flows run `width` at a time until `total` have run: each one's latency in ms (in completion order) and failures. */
export interface FlowRun {
  readonly latencies: number[];
  readonly failures: string[];
  readonly seconds: number;
}

interface RunRequest { readonly id: number; readonly width: number; readonly total: number }

/** A handle on the worker thread that runs the flows. */
export interface FlowClient {
  /** The worker's Linux thread id (from /proc/thread-self), to tell its CPU time apart; undefined off Linux. */
  readonly threadId: string | undefined;
  run(width: number, total: number): Promise<FlowRun>;
  close(): Promise<void>;
}

/** Starts the client on a worker thread (the bench runs under tsx, so the worker registers tsx before loading this file). */
export async function startFlowClient(setup: FlowClientSetup): Promise<FlowClient> {
  const file = resolve(__dirname, 'flow-client.ts');
  const worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true, workerData: setup });
  const pending = new Map<number, (r: FlowRun) => void>();
  let failed: Error | undefined;
  worker.on('error', (err) => {
    failed = err;
    for (const done of pending.values()) done({ latencies: [], failures: [`flow client: ${err.message}`], seconds: 0 });
    pending.clear();
  });
  const threadId = await new Promise<string | undefined>((ok, fail) => {
    worker.once('message', (m: { ready: true; threadId?: string }) => ok(m.threadId));
    worker.once('error', fail);
  });
  worker.on('message', (m: FlowRun & { id: number }) => {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  let next = 0;
  return {
    threadId,
    run: (width, total) => new Promise<FlowRun>((done) => {
      if (failed !== undefined) return done({ latencies: [], failures: [`flow client: ${failed.message}`], seconds: 0 });
      const id = next++;
      pending.set(id, done);
      worker.postMessage({ id, width, total } satisfies RunRequest);
    }),
    close: async () => void (await worker.terminate()),
  };
}

/**
 * node:http over a keep-alive agent. Idle sockets are dropped after 4 s, before the runtime's 5 s keep-alive timeout:
 * reusing a socket the server is closing at that moment fails with ECONNRESET (seen once in 200 concurrent flows).
 */
const clientAgent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

async function api(base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { status, text } = await new Promise<{ status: number; text: string }>((ok, fail) => {
    const req = request(`${base}/management/v3${path}`, {
      method, agent: clientAgent,
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...(payload !== undefined ? { 'content-length': Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(payload);
  });
  return { status, json: text === '' ? {} : (JSON.parse(text) as Json) };
}

/** A loopback receiver of EDC callback events: resolves waiters by process id (no polling). */
function callbackSink(): { server: Server; url: () => string; wait: (id: string, type: string) => Promise<Json> } {
  const waiters = new Map<string, (p: Json) => void>();
  const early = new Map<string, Json>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      try {
        const ev = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; payload: Json };
        const id = String(ev.payload['contractNegotiationId'] ?? ev.payload['transferProcessId']);
        const key = `${ev.type}:${id}`;
        const w = waiters.get(key);
        if (w !== undefined) w(ev.payload);
        else early.set(key, ev.payload);
      } catch {
        // not an event
      }
    });
  });
  return {
    server,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    wait: (id, type) => {
      const key = `${type}:${id}`;
      const got = early.get(key);
      if (got !== undefined) {
        early.delete(key);
        return Promise.resolve(got);
      }
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`${key} not reached in 60 s`)), 60_000);
        waiters.set(key, (p) => { clearTimeout(timer); waiters.delete(key); ok(p); });
      });
    },
  };
}

/** The worker: catalog request → negotiation FINALIZED (callback) → transfer STARTED (callback), as often as asked. */
async function serve(setup: FlowClientSetup): Promise<void> {
  const sink = callbackSink();
  await new Promise<void>((ok) => sink.server.listen(0, '127.0.0.1', ok));
  const { base, apiKey, target } = setup;
  const oem = (m: string, p: string, b?: unknown) => api(base, apiKey, m, p, b);
  const callbacks = [{ uri: sink.url(), events: ['contract.negotiation.finalized', 'contract.negotiation.terminated', 'transfer.process.started', 'transfer.process.terminated'], transactional: false }];

  async function flow(): Promise<number> {
    const t0 = performance.now();
    const cat = await oem('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', ...target });
    if (cat.status !== 200) throw new Error(`catalog ${cat.status} ${JSON.stringify(cat.json).slice(0, 200)}`);
    const ds = (cat.json['dataset'] as Json[]).find((d) => d['@id'] === 'pcf-exchange') as Json;
    const offer = (ds['hasPolicy'] as Json[])[0];
    const n = await oem('POST', '/contractnegotiations', {
      '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
      '@type': 'ContractRequest', ...target, policy: { ...offer, target: 'pcf-exchange' }, callbackAddresses: callbacks,
    });
    if (n.status !== 200) throw new Error(`negotiation ${n.status} ${JSON.stringify(n.json)}`);
    const fin = await sink.wait(String(n.json['@id']), 'ContractNegotiationFinalized');
    const t = await oem('POST', '/transferprocesses', { '@context': EDC, '@type': 'TransferRequest', contractId: fin['contractAgreementId'], ...target, transferType: 'HttpData-PULL', dataDestination: { type: 'HttpProxy' }, callbackAddresses: callbacks });
    if (t.status !== 200) throw new Error(`transfer ${t.status} ${JSON.stringify(t.json)}`);
    await sink.wait(String(t.json['@id']), 'TransferProcessStarted');
    return performance.now() - t0;
  }

  async function run({ width, total }: RunRequest): Promise<FlowRun> {
    let started = 0;
    const latencies: number[] = [];
    const failures: string[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: width }, async () => {
      while (started < total) {
        started++;
        try {
          latencies.push(await flow());
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    }));
    return { latencies, failures, seconds: (performance.now() - t0) / 1000 };
  }

  let threadId: string | undefined;
  try {
    threadId = readlinkSync('/proc/thread-self').split('/').pop();
  } catch {
    threadId = undefined;
  }
  parentPort?.on('message', (m: RunRequest) => {
    void run(m).then((r) => parentPort?.postMessage({ id: m.id, ...r }));
  });
  parentPort?.postMessage({ ready: true, threadId });
}

if (!isMainThread && parentPort !== null && (workerData as { apiKey?: unknown } | null)?.apiKey !== undefined) void serve(workerData as FlowClientSetup);
