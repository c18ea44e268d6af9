import type { ApiSpec } from '../schema.js';

/**
 * DescribeLogDirs (key 35). Kafka spec: DescribeLogDirsRequest.json / DescribeLogDirsResponse.json.
 * Kafka 4.x files start at v1; v0 (same fields as v1) comes from the 3.9 spec.
 */
export const DescribeLogDirs: ApiSpec = {
  apiKey: 35,
  name: 'DescribeLogDirs',
  request: {
    apiKey: 35,
    type: 'request',
    name: 'DescribeLogDirsRequest',
    validVersions: '0-4',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'Topics', type: '[]DescribableLogDirTopic', versions: '0+', nullableVersions: '0+',
        fields: [
          { name: 'Topic', type: 'string', versions: '0+' },
          { name: 'Partitions', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 35,
    type: 'response',
    name: 'DescribeLogDirsResponse',
    validVersions: '0-4',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '3+' },
      {
        name: 'Results', type: '[]DescribeLogDirsResult', versions: '0+',
        fields: [
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'LogDir', type: 'string', versions: '0+' },
          {
            name: 'Topics', type: '[]DescribeLogDirsTopic', versions: '0+',
            fields: [
              { name: 'Name', type: 'string', versions: '0+' },
              {
                name: 'Partitions', type: '[]DescribeLogDirsPartition', versions: '0+',
                fields: [
                  { name: 'PartitionIndex', type: 'int32', versions: '0+' },
                  { name: 'PartitionSize', type: 'int64', versions: '0+' },
                  { name: 'OffsetLag', type: 'int64', versions: '0+' },
                  { name: 'IsFutureKey', type: 'bool', versions: '0+' },
                ],
              },
            ],
          },
          { name: 'TotalBytes', type: 'int64', versions: '4+', default: -1n },
          { name: 'UsableBytes', type: 'int64', versions: '4+', default: -1n },
        ],
      },
    ],
  },
};
