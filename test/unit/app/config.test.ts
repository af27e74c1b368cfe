import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../connector/app/config';

describe('configuration', () => {
  it('has an embedded default that needs no settings', () => {
    const { config, warnings } = loadConfig({});
    expect(config).toMatchObject({ mode: 'embedded', dataDir: './data', server: { port: 8080, publicUrl: 'http://localhost:8080' } });
    expect(config.database.url).toBeUndefined();
    expect(warnings.join(' ')).toMatch(/PCF_MASTER_KEY/);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('lets embedded tenants on a loopback URL call each other, and nothing else by default', () => {
    expect(loadConfig({}).config.outbound.allowLoopback).toBe(true);
    expect(loadConfig({ PCF_OUTBOUND_ALLOW_LOOPBACK: 'false' }).config.outbound.allowLoopback).toBe(false);
    expect(loadConfig({ PCF_PUBLIC_URL: 'https://pcf.example.com' }).config.outbound.allowLoopback).toBe(false);
    const production = { PCF_MODE: 'production', DATABASE_URL: 'postgres://db/pcf', PCF_MASTER_KEY: 'A'.repeat(43), PCF_OPERATOR_KEY: 'k'.repeat(40) };
    expect(loadConfig(production).config.outbound.allowLoopback).toBe(false);
  });

  it('reads the documented environment names', () => {
    const { config } = loadConfig({
      PORT: '9000', PCF_PUBLIC_URL: 'https://pcf.example.com/', PCF_DATA_DIR: '/var/lib/pcf', DATABASE_URL: 'postgres://u@db/pcf',
      PCF_OPERATOR_KEY: 'x'.repeat(32), PCF_ALLOWED_REGIONS: 'eu-central-1, eu-west-1', PCF_OUTBOUND_ALLOW_LOOPBACK: 'true',
    });
    expect(config.server.port).toBe(9000);
    expect(config.server.publicUrl).toBe('https://pcf.example.com');
    expect(config.dataDir).toBe('/var/lib/pcf');
    expect(config.database.url).toBe('postgres://u@db/pcf');
    expect(config.tenancy.allowedRegions).toEqual(['eu-central-1', 'eu-west-1']);
    expect(config.outbound.allowLoopback).toBe(true);
  });

  it('fails fast naming the option path and the variable it came from', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/\/server\/port \(from PORT\): must be integer/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/\/server\/port \(from PORT\): must be <= 65535/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/\/database\/url \(from DATABASE_URL\)/);
    expect(() => loadConfig({ PCF_PUBLIC_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ PCF_DEFAULT_REGION: 'eu-west-1' })).toThrow(/\/tenancy\/defaultRegion: must be one of/);
    expect(() => loadConfig({ PCF_AUTH_ISSUER: 'cognito' })).toThrow(/\/auth\/cognito: is required/);
  });

  it('requires the production secrets and warns about unsafe production settings', () => {
    expect(() => loadConfig({ PCF_MODE: 'production' })).toThrow(/DATABASE_URL.*PCF_MASTER_KEY.*PCF_OPERATOR_KEY/);
    const { warnings } = loadConfig({
      PCF_MODE: 'production', DATABASE_URL: 'postgres://db/pcf', PCF_MASTER_KEY: 'A'.repeat(43), PCF_OPERATOR_KEY: 'k'.repeat(40),
      PCF_OUTBOUND_ALLOW_PRIVATE: 'true',
    });
    expect(warnings.join('\n')).toMatch(/built-in token issuer is enabled in production/);
    expect(warnings.join('\n')).toMatch(/SSRF/);
    expect(warnings.join('\n')).toMatch(/plain http in production/);
  });

  it('reads a JSON config file, with environment variables taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcf-cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ server: { port: 7000, bodyLimitBytes: 2048 }, log: { level: 'debug' } }));
    const { config } = loadConfig({ PORT: '7001' }, file);
    expect(config.server.port).toBe(7001);
    expect(config.server.bodyLimitBytes).toBe(2048);
    expect(config.log.level).toBe('debug');
    writeFileSync(file, JSON.stringify({ outbound: { allowLoopback: false } }));
    expect(loadConfig({}, file).config.outbound.allowLoopback).toBe(false);
    writeFileSync(file, JSON.stringify({ server: { portt: 1 } }));
    expect(() => loadConfig({}, file)).toThrow(/\/server: must NOT have additional properties \(portt\)/);
    writeFileSync(file, '{oops');
    expect(() => loadConfig({}, file)).toThrow(/not valid JSON/);
    expect(() => loadConfig({}, join(dir, 'missing.json'))).toThrow(/does not exist/);
  });
});
