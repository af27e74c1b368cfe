// Conformance: every DSP 2025-1 and 2024-1 spec example decodes (and 2024-1 ones as 0.8); both decode paths agree.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDspCodec, createDspValidators, dsp08Context, type DspDialect, type DspMessageType } from '../../../connector/dsp';
import { createDspExpander } from '../../../connector/dsp/jsonld-expand';

const SPECS = path.resolve(__dirname, '../../..', '../shared/specs');

function examples(dir: string): [string, Record<string, unknown>][] {
  const full = path.join(SPECS, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [`${dir}/${f}`, JSON.parse(readFileSync(path.join(full, f), 'utf8')) as Record<string, unknown>]);
}

function typeOf(body: Record<string, unknown>): DspMessageType {
  const t = body['@type'];
  return (typeof t === 'string' ? t.replace(/^(dspace|dcat):/, '') : 'VersionResponse') as DspMessageType;
}

const messages2025 = ['catalog/example', 'negotiation/example', 'transfer/example'].flatMap((d) => examples(`dsp-2025-1/${d}`));
const messages2024 = ['catalog/message/example', 'negotiation/message/example', 'transfer/message/example'].flatMap((d) => examples(`dsp-2024-1/${d}`));

const validators = createDspValidators();
const codec = createDspCodec({ validators });
const expander = createDspExpander();

describe('DSP spec examples', () => {
  it('finds the example files', () => {
    expect(messages2025.length).toBeGreaterThanOrEqual(24);
    expect(messages2024.length).toBeGreaterThanOrEqual(23);
  });

  const cases: [string, DspDialect, Record<string, unknown>][] = [
    ...messages2025.map(([name, body]): [string, DspDialect, Record<string, unknown>] => [name, '2025-1', body]),
    ...messages2024.map(([name, body]): [string, DspDialect, Record<string, unknown>] => [name, '2024-1', body]),
    ...messages2024.map(([name, body]): [string, DspDialect, Record<string, unknown>] => [`${name} as 0.8`, '0.8', { ...body, '@context': dsp08Context() }]),
  ];

  it.each(cases)('%s decodes on the canonical path, and its expanded form decodes to the same message', async (_name, dialect, body) => {
    const type = typeOf(body);
    const fast = await codec.decodeWithPath(body, dialect, type);
    if (!fast.ok) throw new Error(fast.message);
    expect(fast.value.path).toBe('canonical');
    expect(fast.value.message.type).toBe(type);

    const expanded = await expander.expand(body);
    if (!expanded.ok) throw new Error(expanded.message);
    const slow = await codec.decodeWithPath(expanded.value, dialect, type);
    if (!slow.ok) throw new Error(slow.message);
    expect(slow.value.path).toBe('expanded');
    expect(slow.value.message).toEqual(fast.value.message);
  });

  it('decodes the 2025-1 version example', async () => {
    const [[, body]] = examples('dsp-2025-1/common/example').filter(([n]) => n.endsWith('protocol-version.json')) as [[string, Record<string, unknown>]];
    const r = await codec.decode(body, '2025-1', 'VersionResponse');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.protocolVersions.map((v) => v.version)).toEqual(['2025-1', '2024-1', '2025-1']);
    expect(r.value.protocolVersions[1]?.auth?.protocol).toBe('OAuth');
  });

  it('validates both DID service examples (DataService one only thanks to workaround W2)', () => {
    for (const [name, body] of examples('dsp-2025-1/common/example').filter(([n]) => n.includes('did-service'))) {
      const r = validators.validateDidService(body);
      expect([name, r.ok]).toEqual([name, true]);
    }
    expect(validators.validateDidService({ id: 'x', type: 'DataService', serviceEndpoint: 'https://a.example/other' }).ok).toBe(false);
  });

  it('reads typed content out of the examples', async () => {
    const byName = new Map(messages2025);
    const start = await codec.decode(byName.get('dsp-2025-1/transfer/example/transfer-start-message.json'), '2025-1', 'TransferStartMessage');
    expect(start.ok && start.value.dataAddress?.endpointProperties).toEqual([
      { name: 'authorization', value: 'TOKEN-ABCDEFG' },
      { name: 'authType', value: 'bearer' },
    ]);
    const agreement = await codec.decode(byName.get('dsp-2025-1/negotiation/example/contract-agreement-message.json'), '2025-1', 'ContractAgreementMessage');
    expect(agreement.ok && agreement.value.timestamp).toBe('2023-01-01T01:00:00Z');
    const catalog = await codec.decode(byName.get('dsp-2025-1/catalog/example/catalog.json'), '2025-1', 'Catalog');
    if (!catalog.ok) throw new Error(catalog.message);
    expect(catalog.value.participantId).toBe('urn:example:DataProviderA');
    expect(catalog.value.dataset[0]?.distribution[0]).toEqual({ format: 'HttpData-PULL', accessService: 'urn:uuid:4aa2dcc8-4d2d-569e-d634-8394a8834d77' });
    expect(catalog.value.service[0]?.endpointURL).toBe('https://provider-a.com/connector');
    const error24 = await codec.decode(new Map(messages2024).get('dsp-2024-1/negotiation/message/example/contract-negotiation-error.json'), '2024-1', 'ContractNegotiationError');
    expect(error24.ok && error24.value.reason).toEqual(['Catalog not provisioned for this requester.']);
    const state24 = await codec.decode(new Map(messages2024).get('dsp-2024-1/negotiation/message/example/contract-negotiation.json'), '2024-1', 'ContractNegotiation');
    expect(state24.ok && state24.value.state).toBe('REQUESTED');
  });
});
