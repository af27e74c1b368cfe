// winston JSON logger with component/tenant/correlation fields and redaction of secrets and tokens.
import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  readonly level: string;
  /** Extra transports (tests capture logs with a stream transport). */
  readonly transports?: winston.transport[];
  readonly silent?: boolean;
}

const SECRET_KEY = /(authorization|token|secret|password|passwd|api[-_]?key|private[-_]?key|credential|cookie|^d$|^k$|sessiontoken|accesskey)/i;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const API_KEY = /\bpcf(op|k)_[A-Za-z0-9_-]{10,}/g;
const REDACTED = '[redacted]';

/** Replaces token-like substrings (JWTs, bearer/basic credentials, our API keys) in free text. */
export function redactText(text: string): string {
  return text.replace(JWT, REDACTED).replace(BEARER, `$1 ${REDACTED}`).replace(API_KEY, REDACTED);
}

/** Deep copy of `value` with secret-named fields and token-like strings redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'boolean' && typeof v !== 'number' ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');

const redactFormat = winston.format((info) => {
  const { level, message, ...rest } = info;
  const cleaned = redactValue(rest) as Record<string, unknown>;
  const out: winston.Logform.TransformableInfo = { level, message: typeof message === 'string' ? redactText(message) : redactValue(message), ...cleaned };
  const sym = info as unknown as Record<symbol, unknown>;
  (out as unknown as Record<symbol, unknown>)[LEVEL] = sym[LEVEL];
  (out as unknown as Record<symbol, unknown>)[MESSAGE] = sym[MESSAGE];
  return out;
});

/** The root logger; components take `logger.child({ component })`. */
export function createLogger(options: LoggerOptions): Logger {
  // winston formats every entry before its transports drop the disabled levels: drop them first, so a debug or
  // info line on a hot path costs nothing when that level is off (redaction deep-copies the entry).
  const gate = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const logger: Logger = winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    format: winston.format.combine(gate(), redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: options.transports ?? [new winston.transports.Console()],
  });
  // A disabled level returns before winston builds and streams the entry (children inherit these methods).
  const methods = logger as unknown as Record<string, (...args: unknown[]) => Logger>;
  for (const level of Object.keys(logger.levels)) {
    const write = methods[level];
    methods[level] = function (this: Logger, ...args: unknown[]): Logger {
      return logger.isLevelEnabled(level) ? write.apply(this, args) : this;
    };
  }
  return logger;
}

/** A logger that writes nothing (unit tests). */
export function silentLogger(): Logger {
  return createLogger({ level: 'error', silent: true });
}
