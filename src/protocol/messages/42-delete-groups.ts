import type { ApiSpec } from '../schema.js';

/** DeleteGroups (key 42). Kafka spec: DeleteGroupsRequest.json / DeleteGroupsResponse.json. */
export const DeleteGroups: ApiSpec = {
  apiKey: 42,
  name: 'DeleteGroups',
  request: {
    apiKey: 42,
    type: 'request',
    name: 'DeleteGroupsRequest',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'GroupsNames', type: '[]string', versions: '0+' },
    ],
  },
  response: {
    apiKey: 42,
    type: 'response',
    name: 'DeleteGroupsResponse',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'Results', type: '[]DeletableGroupResult', versions: '0+',
        fields: [
          { name: 'GroupId', type: 'string', versions: '0+' },
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
        ],
      },
    ],
  },
};
