import type { ApiSpec } from '../schema.js';

/** Heartbeat (key 12). Kafka spec: HeartbeatRequest.json / HeartbeatResponse.json. */
export const Heartbeat: ApiSpec = {
  apiKey: 12,
  name: 'Heartbeat',
  request: {
    apiKey: 12,
    type: 'request',
    name: 'HeartbeatRequest',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'GroupId', type: 'string', versions: '0+' },
      { name: 'GenerationId', type: 'int32', versions: '0+' },
      { name: 'MemberId', type: 'string', versions: '0+' },
      { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    ],
  },
  response: {
    apiKey: 12,
    type: 'response',
    name: 'HeartbeatResponse',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
    ],
  },
};
