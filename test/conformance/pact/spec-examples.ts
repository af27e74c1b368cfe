// Test helper: loads the PACT and Catena-X PCF spec examples from ../shared/specs (tests only; absent at runtime).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SPECS = path.resolve(__dirname, '../../..', '../shared/specs');

export interface ExampleFootprint {
  readonly file: string;
  readonly version: 'v2' | 'v3';
  readonly index: number;
  readonly doc: Record<string, unknown>;
  readonly meantValid: boolean;
}

function footprintsIn(file: string, json: Record<string, unknown>): Record<string, unknown>[] {
  if (file.startsWith('example-')) return [json];
  const data = json.data;
  if (Array.isArray(data)) return data as Record<string, unknown>[];
  if (typeof data === 'object' && data !== null) {
    const pfs = (data as Record<string, unknown>).pfs;
    return Array.isArray(pfs) ? (pfs as Record<string, unknown>[]) : [data as Record<string, unknown>];
  }
  return [];
}

/** Every ProductFootprint contained in the PACT examples (responses, events, single documents). */
export function pactExampleFootprints(): ExampleFootprint[] {
  const out: ExampleFootprint[] = [];
  for (const version of ['v2', 'v3'] as const) {
    const dir = path.join(SPECS, 'pact', version, 'examples');
    for (const file of readdirSync(dir).sort()) {
      if (file.startsWith('error-')) continue;
      const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
      footprintsIn(file, json).forEach((doc, index) => out.push({ file, version, index, doc, meantValid: !file.startsWith('invalid-') }));
    }
  }
  return out;
}

export function readSpecJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(path.join(SPECS, ...parts), 'utf8')) as unknown;
}

/** The Catena-X PCF example of each data-model version. */
export function catenaXExamples(): { version: '7.0.0' | '8.0.0' | '9.0.0'; doc: Record<string, unknown> }[] {
  return (['7.0.0', '8.0.0', '9.0.0'] as const).map((version) => ({
    version,
    doc: readSpecJson('catenax-pcf', version, 'Pcf.json') as Record<string, unknown>,
  }));
}
