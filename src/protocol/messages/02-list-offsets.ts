import type { ApiSpec } from '../schema.js';

/**
 * ListOffsets (key 2). Kafka spec: ListOffsetsRequest.json / ListOffsetsResponse.json.
 * Kafka 4.x files start at v1; v0 (MaxNumOffsets in the request, OldStyleOffsets in the response)
 * comes from the 3.9 spec. v10 (Kafka 4.x, KIP-1075) adds the request's TimeoutMs.
 */
export const ListOffsets: ApiSpec = {
  apiKey: 2,
  name: 'ListOffsets',
  request: {
    apiKey: 2,
    type: 'request',
    name: 'ListOffsetsRequest',
    validVersions: '0-10',
    flexibleVersions: '6+',
    fields: [
      { name: 'ReplicaId', type: 'int32', versions: '0+' },
      { name: 'IsolationLevel', type: 'int8', versions: '2+' },
      {
        name: 'Topics', type: '[]ListOffsetsTopic', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]ListOffsetsPartition', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'CurrentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
              { name: 'Timestamp', type: 'int64', versions: '0+' },
              { name: 'MaxNumOffsets', type: 'int32', versions: '0', default: 1 },
            ],
          },
        ],
      },
      { name: 'TimeoutMs', type: 'int32', versions: '10+' },
    ],
  },
  response: {
    apiKey: 2,
    type: 'response',
    name: 'ListOffsetsResponse',
    validVersions: '0-10',
    flexibleVersions: '6+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
      {
        name: 'Topics', type: '[]ListOffsetsTopicResponse', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]ListOffsetsPartitionResponse', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
              { name: 'OldStyleOffsets', type: '[]int64', versions: '0' },
              { name: 'Timestamp', type: 'int64', versions: '1+', default: -1n },
              { name: 'Offset', type: 'int64', versions: '1+', default: -1n },
              { name: 'LeaderEpoch', type: 'int32', versions: '4+', default: -1 },
            ],
          },
        ],
      },
    ],
  },
};
