/**
 * The topic and configuration administration APIs (issue 4), registered together in registry.ts.
 */
import type { ApiHandler } from './handler.js';
import listOffsets from './02-list-offsets.js';
import createTopics from './19-create-topics.js';
import deleteTopics from './20-delete-topics.js';
import deleteRecords from './21-delete-records.js';
import describeAcls from './29-describe-acls.js';
import createAcls from './30-create-acls.js';
import deleteAcls from './31-delete-acls.js';
import describeConfigs from './32-describe-configs.js';
import alterConfigs from './33-alter-configs.js';
import describeLogDirs from './35-describe-log-dirs.js';
import createPartitions from './37-create-partitions.js';
import incrementalAlterConfigs from './44-incremental-alter-configs.js';
import alterPartitionReassignments from './45-alter-partition-reassignments.js';
import listPartitionReassignments from './46-list-partition-reassignments.js';
import describeUserScramCredentials from './50-describe-user-scram-credentials.js';
import alterUserScramCredentials from './51-alter-user-scram-credentials.js';
import describeCluster from './60-describe-cluster.js';
import describeTopicPartitions from './75-describe-topic-partitions.js';

export const ADMIN_HANDLERS: readonly ApiHandler[] = [
  listOffsets,
  createTopics,
  deleteTopics,
  deleteRecords,
  describeAcls,
  createAcls,
  deleteAcls,
  describeConfigs,
  alterConfigs,
  describeLogDirs,
  createPartitions,
  incrementalAlterConfigs,
  alterPartitionReassignments,
  listPartitionReassignments,
  describeUserScramCredentials,
  alterUserScramCredentials,
  describeCluster,
  describeTopicPartitions,
];
