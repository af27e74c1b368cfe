// PACT rules the JSON Schemas cannot express (identifier syntax, decimal signs/ranges, date ordering), each named.
import { instantMs, isDecimalString } from './decimal';
import type { FootprintIssue, PactVersion } from './pact-types';

const PLAIN_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

type Sign = 'positive' | 'non-negative' | 'non-positive';

/** v2 CarbonFootprint quantities carried as decimal strings, with the sign the v2 text requires (undefined = any). */
const V2_DECIMALS: Readonly<Record<string, Sign | undefined>> = {
  unitaryProductAmount: 'positive',
  productMassPerDeclaredUnit: 'non-negative',
  pCfExcludingBiogenic: 'non-negative',
  pCfIncludingBiogenic: undefined,
  fossilGhgEmissions: 'non-negative',
  fossilCarbonContent: 'non-negative',
  biogenicCarbonContent: 'non-negative',
  dLucGhgEmissions: 'non-negative',
  landManagementGhgEmissions: undefined,
  otherBiogenicGhgEmissions: 'non-negative',
  iLucGhgEmissions: 'non-negative',
  biogenicCarbonWithdrawal: 'non-positive',
  aircraftGhgEmissions: 'non-negative',
  packagingGhgEmissions: 'non-negative',
};

/** v3 CarbonFootprint decimals with their sign (the v3 patterns express most signs; `declaredUnitAmount` leaks "-0.5"). */
const V3_DECIMALS: Readonly<Record<string, Sign | undefined>> = {
  declaredUnitAmount: 'positive',
  productMassPerDeclaredUnit: 'non-negative',
  pcfExcludingBiogenicUptake: undefined,
  pcfIncludingBiogenicUptake: undefined,
  fossilCarbonContent: 'non-negative',
  biogenicCarbonContent: 'non-negative',
  recycledCarbonContent: 'non-negative',
  fossilGhgEmissions: 'non-negative',
  landUseChangeGhgEmissions: 'non-negative',
  landCarbonLeakage: 'non-negative',
  landManagementFossilGhgEmissions: 'non-negative',
  landManagementBiogenicCO2Emissions: 'non-negative',
  landManagementBiogenicCO2Removals: 'non-positive',
  biogenicCO2Uptake: 'non-positive',
  biogenicNonCO2Emissions: 'non-negative',
  landAreaOccupation: 'non-negative',
  aircraftGhgEmissions: 'non-negative',
  packagingGhgEmissions: 'non-negative',
  packagingBiogenicCarbonContent: 'non-negative',
  outboundLogisticsGhgEmissions: 'non-negative',
  ccsTechnologicalCO2Capture: 'non-positive',
  technologicalCO2Removals: 'non-positive',
  ccuCarbonContent: 'non-negative',
  exemptedEmissionsPercent: 'non-negative',
  primaryDataShare: 'non-negative',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function signOk(value: number, sign: Sign): boolean {
  if (sign === 'positive') return value > 0;
  if (sign === 'non-negative') return value >= 0;
  return value <= 0;
}

/** Applies every named PACT rule to a document of the declared `version`; returns the violations. */
export function checkPactRules(doc: Record<string, unknown>, version: PactVersion): FootprintIssue[] {
  const issues: FootprintIssue[] = [];
  const add = (pointer: string, rule: string, reason: string): void => {
    issues.push({ pointer, rule, reason: `${rule}: ${reason}` });
  };

  if (typeof doc.id === 'string' && !PLAIN_UUID.test(doc.id)) add('/id', 'id-uuid', 'id must be a plain UUID (8-4-4-4-12 hex digits, no urn:uuid: prefix)');
  if (Array.isArray(doc.precedingPfIds)) {
    doc.precedingPfIds.forEach((v, i) => {
      if (typeof v === 'string' && !PLAIN_UUID.test(v)) add(`/precedingPfIds/${i}`, 'preceding-pf-id-uuid', 'every precedingPfIds entry must be a plain UUID');
    });
  }

  const pcf = isRecord(doc.pcf) ? doc.pcf : undefined;
  if (pcf !== undefined) {
    const table = version === '2' ? V2_DECIMALS : V3_DECIMALS;
    for (const [field, sign] of Object.entries(table)) {
      const value = pcf[field];
      if (value === undefined || value === null) continue;
      const pointer = `/pcf/${field}`;
      if (!isDecimalString(value)) {
        add(pointer, 'decimal-string', `${field} must be a decimal written as a JSON string (e.g. "1.5")`);
      } else if (sign !== undefined && !signOk(Number(value), sign)) {
        add(pointer, 'decimal-sign', `${field} must be ${sign === 'positive' ? 'greater than 0' : sign === 'non-negative' ? 'greater than or equal to 0' : 'less than or equal to 0'}`);
      }
    }
    if (version === '3') {
      if (isDecimalString(pcf.primaryDataShare) && Number(pcf.primaryDataShare) > 100) add('/pcf/primaryDataShare', 'decimal-range', 'primaryDataShare must be between 0 and 100');
      if (isRecord(pcf.dqi)) {
        for (const k of ['technologicalDQR', 'geographicalDQR', 'temporalDQR']) {
          const v = pcf.dqi[k];
          if (v === undefined) continue;
          if (!isDecimalString(v)) add(`/pcf/dqi/${k}`, 'decimal-string', `${k} must be a decimal written as a JSON string`);
          else if (Number(v) < 1 || Number(v) > 5) add(`/pcf/dqi/${k}`, 'decimal-range', `${k} must be between 1 and 5`);
        }
      }
    }
    if (pcf.packagingEmissionsIncluded === false && pcf.packagingGhgEmissions !== undefined && pcf.packagingGhgEmissions !== null) {
      add('/pcf/packagingGhgEmissions', 'packaging-emissions-consistency', 'packagingGhgEmissions must not be defined when packagingEmissionsIncluded is false');
    }
    const refStart = instantMs(pcf.referencePeriodStart);
    const refEnd = instantMs(pcf.referencePeriodEnd);
    if (!Number.isNaN(refStart) && !Number.isNaN(refEnd) && refStart >= refEnd) {
      add('/pcf/referencePeriodEnd', 'reference-period-order', 'referencePeriodEnd must be later than referencePeriodStart');
    }
  }

  const valStart = instantMs(doc.validityPeriodStart);
  const valEnd = instantMs(doc.validityPeriodEnd);
  if (!Number.isNaN(valStart) && !Number.isNaN(valEnd) && valStart >= valEnd) {
    add('/validityPeriodEnd', 'validity-period-order', 'validityPeriodEnd must be later than validityPeriodStart');
  }

  if (version === '2') {
    const created = instantMs(doc.created);
    const updated = instantMs(doc.updated);
    if (!Number.isNaN(created) && !Number.isNaN(updated) && updated < created) {
      add('/updated', 'updated-after-created', 'updated must not be earlier than created');
    }
  } else {
    // The host serves every stored footprint in both shapes: v2-only fields a v3 document carries must stay valid v2.
    if (doc.updated !== undefined && (typeof doc.updated !== 'string' || !DATE_TIME.test(doc.updated) || Number.isNaN(instantMs(doc.updated)))) {
      add('/updated', 'cross-version-field', 'updated (a v2 field) must be an RFC 3339 date-time when present');
    }
    if (doc.version !== undefined && !(Number.isInteger(doc.version) && (doc.version as number) >= 0 && (doc.version as number) <= 2147483647)) {
      add('/version', 'cross-version-field', 'version (a v2 field) must be an integer between 0 and 2^31-1 when present');
    }
  }
  return issues;
}
