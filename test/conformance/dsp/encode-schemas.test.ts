// Conformance: every DSP message type encoded in every dialect validates against that dialect's schema and decodes back.
import {
  createDspCodec,
  createDspValidators,
  DSP_DIALECTS,
  DSP_MESSAGE_TYPES,
  type DspDialect,
  type DspMessageType,
  type OutboundDspMessage,
  type SerializedPolicy,
} from '../../../connector/dsp';

const validators = createDspValidators();
const codec = createDspCodec({ validators });
const FRAMEWORK = 'https://w3id.org/catenax/2025/9/policy/FrameworkAgreement';

function policy(dialect: DspDialect, kind: 'offer' | 'dataset-offer' | 'agreement'): SerializedPolicy {
  const id = kind === 'agreement' ? 'urn:agreement:1' : 'urn:offer:1';
  if (dialect === '2025-1') {
    return {
      '@id': id,
      '@type': kind === 'agreement' ? 'Agreement' : 'Offer',
      ...(kind === 'dataset-offer' ? {} : { target: 'urn:asset:1' }),
      assigner: 'did:web:provider.example',
      ...(kind === 'agreement' ? { assignee: 'did:web:consumer.example' } : {}),
      permission: [{ action: 'use', constraint: [{ leftOperand: FRAMEWORK, operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' }] }],
    };
  }
  return {
    '@id': id,
    '@type': kind === 'agreement' ? 'odrl:Agreement' : 'odrl:Offer',
    ...(kind === 'dataset-offer' ? {} : { 'odrl:target': 'urn:asset:1' }),
    'odrl:assigner': 'did:web:provider.example',
    ...(kind === 'agreement' ? { 'odrl:assignee': 'did:web:consumer.example' } : {}),
    'odrl:permission': [{ 'odrl:action': 'odrl:use', 'odrl:constraint': [{ 'odrl:leftOperand': FRAMEWORK, 'odrl:operator': 'odrl:eq', 'odrl:rightOperand': 'DataExchangeGovernance:1.0' }] }],
  };
}

const pids = { providerPid: 'urn:uuid:p-1', consumerPid: 'urn:uuid:c-1' };
const callbackAddress = 'https://consumer.example/tenants/t1/dsp/2025-1';
const address = {
  endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
  endpoint: 'https://provider.example/tenants/t1/pact/3/footprints',
  endpointProperties: [
    { name: 'https://w3id.org/edc/v0.0.1/ns/endpoint', value: 'https://provider.example/tenants/t1/pact/3/footprints' },
    { name: 'https://w3id.org/edc/v0.0.1/ns/authorization', value: 'eyJhbGciOi.token' },
  ],
};

function fixture(dialect: DspDialect, type: DspMessageType): OutboundDspMessage {
  const dataset = {
    id: 'urn:asset:1',
    hasPolicy: [policy(dialect, 'dataset-offer')],
    distribution: [{ format: 'HttpData-PULL', accessService: 'urn:service:1' }],
    properties: { 'http://purl.org/dc/terms/type': [{ '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' }] },
  };
  switch (type) {
    case 'CatalogRequestMessage':
      return { type, filter: [] };
    case 'DatasetRequestMessage':
      return { type, dataset: 'urn:asset:1' };
    case 'Catalog':
      return { type, id: 'urn:catalog:1', participantId: 'did:web:provider.example', dataset: [dataset], service: [{ id: 'urn:service:1', endpointURL: 'https://provider.example/tenants/t1/dsp/2025-1' }] };
    case 'Dataset':
      return { type, ...dataset };
    case 'CatalogError':
      return { type, code: '404', reason: ['dataset not found'] };
    case 'ContractRequestMessage':
      return { type, consumerPid: pids.consumerPid, callbackAddress, offer: policy(dialect, 'offer') };
    // 2025-1 carries callbackAddress only on initial messages; 2024-1/0.8 on every offer and agreement.
    case 'ContractOfferMessage':
      return { type, ...pids, ...(dialect === '2025-1' ? {} : { callbackAddress }), offer: policy(dialect, 'offer') };
    case 'ContractAgreementMessage':
      return { type, ...pids, ...(dialect === '2025-1' ? {} : { callbackAddress }), agreement: policy(dialect, 'agreement'), timestamp: '2025-03-01T10:00:00Z' };
    case 'ContractAgreementVerificationMessage':
    case 'TransferCompletionMessage':
      return { type, ...pids };
    case 'ContractNegotiationEventMessage':
      return { type, ...pids, eventType: 'FINALIZED' };
    case 'ContractNegotiationTerminationMessage':
    case 'ContractNegotiationError':
    case 'TransferSuspensionMessage':
    case 'TransferTerminationMessage':
    case 'TransferError':
      return { type, ...pids, code: '400', reason: ['policy not satisfied'] };
    case 'ContractNegotiation':
      return { type, ...pids, state: 'AGREED' };
    case 'TransferProcess':
      return { type, ...pids, state: 'SUSPENDED' };
    case 'TransferRequestMessage':
      return { type, consumerPid: pids.consumerPid, agreementId: 'urn:agreement:1', format: 'HttpData-PULL', callbackAddress };
    case 'TransferStartMessage':
      return { type, ...pids, dataAddress: address };
    case 'VersionResponse':
      return { type, protocolVersions: [{ version: '2025-1', path: '/tenants/t1/dsp/2025-1', binding: 'HTTPS' }] };
  }
}

/** The message with every policy slot reduced to its `@id` (decoded policies are expanded nodes). */
function withoutPolicyForm(m: unknown): unknown {
  return JSON.parse(JSON.stringify(m), (key, value: unknown) => {
    if ((key === 'offer' || key === 'agreement') && typeof value === 'object' && value !== null) return (value as { '@id'?: unknown })['@id'];
    if (key === 'hasPolicy' && Array.isArray(value)) return value.map((p: { '@id'?: unknown }) => p['@id']);
    return value;
  }) as unknown;
}

describe('encoded DSP messages', () => {
  const cases = DSP_DIALECTS.flatMap((dialect) => DSP_MESSAGE_TYPES.map((type): [DspDialect, DspMessageType] => [dialect, type]));

  it.each(cases)('%s %s validates against its schema and decodes to the same message', async (dialect, type) => {
    const message = fixture(dialect, type);
    const body = codec.encode(message, dialect);
    const valid = validators.validate(dialect, type, body);
    if (!valid.ok) throw new Error(`${valid.message} ${JSON.stringify(body)}`);
    const decoded = await codec.decodeWithPath(JSON.parse(JSON.stringify(body)), dialect, type);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.path).toBe('canonical');
    expect(withoutPolicyForm(decoded.value.message)).toEqual(withoutPolicyForm(message));
  });

  it.each(DSP_DIALECTS)('%s counter-request and follow-up offer carry callbackAddress only where the schema wants it', (dialect) => {
    const counter = codec.encode({ type: 'ContractRequestMessage', ...pids, callbackAddress, offer: policy(dialect, 'offer') }, dialect);
    expect(validators.validate(dialect, 'ContractRequestMessage', counter).ok).toBe(true);
    expect(Object.keys(counter).some((k) => k.endsWith('callbackAddress'))).toBe(dialect !== '2025-1');
    const offer = codec.encode({ type: 'ContractOfferMessage', ...pids, callbackAddress, offer: policy(dialect, 'offer') }, dialect);
    expect(validators.validate(dialect, 'ContractOfferMessage', offer).ok).toBe(true);
  });

  it.each(DSP_DIALECTS)('%s error bodies built from failures validate', (dialect) => {
    for (const type of ['ContractNegotiationError', 'TransferError', 'CatalogError'] as const) {
      const body = codec.encode(fixture(dialect, type), dialect);
      expect([type, validators.validate(dialect, type, body).ok]).toEqual([type, true]);
    }
  });
});
