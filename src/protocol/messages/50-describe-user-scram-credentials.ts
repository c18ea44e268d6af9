import type { ApiSpec } from '../schema.js';

/**
 * DescribeUserScramCredentials (key 50, KIP-554). Kafka spec: DescribeUserScramCredentialsRequest.json /
 * DescribeUserScramCredentialsResponse.json.
 */
export const DescribeUserScramCredentials: ApiSpec = {
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  request: {
    apiKey: 50,
    type: 'request',
    name: 'DescribeUserScramCredentialsRequest',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'Users', type: '[]UserName', versions: '0+', nullableVersions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    apiKey: 50,
    type: 'response',
    name: 'DescribeUserScramCredentialsResponse',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'Results', type: '[]DescribeUserScramCredentialsResult', versions: '0+',
        fields: [
          { name: 'User', type: 'string', versions: '0+' },
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'CredentialInfos', type: '[]CredentialInfo', versions: '0+',
            fields: [
              { name: 'Mechanism', type: 'int8', versions: '0+' },
              { name: 'Iterations', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
