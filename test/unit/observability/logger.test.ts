import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, redactText } from '../../../connector/observability/logger';

function capture(): { lines: string[]; transport: winston.transport } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { lines, transport: new winston.transports.Stream({ stream }) };
}

describe('logger redaction', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

  it('redacts secret-named fields, JWTs, bearer and API keys, keeping the rest', () => {
    const { lines, transport } = capture();
    const log = createLogger({ level: 'info', transports: [transport] }).child({ component: 'test', tenantId: 't1' });
    log.info(`got header Bearer ${jwt} and key pcfk_abcdefghijklmnop`, {
      headers: { authorization: `Bearer ${jwt}`, 'x-api-key': 'pcfk_abcdefghijklmnop' },
      clientSecret: 'hunter2',
      nested: { token: 'abc', note: `embedded ${jwt}` },
      count: 3,
    });
    const text = lines.join('');
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pcfk_abcdefghijklmnop');
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry.component).toBe('test');
    expect(entry.tenantId).toBe('t1');
    expect(entry.count).toBe(3);
    expect(entry.clientSecret).toBe('[redacted]');
  });

  it('redacts basic credentials in free text', () => {
    expect(redactText('Authorization: Basic Zm9vOmJhcg==')).toBe('Authorization: Basic [redacted]');
  });
});
