// Identity options: BDRS URL and cache, presentation cache TTL (defaults, environment names, validation, warnings).
import { loadConfig } from '../../../connector/app/config';

const PRODUCTION = { PCF_MODE: 'production', DATABASE_URL: 'postgres://db/pcf', PCF_MASTER_KEY: 'A'.repeat(43), PCF_OPERATOR_KEY: 'k'.repeat(40), PCF_PUBLIC_URL: 'https://pcf.example.com' };

describe('identity configuration', () => {
  it('defaults: built-in directory, BDRS cache 900 s, presentation cache 60 s', () => {
    const { identity } = loadConfig({}).config;
    expect(identity.bdrsUrl).toBeUndefined();
    expect(identity.bdrsCacheSeconds).toBe(900);
    expect(identity.presentationCacheSeconds).toBe(60);
  });

  it('reads PCF_BDRS_URL, PCF_BDRS_CACHE_SECONDS and PCF_PRESENTATION_CACHE_SECONDS', () => {
    const { config, warnings } = loadConfig({ ...PRODUCTION, PCF_BDRS_URL: 'https://bdrs.example.com/api/directory', PCF_BDRS_CACHE_SECONDS: '600', PCF_PRESENTATION_CACHE_SECONDS: '0' });
    expect(config.identity).toMatchObject({ bdrsUrl: 'https://bdrs.example.com/api/directory', bdrsCacheSeconds: 600, presentationCacheSeconds: 0 });
    expect(warnings.join(' ')).not.toMatch(/BDRS|presentationCache/);
  });

  it('fails fast on malformed values, naming the variable', () => {
    expect(() => loadConfig({ PCF_BDRS_URL: 'ftp://bdrs.example.com' })).toThrow(/\/identity\/bdrsUrl \(from PCF_BDRS_URL\)/);
    expect(() => loadConfig({ PCF_BDRS_URL: 'https://user:pw@bdrs.example.com' })).toThrow(/\/identity\/bdrsUrl/);
    expect(() => loadConfig({ PCF_BDRS_CACHE_SECONDS: '5' })).toThrow(/\/identity\/bdrsCacheSeconds \(from PCF_BDRS_CACHE_SECONDS\): must be >= 30/);
    expect(() => loadConfig({ PCF_PRESENTATION_CACHE_SECONDS: '-1' })).toThrow(/\/identity\/presentationCacheSeconds \(from PCF_PRESENTATION_CACHE_SECONDS\): must be >= 0/);
    expect(() => loadConfig({ PCF_PRESENTATION_CACHE_SECONDS: 'soon' })).toThrow(/presentationCacheSeconds.*must be integer/);
  });

  it('warns about a plain-http BDRS in production and a long presentation cache', () => {
    const { warnings } = loadConfig({ ...PRODUCTION, PCF_BDRS_URL: 'http://bdrs.internal/api/directory', PCF_PRESENTATION_CACHE_SECONDS: '900' });
    expect(warnings.join(' ')).toMatch(/BDRS URL is plain http/);
    expect(warnings.join(' ')).toMatch(/revoked partner credential is accepted for up to that long/);
  });
});
