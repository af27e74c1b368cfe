// PACT host options: the read cache budget (default, environment name, zero disables, validation).
import { loadConfig } from '../../../connector/app/config';

describe('PACT configuration', () => {
  it('keeps 64 MiB of cached answers by default and reads PCF_PACT_READ_CACHE_MB (0 turns the cache off)', () => {
    expect(loadConfig({}).config.pact).toEqual({ readCacheMb: 64 });
    expect(loadConfig({ PCF_PACT_READ_CACHE_MB: '256' }).config.pact.readCacheMb).toBe(256);
    expect(loadConfig({ PCF_PACT_READ_CACHE_MB: '0' }).config.pact.readCacheMb).toBe(0);
  });

  it('refuses negative and non-integer sizes, naming the variable', () => {
    expect(() => loadConfig({ PCF_PACT_READ_CACHE_MB: '-1' })).toThrow(/\/pact\/readCacheMb \(from PCF_PACT_READ_CACHE_MB\): must be >= 0/);
    expect(() => loadConfig({ PCF_PACT_READ_CACHE_MB: '1.5' })).toThrow(/\/pact\/readCacheMb \(from PCF_PACT_READ_CACHE_MB\): must be integer/);
  });
});
