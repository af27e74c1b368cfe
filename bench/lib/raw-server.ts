// The baseline: a raw node:http server answering every request with fixed bytes (what a hand-tuned server could do).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startRawServer(body: Buffer | string, contentType = 'application/json'): Promise<{ url: string; close(): Promise<void> }> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
