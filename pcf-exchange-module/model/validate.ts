// Footprint validation: detect the declared PACT generation, validate schema + named PACT rules; Catena-X PCF per version.
import type { Failure, Success } from '../../connector/common/result';
import { checkPactRules } from './pact-rules';
import type { FootprintIssue, PactFootprint, PactVersion, ProductFootprintV2, ProductFootprintV3 } from './pact-types';
import { createSchemaRegistry, schemaIssues, type CatenaXVersion, type SchemaRegistry } from './schema-registry';

/** A failed validation: reason `bad-request`, the issues in `details`. */
export interface FootprintValidationFailure extends Failure {
  readonly details: readonly FootprintIssue[];
}

export type FootprintValidation<T> = Success<T> | FootprintValidationFailure;

/** The data-model generation a `specVersion` declares: 2.x → '2', 3.x → '3', anything else undefined. */
export function pactVersionOf(specVersion: unknown): PactVersion | undefined {
  if (typeof specVersion !== 'string') return undefined;
  const m = /^(\d+)\.\d+\.\d+(-\d{8})?$/.exec(specVersion);
  if (m === null) return undefined;
  return m[1] === '2' ? '2' : m[1] === '3' ? '3' : undefined;
}

function failure(message: string, issues: FootprintIssue[]): FootprintValidationFailure {
  return { ok: false, reason: 'bad-request', message, details: issues };
}

/** Validates PACT footprints and Catena-X PCFs with validators compiled once per instance. */
export interface FootprintValidator {
  /** Validates a PACT ProductFootprint of either generation (chosen by its `specVersion`). */
  validateFootprint(doc: unknown): FootprintValidation<PactFootprint>;
  /** Validates a PACT ProductFootprint against one given generation regardless of its `specVersion`. */
  validateFootprintAs(doc: unknown, version: PactVersion): FootprintValidation<PactFootprint>;
  /** Validates a Catena-X PCF aspect (io.catenax.pcf) of the given model version against its schema. */
  validateCatenaXPcf(doc: unknown, version: CatenaXVersion): FootprintValidation<Record<string, unknown>>;
}

export function createFootprintValidator(registry: SchemaRegistry = createSchemaRegistry()): FootprintValidator {
  function validateAs(doc: unknown, version: PactVersion): FootprintValidation<PactFootprint> {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      return failure('footprint must be a JSON object', [{ pointer: '', rule: 'schema', reason: 'type: must be object' }]);
    }
    const record = doc as Record<string, unknown>;
    const validate = registry.pact(version, 'ProductFootprint');
    const fromSchema = validate(record) ? [] : schemaIssues(validate.errors);
    const fromRules = checkPactRules(record, version);
    const rulePointers = new Set(fromRules.map((i) => i.pointer));
    const issues = [...fromRules, ...fromSchema.filter((i) => !rulePointers.has(i.pointer))];
    if (issues.length > 0) return failure(`invalid PACT v${version} footprint`, issues);
    return version === '2'
      ? { ok: true, value: { version: '2', doc: record as ProductFootprintV2 } }
      : { ok: true, value: { version: '3', doc: record as ProductFootprintV3 } };
  }

  return {
    validateFootprint(doc) {
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return validateAs(doc, '3');
      const specVersion = (doc as Record<string, unknown>).specVersion;
      const version = pactVersionOf(specVersion);
      if (version === undefined) {
        return failure('unsupported or missing specVersion', [
          { pointer: '/specVersion', rule: 'spec-version', reason: `spec-version: specVersion must be 2.x.y or 3.x.y, got ${JSON.stringify(specVersion ?? null)}` },
        ]);
      }
      return validateAs(doc, version);
    },
    validateFootprintAs: validateAs,
    validateCatenaXPcf(doc, version) {
      const validate = registry.catenaX(version);
      if (validate(doc)) return { ok: true, value: doc as Record<string, unknown> };
      return failure(`invalid Catena-X PCF ${version}`, schemaIssues(validate.errors));
    },
  };
}

let defaultValidator: FootprintValidator | undefined;

function lazyDefault(): FootprintValidator {
  defaultValidator ??= createFootprintValidator();
  return defaultValidator;
}

/** `createFootprintValidator().validateFootprint` on a lazily created shared instance. */
export function validateFootprint(doc: unknown): FootprintValidation<PactFootprint> {
  return lazyDefault().validateFootprint(doc);
}

/** `createFootprintValidator().validateCatenaXPcf` on a lazily created shared instance. */
export function validateCatenaXPcf(doc: unknown, version: CatenaXVersion): FootprintValidation<Record<string, unknown>> {
  return lazyDefault().validateCatenaXPcf(doc, version);
}
