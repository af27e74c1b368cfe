// Framework-neutral answers of the PACT host (status, headers, JSON bytes) and how to send one with Express.
import type { Response } from 'express';
import type { PactErrorResponse } from './pact-errors';

/** One answer of the PACT host; `body` is JSON (`application/json; charset=utf-8`) unless it is empty. */
export interface PactReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A JSON reply of `value`. */
export function jsonReply(status: number, value: unknown, headers?: Readonly<Record<string, string>>): PactReply {
  return { status, body: Buffer.from(JSON.stringify(value)), ...(headers === undefined ? {} : { headers }) };
}

/** The reply of a PACT error. */
export function errorReply(e: PactErrorResponse, headers?: Readonly<Record<string, string>>): PactReply {
  return jsonReply(e.status, e.body, headers);
}

/** Sends `reply` through Express (the fast lane writes the same reply straight to node:http). */
export function sendReply(res: Response, reply: PactReply): void {
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.end(reply.body);
}
