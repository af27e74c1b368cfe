// The one SSRF-safe outbound HTTP client: refused address ranges, DNS pinning, deadlines, size limits, no redirects.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { Success } from './result';
import { classifyAddress, unbracketHost, type AddressClass } from './ip-ranges';

export interface OutboundHttpConfig {
  /** Allow 127.0.0.0/8 and ::1 (tests, local development). Default false. */
  readonly allowLoopback?: boolean;
  /** Allow RFC 1918, CGNAT and IPv6 unique-local addresses (in-cluster services). Default false. */
  readonly allowPrivate?: boolean;
  /** Host names or IP literals (lower case) exempt from the address checks, e.g. an internal BDRS. */
  readonly allowedHosts?: readonly string[];
  /** Deadline for the whole exchange (DNS, connect, headers, body), ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Largest accepted response body, bytes. Default 2 MiB. */
  readonly maxResponseBytes?: number;
  /** Upper bound of concurrent sockets per origin in the keep-alive agents. Default 64. */
  readonly maxSocketsPerHost?: number;
  /**
   * How long an idle keep-alive socket is kept, ms (lowered to the server's `Keep-Alive: timeout` hint minus one
   * second). Default 4 000: below the 5 s idle timeout of Node servers, the shortest common one, so a request is never
   * written to a socket the server is closing at that moment (which fails with ECONNRESET).
   */
  readonly idleSocketTimeoutMs?: number;
  readonly userAgent?: string;
  /** Resolves a host name to addresses; default `dns.lookup(all)`. Injected by tests. */
  readonly resolve?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
  /** Extra CA certificates for HTTPS (tests, private PKI). */
  readonly ca?: string | readonly string[];
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface OutboundRequest {
  readonly url: string;
  readonly method?: HttpMethod;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Overrides the configured deadline for this call. */
  readonly timeoutMs?: number;
  /** Overrides the configured body limit for this call. */
  readonly maxResponseBytes?: number;
}

export interface OutboundJsonRequest extends Omit<OutboundRequest, 'body'> {
  /** Serialised as the JSON request body (sets `Content-Type: application/json`). */
  readonly json?: unknown;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  readonly body: Buffer;
}

export interface OutboundJsonResponse {
  readonly status: number;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  readonly json: unknown;
}

export type OutboundFailureReason =
  | 'invalid-url'
  | 'scheme-not-allowed'
  | 'credentials-in-url'
  | 'dns-failure'
  | 'address-refused'
  | 'connection-failed'
  | 'timeout'
  | 'response-too-large'
  | 'redirect-refused'
  | 'http-status'
  | 'invalid-json';

export interface OutboundFailure {
  readonly ok: false;
  readonly reason: OutboundFailureReason;
  readonly message: string;
  /** HTTP status for `http-status` and `redirect-refused`. */
  readonly status?: number;
  /** The refused address class for `address-refused`. */
  readonly addressClass?: AddressClass;
}

export type OutboundResult<T> = Success<T> | OutboundFailure;

/** Outbound HTTP for every call that leaves the process (DID resolution, credential services, DSP, webhooks). */
export interface OutboundHttpClient {
  /** Performs one exchange; any response status is a success value except redirects, which are refused. */
  request(req: OutboundRequest): Promise<OutboundResult<OutboundResponse>>;
  /** Like `request`, but requires a 2xx status and parses the body as JSON. */
  requestJson(req: OutboundJsonRequest): Promise<OutboundResult<OutboundJsonResponse>>;
  /** Destroys the keep-alive sockets. */
  close(): void;
}

function failure(reason: OutboundFailureReason, message: string, extra: Partial<OutboundFailure> = {}): OutboundFailure {
  return { ok: false, reason, message, ...extra };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function defaultResolve(hostname: string): Promise<readonly ResolvedAddress[]> {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** Creates the client with its own keep-alive agents. */
export function createOutboundHttpClient(config: OutboundHttpConfig = {}): OutboundHttpClient {
  const timeoutMs = config.timeoutMs ?? 10_000;
  const maxBytes = config.maxResponseBytes ?? 2 * 1024 * 1024;
  const allowedHosts = new Set((config.allowedHosts ?? []).map((h) => unbracketHost(h.toLowerCase())));
  const resolve = config.resolve ?? defaultResolve;
  const agentOptions = {
    keepAlive: true, maxSockets: config.maxSocketsPerHost ?? 64, maxFreeSockets: 16, scheduling: 'lifo' as const,
    // The agent closes a free socket after this idle time; requests in flight keep their own deadline (`timeoutMs`).
    timeout: config.idleSocketTimeoutMs ?? 4_000,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({ ...agentOptions, ca: config.ca as string | string[] | undefined });

  function refusal(cls: AddressClass): boolean {
    if (cls === 'public') return false;
    if (cls === 'loopback') return !config.allowLoopback;
    if (cls === 'private' || cls === 'unique-local') return !config.allowPrivate;
    return true;
  }

  async function checkedAddress(host: string): Promise<OutboundResult<ResolvedAddress>> {
    const exempt = allowedHosts.has(host);
    let addresses: readonly ResolvedAddress[];
    const literal = isIP(host);
    if (literal !== 0) {
      addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await resolve(host);
      } catch (err) {
        return failure('dns-failure', `cannot resolve ${host}: ${(err as Error).message}`);
      }
      if (addresses.length === 0) return failure('dns-failure', `no address for ${host}`);
    }
    if (!exempt) {
      // Every answer must be acceptable: a mixed answer is a classic rebinding set-up.
      for (const a of addresses) {
        const cls = classifyAddress(a.address);
        if (refusal(cls)) {
          return failure('address-refused', `${host} resolves to a ${cls} address, which outbound calls may not reach`, { addressClass: cls });
        }
      }
    }
    return { ok: true, value: addresses[0] };
  }

  function exchange(
    url: URL,
    pinned: ResolvedAddress,
    req: OutboundRequest,
    limit: number,
    signal: AbortSignal,
  ): Promise<OutboundResult<OutboundResponse>> {
    const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body);
    const headers: Record<string, string> = { 'user-agent': config.userAgent ?? 'pcf-connector', 'accept-encoding': 'identity', ...req.headers };
    if (body !== undefined) headers['content-length'] = String(body.length);
    const isHttps = url.protocol === 'https:';
    return new Promise((resolvePromise) => {
      let settled = false;
      const settle = (r: OutboundResult<OutboundResponse>): void => {
        if (!settled) {
          settled = true;
          resolvePromise(r);
        }
      };
      const options: https.RequestOptions = {
        method: req.method ?? 'GET',
        hostname: unbracketHost(url.hostname),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
        lookup: pinnedLookup,
        signal,
      };
      const onResponse = (res: http.IncomingMessage): void => {
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          res.resume();
          settle(failure('redirect-refused', `redirect (${status}) not followed`, { status }));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > limit) {
          settle(failure('response-too-large', `response declares ${declared} bytes, limit is ${limit}`));
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            settle(failure('response-too-large', `response exceeds ${limit} bytes`));
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => settle({ ok: true, value: { status, headers: res.headers, body: Buffer.concat(chunks) } }));
        res.on('error', (err) => settle(failure(signal.aborted ? 'timeout' : 'connection-failed', `response failed: ${err.message}`)));
        res.on('aborted', () => settle(failure(signal.aborted ? 'timeout' : 'connection-failed', 'response aborted')));
      };
      const outgoing = isHttps ? https.request(options, onResponse) : http.request(options, onResponse);
      outgoing.on('error', (err) => {
        if (signal.aborted) settle(failure('timeout', `no complete response within the deadline`));
        else settle(failure('connection-failed', `request to ${url.host} failed: ${err.message}`));
      });
      outgoing.end(body);
    });
  }

  async function request(req: OutboundRequest): Promise<OutboundResult<OutboundResponse>> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return failure('invalid-url', 'not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failure('scheme-not-allowed', `scheme ${url.protocol} is not allowed`);
    if (url.username !== '' || url.password !== '') return failure('credentials-in-url', 'URLs with user information are refused');
    const host = unbracketHost(url.hostname.toLowerCase());
    const deadline = req.timeoutMs ?? timeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<OutboundFailure>((r) => {
      timer = setTimeout(() => {
        controller.abort();
        r(failure('timeout', `no complete response within ${deadline} ms`));
      }, deadline);
    });
    try {
      const addr = await Promise.race([checkedAddress(host), timedOut]);
      if (!addr.ok) return addr;
      return await Promise.race([exchange(url, addr.value, req, req.maxResponseBytes ?? maxBytes, controller.signal), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function requestJson(req: OutboundJsonRequest): Promise<OutboundResult<OutboundJsonResponse>> {
    const { json, ...rest } = req;
    const headers: Record<string, string> = { accept: 'application/json', ...rest.headers };
    let body: string | undefined;
    if (json !== undefined) {
      body = JSON.stringify(json);
      headers['content-type'] = 'application/json';
    }
    const res = await request({ ...rest, headers, body });
    if (!res.ok) return res;
    const { status } = res.value;
    if (status < 200 || status > 299) return failure('http-status', `unexpected HTTP status ${status}`, { status });
    try {
      const parsed: unknown = res.value.body.length === 0 ? null : JSON.parse(res.value.body.toString('utf8'));
      return { ok: true, value: { status, headers: res.value.headers, json: parsed } };
    } catch (err) {
      return failure('invalid-json', `response is not valid JSON: ${(err as Error).message}`);
    }
  }

  return {
    request,
    requestJson,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
