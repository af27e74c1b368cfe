// PACT CloudEvents (structured mode) of both API versions: type names, validation of incoming events, outgoing builders.
import { randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../../connector/common/result';
import type { PactApiVersion } from '../api/pact-errors';
import { createSchemaRegistry, schemaIssues, type PactDefinition, type SchemaRegistry } from '../model/schema-registry';

export type PactEventKind = 'published' | 'request-created' | 'request-fulfilled' | 'request-rejected';

export const EVENT_TYPES: Readonly<Record<PactApiVersion, Readonly<Record<PactEventKind, string>>>> = {
  '2': {
    published: 'org.wbcsd.pathfinder.ProductFootprint.Published.v1',
    'request-created': 'org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1',
    'request-fulfilled': 'org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1',
    'request-rejected': 'org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1',
  },
  '3': {
    published: 'org.wbcsd.pact.ProductFootprint.PublishedEvent.3',
    'request-created': 'org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3',
    'request-fulfilled': 'org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3',
    'request-rejected': 'org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3',
  },
};

const DEFINITIONS: Readonly<Record<PactEventKind, PactDefinition>> = {
  published: 'PublishedEvent',
  'request-created': 'RequestCreatedEvent',
  'request-fulfilled': 'RequestFulfilledEvent',
  'request-rejected': 'RequestRejectedEvent',
};

/** A structured-mode CloudEvent as PACT uses it. */
export interface PactCloudEvent {
  readonly type: string;
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

export interface IncomingEvent {
  readonly kind: PactEventKind;
  readonly event: PactCloudEvent;
}

/** Where an incoming event is wrong: JSON pointer and reason. */
export interface EventIssue {
  readonly pointer: string;
  readonly reason: string;
}

const PLAIN_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Validates incoming events against the event schemas of one API version (validators compiled once). */
export interface EventValidator {
  /**
   * The event's kind when it is a valid CloudEvent of an event type of `version` (specversion 1.0, non-empty id and
   * source, schema-valid data, plain UUIDs in `pfIds`); `bad-request` with issues otherwise.
   */
  validate(version: PactApiVersion, body: unknown): Result<IncomingEvent>;
}

export function createEventValidator(registry: SchemaRegistry = createSchemaRegistry()): EventValidator {
  return {
    validate(version, body) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('bad-request', 'the event must be a JSON object', [{ pointer: '', reason: 'not an object' }]);
      const e = body as Record<string, unknown>;
      const kind = (Object.keys(EVENT_TYPES[version]) as PactEventKind[]).find((k) => EVENT_TYPES[version][k] === e.type);
      if (kind === undefined) return fail('bad-request', `unsupported event type ${JSON.stringify(e.type ?? null)} for /${version}/events`, [{ pointer: '/type', reason: 'unknown event type' }]);
      const issues: EventIssue[] = [];
      if (e.specversion !== '1.0') issues.push({ pointer: '/specversion', reason: 'must be "1.0"' });
      for (const f of ['id', 'source'] as const) if (typeof e[f] !== 'string' || (e[f] as string).trim() === '') issues.push({ pointer: `/${f}`, reason: 'must be a non-empty string' });
      const validate = registry.pact(version, DEFINITIONS[kind]);
      if (!validate(body)) issues.push(...schemaIssues(validate.errors).map((i) => ({ pointer: i.pointer, reason: i.reason })));
      const data = e.data as Record<string, unknown> | undefined;
      if (kind === 'published') {
        const pfIds = data?.pfIds;
        if (!Array.isArray(pfIds) || pfIds.length === 0) issues.push({ pointer: '/data/pfIds', reason: 'must be a non-empty array of UUIDs' });
        else pfIds.forEach((id, i) => { if (typeof id !== 'string' || !PLAIN_UUID.test(id)) issues.push({ pointer: `/data/pfIds/${i}`, reason: 'must be a UUID' }); });
      }
      if (issues.length > 0) return fail('bad-request', `invalid ${EVENT_TYPES[version][kind]} event: ${issues.map((i) => `${i.pointer} ${i.reason}`).join('; ')}`, issues);
      return ok({ kind, event: body as unknown as PactCloudEvent });
    },
  };
}

/** A new outgoing event of `kind` in API `version` from `source` (this tenant's PACT base URL). */
export function buildEvent(version: PactApiVersion, kind: PactEventKind, source: string, time: Date, data: Record<string, unknown>): PactCloudEvent {
  return { type: EVENT_TYPES[version][kind], specversion: '1.0', id: randomUUID(), source, time: time.toISOString(), data };
}
