import type { ApiSpec } from '../schema.js';

/**
 * AlterUserScramCredentials (key 51, KIP-554). Kafka spec: AlterUserScramCredentialsRequest.json /
 * AlterUserScramCredentialsResponse.json. The client sends the salted password (its own PBKDF2), never the password.
 */
export const AlterUserScramCredentials: ApiSpec = {
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  request: {
    apiKey: 51,
    type: 'request',
    name: 'AlterUserScramCredentialsRequest',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'Deletions', type: '[]ScramCredentialDeletion', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          { name: 'Mechanism', type: 'int8', versions: '0+' },
        ],
      },
      {
        name: 'Upsertions', type: '[]ScramCredentialUpsertion', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
          { name: 'Mechanism', type: 'int8', versions: '0+' },
          { name: 'Iterations', type: 'int32', versions: '0+' },
          { name: 'Salt', type: 'bytes', versions: '0+' },
          { name: 'SaltedPassword', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 51,
    type: 'response',
    name: 'AlterUserScramCredentialsResponse',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'Results', type: '[]AlterUserScramCredentialsResult', versions: '0+',
        fields: [
          { name: 'User', type: 'string', versions: '0+' },
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
};
