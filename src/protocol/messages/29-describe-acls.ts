import type { ApiSpec } from '../schema.js';

/**
 * DescribeAcls (key 29). Kafka spec: DescribeAclsRequest.json / DescribeAclsResponse.json.
 * Kafka 4.x serves v1-3 (v0 was removed); flexible from v2.
 */
export const DescribeAcls: ApiSpec = {
  apiKey: 29,
  name: 'DescribeAcls',
  request: {
    apiKey: 29,
    type: 'request',
    name: 'DescribeAclsRequest',
    validVersions: '1-3',
    flexibleVersions: '2+',
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
  response: {
    apiKey: 29,
    type: 'response',
    name: 'DescribeAclsResponse',
    validVersions: '1-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'Resources', type: '[]DescribeAclsResource', versions: '0+',
        fields: [
          { name: 'ResourceType', type: 'int8', versions: '0+' },
          { name: 'ResourceName', type: 'string', versions: '0+' },
          { name: 'PatternType', type: 'int8', versions: '1+', default: 3, ignorable: false },
          {
            name: 'Acls', type: '[]AclDescription', versions: '0+',
            fields: [
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
