// DSP codec: equal decoding across serializations, remote contexts refused, precise errors, dialect-specific encoding.
import jsonld from 'jsonld';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { offlineDocumentLoader } from '../../../schemas/contexts/index';
import { createDspCodec, createDspValidators, DspEncodeError, dsp08Context } from '../../../connector/dsp';
import { createDspExpander } from '../../../connector/dsp/jsonld-expand';

const SPECS = path.resolve(__dirname, '../../..', '../shared/specs');
const example = (p: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(SPECS, p), 'utf8')) as Record<string, unknown>;
const codec = createDspCodec({ validators: createDspValidators() });
const CX = 'https://w3id.org/catenax/2025/9/policy/';

const canonical = {
  '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
  '@type': 'ContractRequestMessage',
  consumerPid: 'urn:uuid:c-1',
  callbackAddress: 'https://consumer.example/cb',
  offer: {
    '@id': 'urn:offer:1',
    '@type': 'Offer',
    target: 'urn:asset:1',
    assigner: 'did:web:provider.example',
    permission: [{ action: 'use', constraint: [{ and: [{ leftOperand: `${CX}FrameworkAgreement`, operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' }, { leftOperand: `${CX}UsagePurpose`, operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1'] }] }] }],
  },
};

// The same message with other prefixes and no use of the DSP context's compact terms.
const alternativePrefixes = {
  '@context': { d: 'https://w3id.org/dspace/2025/1/', o: 'http://www.w3.org/ns/odrl/2/', cx: CX },
  '@type': 'd:ContractRequestMessage',
  'd:consumerPid': { '@id': 'urn:uuid:c-1' },
  'd:callbackAddress': 'https://consumer.example/cb',
  'd:offer': {
    '@id': 'urn:offer:1',
    '@type': 'o:Offer',
    'o:target': { '@id': 'urn:asset:1' },
    'o:assigner': { '@id': 'did:web:provider.example' },
    'o:permission': {
      'o:action': { '@id': 'o:use' },
      'o:constraint': {
        'o:and': [
          { 'o:leftOperand': { '@id': 'cx:FrameworkAgreement' }, 'o:operator': { '@id': 'o:eq' }, 'o:rightOperand': 'DataExchangeGovernance:1.0' },
          { 'o:leftOperand': { '@id': 'cx:UsagePurpose' }, 'o:operator': { '@id': 'o:isAnyOf' }, 'o:rightOperand': ['cx.pcf.base:1'] },
        ],
      },
    },
  },
};

describe('decode: one message, many serializations', () => {
  it('decodes compact 2025-1, expanded and alternative-prefix forms to the same typed message', async () => {
    const fast = await codec.decodeWithPath(canonical, '2025-1', 'ContractRequestMessage');
    if (!fast.ok) throw new Error(fast.message);
    expect(fast.value.path).toBe('canonical');

    const expandedDoc = await createDspExpander().expand(canonical);
    if (!expandedDoc.ok) throw new Error(expandedDoc.message);
    const expanded = await codec.decodeWithPath(expandedDoc.value, '2025-1', 'ContractRequestMessage');
    const alt = await codec.decodeWithPath(alternativePrefixes, '2025-1', 'ContractRequestMessage');
    const asString = await codec.decodeWithPath({ ...canonical, '@context': 'https://w3id.org/dspace/2025/1/context.jsonld' }, '2025-1', 'ContractRequestMessage');
    for (const r of [expanded, alt, asString]) {
      if (!r.ok) throw new Error(r.message);
      expect(r.value.path).toBe('expanded');
      expect(r.value.message).toEqual(fast.value.message);
    }
    expect(fast.value.message).toMatchObject({ consumerPid: 'urn:uuid:c-1', callbackAddress: 'https://consumer.example/cb' });
    expect((fast.value.message.offer as Record<string, unknown>)['@type']).toEqual(['http://www.w3.org/ns/odrl/2/Offer']);
  });

  it('decodes an EDC-style 0.8 body (inline context with @vocab) like the canonical 0.8 form', async () => {
    const body24 = example('dsp-2024-1/negotiation/message/example/contract-negotiation-event-message.json');
    const canonical08 = await codec.decodeWithPath({ ...body24, '@context': dsp08Context() }, '0.8', 'ContractNegotiationEventMessage');
    const edcStyle = {
      '@context': { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/', edc: 'https://w3id.org/edc/v0.0.1/ns/', dspace: 'https://w3id.org/dspace/v0.8/', odrl: 'http://www.w3.org/ns/odrl/2/' },
      '@type': 'dspace:ContractNegotiationEventMessage',
      'dspace:providerPid': 'urn:uuid:a343fcbf-99fc-4ce8-8e9b-148c97605aab',
      'dspace:consumerPid': 'urn:uuid:32541fe6-c580-409e-85a8-8a9a32fbe833',
      'dspace:eventType': 'https://w3id.org/dspace/v0.8/ACCEPTED',
    };
    const edc = await codec.decodeWithPath(edcStyle, '0.8', 'ContractNegotiationEventMessage');
    expect(canonical08.ok && canonical08.value.path).toBe('canonical');
    expect(edc.ok && edc.value.path).toBe('expanded');
    expect(edc.ok && edc.value.message).toEqual(canonical08.ok && canonical08.value.message);
  });

  it('is immune to the jsonld.js shared-cache @import bug (Catalog, then Dataset, then a negotiation message)', async () => {
    for (const p of ['dsp-2025-1/catalog/example/catalog.json', 'dsp-2025-1/catalog/example/dataset.json']) {
      await jsonld.expand(example(p) as jsonld.JsonLdDocument, { documentLoader: offlineDocumentLoader as never });
    }
    const r = await codec.decodeWithPath({ ...canonical, '@context': 'https://w3id.org/dspace/2025/1/context.jsonld' }, '2025-1', 'ContractRequestMessage');
    expect(r.ok && r.value.message.consumerPid).toBe('urn:uuid:c-1');
  });
});

describe('decode: refusals and precise errors', () => {
  it.each([
    ['a context list with a remote URL', { ...canonical, '@context': ['https://w3id.org/dspace/2025/1/context.jsonld', 'https://attacker.example/ctx.jsonld'] }],
    ['an inline context importing a remote URL', { ...alternativePrefixes, '@context': { '@import': 'https://attacker.example/ctx.jsonld', d: 'https://w3id.org/dspace/2025/1/' } }],
    ['a nested remote context', { ...alternativePrefixes, 'd:offer': { ...alternativePrefixes['d:offer'], '@context': 'http://169.254.169.254/latest' } }],
  ])('refuses %s without fetching it', async (_name, body) => {
    const r = await codec.decode(body, '2025-1', 'ContractRequestMessage');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/JSON-LD context (https:\/\/attacker\.example\/ctx\.jsonld|http:\/\/169\.254\.169\.254\/latest) is not supported \(remote contexts are never fetched\)/);
  });

  it.each([
    ['null', null, 'ContractRequestMessage: the body must be a JSON object'],
    ['a string', 'hello', 'ContractRequestMessage: the body must be a JSON object'],
    ['an empty object', {}, 'ContractRequestMessage: the body has no @context and is not in JSON-LD expanded form'],
    ['another message type', { ...canonical, '@type': 'TransferRequestMessage' }, 'expected @type "ContractRequestMessage" (DSP 2025-1) but got "TransferRequestMessage"'],
    ['a 2024-1 message on a 2025-1 route', example('dsp-2024-1/negotiation/message/example/contract-request-message_initial.json'), 'expected a ContractRequestMessage (@type https://w3id.org/dspace/2025/1/ContractRequestMessage) but got https://w3id.org/dspace/2024/1/ContractRequestMessage'],
    ['a context that is not a context', { ...alternativePrefixes, '@context': 5 }, 'invalid JSON-LD'],
  ])('rejects %s', async (_name, body, message) => {
    const r = await codec.decode(body, '2025-1', 'ContractRequestMessage');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('bad-request');
    expect(!r.ok && r.message).toContain(message);
  });

  it('reports schema violations with their JSON pointer', async () => {
    const { consumerPid: _c, ...noPid } = canonical;
    void _c;
    const r = await codec.decode(noPid, '2025-1', 'ContractRequestMessage');
    expect(!r.ok && r.message).toContain("/ must have required property 'consumerPid'");
    const badOffer = await codec.decode({ ...canonical, offer: { ...canonical.offer, permission: [{ constraint: [] }] } }, '2025-1', 'ContractRequestMessage');
    expect(!badOffer.ok && badOffer.message).toContain("/offer/permission/0 must have required property 'action'");
    const both = await codec.decode({ ...canonical, providerPid: 'urn:p' }, '2025-1', 'ContractRequestMessage');
    expect(!both.ok && both.message).toContain('must match exactly one schema in oneOf');
  });

  it('checks what the schema cannot check on the expansion path', async () => {
    const bogusEvent = { '@context': { d: 'https://w3id.org/dspace/2025/1/' }, '@type': 'd:ContractNegotiationEventMessage', 'd:providerPid': 'p', 'd:consumerPid': 'c', 'd:eventType': { '@id': 'd:STARTED' } };
    const r = await codec.decode(bogusEvent, '2025-1', 'ContractNegotiationEventMessage');
    expect(!r.ok && r.message).toBe('ContractNegotiationEventMessage (DSP 2025-1): eventType "https://w3id.org/dspace/2025/1/STARTED" is not one of ACCEPTED, FINALIZED');
    const noOfferId = { ...alternativePrefixes, 'd:offer': { ...alternativePrefixes['d:offer'], '@id': undefined } };
    const r2 = await codec.decode(JSON.parse(JSON.stringify(noOfferId)), '2025-1', 'ContractRequestMessage');
    expect(!r2.ok && r2.message).toBe('ContractRequestMessage (DSP 2025-1): offer must have an @id');
    const missing = { '@context': { d: 'https://w3id.org/dspace/2025/1/' }, '@type': 'd:TransferCompletionMessage', 'd:providerPid': 'p' };
    const r3 = await codec.decode(missing, '2025-1', 'TransferCompletionMessage');
    expect(!r3.ok && r3.message).toBe('TransferCompletionMessage (DSP 2025-1): missing consumerPid');
  });
});

describe('encode', () => {
  const offer = canonical.offer;
  it('writes each dialect\'s @context shape', () => {
    const msg = { type: 'ContractNegotiationEventMessage' as const, providerPid: 'p', consumerPid: 'c', eventType: 'ACCEPTED' as const };
    expect(codec.encode(msg, '2025-1')).toEqual({ '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'], '@type': 'ContractNegotiationEventMessage', providerPid: 'p', consumerPid: 'c', eventType: 'ACCEPTED' });
    expect(codec.encode(msg, '2024-1')).toEqual({ '@context': 'https://w3id.org/dspace/2024/1/context.json', '@type': 'dspace:ContractNegotiationEventMessage', 'dspace:providerPid': 'p', 'dspace:consumerPid': 'c', 'dspace:eventType': 'dspace:ACCEPTED' });
    const v08 = codec.encode(msg, '0.8');
    expect((v08['@context'] as Record<string, unknown>)['dspace']).toBe('https://w3id.org/dspace/v0.8/');
  });

  it('refuses messages the dialect cannot express', () => {
    expect(() => codec.encode({ type: 'ContractRequestMessage', consumerPid: 'c', offer }, '2025-1')).toThrow(DspEncodeError);
    expect(() => codec.encode({ type: 'ContractRequestMessage', consumerPid: 'c', providerPid: 'p', offer }, '2024-1')).toThrow('requires a callbackAddress');
    expect(() => codec.encode({ type: 'TransferStartMessage', providerPid: 'p', consumerPid: 'c', dataAddress: { endpointType: 'x', endpointProperties: [] } }, '2024-1')).toThrow('needs an endpoint');
  });

  it('derives the 2024-1 DataAddress endpoint from an EDC endpoint property', () => {
    const body = codec.encode({ type: 'TransferStartMessage', providerPid: 'p', consumerPid: 'c', dataAddress: { endpointType: 'x', endpointProperties: [{ name: 'https://w3id.org/edc/v0.0.1/ns/endpoint', value: 'https://e' }] } }, '2024-1');
    expect((body['dspace:dataAddress'] as Record<string, unknown>)['dspace:endpoint']).toBe('https://e');
  });
});
