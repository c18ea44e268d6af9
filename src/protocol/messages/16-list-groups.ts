import type { ApiSpec } from '../schema.js';

/** ListGroups (key 16). Kafka spec: ListGroupsRequest.json / ListGroupsResponse.json. */
export const ListGroups: ApiSpec = {
  apiKey: 16,
  name: 'ListGroups',
  request: {
    apiKey: 16,
    type: 'request',
    name: 'ListGroupsRequest',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'StatesFilter', type: '[]string', versions: '4+' },
      { name: 'TypesFilter', type: '[]string', versions: '5+' },
    ],
  },
  response: {
    apiKey: 16,
    type: 'response',
    name: 'ListGroupsResponse',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      {
        name: 'Groups', type: '[]ListedGroup', versions: '0+',
        fields: [
          { name: 'GroupId', type: 'string', versions: '0+' },
          { name: 'ProtocolType', type: 'string', versions: '0+' },
          { name: 'GroupState', type: 'string', versions: '4+' },
          { name: 'GroupType', type: 'string', versions: '5+' },
        ],
      },
    ],
  },
};
