import type { ApiSpec } from '../schema.js';

/**
 * AlterPartitionReassignments (key 45). Kafka spec: AlterPartitionReassignmentsRequest.json /
 * AlterPartitionReassignmentsResponse.json. Flexible in every version; v1 adds AllowReplicationFactorChange.
 */
export const AlterPartitionReassignments: ApiSpec = {
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  request: {
    apiKey: 45,
    type: 'request',
    name: 'AlterPartitionReassignmentsRequest',
    validVersions: '0-1',
    flexibleVersions: '0+',
    fields: [
      { name: 'TimeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'AllowReplicationFactorChange', type: 'bool', versions: '1+', default: true },
      {
        name: 'Topics', type: '[]ReassignableTopic', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]ReassignablePartition', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'Replicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
            ],
          },
        ],
      },
    ],
  },
  response: {
    apiKey: 45,
    type: 'response',
    name: 'AlterPartitionReassignmentsResponse',
    validVersions: '0-1',
    flexibleVersions: '0+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'AllowReplicationFactorChange', type: 'bool', versions: '1+', default: true, ignorable: true },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'Responses', type: '[]ReassignableTopicResponse', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]ReassignablePartitionResponse', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
              { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
