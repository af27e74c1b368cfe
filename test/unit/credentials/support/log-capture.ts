// Captures everything a winston logger writes, so tests can assert that no secret or token reached the logs.
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../../../../connector/observability/logger';

export function captureLogs(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  const logger = createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, text: () => lines.join('') };
}
