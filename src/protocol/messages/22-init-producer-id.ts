import type { ApiSpec } from '../schema.js';

/**
 * InitProducerId (key 22). Kafka spec: InitProducerIdRequest.json / InitProducerIdResponse.json.
 * v0-5 are the same in Kafka 3.9 and 4.1. Kafka 4.1 also has v6 (KIP-939 two-phase commit, marked
 * unstable there), which kpg does not serve: its fields are not listed here.
 */
export const InitProducerId: ApiSpec = {
  apiKey: 22,
  name: 'InitProducerId',
  request: {
    apiKey: 22,
    type: 'request',
    name: 'InitProducerIdRequest',
    validVersions: '0-5',
    flexibleVersions: '2+',
    fields: [
      { name: 'TransactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'ProducerId', type: 'int64', versions: '3+', default: -1n },
      { name: 'ProducerEpoch', type: 'int16', versions: '3+', default: -1 },
    ],
  },
  response: {
    apiKey: 22,
    type: 'response',
    name: 'InitProducerIdResponse',
    validVersions: '0-5',
    flexibleVersions: '2+',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
      { name: 'ErrorCode', type: 'int16', versions: '0+' },
      { name: 'ProducerId', type: 'int64', versions: '0+', default: -1n },
      { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
    ],
  },
};
