import type { ApiSpec } from '../schema.js';

/**
 * DeleteAcls (key 31). Kafka spec: DeleteAclsRequest.json / DeleteAclsResponse.json.
 * Kafka 4.x serves v1-3 (v0 was removed); flexible from v2.
 */
export const DeleteAcls: ApiSpec = {
  apiKey: 31,
  name: 'DeleteAcls',
  request: {
    apiKey: 31,
    type: 'request',
    name: 'DeleteAclsRequest',
    validVersions: '1-3',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'Filters', type: '[]DeleteAclsFilter', versions: '0+',
        fields: [
          { name: 'ResourceTypeFilter', type: 'int8', versions: '0+' },
          { name: 'ResourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'PatternTypeFilter', type: 'int8', versions: '1+', default: 3, ignorable: false },
          { name: 'PrincipalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'HostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'Operation', type: 'int8', versions: '0+' },
          { name: 'PermissionType', type: 'int8', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 31,
    type: 'response',
    name: 'DeleteAclsResponse',
    validVersions: '1-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'FilterResults', type: '[]DeleteAclsFilterResult', versions: '0+',
        fields: [
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'MatchingAcls', type: '[]DeleteAclsMatchingAcl', versions: '0+',
            fields: [
              { name: 'ErrorCode', type: 'int16', versions: '0+' },
              { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'ResourceType', type: 'int8', versions: '0+' },
              { name: 'ResourceName', type: 'string', versions: '0+' },
              { name: 'PatternType', type: 'int8', versions: '1+', default: 3, ignorable: false },
              { name: 'Principal', type: 'string', versions: '0+' },
              { name: 'Host', type: 'string', versions: '0+' },
              { name: 'Operation', type: 'int8', versions: '0+' },
              { name: 'PermissionType', type: 'int8', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
