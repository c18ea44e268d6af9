/**
 * The TLS broker configs kpg honours (src/security/tls.ts reads them), with Kafka's types and defaults.
 * The key material, the enabled protocols and the cipher suites may change at runtime (AlterConfigs; as in
 * Kafka also per listener, listener.name.<name>.ssl.*): every TLS listener reloads them. The listener
 * configs themselves (listeners, advertised.listeners, listener.security.protocol.map) are facts of the
 * running gateway, reported by DescribeConfigs as bound (src/apis/config-resources.ts).
 */
import type { ConfigDefinition, ConfigType } from './config-def.js';

function def(name: string, type: ConfigType, defaultValue: string | null, dynamic: boolean, documentation: string): ConfigDefinition {
  return { name, type, defaultValue, honoured: true, dynamic, documentation };
}

export const LISTENER_BROKER_CONFIGS: readonly ConfigDefinition[] = [
  def('ssl.keystore.type', 'string', 'JKS', true, 'PEM or PKCS12 (JKS is refused: convert it). A keystore left at the JKS default whose file is PEM text is read as PEM.'),
  def('ssl.keystore.location', 'string', null, true, 'The listener\'s private key and certificate chain (PEM file or PKCS12 store); reloaded when the file changes.'),
  def('ssl.keystore.password', 'password', null, true, 'Password of a PKCS12 keystore.'),
  def('ssl.key.password', 'password', null, true, 'Password of an encrypted PEM private key.'),
  def('ssl.keystore.key', 'password', null, true, 'The private key inline (PEM), with ssl.keystore.certificate.chain, instead of ssl.keystore.location.'),
  def('ssl.keystore.certificate.chain', 'password', null, true, 'The certificate chain inline (PEM), with ssl.keystore.key.'),
  def('ssl.truststore.type', 'string', 'JKS', true, 'PEM: the CA certificates client certificates must chain to.'),
  def('ssl.truststore.location', 'string', null, true, 'File of PEM CA certificates; reloaded when the file changes.'),
  def('ssl.truststore.password', 'password', null, true, 'Accepted for compatibility: PEM truststores have no password.'),
  def('ssl.truststore.certificates', 'password', null, true, 'The CA certificates inline (PEM) instead of ssl.truststore.location.'),
  def('ssl.client.auth', 'string', 'none', false, 'none, requested or required: whether TLS listeners ask clients for a certificate (their principal on SSL listeners).'),
  def('ssl.enabled.protocols', 'list', 'TLSv1.2,TLSv1.3', true, 'TLS versions TLS listeners accept.'),
  def('ssl.protocol', 'string', 'TLSv1.3', false, 'Accepted for compatibility: ssl.enabled.protocols decides the versions.'),
  def('ssl.cipher.suites', 'list', '', true, 'Cipher suites TLS listeners accept (Java or OpenSSL names); empty: Node\'s defaults.'),
  def('ssl.principal.mapping.rules', 'string', 'DEFAULT', false, 'How an SSL client certificate\'s distinguished name becomes its principal name (RULE:pattern/replacement/[LU], DEFAULT).'),
];
