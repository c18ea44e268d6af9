import type { ApiSpec } from '../schema.js';

/** SaslHandshake (key 17). Kafka spec: SaslHandshakeRequest.json / SaslHandshakeResponse.json. */
export const SaslHandshake: ApiSpec = {
  apiKey: 17,
  name: 'SaslHandshake',
  request: {
    apiKey: 17,
    type: 'request',
    name: 'SaslHandshakeRequest',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      { name: 'Mechanism', type: 'string', versions: '0+' },
    ],
  },
  response: {
    apiKey: 17,
    type: 'response',
    name: 'SaslHandshakeResponse',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'Mechanisms', type: '[]string', versions: '0+' },
    ],
  },
};
