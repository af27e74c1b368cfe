// Namespaces and well-known property IRIs of catalog entities (EDC, Dublin Core, Catena-X taxonomy and ontology).

export const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
export const DCT_NS = 'http://purl.org/dc/terms/';

/** Prefixes understood in operand paths (`dct:type`) and written in management responses. */
export const KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  edc: EDC_NS,
  odrl: 'http://www.w3.org/ns/odrl/2/',
  dct: DCT_NS,
  dcat: 'http://www.w3.org/ns/dcat#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  'cx-policy': 'https://w3id.org/catenax/2025/9/policy/',
  'cx-taxo': 'https://w3id.org/catenax/taxonomy#',
  'cx-common': 'https://w3id.org/catenax/ontology/common#',
  'aas-semantics': 'https://admin-shell.io/aas/3/0/HasSemantics/',
  tx: 'https://w3id.org/tractusx/v0.0.1/ns/',
  'tx-auth': 'https://w3id.org/tractusx/auth/',
};

export const EDC_ID = `${EDC_NS}id`;
export const EDC_CREATED_AT = `${EDC_NS}createdAt`;
export const EDC_DATA_ADDRESS_TYPE = `${EDC_NS}type`;
export const DCT_TYPE = `${DCT_NS}type`;
export const CX_COMMON_VERSION = 'https://w3id.org/catenax/ontology/common#version';
export const CX_TAXO_PCF_EXCHANGE = 'https://w3id.org/catenax/taxonomy#PcfExchange';

/**
 * The full IRI of a property name as clients write it in operands: a known prefix (`dct:type`) is expanded, a bare
 * name (`name`) is taken as EDC vocabulary, anything else (a full IRI, `header:X`) is kept.
 */
export function propertyIri(name: string): string {
  const colon = name.indexOf(':');
  if (colon < 0) return name.startsWith('@') ? name : EDC_NS + name;
  const ns = KNOWN_PREFIXES[name.slice(0, colon)];
  const rest = name.slice(colon + 1);
  return ns !== undefined && !rest.startsWith('//') ? ns + rest : name;
}
