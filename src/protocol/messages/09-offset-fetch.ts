import type { ApiSpec } from '../schema.js';

/**
 * OffsetFetch (key 9). Kafka spec: OffsetFetchRequest.json / OffsetFetchResponse.json.
 * v0 comes from the 3.9 spec (Kafka 4.0 removed it; no field existed only in v0); the v8+ topic Name
 * carries 4.1's "8-9" range (v10, not served, replaces it by TopicId).
 */
export const OffsetFetch: ApiSpec = {
  apiKey: 9,
  name: 'OffsetFetch',
  request: {
    apiKey: 9,
    type: 'request',
    name: 'OffsetFetchRequest',
    validVersions: '0-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'GroupId', type: 'string', versions: '0-7' },
      {
        name: 'Topics', type: '[]OffsetFetchRequestTopic', versions: '0-7', nullableVersions: '2-7',
        fields: [
          { name: 'Name', type: 'string', versions: '0-7' },
          { name: 'PartitionIndexes', type: '[]int32', versions: '0-7' },
        ],
      },
      {
        name: 'Groups', type: '[]OffsetFetchRequestGroup', versions: '8+',
        fields: [
          { name: 'GroupId', type: 'string', versions: '8+' },
          { name: 'MemberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
          { name: 'MemberEpoch', type: 'int32', versions: '9+', default: -1 },
          {
            name: 'Topics', type: '[]OffsetFetchRequestTopics', versions: '8+', nullableVersions: '8+',
            fields: [
              { name: 'Name', type: 'string', versions: '8-9' },
              { name: 'PartitionIndexes', type: '[]int32', versions: '8+' },
            ],
          },
        ],
      },
      { name: 'RequireStable', type: 'bool', versions: '7+', default: false },
    ],
  },
  response: {
    apiKey: 9,
    type: 'response',
    name: 'OffsetFetchResponse',
    validVersions: '0-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
      {
        name: 'Topics', type: '[]OffsetFetchResponseTopic', versions: '0-7',
        fields: [
          { name: 'Name', type: 'string', versions: '0-7' },
          {
            name: 'Partitions', type: '[]OffsetFetchResponsePartition', versions: '0-7',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0-7' },
              { name: 'CommittedOffset', type: 'int64', versions: '0-7' },
              { name: 'CommittedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
              { name: 'Metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
              { name: 'ErrorCode', type: 'int16', versions: '0-7' },
            ],
          },
        ],
      },
      { name: 'ErrorCode', type: 'int16', versions: '2-7', default: 0 },
      {
        name: 'Groups', type: '[]OffsetFetchResponseGroup', versions: '8+',
        fields: [
          { name: 'GroupId', type: 'string', versions: '8+' },
          {
            name: 'Topics', type: '[]OffsetFetchResponseTopics', versions: '8+',
            fields: [
              { name: 'Name', type: 'string', versions: '8-9' },
              {
                name: 'Partitions', type: '[]OffsetFetchResponsePartitions', versions: '8+',
                fields: [
                  { name: 'PartitionIndex', type: 'int32', versions: '8+' },
                  { name: 'CommittedOffset', type: 'int64', versions: '8+' },
                  { name: 'CommittedLeaderEpoch', type: 'int32', versions: '8+', default: -1 },
                  { name: 'Metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                  { name: 'ErrorCode', type: 'int16', versions: '8+' },
                ],
              },
            ],
          },
          { name: 'ErrorCode', type: 'int16', versions: '8+', default: 0 },
        ],
      },
    ],
  },
};
