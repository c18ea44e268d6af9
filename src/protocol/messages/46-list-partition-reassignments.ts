import type { ApiSpec } from '../schema.js';

/**
 * ListPartitionReassignments (key 46). Kafka spec: ListPartitionReassignmentsRequest.json /
 * ListPartitionReassignmentsResponse.json. Only v0, flexible.
 */
export const ListPartitionReassignments: ApiSpec = {
  apiKey: 46,
  name: 'ListPartitionReassignments',
  request: {
    apiKey: 46,
    type: 'request',
    name: 'ListPartitionReassignmentsRequest',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'TimeoutMs', type: 'int32', versions: '0+', default: 60000 },
      {
        name: 'Topics', type: '[]ListPartitionReassignmentsTopics', versions: '0+', nullableVersions: '0+', default: null,
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          { name: 'PartitionIndexes', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 46,
    type: 'response',
    name: 'ListPartitionReassignmentsResponse',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'Topics', type: '[]OngoingTopicReassignment', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]OngoingPartitionReassignment', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'Replicas', type: '[]int32', versions: '0+' },
              { name: 'AddingReplicas', type: '[]int32', versions: '0+' },
              { name: 'RemovingReplicas', type: '[]int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
