import type { ApiSpec } from '../schema.js';

/**
 * DescribeTopicPartitions (key 75). Kafka spec: DescribeTopicPartitionsRequest.json /
 * DescribeTopicPartitionsResponse.json. The request's Cursor and the response's NextCursor share
 * Kafka's inline struct name `Cursor` (same fields).
 */
export const DescribeTopicPartitions: ApiSpec = {
  apiKey: 75,
  name: 'DescribeTopicPartitions',
  request: {
    apiKey: 75,
    type: 'request',
    name: 'DescribeTopicPartitionsRequest',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'Topics', type: '[]TopicRequest', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
        ],
      },
      { name: 'ResponsePartitionLimit', type: 'int32', versions: '0+', default: 2000 },
      {
        name: 'Cursor', type: 'Cursor', versions: '0+', nullableVersions: '0+', default: null,
        fields: [
          { name: 'TopicName', type: 'string', versions: '0+' },
          { name: 'PartitionIndex', type: 'int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 75,
    type: 'response',
    name: 'DescribeTopicPartitionsResponse',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'Topics', type: '[]DescribeTopicPartitionsResponseTopic', versions: '0+',
        fields: [
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'Name', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'TopicId', type: 'uuid', versions: '0+' },
          { name: 'IsInternal', type: 'bool', versions: '0+', default: false },
          {
            name: 'Partitions', type: '[]DescribeTopicPartitionsResponsePartition', versions: '0+',
            fields: [
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'LeaderId', type: 'int32', versions: '0+' },
              { name: 'LeaderEpoch', type: 'int32', versions: '0+', default: -1 },
              { name: 'ReplicaNodes', type: '[]int32', versions: '0+' },
              { name: 'IsrNodes', type: '[]int32', versions: '0+' },
              { name: 'EligibleLeaderReplicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
              { name: 'LastKnownElr', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
              { name: 'OfflineReplicas', type: '[]int32', versions: '0+' },
            ],
          },
          { name: 'TopicAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
        ],
      },
      {
        name: 'NextCursor', type: 'Cursor', versions: '0+', nullableVersions: '0+', default: null,
        fields: [
          { name: 'TopicName', type: 'string', versions: '0+' },
          { name: 'PartitionIndex', type: 'int32', versions: '0+' },
        ],
      },
    ],
  },
};
