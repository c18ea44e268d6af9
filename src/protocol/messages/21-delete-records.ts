import type { ApiSpec } from '../schema.js';

/**
 * DeleteRecords (key 21). Kafka spec: DeleteRecordsRequest.json / DeleteRecordsResponse.json.
 * The same in Kafka 3.9 and 4.1.
 */
export const DeleteRecords: ApiSpec = {
  apiKey: 21,
  name: 'DeleteRecords',
  request: {
    apiKey: 21,
    type: 'request',
    name: 'DeleteRecordsRequest',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'Topics', type: '[]DeleteRecordsTopic', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]DeleteRecordsPartition', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'Offset', type: 'int64', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    apiKey: 21,
    type: 'response',
    name: 'DeleteRecordsResponse',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'Topics', type: '[]DeleteRecordsTopicResult', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          {
            name: 'Partitions', type: '[]DeleteRecordsPartitionResult', versions: '0+',
            fields: [
              { name: 'PartitionIndex', type: 'int32', versions: '0+' },
              { name: 'LowWatermark', type: 'int64', versions: '0+' },
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
