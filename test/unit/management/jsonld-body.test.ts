// Management JSON-LD bodies: the fast path equals full jsonld.js expansion; compaction round-trips; context errors.
import jsonld from 'jsonld';
import {
  compactIri, compactValue, createManagementBodyReader, readCanonical, simplifyExpanded, withContext,
} from '../../../connector/management/jsonld-body';
import { offlineDocumentLoader } from '../../../schemas/contexts/index';
import { cx0136Asset } from './catalog-app';

const EDC = 'https://w3id.org/edc/v0.0.1/ns/';

async function expandFully(body: Record<string, unknown>): Promise<unknown> {
  const input = body['@context'] === undefined ? { '@context': { '@vocab': EDC }, ...body } : body;
  const expanded = await jsonld.expand(input as jsonld.JsonLdDocument, { documentLoader: offlineDocumentLoader as never } as jsonld.Options.Expand);
  return simplifyExpanded(expanded[0]);
}

const BODIES: [string, Record<string, unknown>][] = [
  ['@vocab asset', {
    '@context': { '@vocab': EDC, dct: 'http://purl.org/dc/terms/', 'cx-taxo': 'https://w3id.org/catenax/taxonomy#' },
    '@id': 'asset-1', '@type': 'Asset',
    properties: { name: 'n', 'dct:type': { '@id': 'cx-taxo:PcfExchange' }, list: ['a', 'b'], one: ['x'], n: 5, b: false, none: null, nested: { k: 'v' } },
    dataAddress: { '@type': 'DataAddress', type: 'HttpData', 'header:Authorization': 'secret', proxyPath: 'true' },
  }],
  ['edc: prefixed (CX-0136)', cx0136Asset()],
  ['no context', { '@id': 'a', properties: { name: 'x' }, dataAddress: { type: 'HttpData' } }],
  ['typed literal', { '@context': { '@vocab': EDC, xsd: 'http://www.w3.org/2001/XMLSchema#' }, '@id': 'a', properties: { d: { '@value': '2025-01-01T00:00:00Z', '@type': 'xsd:dateTime' } } }],
  ['QuerySpec', { '@context': { '@vocab': EDC }, '@type': 'QuerySpec', offset: 0, limit: 10, filterExpression: [{ operandLeft: `${EDC}id`, operator: '=', operandRight: 'x' }] }],
];

describe('management body reader', () => {
  it.each(BODIES)('%s: the fast path gives exactly what jsonld.js expansion gives', async (_name, body) => {
    const fast = readCanonical(body);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await expandFully(body));
  });

  it('reads the CX-0136 asset with expanded IRIs', async () => {
    const r = await createManagementBodyReader().read(cx0136Asset());
    expect(r.ok && r.value).toMatchObject({
      '@type': `${EDC}Asset`,
      [`${EDC}properties`]: {
        'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' },
        'https://w3id.org/catenax/ontology/common#version': '1.1',
        'https://admin-shell.io/aas/3/0/HasSemantics/semanticId': { '@id': 'urn:samm:io.catenax.pcf:8.0.0#Pcf' },
      },
      [`${EDC}dataAddress`]: { [`${EDC}type`]: 'HttpData', [`${EDC}proxyPath`]: 'true' },
    });
  });

  it('reads an already expanded body and a body with context URLs to the same normalized form', async () => {
    const body = BODIES[0]![1];
    const reader = createManagementBodyReader();
    const fast = await reader.read(body);
    const expanded = await jsonld.expand(body as jsonld.JsonLdDocument, { documentLoader: offlineDocumentLoader as never } as jsonld.Options.Expand);
    expect(readCanonical(expanded[0] as Record<string, unknown>)).toEqual(fast.ok && fast.value);
    expect(await reader.read(expanded[0])).toEqual(fast);
    const viaUrl = { ...body, '@context': ['https://w3id.org/catenax/2025/9/policy/context.jsonld', body['@context'] as object] };
    expect(readCanonical(viaUrl)).toBeUndefined();
    expect(await reader.read(viaUrl)).toEqual(fast);
    const withUrl = await reader.read({ '@context': ['https://w3id.org/catenax/2025/9/policy/context.jsonld', { '@vocab': EDC }], '@id': 'q', limit: 3 });
    expect(withUrl.ok && withUrl.value[`${EDC}limit`]).toBe(3);
  });

  it('refuses remote contexts, non-objects and several nodes', async () => {
    const reader = createManagementBodyReader();
    expect(await reader.read({ '@context': 'https://evil.example/ctx.jsonld', a: 1 })).toMatchObject({ ok: false, reason: 'bad-request', message: expect.stringContaining('https://evil.example/ctx.jsonld') });
    expect(await reader.read([1, 2])).toMatchObject({ ok: false, reason: 'bad-request' });
    expect(await reader.read({ '@context': { '@vocab': EDC }, '@graph': [{ '@id': 'a', x: 1 }, { '@id': 'b', x: 2 }] })).toMatchObject({ ok: false, reason: 'bad-request' });
  });

  it('compacts IRIs with the response context and the result expands back to the same data', async () => {
    expect(compactIri(`${EDC}name`)).toBe('name');
    expect(compactIri(`${EDC}dct`)).toBe('edc:dct');
    expect(compactIri(`${EDC}name`, false)).toBe('edc:name');
    expect(compactIri('http://purl.org/dc/terms/type')).toBe('dct:type');
    expect(compactIri('header:Authorization')).toBe('header:Authorization');
    const normalized = readCanonical(BODIES[0]![1])!;
    const compact = withContext(compactValue(normalized) as Record<string, unknown>);
    expect(compact).toMatchObject({ properties: { 'dct:type': { '@id': 'cx-taxo:PcfExchange' }, name: 'n' } });
    expect(await expandFully(compact)).toEqual(normalized);
  });
});
