/**
 * The rules of DescribeClientQuotas filters and AlterClientQuotas validation, as Kafka 4.1 applies them
 * (ClientQuotasImage.describe on the broker, ClientQuotaControlManager on the controller): which entity
 * types exist, which quota keys each entity takes and of what type, and the messages of the errors.
 */
import { isIP } from 'node:net';
import { ErrorCode } from '../protocol/error-codes.js';
import { QuotaEntityType, type ClientQuotaEntry, type QuotaEntity } from '../storage/quotas.js';
import { QuotaKey } from './client-quotas.js';

export interface QuotaApiError {
  errorCode: number;
  errorMessage: string;
}

export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface FilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(QuotaEntityType));

class QuotaRequestError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

const invalid = (message: string): QuotaRequestError => new QuotaRequestError(ErrorCode.INVALID_REQUEST, message);

/** The entries a DescribeClientQuotas filter selects, or the error Kafka answers the filter with. */
export function describeQuotas(
  entries: readonly ClientQuotaEntry[],
  components: readonly FilterComponent[],
  strict: boolean,
): { entries: ClientQuotaEntry[] } | QuotaApiError {
  const exact = new Map<string, string | null>();
  const specified = new Set<string>();
  try {
    for (const c of components) {
      if (c.entityType === '') throw invalid('Invalid empty entity type.');
      if (exact.has(c.entityType) || specified.has(c.entityType)) {
        throw invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (!KNOWN_TYPES.has(c.entityType)) {
        throw new QuotaRequestError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
      }
      switch (c.matchType) {
        case MatchType.EXACT:
          if (c.match === null) throw invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
          exact.set(c.entityType, c.match);
          break;
        case MatchType.DEFAULT:
          if (c.match !== null) throw invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
          exact.set(c.entityType, null);
          break;
        case MatchType.SPECIFIED:
          if (c.match !== null) throw invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
          specified.add(c.entityType);
          break;
        default:
          throw invalid(`Unknown match type ${c.matchType}`);
      }
    }
    const ip = QuotaEntityType.IP;
    const mentions = (t: string): boolean => exact.has(t) || specified.has(t);
    if (mentions(ip) && (mentions(QuotaEntityType.USER) || mentions(QuotaEntityType.CLIENT_ID))) {
      throw invalid('Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
    }
  } catch (err) {
    if (err instanceof QuotaRequestError) return { errorCode: err.errorCode, errorMessage: err.message };
    throw err;
  }
  const selected = entries.filter(({ entity }) => {
    const names = new Map(entity.map((p) => [p.entityType, p.entityName]));
    if (strict && names.size !== exact.size + specified.size) return false;
    for (const [type, name] of exact) if (!names.has(type) || names.get(type) !== name) return false;
    for (const type of specified) if (!names.has(type)) return false;
    return true;
  });
  return { entries: selected };
}

type ValueType = 'long' | 'int' | 'double';

const USER_AND_CLIENT_KEYS: ReadonlyMap<string, ValueType> = new Map([
  [QuotaKey.PRODUCER_BYTE_RATE, 'long'],
  [QuotaKey.CONSUMER_BYTE_RATE, 'long'],
  [QuotaKey.REQUEST_PERCENTAGE, 'double'],
  [QuotaKey.CONTROLLER_MUTATION_RATE, 'double'],
]);
const IP_KEYS: ReadonlyMap<string, ValueType> = new Map([[QuotaKey.CONNECTION_CREATION_RATE, 'int']]);

/** Kafka's text of an entity in messages, e.g. "ClientQuotaEntity(entries={user=alice, client-id=null})". */
export function entityText(entity: QuotaEntity): string {
  return `ClientQuotaEntity(entries={${entity.map((p) => `${p.entityType}=${p.entityName}`).join(', ')}})`;
}

/** Checks an entity's types and names; the quota keys it takes, or the error. */
export function validateEntity(entity: QuotaEntity): ReadonlyMap<string, ValueType> | QuotaApiError {
  if (entity.length === 0) return invalidError('Invalid empty client quota entity');
  const seen = new Map<string, string | null>();
  for (const { entityType, entityName } of entity) {
    if (seen.has(entityType)) return invalidError(`Invalid client quota entity, duplicate entity entry ${entityType}`);
    if (!KNOWN_TYPES.has(entityType)) return invalidError(`Unhandled client quota entity type: ${entityType}`);
    seen.set(entityType, entityName);
    if (entityName !== null && entityName === '') return invalidError(`Empty ${entityType} not supported`);
  }
  if (seen.has(QuotaEntityType.IP)) {
    if (seen.size > 1) {
      // Kafka's message, its missing space included.
      return invalidError('Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId');
    }
    const ip = seen.get(QuotaEntityType.IP)!;
    // Kafka also accepts a resolvable host name; kpg accepts literal addresses only (no DNS on this path).
    if (ip !== null && isIP(ip) === 0) return invalidError(`${ip} is not a valid IP or resolvable host.`);
    return IP_KEYS;
  }
  return USER_AND_CLIENT_KEYS;
}

/** Checks one quota value against its key's type, with Kafka's messages. */
export function validateQuotaValue(keys: ReadonlyMap<string, ValueType>, key: string, value: number): QuotaApiError | null {
  const type = keys.get(key);
  if (!type) return invalidError(`Invalid configuration key ${key}`);
  if (!(value > 0)) return invalidError(`Quota ${key} must be greater than 0`);
  if (type === 'double') return null;
  if (type === 'int' && value > 2147483647) return invalidError(`Proposed value for ${key} is too large for an INT.`);
  if (type === 'long' && value > 9223372036854775807) return invalidError(`Proposed value for ${key} is too large for a LONG.`);
  if (Math.abs(value % 1) > 1e-6) return invalidError(`${key} cannot be a fractional value.`);
  return null;
}

function invalidError(message: string): QuotaApiError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message };
}
