// The secured target of the `auth` scenario, the same on the reference Kafka and on kpg:
//   PLAINTEXT  (the runner's administration: User:ANONYMOUS is a super user there)
//   SASL_SSL   SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, OAUTHBEARER (Kafka's unsecured-JWS validator)
//   SSL        ssl.client.auth=required, principal = the certificate's CN (ssl.principal.mapping.rules)
// the StandardAuthorizer with super.users=User:admin;User:ANONYMOUS and allow.everyone.if.no.acl.found=false,
// users alice and bob (SCRAM-SHA-256 and -512; PLAIN with the same passwords), and the ACLs
//   User:alice ALLOW ALL on TOPIC and GROUP prefix `auth-`, DENY READ+WRITE on TOPIC prefix `auth-denied-`
// (bob has none). Each cell gets a JSON security file (the contract in compat/README.md).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { unsecuredJwt, writeTestPki } from './certs.mjs';

const CACHE = process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg');
export const USERS = { admin: 'admin-secret', alice: 'alice-secret', bob: 'bob-secret' };
export const MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER'];
export const TOPIC_PREFIX = 'auth-';
export const DENIED_PREFIX = 'auth-denied-';
const UNSECURED_VALIDATOR = 'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler';

/** Ports from a base: PLAINTEXT base, (Kafka's controller base+1), SASL_SSL base+2, SSL base+3. */
export const authPorts = (base) => ({ plaintext: base, controller: base + 1, saslSsl: base + 2, ssl: base + 3 });

/** Certificates for this run under dir. */
export const authPki = (dir) => writeTestPki(dir, { clients: ['alice', 'bob'] });

/** The broker configs both targets share (Kafka names), listeners excluded. */
export function securityConfigs(pki) {
  return [
    ['ssl.keystore.type', 'PEM'],
    ['ssl.keystore.location', pki.serverKeystoreFile],
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', pki.caFile],
    ['listener.name.ssl.ssl.client.auth', 'required'],
    ['ssl.principal.mapping.rules', 'RULE:^CN=([^,]+).*$/$1/,DEFAULT'],
    ['sasl.enabled.mechanisms', MECHANISMS.join(',')],
    ['listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class', UNSECURED_VALIDATOR],
    ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
    ['super.users', 'User:admin;User:ANONYMOUS'],
    ['allow.everyone.if.no.acl.found', 'false'],
  ];
}

/** server.properties lines the reference Kafka needs beyond securityConfigs: listeners and JAAS. */
export function kafkaProperties(pki, ports) {
  const h = '127.0.0.1';
  const plainUsers = Object.entries(USERS).map(([u, p]) => `user_${u}="${p}"`).join(' ');
  const lines = [
    `listeners=PLAINTEXT://${h}:${ports.plaintext},CONTROLLER://${h}:${ports.controller},SASL_SSL://${h}:${ports.saslSsl},SSL://${h}:${ports.ssl}`,
    `advertised.listeners=PLAINTEXT://${h}:${ports.plaintext},SASL_SSL://${h}:${ports.saslSsl},SSL://${h}:${ports.ssl}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    ...securityConfigs(pki).map(([k, v]) => `${k}=${v}`),
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
  ];
  // java.util.Properties reads backslash escapes: keep the regular expression's characters literal
  return lines.map((l) => l.replace(/\\/g, '\\\\')).join('\n') + '\n';
}

/** kafka-storage format --add-scram arguments for every user and both SCRAM mechanisms. */
export const kafkaScramLines = () => Object.entries(USERS)
  .flatMap(([u, p]) => ['SCRAM-SHA-256', 'SCRAM-SHA-512'].map((m) => `${m}=[name=${u},password=${p}]`)).join('\n') + '\n';

/** Environment for compat/reference-kafka.sh start: the extra properties and SCRAM users. */
export function kafkaEnv(pki, ports, dir) {
  const props = join(dir, 'auth-server.properties');
  const scram = join(dir, 'auth-scram.txt');
  writeFileSync(props, kafkaProperties(pki, ports));
  writeFileSync(scram, kafkaScramLines());
  return { KPG_KAFKA_EXTRA_PROPERTIES: props, KPG_KAFKA_SCRAM: scram };
}

/** `kpg serve` arguments (after --data-dir) for the same target. */
export function kpgServeArgs(pki, ports) {
  const h = '127.0.0.1';
  return [
    '--listeners', `PLAINTEXT://${h}:${ports.plaintext},SASL_SSL://${h}:${ports.saslSsl},SSL://${h}:${ports.ssl}`,
    ...securityConfigs(pki).flatMap(([k, v]) => ['--broker-config', `${k}=${v}`]),
    '--broker-config', 'group.initial.rebalance.delay.ms=0',
  ];
}

/** Runs one of Kafka's tools (a main class from the cached jars); resolves {code, output}. */
export function kafkaTool(mainClass, args, timeoutMs = 90000) {
  const log4j = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'log4j2-tools.properties');
  return new Promise((resolve) => {
    const child = spawn(process.env.JAVA ?? 'java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${log4j}`,
      '-cp', `${join(CACHE, 'kafka', 'lib')}/*`, mainClass, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, output: e.message }); });
  });
}

/** The scenario's ACLs, through the PLAINTEXT listener with kafka-acls (AclCommand), as an operator would. */
export async function addAuthAcls(bootstrap) {
  const acl = (args) => kafkaTool('org.apache.kafka.tools.AclCommand', ['--bootstrap-server', bootstrap, '--add', '--force', ...args]);
  const runs = await Promise.all([
    acl(['--allow-principal', 'User:alice', '--operation', 'All', '--topic', TOPIC_PREFIX, '--group', TOPIC_PREFIX, '--resource-pattern-type', 'prefixed']),
    acl(['--deny-principal', 'User:alice', '--operation', 'Read', '--operation', 'Write', '--topic', DENIED_PREFIX, '--resource-pattern-type', 'prefixed']),
  ]);
  const bad = runs.find((r) => r.code !== 0);
  if (bad) throw new Error(`kafka-acls --add failed: ${bad.output.trim().split('\n').slice(-3).join(' | ')}`);
}

/** Names of a cell's resources: its topic, the topic alice may not read or write, its group. */
export const authNames = (cellId) => ({
  topic: `${TOPIC_PREFIX}${cellId}`, deniedTopic: `${DENIED_PREFIX}${cellId}`, group: `${TOPIC_PREFIX}${cellId}-group`,
});

/** Writes the cell's security file (JSON, the contract) and returns its path. */
export function writeSecurityFile(file, pki, ports, names) {
  writeFileSync(file, JSON.stringify({
    saslSsl: `127.0.0.1:${ports.saslSsl}`,
    ssl: `127.0.0.1:${ports.ssl}`,
    caFile: pki.caFile,
    clientCertFile: pki.clients.alice.certFile,
    clientKeyFile: pki.clients.alice.keyFile,
    clientKeystoreFile: pki.clients.alice.keystoreFile,
    users: { alice: USERS.alice, bob: USERS.bob },
    oauthTokens: { alice: unsecuredJwt('alice'), bob: unsecuredJwt('bob') },
    ...names,
  }, null, 1));
  return file;
}
