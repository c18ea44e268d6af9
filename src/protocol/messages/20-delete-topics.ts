import type { ApiSpec } from '../schema.js';

/**
 * DeleteTopics (key 20). Kafka spec: DeleteTopicsRequest.json / DeleteTopicsResponse.json.
 * Kafka 4.x dropped v0 from its files; v0 comes from the 3.9 spec (same layout as v1).
 */
export const DeleteTopics: ApiSpec = {
  apiKey: 20,
  name: 'DeleteTopics',
  request: {
    apiKey: 20,
    type: 'request',
    name: 'DeleteTopicsRequest',
    validVersions: '0-6',
    flexibleVersions: '4+',
    fields: [
      {
        name: 'Topics', type: '[]DeleteTopicState', versions: '6+',
        fields: [
          { name: 'Name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
          { name: 'TopicId', type: 'uuid', versions: '6+' },
        ],
      },
      { name: 'TopicNames', type: '[]string', versions: '0-5' },
      { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    apiKey: 20,
    type: 'response',
    name: 'DeleteTopicsResponse',
    validVersions: '0-6',
    flexibleVersions: '4+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
      {
        name: 'Responses', type: '[]DeletableTopicResult', versions: '0+',
        fields: [
          { name: 'Name', type: 'string', versions: '0+', nullableVersions: '6+' },
          { name: 'TopicId', type: 'uuid', versions: '6+' },
          { name: 'ErrorCode', type: 'int16', versions: '0+' },
          { name: 'ErrorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        ],
      },
    ],
  },
};
