/**
 * SaslHandshake (key 17), versions 0-1.
 *
 * The exchange itself lives in the connection's ConnectionAuthentication (src/security/sasl): on a SASL
 * listener before authentication this answers the enabled mechanisms, or UNSUPPORTED_SASL_MECHANISM
 * with them (and the connection closes after connection.failed.authentication.delay.ms); v0 makes the
 * client send raw SASL tokens next, v1 SaslAuthenticate requests. After authentication a handshake starts
 * re-authentication when the session has a lifetime (KIP-368). Otherwise, and on listeners without SASL,
 * the answer is ILLEGAL_SASL_STATE, as Kafka's KafkaApis gives.
 */
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    return ctx.authentication.handshake(request.mechanism, ctx.apiVersion);
  },
});
