// DSP JSON Schemas per dialect: loaded from schemas/dsp by $id, patched for known defects, compiled once.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { fail, ok, type Result } from '../common/result';
import { DIALECT_INFO, dsp08Context, type DspDialect } from './dialects';
import type { DspMessageType } from './messages';

type Json = Record<string, unknown>;

/** Where the DSP schemas live at run time (copied by the build next to this layout). */
const SCHEMA_ROOT = join(__dirname, '..', '..', 'schemas', 'dsp');

const AREA: Readonly<Record<DspMessageType, string>> = {
  CatalogRequestMessage: 'catalog',
  DatasetRequestMessage: 'catalog',
  Catalog: 'catalog',
  Dataset: 'catalog',
  CatalogError: 'catalog',
  ContractRequestMessage: 'negotiation',
  ContractOfferMessage: 'negotiation',
  ContractAgreementMessage: 'negotiation',
  ContractAgreementVerificationMessage: 'negotiation',
  ContractNegotiationEventMessage: 'negotiation',
  ContractNegotiationTerminationMessage: 'negotiation',
  ContractNegotiation: 'negotiation',
  ContractNegotiationError: 'negotiation',
  TransferRequestMessage: 'transfer',
  TransferStartMessage: 'transfer',
  TransferCompletionMessage: 'transfer',
  TransferSuspensionMessage: 'transfer',
  TransferTerminationMessage: 'transfer',
  TransferProcess: 'transfer',
  TransferError: 'transfer',
  VersionResponse: 'common',
};

function kebab(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The `$id` of the schema that validates `type` in `dialect`. */
export function schemaId(dialect: DspDialect, type: DspMessageType): string {
  const ns = DIALECT_INFO[dialect].namespace;
  if (type === 'VersionResponse') {
    return dialect === '2025-1' ? `${ns}common/protocol-version-schema.json` : `${ns}common/version-schema.json`;
  }
  return `${ns}${AREA[type]}/${kebab(type)}-schema.json`;
}

export interface SchemaViolation {
  /** JSON pointer into the validated body. */
  readonly path: string;
  readonly message: string;
}

export interface DspValidators {
  /** Validates a compact body against the dialect's schema for `type`; a failure lists the violations. */
  validate(dialect: DspDialect, type: DspMessageType, body: unknown): Result<void>;
  /** Validates a DID document `service` entry (2025-1 `did-service-schema.json`, patched, see docs/dsp.md). */
  validateDidService(entry: unknown): Result<void>;
}

function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listJsonFiles(full));
    else if (name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

function loadSchemas(folder: string): Json[] {
  return listJsonFiles(join(SCHEMA_ROOT, folder)).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Json);
}

function defs(schema: Json): Record<string, Json> {
  return schema['definitions'] as Record<string, Json>;
}

/** 2025-1 workarounds (docs/dsp.md "Schema workarounds" W1, W2). */
function patch2025(schema: Json): Json {
  // W1: `…/transfer-schema.json#definitions/AbstractTransferCodeMessage` lacks the leading `/` of a JSON pointer.
  const fixed = JSON.parse(JSON.stringify(schema).split('#definitions/').join('#/definitions/')) as Json;
  // W2: the DataService DID entry points at `/.well-known/dspace-version` (text and example), the pattern only allows `/catalog`.
  if (fixed['$id'] === 'https://w3id.org/dspace/2025/1/common/did-service-schema.json') {
    const props = defs(fixed)['DidService']!['properties'] as Record<string, Json>;
    props['serviceEndpoint'] = { type: 'string', pattern: 'https?://.*?/(catalog|\\.well-known/dspace-version(/.*)?)$' };
  }
  return fixed;
}

/** 2024-1 workarounds (docs/dsp.md W3, W4). */
function patch2024(schema: Json): Json {
  const fixed = JSON.parse(JSON.stringify(schema)) as Json;
  if (typeof fixed['$id'] === 'string' && fixed['$id'].endsWith('/negotiation/contract-schema.json')) {
    // W3: left operands and operators are profile-extensible (Catena-X `cx-policy:*`); the closed enums also lack
    // `odrl:lteq` that the examples use. The policy module validates ODRL content; the envelope schema only wants strings.
    defs(fixed)['LeftOperand'] = { type: 'string' };
    defs(fixed)['Operator'] = { type: 'string' };
  }
  if (typeof fixed['$id'] === 'string' && fixed['$id'].endsWith('/negotiation/contract-negotiation-error-schema.json')) {
    // W4: `dct:description.items` holds property schemas without `properties`/`type`; make it the intended object schema.
    const props = defs(fixed)['ContractNegotiationError']!['properties'] as Record<string, Json>;
    props['dct:description'] = {
      type: 'array',
      items: {
        type: 'object',
        properties: { '@language': { type: 'string' }, '@value': { type: 'string' } },
        required: ['@language', '@value'],
      },
    };
  }
  return fixed;
}

/** 0.8: the 2024-1 schemas with `$id`s moved to the 0.8 namespace and `@context` pinned to the inline 0.8 context. */
function derive08(schema2024: Json): Json {
  const ns24 = DIALECT_INFO['2024-1'].namespace;
  const ns08 = DIALECT_INFO['0.8'].namespace;
  const contextUrl = `${ns24}context.json`;
  const replaced = JSON.stringify(schema2024, (_key, value: unknown) => {
    if (isRecord(value) && value['const'] === contextUrl) return { const: dsp08Context() };
    return value;
  });
  return JSON.parse(replaced.split(ns24).join(ns08)) as Json;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function violations(errors: readonly ErrorObject[] | null | undefined): SchemaViolation[] {
  const seen = new Set<string>();
  const out: SchemaViolation[] = [];
  for (const e of errors ?? []) {
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'const' && isRecord(e.params) && 'allowedValue' in e.params) message += ` ${JSON.stringify(e.params['allowedValue'])}`;
    if (e.keyword === 'enum' && isRecord(e.params)) message += ` ${JSON.stringify(e.params['allowedValues'])}`;
    if (e.keyword === 'additionalProperties' && isRecord(e.params)) message += ` (${String(e.params['additionalProperty'])})`;
    const key = `${e.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: e.instancePath === '' ? '/' : e.instancePath, message });
  }
  return out;
}

/** Loads every DSP schema of every dialect by `$id`, applies the documented workarounds and compiles each message schema once. */
export function createDspValidators(): DspValidators {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  const s2025 = loadSchemas('2025-1').map(patch2025);
  const s2024 = loadSchemas('2024-1').map(patch2024);
  const s08 = s2024.map(derive08);
  for (const schema of [...s2025, ...s2024, ...s08]) ajv.addSchema(schema);

  const compiled = new Map<string, ValidateFunction>();
  for (const dialect of Object.keys(DIALECT_INFO) as DspDialect[]) {
    for (const type of Object.keys(AREA) as DspMessageType[]) {
      const id = schemaId(dialect, type);
      const fn = ajv.getSchema(id);
      if (fn === undefined) throw new Error(`DSP schema ${id} is missing`);
      compiled.set(`${dialect}|${type}`, fn);
    }
  }
  const didService = ajv.getSchema('https://w3id.org/dspace/2025/1/common/did-service-schema.json');
  if (didService === undefined) throw new Error('DSP DID service schema is missing');

  function run(fn: ValidateFunction, label: string, body: unknown): Result<void> {
    if (fn(body)) return ok(undefined);
    const list = violations(fn.errors);
    const head = list.slice(0, 3).map((v) => `${v.path} ${v.message}`).join('; ');
    return fail('bad-request', `${label} does not match its schema: ${head}`, list);
  }

  return {
    validate(dialect, type, body) {
      const fn = compiled.get(`${dialect}|${type}`);
      if (fn === undefined) throw new Error(`no DSP schema for ${type} in ${dialect}`);
      return run(fn, `${type} (DSP ${dialect})`, body);
    },
    validateDidService(entry) {
      return run(didService, 'DID service entry', entry);
    },
  };
}
