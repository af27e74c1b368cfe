// DSP vocabulary: namespaces, the IRIs of message types and properties per dialect, compact names on the wire.
import { DIALECT_INFO, type DspDialect } from './dialects';
import type { DspMessageType } from './messages';

export const ODRL = 'http://www.w3.org/ns/odrl/2/';
export const DCAT = 'http://www.w3.org/ns/dcat#';
export const DCT = 'http://purl.org/dc/terms/';
export const XSD = 'http://www.w3.org/2001/XMLSchema#';

/** Message types whose class lives in DCAT rather than the dspace namespace. */
const DCAT_TYPES: ReadonlySet<string> = new Set(['Catalog', 'Dataset', 'DataService', 'Distribution']);

/** The expanded `@type` IRI of a DSP class in a dialect. */
export function typeIri(dialect: DspDialect, type: DspMessageType | 'DataService' | 'Distribution' | 'DataAddress' | 'EndpointProperty'): string {
  return DCAT_TYPES.has(type) ? `${DCAT}${type}` : `${DIALECT_INFO[dialect].namespace}${type}`;
}

/** The compact `@type` written on the wire (`ContractRequestMessage` / `dspace:ContractRequestMessage` / `dcat:Catalog`). */
export function compactType(dialect: DspDialect, type: string): string {
  if (!DIALECT_INFO[dialect].prefixed) return type;
  return DCAT_TYPES.has(type) ? `dcat:${type}` : `dspace:${type}`;
}

/** The IRIs a reader needs for one dialect. */
export interface DialectIris {
  readonly ns: string;
  /** `ns + name` for a dspace property or enum value. */
  dspace(name: string): string;
}

export function dialectIris(dialect: DspDialect): DialectIris {
  const ns = DIALECT_INFO[dialect].namespace;
  return { ns, dspace: (name) => `${ns}${name}` };
}

/** Property names on the wire for a dialect (unprefixed for 2025-1, prefixed for 2024-1 and 0.8). */
export interface WireNames {
  dspace(name: string): string;
  dcat(name: string): string;
  odrl(name: string): string;
  readonly format: string;
  /** An enum value (`REQUESTED` / `dspace:REQUESTED`). */
  enumValue(value: string): string;
}

export function wireNames(dialect: DspDialect): WireNames {
  const prefixed = DIALECT_INFO[dialect].prefixed;
  return {
    dspace: (name) => (prefixed ? `dspace:${name}` : name),
    dcat: (name) => (prefixed ? `dcat:${name}` : name),
    odrl: (name) => (prefixed ? `odrl:${name}` : name),
    format: prefixed ? 'dct:format' : 'format',
    enumValue: (value) => (prefixed ? `dspace:${value}` : value),
  };
}
