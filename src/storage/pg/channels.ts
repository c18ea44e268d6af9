/**
 * The LISTEN/NOTIFY channels kpg uses and their payloads: the one place that formats a change for NOTIFY
 * (`notifyChange`) and parses it back into a typed event (`toChangeEvent`). The formats are a wire format
 * shared with the SQL functions in ./sql (kpg_records and kpg_outbox are sent only from there), so they
 * never change casually.
 */
import type { ChangeEvents } from '../notifications.js';

/** What can run a query: a pool or a client inside a transaction. */
interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

export const Channel = {
  /** `<topic_id>:<partition>:<next_offset>[:<log_start_offset>]` after records are appended. */
  records: 'kpg_records',
  /** `<topic_id>` or `broker` after a config change. */
  config: 'kpg_config',
  /** `<group_key>` after a consumer group changes, `<group_key>+` when answers to waiting requests were written. */
  groups: 'kpg_groups',
  /** `<topic_id>` after a topic is created, deleted or changes its partitions. */
  topics: 'kpg_topics',
  /** `users`, `acls` or `quotas` after that kind of security state changes. */
  security: 'kpg_security',
  /** Empty, when a REPEATABLE READ or SERIALIZABLE transaction that called kpg.produce commits (./sql-outbox-relay.ts). */
  outbox: 'kpg_outbox',
} as const;

/** The payload of kpg_config announcing a broker config change. */
const BROKER_CONFIG_PAYLOAD = 'broker';

/** The changes TypeScript announces (records and the SQL outbox are announced by SQL functions). */
export type SentChange =
  | { event: 'topicChanged'; args: ChangeEvents['topicChanged'] }
  | { event: 'topicConfigChanged'; args: ChangeEvents['topicConfigChanged'] }
  | { event: 'brokerConfigChanged'; args: ChangeEvents['brokerConfigChanged'] }
  | { event: 'groupChanged'; args: ChangeEvents['groupChanged'] }
  | { event: 'usersChanged'; args: ChangeEvents['usersChanged'] }
  | { event: 'aclsChanged'; args: ChangeEvents['aclsChanged'] }
  | { event: 'quotasChanged'; args: ChangeEvents['quotasChanged'] };

const SECURITY_PAYLOADS = { usersChanged: 'users', aclsChanged: 'acls', quotasChanged: 'quotas' } as const;

/** Announces a change inside the caller's transaction: other gateways see it when that commits. */
export async function notifyChange(client: Queryable, change: SentChange): Promise<void> {
  const [channel, payload] = wireNotification(change);
  await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

function wireNotification(change: SentChange): [channel: string, payload: string] {
  switch (change.event) {
    case 'topicChanged':
      return [Channel.topics, change.args[0]];
    case 'topicConfigChanged':
      return [Channel.config, change.args[0]];
    case 'brokerConfigChanged':
      return [Channel.config, BROKER_CONFIG_PAYLOAD];
    case 'groupChanged': {
      const [groupKey, repliesWritten] = change.args;
      return [Channel.groups, `${groupKey}${repliesWritten ? '+' : ''}`];
    }
    case 'usersChanged':
    case 'aclsChanged':
    case 'quotasChanged':
      return [Channel.security, SECURITY_PAYLOADS[change.event]];
  }
}

/** One typed change event: its name and its arguments. */
export type ChangeEvent = { [K in keyof ChangeEvents]: { event: K; args: ChangeEvents[K] } }[keyof ChangeEvents];

/** Parses one wire notification into its typed event; null for unknown channels and malformed payloads. */
export function toChangeEvent(channel: string, payload: string): ChangeEvent | null {
  switch (channel) {
    case Channel.records: {
      // '<uuid>:<partition>:<next_offset>[:<log_start_offset>]'
      const parts = payload.split(':');
      if (parts.length < 3) return null;
      try {
        const nextOffset = BigInt(parts[2]!);
        const logStartOffset = parts[3] !== undefined ? BigInt(parts[3]) : undefined;
        return { event: 'recordsAppended', args: [parts[0]!, Number(parts[1]), nextOffset, logStartOffset] };
      } catch {
        return null;
      }
    }
    case Channel.topics:
      return { event: 'topicChanged', args: [payload] };
    case Channel.config:
      return payload === BROKER_CONFIG_PAYLOAD ? { event: 'brokerConfigChanged', args: [] } : { event: 'topicConfigChanged', args: [payload] };
    case Channel.groups: {
      // '<group_key>', or '<group_key>+' when answers to waiting requests were written
      const groupKey = Number.parseInt(payload, 10);
      return Number.isFinite(groupKey) ? { event: 'groupChanged', args: [groupKey, payload.endsWith('+')] } : null;
    }
    case Channel.outbox:
      return { event: 'sqlOutboxReady', args: [] };
    case Channel.security: {
      const event = (Object.keys(SECURITY_PAYLOADS) as (keyof typeof SECURITY_PAYLOADS)[]).find((e) => SECURITY_PAYLOADS[e] === payload);
      return event ? { event, args: [] } : null;
    }
    default:
      return null;
  }
}
