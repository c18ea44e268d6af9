import type { ApiSpec } from '../schema.js';

/** SaslAuthenticate (key 36). Kafka spec: SaslAuthenticateRequest.json / SaslAuthenticateResponse.json. */
export const SaslAuthenticate: ApiSpec = {
  apiKey: 36,
  name: 'SaslAuthenticate',
  request: {
    apiKey: 36,
    type: 'request',
    name: 'SaslAuthenticateRequest',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'AuthBytes', type: 'bytes', versions: '0+' },
    ],
  },
  response: {
    apiKey: 36,
    type: 'response',
    name: 'SaslAuthenticateResponse',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'AuthBytes', type: 'bytes', versions: '0+' },
      { name: 'SessionLifetimeMs', type: 'int64', versions: '1+', default: 0n },
    ],
  },
};
