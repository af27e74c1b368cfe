// Loads the committed PACT and Catena-X PCF JSON Schemas from schemas/ and compiles validators once per registry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction, type ErrorObject } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { PactVersion } from './pact-types';

export type CatenaXVersion = '7.0.0' | '8.0.0' | '9.0.0';
export const CATENAX_VERSIONS: readonly CatenaXVersion[] = ['7.0.0', '8.0.0', '9.0.0'];

/** Definitions of the PACT schemas a caller may validate against (e.g. events for the API layer). */
export type PactDefinition =
  | 'ProductFootprint'
  | 'CarbonFootprint'
  | 'PublishedEvent'
  | 'RequestCreatedEvent'
  | 'RequestFulfilledEvent'
  | 'RequestRejectedEvent'
  | 'Error';

const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');
const PACT_FILES: Readonly<Record<PactVersion, string>> = { '2': 'v2.3.schema.json', '3': 'v3.0.schema.json' };

/** The decimal-string syntax PACT uses (v3 `Decimal`); the OpenAPI `format: decimal` is checked with it. */
export const DECIMAL_PATTERN = /^[+-]?\d+(\.\d+)?$/;

/** Reads one committed schema file (relative to schemas/). */
export function readSchemaFile(relativePath: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, relativePath), 'utf8')) as Record<string, unknown>;
}

function addPactFormats(ajv: Ajv): void {
  addFormats(ajv);
  ajv.addFormat('decimal', DECIMAL_PATTERN);
  ajv.addFormat('urn', /^urn:/i);
}

/** Compiled validators for both PACT versions and the Catena-X PCF models; each compiled at most once. */
export interface SchemaRegistry {
  /** The validator for `definition` of the PACT `version` data model. */
  pact(version: PactVersion, definition: PactDefinition): ValidateFunction;
  /** The validator for the Catena-X PCF aspect model `version`. */
  catenaX(version: CatenaXVersion): ValidateFunction;
}

export function createSchemaRegistry(): SchemaRegistry {
  let pactAjv: Ajv2020 | undefined;
  let cxAjv: Ajv | undefined;
  const pactIds = new Map<PactVersion, string>();
  const cache = new Map<string, ValidateFunction>();

  function pactInstance(): Ajv2020 {
    if (pactAjv === undefined) {
      const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
      addPactFormats(ajv);
      for (const version of ['2', '3'] as const) {
        const schema = readSchemaFile(join('pact', PACT_FILES[version]));
        ajv.addSchema(schema);
        pactIds.set(version, String(schema.$id));
      }
      pactAjv = ajv;
    }
    return pactAjv;
  }

  return {
    pact(version, definition) {
      const key = `pact:${version}:${definition}`;
      let fn = cache.get(key);
      if (fn === undefined) {
        const ajv = pactInstance();
        fn = ajv.getSchema(`${pactIds.get(version)}#/$defs/${definition}`);
        if (fn === undefined) throw new Error(`PACT schema definition ${definition} missing for v${version}`);
        cache.set(key, fn);
      }
      return fn;
    },
    catenaX(version) {
      const key = `cx:${version}`;
      let fn = cache.get(key);
      if (fn === undefined) {
        if (cxAjv === undefined) {
          cxAjv = new Ajv({ allErrors: true, strictTypes: false });
          addPactFormats(cxAjv);
        }
        fn = cxAjv.compile(readSchemaFile(join('catenax-pcf', `${version}.schema.json`)));
        cache.set(key, fn);
      }
      return fn;
    },
  };
}

/** Turns ajv errors into `{pointer, rule: 'schema', reason}` issues. */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined): { pointer: string; rule: string; reason: string }[] {
  return (errors ?? []).map((e) => {
    let pointer = e.instancePath;
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
      pointer = `${pointer}/${escapePointer(e.params.missingProperty)}`;
    }
    return { pointer, rule: 'schema', reason: `${e.keyword}: ${e.message ?? 'invalid'}` };
  });
}

/** Escapes one JSON pointer reference token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
