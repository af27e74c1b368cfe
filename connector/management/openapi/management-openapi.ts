// OpenAPI 3.1 document of the management API: a builder merging per-router fragments, and the catalog data fragment.

export type JsonSchema = Readonly<Record<string, unknown>>;

/** The paths, schemas and tags one router contributes. Paths are relative to `/management/v3`. */
export interface OpenApiFragment {
  readonly paths: Readonly<Record<string, Record<string, unknown>>>;
  readonly schemas?: Readonly<Record<string, JsonSchema>>;
  readonly tags?: readonly { readonly name: string; readonly description: string }[];
}

export interface OpenApiOptions {
  readonly title?: string;
  readonly version?: string;
  /** Server URL (default `/management/v3`). */
  readonly serverUrl?: string;
}

export type OpenApiDocument = Readonly<Record<string, unknown>>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema): Record<string, unknown> => ({ 'application/json': { schema } });

const COMMON_SCHEMAS: Record<string, JsonSchema> = {
  ApiErrorDetail: {
    type: 'object', required: ['message', 'type'],
    properties: {
      message: { type: 'string' }, type: { type: 'string', enum: ['BadRequest', 'ObjectNotFound', 'ObjectConflict', 'NotAuthorized', 'Unauthenticated', 'InternalError', 'PayloadTooLarge', 'UnsupportedMediaType'] },
      path: { type: ['string', 'null'] }, invalidValue: {},
    },
  },
  ApiErrors: { type: 'array', items: ref('ApiErrorDetail') },
  IdResponse: {
    type: 'object', required: ['@id', 'createdAt'],
    properties: { '@type': { const: 'IdResponse' }, '@id': { type: 'string' }, createdAt: { type: 'integer', description: 'epoch milliseconds' }, '@context': { type: 'object' } },
  },
  Criterion: {
    type: 'object', required: ['operandLeft', 'operator', 'operandRight'],
    properties: {
      '@type': { const: 'Criterion' }, operandLeft: { type: 'string', examples: ['https://w3id.org/edc/v0.0.1/ns/id', "'http://purl.org/dc/terms/type'.'@id'"] },
      operator: { type: 'string', enum: ['=', '!=', 'in', 'not in', 'like', 'ilike', 'contains', '<', '<=', '>', '>='] },
      operandRight: { oneOf: [{ type: ['string', 'number', 'boolean'] }, { type: 'array', items: { type: ['string', 'number', 'boolean'] } }] },
    },
  },
  QuerySpec: {
    type: 'object',
    properties: {
      '@context': {}, '@type': { const: 'QuerySpec' }, offset: { type: 'integer', minimum: 0, default: 0 },
      limit: { type: 'integer', minimum: 1, maximum: 10000, default: 50 }, sortOrder: { enum: ['ASC', 'DESC'], default: 'ASC' },
      sortField: { type: 'string' }, filterExpression: { type: 'array', items: ref('Criterion') },
    },
  },
};

const errors = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), { description: ({ 400: 'invalid request (EDC error array)', 401: 'not authenticated', 403: 'role may not do this', 404: 'not found (also for another tenant\'s id)', 409: 'conflict', 500: 'internal error (body carries an error id)' } as Record<number, string>)[c], content: json(ref('ApiErrors')) }]));
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

function crud(tag: string, schema: string, putPath: 'collection' | 'item'): Record<string, Record<string, unknown>> {
  const body = { required: true, content: { 'application/json': { schema: ref(schema) }, 'application/ld+json': { schema: ref(schema) } } };
  const paths: Record<string, Record<string, unknown>> = {
    '': {
      post: { tags: [tag], summary: `create a ${schema}`, requestBody: body, responses: { 200: { description: 'created', content: json(ref('IdResponse')) }, ...errors(400, 401, 403, 409) } },
    },
    '/request': {
      post: { tags: [tag], summary: `query ${schema}s`, requestBody: { required: false, content: json(ref('QuerySpec')) }, responses: { 200: { description: 'a page', content: json({ type: 'array', items: ref(schema) }) }, ...errors(400, 401) } },
    },
    '/{id}': {
      parameters: [idParam],
      get: { tags: [tag], summary: `read a ${schema}`, responses: { 200: { description: 'found', content: json(ref(schema)) }, ...errors(401, 404) } },
      delete: { tags: [tag], summary: `delete a ${schema}`, responses: { 204: { description: 'deleted' }, ...errors(401, 403, 404, 409) } },
    },
  };
  const put = { tags: [tag], summary: `replace a ${schema}`, requestBody: body, responses: { 204: { description: 'updated' }, ...errors(400, 401, 403, 404) } };
  if (putPath === 'collection') (paths[''] as Record<string, unknown>).put = put;
  else (paths['/{id}'] as Record<string, unknown>).put = put;
  return paths;
}

function prefixed(base: string, paths: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(paths).map(([p, v]) => [`${base}${p}`, v]));
}

/** Paths and schemas of `/assets`, `/policydefinitions` and `/contractdefinitions`. */
export function catalogDataOpenApi(): OpenApiFragment {
  const policyOps = {
    '/{id}/validate': {
      parameters: [idParam],
      post: { tags: ['Policy definitions'], summary: 'validate a stored policy definition', responses: { 200: { description: 'result', content: json(ref('PolicyValidationResult')) }, ...errors(401, 404) } },
    },
    '/{id}/evaluationplan': {
      parameters: [idParam],
      post: {
        tags: ['Policy definitions'], summary: 'functions that would run in a scope', requestBody: { required: true, content: json(ref('PolicyEvaluationPlanRequest')) },
        responses: { 200: { description: 'plan', content: json({ type: 'object' }) }, ...errors(400, 401, 404) },
      },
    },
    '/{id}/explain': {
      parameters: [idParam],
      post: {
        tags: ['Policy definitions'], summary: 'evaluate against a hypothetical counter-party and explain (not in EDC)',
        requestBody: { required: true, content: json(ref('ExplainRequest')) },
        responses: { 200: { description: '{ allowed, explanation }', content: json({ type: 'object', required: ['allowed', 'explanation'] }) }, ...errors(400, 401, 404) },
      },
    },
  };
  return {
    tags: [
      { name: 'Assets', description: 'EDC assets (properties, private properties, data address)' },
      { name: 'Policy definitions', description: 'ODRL policies with ids, validated at creation' },
      { name: 'Contract definitions', description: 'access policy + contract policy + asset selector' },
    ],
    paths: {
      ...prefixed('/assets', crud('Assets', 'Asset', 'collection')),
      ...prefixed('/policydefinitions', { ...crud('Policy definitions', 'PolicyDefinition', 'item'), ...policyOps }),
      ...prefixed('/contractdefinitions', crud('Contract definitions', 'ContractDefinition', 'collection')),
    },
    schemas: {
      ...COMMON_SCHEMAS,
      Asset: {
        type: 'object', required: ['properties', 'dataAddress'],
        properties: {
          '@context': {}, '@type': { const: 'Asset' }, '@id': { type: 'string' }, properties: { type: 'object' }, privateProperties: { type: 'object' },
          dataAddress: { type: 'object', required: ['type'], properties: { '@type': { const: 'DataAddress' }, type: { type: 'string', examples: ['HttpData'] } } },
          createdAt: { type: 'integer', readOnly: true },
        },
      },
      PolicyDefinition: {
        type: 'object', required: ['policy'],
        properties: { '@context': {}, '@type': { const: 'PolicyDefinition' }, '@id': { type: 'string' }, policy: { type: 'object', description: 'ODRL policy (Set)' }, privateProperties: { type: 'object' }, createdAt: { type: 'integer', readOnly: true } },
      },
      ContractDefinition: {
        type: 'object', required: ['accessPolicyId', 'contractPolicyId'],
        properties: {
          '@context': {}, '@type': { const: 'ContractDefinition' }, '@id': { type: 'string' }, accessPolicyId: { type: 'string' }, contractPolicyId: { type: 'string' },
          assetsSelector: { type: 'array', items: ref('Criterion') }, privateProperties: { type: 'object' }, createdAt: { type: 'integer', readOnly: true },
        },
      },
      PolicyValidationResult: { type: 'object', properties: { '@type': { const: 'PolicyValidationResult' }, isValid: { type: 'boolean' }, errors: { type: 'array', items: { type: 'string' } } } },
      PolicyEvaluationPlanRequest: { type: 'object', required: ['policyScope'], properties: { '@context': {}, '@type': { const: 'PolicyEvaluationPlanRequest' }, policyScope: { enum: ['catalog', 'contract.negotiation', 'transfer.process', 'policy.monitor'] } } },
      ExplainRequest: {
        type: 'object',
        properties: {
          policyScope: { enum: ['catalog', 'contract.negotiation', 'transfer.process', 'policy.monitor'], default: 'catalog' },
          counterParty: { type: 'object', properties: { bpn: { type: 'string' }, did: { type: 'string' }, credentials: { type: 'array', items: { type: 'object', required: ['type', 'credentialSubject'] } } } },
          businessPartnerGroups: { type: 'array', items: { type: 'string' } },
          agreement: { type: 'object', required: ['id', 'signedAt'], properties: { id: { type: 'string' }, signedAt: { type: 'string', format: 'date-time' } } },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
  };
}

/** Merges fragments into one OpenAPI 3.1 document with the API-key and bearer security schemes. */
export function buildManagementOpenApi(fragments: readonly OpenApiFragment[], opts: OpenApiOptions = {}): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = {};
  const tags: { name: string; description: string }[] = [];
  for (const f of fragments) {
    for (const [p, ops] of Object.entries(f.paths)) paths[p] = { ...(paths[p] ?? {}), ...ops };
    Object.assign(schemas, f.schemas ?? {});
    for (const t of f.tags ?? []) if (!tags.some((x) => x.name === t.name)) tags.push({ ...t });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: opts.title ?? 'PCF connector management API (EDC Management API v3 compatible)',
      version: opts.version ?? '3',
      description: 'JSON-LD bodies as in EDC Management API v3 (`@vocab` https://w3id.org/edc/v0.0.1/ns/). The tenant is taken from the credential.',
    },
    servers: [{ url: opts.serverUrl ?? '/management/v3' }],
    security: [{ apiKey: [] }, { bearer: [] }],
    tags,
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}
