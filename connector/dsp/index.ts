// Public surface of the DSP message layer: dialects, typed messages, validators, codec, errors, version document.
export * from './dialects';
export * from './messages';
export { createDspValidators, schemaId, type DspValidators, type SchemaViolation } from './validators';
export { createDspCodec, type DspCodec, type DspCodecDeps, type DecodePath } from './codec';
export { DspEncodeError } from './encoder';
export * from './errors';
export * from './version';
export { dspMessageFingerprint } from './message-id';
export { compactType, typeIri, ODRL, DCAT, DCT, XSD } from './vocabulary';
