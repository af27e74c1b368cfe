// DID documents: the shape we publish per tenant (JsonWebKey2020 keys, CredentialService, DSP DataService) and read from partners.
import type { JWK } from 'jose';
import type { TenantKeyProvider } from '../credentials/key-provider';
import { credentialServiceUrl, dspVersionUrl, tenantDid } from './did-web';

export interface VerificationMethod {
  readonly id: string;
  readonly type: string;
  readonly controller: string;
  readonly publicKeyJwk?: JWK;
}

export interface DidService {
  readonly id: string;
  readonly type: string;
  readonly serviceEndpoint: string;
}

export type VerificationRelationship = 'authentication' | 'assertionMethod' | 'capabilityInvocation' | 'capabilityDelegation' | 'keyAgreement';

export interface DidDocument {
  readonly '@context'?: unknown;
  readonly id: string;
  readonly verificationMethod: readonly VerificationMethod[];
  readonly authentication?: readonly (string | VerificationMethod)[];
  readonly assertionMethod?: readonly (string | VerificationMethod)[];
  readonly capabilityInvocation?: readonly (string | VerificationMethod)[];
  readonly capabilityDelegation?: readonly (string | VerificationMethod)[];
  readonly keyAgreement?: readonly (string | VerificationMethod)[];
  readonly service?: readonly DidService[];
}

export const DID_CONTEXTS: readonly string[] = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'];

/** The verification method id of a key: `{did}#{kid}`. */
export function verificationMethodId(did: string, kid: string): string {
  return `${did}#${kid}`;
}

export interface TenantDidDocumentInput {
  readonly publicBaseUrl: string;
  readonly tenantId: string;
  /** Public keys to publish (active key first, then keys still within the rotation overlap). */
  readonly jwks: readonly JWK[];
}

/** Builds the DID document served at `/tenants/{tenantId}/did.json`. */
export function buildTenantDidDocument(input: TenantDidDocumentInput): DidDocument {
  const did = tenantDid(input.publicBaseUrl, input.tenantId);
  const methods: VerificationMethod[] = input.jwks.map((jwk, i) => {
    const kid = jwk.kid ?? `key-${i + 1}`;
    const publicKeyJwk: JWK = {};
    for (const k of ['kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'use'] as const) if (jwk[k] !== undefined) publicKeyJwk[k] = jwk[k];
    publicKeyJwk.kid = kid;
    return { id: verificationMethodId(did, kid), type: 'JsonWebKey2020', controller: did, publicKeyJwk };
  });
  const ids = methods.map((m) => m.id);
  return {
    '@context': [...DID_CONTEXTS],
    id: did,
    verificationMethod: methods,
    authentication: ids,
    assertionMethod: ids,
    capabilityInvocation: ids,
    service: [
      { id: `${did}#credential-service`, type: 'CredentialService', serviceEndpoint: credentialServiceUrl(input.publicBaseUrl, input.tenantId) },
      { id: `${did}#dsp`, type: 'DataService', serviceEndpoint: dspVersionUrl(input.publicBaseUrl, input.tenantId) },
    ],
  };
}

/** Serves tenants' DID documents from the key provider (purpose `identity`). */
export interface DidDocumentService {
  /** The tenant's DID. */
  didOf(tenantId: string): string;
  /** The document for `/tenants/{tenantId}/did.json`, including keys still within rotation overlap. */
  documentOf(tenantId: string): Promise<DidDocument>;
}

export function createDidDocumentService(deps: { keys: TenantKeyProvider; publicBaseUrl: string }): DidDocumentService {
  return {
    didOf: (tenantId) => tenantDid(deps.publicBaseUrl, tenantId),
    async documentOf(tenantId) {
      const jwks = await deps.keys.publicJwks(tenantId, 'identity');
      return buildTenantDidDocument({ publicBaseUrl: deps.publicBaseUrl, tenantId, jwks });
    },
  };
}

/** Finds the service endpoint of the first service of `type`. */
export function findService(doc: DidDocument, type: string): string | undefined {
  return doc.service?.find((s) => s.type === type)?.serviceEndpoint;
}

function relationshipIds(doc: DidDocument, relationship: VerificationRelationship): string[] {
  return (doc[relationship] ?? []).map((r) => (typeof r === 'string' ? r : r.id)).map((id) => (id.startsWith('#') ? `${doc.id}${id}` : id));
}

/** All verification methods, embedded ones included, with ids made absolute. */
function allMethods(doc: DidDocument): VerificationMethod[] {
  const embedded: VerificationMethod[] = [];
  for (const rel of ['authentication', 'assertionMethod', 'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'] as const) {
    for (const r of doc[rel] ?? []) if (typeof r !== 'string') embedded.push(r);
  }
  return [...doc.verificationMethod, ...embedded].map((m) => (m.id.startsWith('#') ? { ...m, id: `${doc.id}${m.id}` } : m));
}

export type MethodLookup =
  | { readonly found: true; readonly method: VerificationMethod & { readonly publicKeyJwk: JWK } }
  | { readonly found: false; readonly why: 'not-in-document' | 'not-authorized' | 'ambiguous' | 'no-jwk' };

/**
 * Selects the verification method for `kid` (absolute `did#frag`, `#frag` or bare `frag`) that holds `relationship`.
 * Without a kid the document must have exactly one method, and it must hold the relationship.
 */
export function findVerificationMethod(doc: DidDocument, kid: string | undefined, relationship: VerificationRelationship): MethodLookup {
  const methods = allMethods(doc);
  let method: VerificationMethod | undefined;
  if (kid === undefined) {
    if (methods.length !== 1) return { found: false, why: 'ambiguous' };
    method = methods[0];
  } else {
    const absolute = kid.startsWith('did:') ? kid : `${doc.id}#${kid.replace(/^#/, '')}`;
    method = methods.find((m) => m.id === absolute);
    if (method === undefined) return { found: false, why: 'not-in-document' };
  }
  if (!relationshipIds(doc, relationship).includes(method.id)) return { found: false, why: 'not-authorized' };
  if (method.publicKeyJwk === undefined) return { found: false, why: 'no-jwk' };
  return { found: true, method: { ...method, publicKeyJwk: method.publicKeyJwk } };
}
