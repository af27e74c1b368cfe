// OpenAPI fragments of the management API beyond catalog data: catalog requests, negotiations, agreements, transfers, EDRs, PACT publishing, events.
import type { JsonSchema, OpenApiFragment } from './management-openapi';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema): Record<string, unknown> => ({ 'application/json': { schema } });
const body = (schema: JsonSchema, required = true): Record<string, unknown> => ({ required, content: { 'application/json': { schema }, 'application/ld+json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const DESCRIPTIONS: Record<number, string> = {
  400: 'invalid request (EDC error array)', 401: 'not authenticated', 403: 'role may not do this',
  404: "not found (also for another tenant's id)", 409: 'not allowed in the current state', 502: 'the counter-party did not answer as DSP requires',
};
const errors = (...codes: number[]): Record<string, unknown> =>
  Object.fromEntries(codes.map((c) => [String(c), { description: DESCRIPTIONS[c], content: json(ref('ApiErrors')) }]));
const ok = (description: string, schema?: JsonSchema): Record<string, unknown> => ({ description, ...(schema === undefined ? {} : { content: json(schema) }) });
const noContent = { 204: { description: 'done' } };
const queryOp = (tag: string, what: string, schema: string) => ({
  post: { tags: [tag], summary: `query ${what} (QuerySpec: filterExpression, sortField, sortOrder, offset, limit)`, requestBody: body(ref('QuerySpec'), false), responses: { 200: ok('a page', { type: 'array', items: ref(schema) }), ...errors(400, 401) } },
});
const action = (tag: string, summary: string, requestBody?: Record<string, unknown>) => ({
  parameters: [idParam],
  post: { tags: [tag], summary, ...(requestBody === undefined ? {} : { requestBody }), responses: { ...noContent, ...errors(400, 401, 403, 404, 409) } },
});
const decision = (tag: string, summary: string, requestBody?: Record<string, unknown>) => ({
  parameters: [idParam],
  post: { tags: [tag], summary, ...(requestBody === undefined ? {} : { requestBody }), responses: { 200: ok('the updated request', { type: 'object' }), ...errors(400, 401, 403, 404, 409) } },
});
const read = (tag: string, summary: string, schema: JsonSchema) => ({
  parameters: [idParam],
  get: { tags: [tag], summary, responses: { 200: ok('found', schema), ...errors(401, 404) } },
});
const reason = body({ type: 'object', properties: { '@context': {}, reason: { type: 'string' } } }, false);
const policyBody = body({ type: 'object', required: ['policy'], properties: { '@context': {}, policy: { type: 'object', description: 'ODRL offer/policy' } } });

/** `/catalog`, `/contractnegotiations`, `/contractagreements`, `/transferprocesses`, `/edrs` and `/secrets`. */
export function controlPlaneOpenApi(): OpenApiFragment {
  const N = 'Contract negotiations';
  const T = 'Transfer processes';
  return {
    tags: [
      { name: 'Catalog', description: "a counter-party's DSP catalog, requested through this connector" },
      { name: N, description: 'EDC negotiations (consumer requests) plus provider offers, counter-offers and user decisions (extensions)' },
      { name: 'Contract agreements', description: 'agreements of finalized negotiations' },
      { name: T, description: 'EDC transfer processes (HttpData-PULL): start, query, terminate, suspend, resume, complete' },
      { name: 'EDRs', description: 'endpoint data references of started transfers (Tractus-X EDR API)' },
      { name: 'Secrets', description: "the tenant's named secrets, sealed with its data key; webhooks send one as authKey header (authCodeId)" },
    ],
    paths: {
      '/catalog/request': { post: { tags: ['Catalog'], summary: 'request a catalog over DSP', requestBody: body(ref('CatalogRequest')), responses: { 200: ok('the DCAT catalog', { type: 'object' }), ...errors(400, 401, 502) } } },
      '/catalog/dataset/request': { post: { tags: ['Catalog'], summary: 'request one dataset over DSP', requestBody: body(ref('DatasetRequest')), responses: { 200: ok('the DCAT dataset', { type: 'object' }), ...errors(400, 401, 404, 502) } } },
      '/contractnegotiations': { post: { tags: [N], summary: 'consumer: negotiate an offer', requestBody: body(ref('ContractRequest')), responses: { 200: ok('started', ref('IdResponse')), ...errors(400, 401, 403) } } },
      '/contractnegotiations/offers': { post: { tags: [N], summary: 'provider (extension): offer a contract definition for an asset', requestBody: body(ref('ContractOfferRequest')), responses: { 200: ok('started', ref('IdResponse')), ...errors(400, 401, 403, 404) } } },
      '/contractnegotiations/request': queryOp(N, 'negotiations', 'ContractNegotiation'),
      '/contractnegotiations/{id}': read(N, 'read a negotiation', ref('ContractNegotiation')),
      '/contractnegotiations/{id}/state': read(N, 'the state of a negotiation', { type: 'object', properties: { '@type': { const: 'NegotiationState' }, state: { type: 'string' } } }),
      '/contractnegotiations/{id}/agreement': read(N, 'the agreement of a finalized negotiation', ref('ContractAgreement')),
      '/contractnegotiations/{id}/offer': read(N, 'the current offer of a negotiation (extension)', { type: 'object' }),
      '/contractnegotiations/{id}/counteroffer': action(N, 'provider (extension): counter-offer a waiting request with a narrower policy', policyBody),
      '/contractnegotiations/{id}/approve': action(N, 'provider (extension): agree to a waiting request'),
      '/contractnegotiations/{id}/accept': action(N, "consumer (extension): accept the provider's offer"),
      '/contractnegotiations/{id}/counterrequest': action(N, 'consumer (extension): answer an offer with another request', policyBody),
      '/contractnegotiations/{id}/terminate': action(N, 'terminate (either role; declines an offer)', reason),
      '/contractagreements/request': queryOp('Contract agreements', 'agreements', 'ContractAgreement'),
      '/contractagreements/{id}': read('Contract agreements', 'read an agreement', ref('ContractAgreement')),
      '/contractagreements/{id}/negotiation': read('Contract agreements', 'the negotiation of an agreement', ref('ContractNegotiation')),
      '/transferprocesses': { post: { tags: [T], summary: 'consumer: start a transfer under an agreement', requestBody: body(ref('TransferRequest')), responses: { 200: ok('started', ref('IdResponse')), ...errors(400, 401, 403, 404) } } },
      '/transferprocesses/request': queryOp(T, 'transfer processes', 'TransferProcess'),
      '/transferprocesses/{id}': read(T, 'read a transfer process', ref('TransferProcess')),
      '/transferprocesses/{id}/state': read(T, 'the state of a transfer process', { type: 'object', properties: { '@type': { const: 'TransferState' }, state: { type: 'string' } } }),
      '/transferprocesses/{id}/terminate': action(T, 'terminate (tokens stop working at once)', reason),
      '/transferprocesses/{id}/suspend': action(T, 'suspend (tokens stop working; a resume issues new ones)', reason),
      '/transferprocesses/{id}/resume': action(T, 'resume a suspended transfer (a fresh EDR follows)'),
      '/transferprocesses/{id}/complete': action(T, 'complete'),
      '/edrs/request': queryOp('EDRs', 'EDR entries', 'EdrEntry'),
      '/edrs/{id}/dataaddress': {
        parameters: [idParam, { name: 'auto_refresh', in: 'query', required: false, schema: { enum: ['true', 'false'], default: 'true' } }],
        get: { tags: ['EDRs'], summary: 'the data address (endpoint + token) of a transfer; refreshed first when expired unless auto_refresh=false', responses: { 200: ok('data address', ref('DataAddress')), ...errors(400, 401, 404, 502) } },
      },
      '/edrs/{id}/refresh': { parameters: [idParam], post: { tags: ['EDRs'], summary: 'refresh the token now (refresh-token grant at the provider)', responses: { 200: ok('new data address', ref('DataAddress')), ...errors(401, 403, 404, 502) } } },
      '/edrs/{id}': { parameters: [idParam], delete: { tags: ['EDRs'], summary: 'forget an EDR', responses: { ...noContent, ...errors(401, 403, 404) } } },
      '/secrets': {
        post: { tags: ['Secrets'], summary: 'store a secret (admins; callbackAddresses name it as authCodeId)', requestBody: body(ref('Secret')), responses: { 200: ok('stored', ref('IdResponse')), ...errors(400, 401, 403, 409) } },
        put: { tags: ['Secrets'], summary: 'replace the value of a secret (admins)', requestBody: body(ref('Secret')), responses: { ...noContent, ...errors(400, 401, 403, 404) } },
      },
      '/secrets/{id}': {
        parameters: [idParam],
        get: { tags: ['Secrets'], summary: 'read a secret, value included (admins)', responses: { 200: ok('found', ref('Secret')), ...errors(401, 403, 404) } },
        delete: { tags: ['Secrets'], summary: 'delete a secret (admins)', responses: { ...noContent, ...errors(401, 403, 404) } },
      },
    },
    schemas: {
      CatalogRequest: { type: 'object', required: ['counterPartyAddress', 'protocol'], properties: { '@context': {}, '@type': { const: 'CatalogRequest' }, counterPartyAddress: { type: 'string', format: 'uri' }, counterPartyId: { type: 'string', description: 'DID or BPNL' }, protocol: { enum: ['dataspace-protocol-http:2025-1', 'dataspace-protocol-http:2024/1', 'dataspace-protocol-http'] }, querySpec: ref('QuerySpec') } },
      DatasetRequest: { type: 'object', required: ['@id', 'counterPartyAddress', 'protocol'], properties: { '@context': {}, '@type': { const: 'DatasetRequest' }, '@id': { type: 'string' }, counterPartyAddress: { type: 'string', format: 'uri' }, counterPartyId: { type: 'string' }, protocol: { type: 'string' } } },
      ContractRequest: { type: 'object', required: ['counterPartyAddress', 'protocol', 'policy'], properties: { '@context': {}, '@type': { const: 'ContractRequest' }, counterPartyAddress: { type: 'string', format: 'uri' }, counterPartyId: { type: 'string' }, protocol: { type: 'string' }, policy: { type: 'object', description: 'the offer from the catalog, with its @id and target' }, callbackAddresses: { type: 'array', items: { type: 'object' } } } },
      ContractOfferRequest: { type: 'object', required: ['counterPartyAddress', 'counterPartyId', 'protocol', 'contractDefinitionId', 'assetId'], properties: { '@context': {}, counterPartyAddress: { type: 'string', format: 'uri' }, counterPartyId: { type: 'string' }, protocol: { type: 'string' }, contractDefinitionId: { type: 'string' }, assetId: { type: 'string' }, callbackAddresses: { type: 'array', items: { type: 'object' } } } },
      ContractNegotiation: { type: 'object', properties: { '@type': { const: 'ContractNegotiation' }, '@id': { type: 'string' }, type: { enum: ['CONSUMER', 'PROVIDER'] }, state: { type: 'string' }, counterPartyId: { type: 'string' }, counterPartyAddress: { type: 'string' }, protocol: { type: 'string' }, contractAgreementId: { type: 'string' }, errorDetail: { type: 'string' }, createdAt: { type: 'integer' } } },
      ContractAgreement: { type: 'object', properties: { '@type': { const: 'ContractAgreement' }, '@id': { type: 'string' }, assetId: { type: 'string' }, providerId: { type: 'string' }, consumerId: { type: 'string' }, contractSigningDate: { type: 'integer', description: 'epoch seconds' }, policy: { type: 'object' } } },
      TransferRequest: { type: 'object', required: ['contractId', 'counterPartyAddress', 'protocol', 'transferType'], properties: { '@context': {}, '@type': { const: 'TransferRequest' }, contractId: { type: 'string' }, counterPartyAddress: { type: 'string', format: 'uri' }, protocol: { type: 'string' }, transferType: { type: 'string', examples: ['HttpData-PULL'] }, dataDestination: { type: 'object' }, callbackAddresses: { type: 'array', items: { type: 'object' } } } },
      TransferProcess: { type: 'object', properties: { '@type': { const: 'TransferProcess' }, '@id': { type: 'string' }, type: { enum: ['CONSUMER', 'PROVIDER'] }, state: { type: 'string' }, contractId: { type: 'string' }, assetId: { type: 'string' }, correlationId: { type: 'string' }, errorDetail: { type: 'string' }, createdAt: { type: 'integer' } } },
      Secret: { type: 'object', required: ['@id', 'value'], properties: { '@context': {}, '@type': { const: 'Secret' }, '@id': { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' }, value: { type: 'string' } } },
      EdrEntry: { type: 'object', properties: { '@id': { type: 'string' }, transferProcessId: { type: 'string' }, agreementId: { type: 'string' }, contractNegotiationId: { type: 'string' }, assetId: { type: 'string' }, providerId: { type: 'string' }, createdAt: { type: 'integer' } } },
      DataAddress: { type: 'object', properties: { '@type': { const: 'DataAddress' }, endpoint: { type: 'string' }, authorization: { type: 'string' }, authType: { const: 'bearer' }, 'tx-auth:refreshToken': { type: 'string' }, 'tx-auth:refreshEndpoint': { type: 'string' }, 'tx-auth:expiresIn': { type: 'string' } } },
    },
  };
}

/** `/footprints`, `/footprint-requests`, `/pact/…`, `/events` and the tenant's own administration (not in EDC). */
export function publishingOpenApi(): OpenApiFragment {
  const F = 'Footprints';
  const P = 'PACT host';
  const footprintBody = { required: true, content: { 'application/json': { schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } }, 'application/x-ndjson': { schema: { type: 'string' } } } };
  return {
    tags: [
      { name: F, description: 'PACT v2/v3 (or Catena-X PCF 7/8/9) footprints the tenant publishes; validated against the declared spec version' },
      { name: P, description: "the tenant's PACT clients, partners, settings and received footprint requests" },
      { name: 'Events', description: "the tenant's server-sent event stream" },
      { name: 'Tenant', description: "the caller's tenant: API keys, users and their roles, management tokens, audit trail" },
    ],
    paths: {
      '/footprints': {
        post: { tags: [F], summary: 'publish one footprint, an array or JSON lines (?format=pact|catenax-7.0.0|…)', requestBody: footprintBody, responses: { 201: ok('created (one)'), 200: ok('per-item import report (many)'), ...errors(400, 401, 403, 409) } },
        get: { tags: [F], summary: 'list published footprints (limit, cursor, filters)', responses: { 200: ok('a page', { type: 'object' }), ...errors(400, 401) } },
      },
      '/footprints/{id}': {
        parameters: [idParam],
        get: { tags: [F], summary: 'read a footprint', responses: { 200: ok('found', { type: 'object' }), ...errors(401, 404) } },
        put: { tags: [F], summary: 'change a footprint (v2: new version; v3: new id, the old one Deprecated)', requestBody: footprintBody, responses: { 200: ok('changed', { type: 'object' }), ...errors(400, 401, 403, 404) } },
        delete: { tags: [F], summary: 'deprecate a footprint (PACT footprints are never deleted)', responses: { 200: ok('deprecated', { type: 'object' }), ...errors(401, 403, 404) } },
      },
      '/footprint-requests': { get: { tags: [P], summary: 'footprint requests received from partners (RequestCreated events)', responses: { 200: ok('list', { type: 'array', items: { type: 'object' } }), ...errors(401) } } },
      '/footprint-requests/{id}': read(P, 'read a footprint request', { type: 'object' }),
      '/footprint-requests/{id}/fulfil': decision(P, 'fulfil with matching footprints (RequestFulfilled event to the requester)'),
      '/footprint-requests/{id}/reject': decision(P, 'reject (RequestRejected event to the requester)', reason),
      '/pact/settings': {
        get: { tags: [P], summary: "the tenant's PACT settings", responses: { 200: ok('settings', { type: 'object', properties: { autoFulfil: { type: 'boolean' } } }), ...errors(401) } },
        put: { tags: [P], summary: 'change the PACT settings', requestBody: body({ type: 'object', properties: { autoFulfil: { type: 'boolean' } } }), responses: { 200: ok('settings', { type: 'object' }), ...errors(400, 401, 403) } },
      },
      '/pact/clients': {
        post: { tags: [P], summary: 'register a PACT client (the secret is returned once)', requestBody: body({ type: 'object', properties: { name: { type: 'string' } } }), responses: { 201: ok('client with clientId, clientSecret, tokenEndpoint, baseUrl', { type: 'object' }), ...errors(400, 401, 403) } },
        get: { tags: [P], summary: 'list PACT clients (no secrets)', responses: { 200: ok('list', { type: 'array', items: { type: 'object' } }), ...errors(401) } },
      },
      '/pact/clients/{id}': { parameters: [idParam], delete: { tags: [P], summary: 'revoke a PACT client', responses: { ...noContent, ...errors(401, 403, 404) } } },
      '/pact/partners': {
        post: { tags: [P], summary: "register a partner's PACT host (for events we send)", requestBody: body({ type: 'object' }), responses: { 201: ok('partner', { type: 'object' }), ...errors(400, 401, 403) } },
        get: { tags: [P], summary: 'list partners', responses: { 200: ok('list', { type: 'array', items: { type: 'object' } }), ...errors(401) } },
      },
      '/pact/partners/{id}': { parameters: [idParam], delete: { tags: [P], summary: 'remove a partner', responses: { ...noContent, ...errors(401, 403, 404) } } },
      '/pact/outbox': { get: { tags: [P], summary: 'events queued for partners and their delivery state', responses: { 200: ok('list', { type: 'array', items: { type: 'object' } }), ...errors(401) } } },
      '/tenant': { get: { tags: ['Tenant'], summary: "the caller's tenant", responses: { 200: ok('tenant', { type: 'object' }), ...errors(401) } } },
      '/apikeys': {
        get: { tags: ['Tenant'], summary: 'list API keys (no secrets)', responses: { 200: ok('list', { type: 'array', items: { type: 'object' } }), ...errors(401, 403) } },
        post: { tags: ['Tenant'], summary: 'create an API key with roles (the key is returned once)', requestBody: body({ type: 'object', required: ['name', 'role'], properties: { name: { type: 'string' }, role: { enum: ['admin', 'publisher', 'viewer'] } } }), responses: { 201: ok('key record with `key`', { type: 'object' }), ...errors(400, 401, 403) } },
      },
      '/apikeys/{id}': { parameters: [idParam], delete: { tags: ['Tenant'], summary: 'revoke an API key', responses: { ...noContent, ...errors(401, 403, 404) } } },
      '/users': { get: { tags: ['Tenant'], summary: 'users (token subjects) and their roles', responses: { 200: ok('list', { type: 'array', items: { type: 'object' } }), ...errors(401, 403) } } },
      '/users/{subject}': {
        parameters: [{ name: 'subject', in: 'path', required: true, schema: { type: 'string' } }],
        put: { tags: ['Tenant'], summary: "set a user's role", requestBody: body({ type: 'object', required: ['role'], properties: { role: { enum: ['admin', 'publisher', 'viewer'] } } }), responses: { 200: ok('user', { type: 'object' }), ...errors(400, 401, 403) } },
        delete: { tags: ['Tenant'], summary: "remove a user's role", responses: { ...noContent, ...errors(401, 403, 404) } },
      },
      '/tokens': { post: { tags: ['Tenant'], summary: 'a management token from the built-in issuer (built-in auth only)', requestBody: body({ type: 'object', required: ['subject', 'role'], properties: { subject: { type: 'string' }, role: { enum: ['admin', 'publisher', 'viewer'] }, ttlSeconds: { type: 'integer' } } }), responses: { 201: ok('token', { type: 'object', properties: { access_token: { type: 'string' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer' } } }), ...errors(400, 401, 403) } } },
      '/audit': { get: { tags: ['Tenant'], summary: "the tenant's audit trail (hash chain), in pages", responses: { 200: ok('records', { type: 'array', items: { type: 'object' } }), ...errors(401, 403) } } },
      '/audit/verify': { post: { tags: ['Tenant'], summary: "verify the tenant's audit chain", responses: { 200: ok('result', { type: 'object' }), ...errors(401, 403) } } },
      '/events': { get: { tags: ['Events'], summary: "server-sent events of the tenant's negotiations, transfers and footprints (resumes from Last-Event-ID)", responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(401) } } },
    },
  };
}
