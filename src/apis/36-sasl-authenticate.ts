/**
 * SaslAuthenticate (key 36), versions 0-2.
 *
 * Carries the SASL tokens after a v1 SaslHandshake; the connection's ConnectionAuthentication evaluates
 * them. A failure answers SASL_AUTHENTICATION_FAILED with Kafka's message after
 * connection.failed.authentication.delay.ms, then the connection closes. v1+ answers session_lifetime_ms
 * (connections.max.reauth.ms, capped by the credential's expiry). After authentication, and on listeners
 * without SASL, the answer is ILLEGAL_SASL_STATE ("SaslAuthenticate request received after successful
 * authentication"), as Kafka's KafkaApis gives.
 */
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    return ctx.authentication.authenticate(request.authBytes, ctx.apiVersion);
  },
});
