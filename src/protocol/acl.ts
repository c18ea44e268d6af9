/**
 * Authorized-operation bit sets (KIP-430). kpg has no ACLs, so every client may do everything a
 * resource type allows; the values are what Kafka reports for an unrestricted principal.
 */
const Op = {
  READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;

const bits = (...ops: number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0);

/** The "not requested" value Kafka sends when a client did not ask for authorized operations. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const TOPIC_OPERATIONS = bits(
  Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS,
);
/** 8096, as Kafka 4.1 reports it. */
export const CLUSTER_OPERATIONS = bits(
  Op.CREATE, Op.ALTER, Op.DESCRIBE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE,
);
/** 3400, as Kafka 4.1 reports it (group configs count as group operations there). */
export const GROUP_OPERATIONS = bits(Op.READ, Op.DELETE, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS);
