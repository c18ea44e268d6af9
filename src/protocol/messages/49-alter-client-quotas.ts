import type { ApiSpec } from '../schema.js';

/**
 * AlterClientQuotas (key 49). Kafka spec: AlterClientQuotasRequest.json / AlterClientQuotasResponse.json.
 * v0-1; flexible from v1.
 */
export const AlterClientQuotas: ApiSpec = {
  apiKey: 49,
  name: 'AlterClientQuotas',
  request: {
    apiKey: 49,
    type: 'request',
    name: 'AlterClientQuotasRequest',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'Entries', type: '[]EntryData', versions: '0+',
        fields: [
          {
            name: 'Entity', type: '[]EntityData', versions: '0+',
            fields: [
              { name: 'EntityType', type: 'string', versions: '0+' },
              { name: 'EntityName', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
          {
            name: 'Ops', type: '[]OpData', versions: '0+',
            fields: [
              { name: 'Key', type: 'string', versions: '0+' },
              { name: 'Value', type: 'float64', versions: '0+' },
              { name: 'Remove', type: 'bool', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'ValidateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    apiKey: 49,
    type: 'response',
    name: 'AlterClientQuotasResponse',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'Entries', type: '[]EntryData', versions: '0+',
        fields: [
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'Entity', type: '[]EntityData', versions: '0+',
            fields: [
              { name: 'EntityType', type: 'string', versions: '0+' },
              { name: 'EntityName', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
