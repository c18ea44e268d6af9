import type { ApiSpec } from '../schema.js';

/**
 * DescribeClientQuotas (key 48). Kafka spec: DescribeClientQuotasRequest.json / DescribeClientQuotasResponse.json.
 * v0-1; flexible from v1.
 */
export const DescribeClientQuotas: ApiSpec = {
  apiKey: 48,
  name: 'DescribeClientQuotas',
  request: {
    apiKey: 48,
    type: 'request',
    name: 'DescribeClientQuotasRequest',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'Components', type: '[]ComponentData', versions: '0+',
        fields: [
          { name: 'EntityType', type: 'string', versions: '0+' },
          /** 0 = exact name, 1 = default name, 2 = any specified name. */
          { name: 'MatchType', type: 'int8', versions: '0+' },
          { name: 'Match', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
      { name: 'Strict', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    apiKey: 48,
    type: 'response',
    name: 'DescribeClientQuotasResponse',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'Entries', type: '[]EntryData', versions: '0+', nullableVersions: '0+',
        fields: [
          {
            name: 'Entity', type: '[]EntityData', versions: '0+',
            fields: [
              { name: 'EntityType', type: 'string', versions: '0+' },
              { name: 'EntityName', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
          {
            name: 'Values', type: '[]ValueData', versions: '0+',
            fields: [
              { name: 'Key', type: 'string', versions: '0+' },
              { name: 'Value', type: 'float64', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
