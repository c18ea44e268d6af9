import type { ApiSpec } from '../schema.js';

/**
 * OffsetCommit (key 8). Kafka spec: OffsetCommitRequest.json / OffsetCommitResponse.json.
 * v0-1 and the v1-only CommitTimestamp come from the 3.9 spec (Kafka 4.0 removed them); topic Name
 * carries 4.1's "0-9" range (v10, not served, replaces it by TopicId).
 */
export const OffsetCommit: ApiSpec = {
  apiKey: 8,
  name: 'OffsetCommit',
  request: {
    apiKey: 8,
    type: 'request',
    name: 'OffsetCommitRequest',
    validVersions: '0-9',
    flexibleVersions: '8+',
    fields: [
      { name: 'GroupId', type: 'string', versions: '0+' },
      { name: 'GenerationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
      { name: 'MemberId', type: 'string', versions: '1+' },
      { name: 'GroupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      { name: 'RetentionTimeMs', type: 'int64', versions: '2-4', default: -1n },
      {
        name: 'Topics', type: '[]OffsetCommitRequestTopic', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0-9' },
          {
            name: 'Partitions', type: '[]OffsetCommitRequestPartition', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'CommittedOffset', type: 'int64', versions: '0+' },
              { name: 'CommittedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
              { name: 'CommitTimestamp', type: 'int64', versions: '1', default: -1n },
              { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    apiKey: 8,
    type: 'response',
    name: 'OffsetCommitResponse',
    validVersions: '0-9',
    flexibleVersions: '8+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
      {
        name: 'Topics', type: '[]OffsetCommitResponseTopic', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0-9' },
          {
            name: 'Partitions', type: '[]OffsetCommitResponsePartition', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
