import type { ApiSpec } from '../schema.js';

/**
 * CreateAcls (key 30). Kafka spec: CreateAclsRequest.json / CreateAclsResponse.json.
 * Kafka 4.x serves v1-3 (v0 was removed); flexible from v2.
 */
export const CreateAcls: ApiSpec = {
  apiKey: 30,
  name: 'CreateAcls',
  request: {
    apiKey: 30,
    type: 'request',
    name: 'CreateAclsRequest',
    validVersions: '1-3',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'Creations', type: '[]AclCreation', versions: '0+',
        fields: [
          { name: 'ResourceType', type: 'int8', versions: '0+' },
          { name: 'ResourceName', type: 'string', versions: '0+' },
          { name: 'ResourcePatternType', type: 'int8', versions: '1+', default: 3 },
          { name: 'Principal', type: 'string', versions: '0+' },
          { name: 'Host', type: 'string', versions: '0+' },
          { name: 'Operation', type: 'int8', versions: '0+' },
          { name: 'PermissionType', type: 'int8', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 30,
    type: 'response',
    name: 'CreateAclsResponse',
    validVersions: '1-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'Results', type: '[]AclCreationResult', versions: '0+',
        fields: [
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
};
