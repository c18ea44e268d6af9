/**
 * How much each phase does. The full run fits in about ten minutes on a 2-core machine (kpg alone);
 * --smoke runs every phase's machinery in under a minute; tests shrink it further.
 */
export interface BenchSizes {
  /** Record value sizes of the ceiling and produce phases, in bytes. */
  recordSizes: number[];
  /** Writer counts (ceiling connections, producers). */
  writerCounts: number[];
  /** Records per batch for each record size: what the producers are told to batch, and what the ceiling writes. */
  recordsPerBatch: Record<number, number>;
  ceilingSeconds: number;
  produceSeconds: number;
  /** Bytes of record values in the consume phase's backlog. */
  backlogBytes: number;
  backlogPartitions: number;
  latencyRates: number[];
  latencySeconds: number;
  /** Latencies of records produced in the first seconds of each rate are left out (connections warming). */
  latencyWarmupSeconds: number;
  latencyRecordSize: number;
  idleConsumers: number;
  idlePartitions: number;
  idleSettleSeconds: number;
  idleWindowSeconds: number;
  idleConnections: number;
  rebalanceMembers: number;
  rebalancePartitions: number;
  sessionTimeoutMs: number;
  sqlSessions: number[];
  sqlSeconds: number;
  sqlRecordSize: number;
  /** Producers (one partition each) of each TLS-row run, and its produce seconds. */
  tlsProducers: number;
  tlsSeconds: number;
  /** ACL bindings the ACL row's authorizing gateway holds; producers and produce seconds of each of its runs. */
  aclCount: number;
  aclProducers: number;
  aclSeconds: number;
  /** Producers (one partition each) and produce seconds of each run of the metrics row. */
  metricsProducers: number;
  metricsSeconds: number;
  /** The console row: produce rates of its tail runs, their seconds and warm-up, 1 KB records. */
  consoleTailRates: number[];
  consoleTailSeconds: number;
  consoleTailWarmupSeconds: number;
  /** Records of the large topic the page calls read, when the consume phase's backlog is not there to reuse. */
  consoleTopicRecords: number;
  /** Records of the small topic of JSON values the JSON path search runs on. */
  consoleJsonRecords: number;
}

export const FULL_SIZES: BenchSizes = {
  recordSizes: [1024, 100],
  writerCounts: [1, 4, 8],
  recordsPerBatch: { 1024: 100, 100: 1000 },
  ceilingSeconds: 8,
  produceSeconds: 8,
  backlogBytes: 1024 ** 3,
  backlogPartitions: 8,
  latencyRates: [100, 1000, 10000],
  latencySeconds: 10,
  latencyWarmupSeconds: 1,
  latencyRecordSize: 1024,
  idleConsumers: 100,
  idlePartitions: 100,
  // Longer than the 10 s a backend may hold its counts before reporting them to pg_stat_database.
  idleSettleSeconds: 11,
  idleWindowSeconds: 10,
  idleConnections: 1000,
  rebalanceMembers: 10,
  rebalancePartitions: 20,
  sessionTimeoutMs: 6000,
  sqlSessions: [1, 8],
  sqlSeconds: 5,
  sqlRecordSize: 100,
  tlsProducers: 4,
  tlsSeconds: 6,
  aclCount: 1000,
  aclProducers: 4,
  aclSeconds: 6,
  metricsProducers: 4,
  metricsSeconds: 6,
  consoleTailRates: [100, 1000],
  consoleTailSeconds: 10,
  consoleTailWarmupSeconds: 1,
  consoleTopicRecords: 1_000_000,
  consoleJsonRecords: 20_000,
};

export const SMOKE_SIZES: BenchSizes = {
  ...FULL_SIZES,
  ceilingSeconds: 0.3,
  produceSeconds: 0.7,
  backlogBytes: 16 * 1024 ** 2,
  latencySeconds: 1,
  latencyWarmupSeconds: 0.2,
  // Too short for settled pg_stat_database counts: smoke idle figures include the consumers' start-up.
  idleSettleSeconds: 1,
  idleWindowSeconds: 1,
  sqlSeconds: 0.3,
  tlsProducers: 2,
  tlsSeconds: 0.7,
  aclProducers: 2,
  aclSeconds: 0.7,
  metricsProducers: 2,
  metricsSeconds: 0.7,
  consoleTailSeconds: 1,
  consoleTailWarmupSeconds: 0.2,
  consoleTopicRecords: 5000,
  consoleJsonRecords: 1000,
};
