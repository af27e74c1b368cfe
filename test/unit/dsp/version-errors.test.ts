// DSP version document, dialect selection, and error bodies with their HTTP statuses.
import {
  buildVersionDocument,
  catalogError,
  createDspCodec,
  createDspValidators,
  dialectFromVersion,
  dspBaseUrl,
  dspStatus,
  negotiationError,
  parseVersionResponse,
  selectDialect,
  transferError,
} from '../../../connector/dsp';
import { fail } from '../../../connector/common/result';

const validators = createDspValidators();
const codec = createDspCodec({ validators });

describe('version document', () => {
  it('lists all three dialects with the tenant paths and validates against the 2025-1 schema', async () => {
    const doc = buildVersionDocument({ baseUrl: 'https://connector.example', tenantId: 'acme', identifierTypes: { '2025-1': 'did:web' }, auth: { protocol: 'DCP', version: '1.0' } });
    expect(doc).toEqual({
      protocolVersions: [
        { version: '2025-1', path: '/tenants/acme/dsp/2025-1', binding: 'HTTPS', identifierType: 'did:web', auth: { protocol: 'DCP', version: '1.0' } },
        { version: '2024-1', path: '/tenants/acme/dsp/2024-1', binding: 'HTTPS', auth: { protocol: 'DCP', version: '1.0' } },
        { version: '0.8', path: '/tenants/acme/dsp', binding: 'HTTPS', auth: { protocol: 'DCP', version: '1.0' } },
      ],
    });
    expect(validators.validate('2025-1', 'VersionResponse', doc).ok).toBe(true);
    expect(validators.validate('2024-1', 'VersionResponse', doc).ok).toBe(false);
    const both = buildVersionDocument({ baseUrl: 'https://connector.example/', tenantId: 'acme', include2024Context: true });
    expect(validators.validate('2025-1', 'VersionResponse', both).ok).toBe(true);
    expect(validators.validate('2024-1', 'VersionResponse', both).ok).toBe(true);
    const decoded = await codec.decode(both, '2025-1', 'VersionResponse');
    expect(decoded.ok && decoded.value.protocolVersions.length).toBe(3);
  });

  it('keeps a base path prefix and escapes the tenant id', () => {
    const doc = buildVersionDocument({ baseUrl: 'https://host.example/connector/', tenantId: 'a b', dialects: ['2025-1'] });
    expect(doc['protocolVersions']).toEqual([{ version: '2025-1', path: '/connector/tenants/a%20b/dsp/2025-1', binding: 'HTTPS' }]);
    expect(dspBaseUrl('https://host.example/connector', 'acme', '0.8')).toBe('https://host.example/connector/tenants/acme/dsp');
  });

  it('picks the best common dialect from a peer document (EDC version strings included)', () => {
    const peer = parseVersionResponse({ protocolVersions: [{ version: 'v0.8', path: '/api/v1/dsp' }, { version: '2025-1', path: '/api/v1/dsp/2025-1', binding: 'HTTPS' }] });
    if (!peer.ok) throw new Error(peer.message);
    expect(selectDialect(peer.value)).toEqual({ dialect: '2025-1', version: { version: '2025-1', path: '/api/v1/dsp/2025-1', binding: 'HTTPS' } });
    expect(selectDialect(peer.value, ['2024-1', '0.8'])?.version.path).toBe('/api/v1/dsp');
    expect(selectDialect(peer.value, ['2024-1'])).toBeUndefined();
    expect(parseVersionResponse({ protocolVersions: [{ version: 1 }] }).ok).toBe(false);
    expect(parseVersionResponse('nope').ok).toBe(false);
  });

  it.each([
    ['2025-1', '2025-1'], ['dataspace-protocol-http:2025-1', '2025-1'], ['2024/1', '2024-1'], ['dataspace-protocol-http:2024/1', '2024-1'],
    ['dataspace-protocol-http', '0.8'], ['v0.8', '0.8'], ['0.8', '0.8'], ['2023-1', undefined],
  ])('reads the version %s as %s', (value, dialect) => {
    expect(dialectFromVersion(value)).toBe(dialect);
  });
});

describe('DSP errors', () => {
  it('maps failure reasons to the statuses of the spec (unauthorized is 404)', () => {
    expect(['bad-request', 'not-found', 'unauthorized', 'forbidden', 'conflict'].map((r) => dspStatus(r as never))).toEqual([400, 404, 404, 404, 409]);
  });

  it('builds error bodies that validate in every dialect and never explain an authorization failure', () => {
    const illegal = negotiationError(fail('bad-request', 'ContractAgreementVerificationMessage is not allowed in state OFFERED'), { providerPid: 'p', consumerPid: 'c' });
    expect(illegal).toEqual({ status: 400, body: { type: 'ContractNegotiationError', providerPid: 'p', consumerPid: 'c', code: '400', reason: ['ContractAgreementVerificationMessage is not allowed in state OFFERED'] } });
    const hidden = transferError(fail('unauthorized', 'token signed by unknown issuer'), { providerPid: 'p', consumerPid: 'c' });
    expect(hidden.body?.reason).toEqual(['not found']);
    expect(transferError(fail('not-found', 'x'), { providerPid: 'p' })).toEqual({ status: 404 });
    const cat = catalogError(fail('not-found', 'dataset urn:x not found'));
    for (const dialect of ['2025-1', '2024-1', '0.8'] as const) {
      for (const [type, body] of [['ContractNegotiationError', illegal.body], ['TransferError', hidden.body], ['CatalogError', cat.body]] as const) {
        if (body === undefined) throw new Error('missing body');
        expect([dialect, type, validators.validate(dialect, type, codec.encode(body, dialect)).ok]).toEqual([dialect, type, true]);
      }
    }
  });
});
