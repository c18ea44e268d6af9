import type { ApiSpec } from '../schema.js';

/** JoinGroup (key 11). Kafka spec: JoinGroupRequest.json / JoinGroupResponse.json. */
export const JoinGroup: ApiSpec = {
  apiKey: 11,
  name: 'JoinGroup',
  request: {
    apiKey: 11,
    type: 'request',
    name: 'JoinGroupRequest',
    validVersions: '0-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'GroupId', type: 'string', versions: '0+' },
      { name: 'SessionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'RebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
      { name: 'MemberId', type: 'string', versions: '0+' },
      { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'ProtocolType', type: 'string', versions: '0+' },
      {
        name: 'Protocols', type: '[]JoinGroupRequestProtocol', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          { name: 'Metadata', type: 'bytes', versions: '0+' },
        ],
      },
      { name: 'Reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
    ],
  },
  response: {
    apiKey: 11,
    type: 'response',
    name: 'JoinGroupResponse',
    validVersions: '0-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'GenerationId', type: 'int32', versions: '0+', default: -1 },
      { name: 'ProtocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      { name: 'ProtocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
      { name: 'Leader', type: 'string', versions: '0+' },
      { name: 'SkipAssignment', type: 'bool', versions: '9+', default: false },
      { name: 'MemberId', type: 'string', versions: '0+' },
      {
        name: 'Members', type: '[]JoinGroupResponseMember', versions: '0+',
        fields: [
          { name: 'MemberId', type: 'string', versions: '0+' },
          { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          { name: 'Metadata', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
};
