// Self-signed loopback certificates (openssl) and an HTTPS client that trusts them, for tests and the conformance run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopbackCert {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM of the certificate, to hand to clients as `ca`. */
  readonly certPem: string;
  remove(): void;
}

/** A one-day EC P-256 certificate for CN=127.0.0.1 with subjectAltName IP:127.0.0.1, in a fresh temp dir. */
export function createLoopbackCert(dir: string = mkdtempSync(join(tmpdir(), 'pcf-tls-'))): LoopbackCert {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'pipe' });
  return { dir, certFile, keyFile, certPem: readFileSync(certFile, 'utf8'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface HttpsReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

/** One HTTPS request that trusts only `ca`; the body is sent as given (string) or as JSON. */
export function httpsCall(ca: string, url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the public URL must carry the real port). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
