import type { ApiSpec } from '../schema.js';

/**
 * OffsetForLeaderEpoch (key 23). Kafka spec: OffsetForLeaderEpochRequest.json /
 * OffsetForLeaderEpochResponse.json, as in Kafka 4.1 (v2-4; Kafka 4.0 removed v0-1).
 */
export const OffsetForLeaderEpoch: ApiSpec = {
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  request: {
    apiKey: 23,
    type: 'request',
    name: 'OffsetForLeaderEpochRequest',
    validVersions: '2-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'ReplicaId', type: 'int32', versions: '3+', default: -2, ignorable: true },
      {
        name: 'Topics', type: '[]OffsetForLeaderTopic', versions: '0+',
        fields: [
          { name: 'Topic', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]OffsetForLeaderPartition', versions: '0+',
            fields: [
              { name: 'Partition', type: 'int32', versions: '0+' },
              { name: 'CurrentLeaderEpoch', type: 'int32', versions: '2+', default: -1, ignorable: true },
              { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    apiKey: 23,
    type: 'response',
    name: 'OffsetForLeaderEpochResponse',
    validVersions: '2-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '2+', ignorable: true },
      {
        name: 'Topics', type: '[]OffsetForLeaderTopicResult', versions: '0+',
        fields: [
          { name: 'Topic', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]EpochEndOffset', versions: '0+',
            fields: [
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
              { name: 'Partition', type: 'int32', versions: '0+' },
              { name: 'LeaderEpoch', type: 'int32', versions: '1+', default: -1, ignorable: true },
              { name: 'EndOffset', type: 'int64', versions: '0+', default: -1n },
            ],
          },
        ],
      },
    ],
  },
};
