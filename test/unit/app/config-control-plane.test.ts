// Control-plane timer options: the policy monitor interval (default, environment name, file path, validation).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../connector/app/config';

describe('control-plane configuration', () => {
  it('monitors usage policies every 60 s by default', () => {
    expect(loadConfig({}).config.controlPlane).toEqual({ policyMonitorIntervalMs: 60_000 });
    expect(Object.isFrozen(loadConfig({}).config.controlPlane)).toBe(true);
  });

  it('reads PCF_POLICY_MONITOR_INTERVAL_MS and the file path controlPlane.policyMonitorIntervalMs', () => {
    expect(loadConfig({ PCF_POLICY_MONITOR_INTERVAL_MS: '5000' }).config.controlPlane.policyMonitorIntervalMs).toBe(5000);
    const file = join(mkdtempSync(join(tmpdir(), 'pcf-cfg-')), 'config.json');
    writeFileSync(file, JSON.stringify({ controlPlane: { policyMonitorIntervalMs: 1000 } }));
    expect(loadConfig({}, file).config.controlPlane.policyMonitorIntervalMs).toBe(1000);
    expect(loadConfig({ PCF_POLICY_MONITOR_INTERVAL_MS: '2000' }, file).config.controlPlane.policyMonitorIntervalMs).toBe(2000);
  });

  it('refuses intervals below 1 s and non-integers, naming the variable', () => {
    expect(() => loadConfig({ PCF_POLICY_MONITOR_INTERVAL_MS: '999' })).toThrow(/\/controlPlane\/policyMonitorIntervalMs \(from PCF_POLICY_MONITOR_INTERVAL_MS\): must be >= 1000/);
    expect(() => loadConfig({ PCF_POLICY_MONITOR_INTERVAL_MS: '1.5s' })).toThrow(/\/controlPlane\/policyMonitorIntervalMs \(from PCF_POLICY_MONITOR_INTERVAL_MS\): must be integer/);
    const file = join(mkdtempSync(join(tmpdir(), 'pcf-cfg-')), 'config.json');
    writeFileSync(file, JSON.stringify({ controlPlane: { monitorInterval: 1000 } }));
    expect(() => loadConfig({}, file)).toThrow(/\/controlPlane: must NOT have additional properties \(monitorInterval\)/);
  });
});
