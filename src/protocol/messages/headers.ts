import type { MessageSpec } from '../schema.js';

/**
 * Request header, versions 0-2 (Kafka spec: RequestHeader.json; apiKey -1, Kafka's type "header").
 * ClientId keeps the int16-length string even in flexible header v2: Kafka marks that one field
 * `"flexibleVersions": "none"`.
 */
export const RequestHeader: MessageSpec = {
  apiKey: -1,
  type: 'request',
  name: 'RequestHeader',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'RequestApiKey', type: 'int16', versions: '0+' },
    { name: 'RequestApiVersion', type: 'int16', versions: '0+' },
    { name: 'CorrelationId', type: 'int32', versions: '0+' },
    { name: 'ClientId', type: 'string', versions: '1+', nullableVersions: '1+', flexibleVersions: 'none' },
  ],
};

/** Response header, versions 0-1 (Kafka spec: ResponseHeader.json; apiKey -1). */
export const ResponseHeader: MessageSpec = {
  apiKey: -1,
  type: 'response',
  name: 'ResponseHeader',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'CorrelationId', type: 'int32', versions: '0+' },
  ],
};
