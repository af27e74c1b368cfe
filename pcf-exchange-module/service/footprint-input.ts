// Decodes a published footprint: PACT v2/v3 by `specVersion`, or Catena-X PCF 7/8/9 (detected or named) mapped to PACT v3.
import { fail, ok, type Result } from '../../connector/common/result';
import { catenaXToPact } from '../model/catenax-to-pact';
import type { PactFootprint } from '../model/pact-types';
import { CATENAX_VERSIONS, type CatenaXVersion } from '../model/schema-registry';
import type { FootprintValidator } from '../model/validate';

/** `pact` = PACT by specVersion; `catenax-<v>` = that Catena-X model; `auto` = PACT or Catena-X by the document. */
export type InputFormat = 'auto' | 'pact' | `catenax-${CatenaXVersion}`;

const CX_URN = /^urn:io\.catenax\.pcf:datamodel:version:(\d+\.\d+\.\d+)$/;

/** The `?format=` query value as an input format (absent → auto). */
export function parseInputFormat(value: unknown): Result<InputFormat> {
  if (value === undefined || value === '' || value === 'auto') return ok('auto');
  if (value === 'pact') return ok('pact');
  if (typeof value === 'string' && value.startsWith('catenax-') && (CATENAX_VERSIONS as readonly string[]).includes(value.slice(8))) {
    return ok(value as InputFormat);
  }
  return fail('bad-request', `format must be auto, pact or one of ${CATENAX_VERSIONS.map((v) => `catenax-${v}`).join(', ')}`, [
    { pointer: '', reason: 'unknown format', path: 'format', invalidValue: value },
  ]);
}

/** The Catena-X PCF model version a document declares (7.0.0/9.0.0 string, 8.0.0 array, 9.0.0 in scopeOfPcfForm). */
export function detectCatenaXVersion(doc: unknown): CatenaXVersion | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  const scope = Array.isArray(d.scopeOfPcfForm) ? d.scopeOfPcfForm[0] : d.scopeOfPcfForm;
  const candidates = [d.specVersion, Array.isArray(d.specVersion) ? d.specVersion[0] : undefined,
    typeof scope === 'object' && scope !== null ? (scope as Record<string, unknown>).specVersion : undefined];
  for (const c of candidates) {
    const m = typeof c === 'string' ? CX_URN.exec(c) : null;
    if (m !== null && (CATENAX_VERSIONS as readonly string[]).includes(m[1])) return m[1] as CatenaXVersion;
  }
  if ('general' in d && 'companyAndProductInformation' in d) return '9.0.0';
  return undefined;
}

/**
 * The validated PACT footprint of `doc`: Catena-X documents are mapped to PACT v3.0 (extension fields kept) and
 * then validated as PACT. Failures are `bad-request` with `{pointer, rule, reason}` details.
 */
export function decodeFootprint(doc: unknown, format: InputFormat, validator: FootprintValidator): Result<PactFootprint> {
  let cx: CatenaXVersion | undefined;
  if (format === 'auto') cx = detectCatenaXVersion(doc);
  else if (format !== 'pact') cx = format.slice(8) as CatenaXVersion;
  if (cx === undefined) return validator.validateFootprint(doc);
  const mapped = catenaXToPact(doc, cx);
  if (!mapped.ok) {
    return fail('bad-request', `Catena-X PCF ${cx}: ${mapped.message}`, mapped.details ?? [{ pointer: '', rule: 'catenax-mapping', reason: mapped.message }]);
  }
  return validator.validateFootprintAs(mapped.value, '3');
}
