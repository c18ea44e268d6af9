/**
 * The listeners a gateway serves, from Kafka's configs: `listeners` (NAME://host:port, comma-separated),
 * `advertised.listeners` (what clients are told, by listener name) and `listener.security.protocol.map`
 * (NAME:PROTOCOL; by default each protocol's own name maps to it, so custom names like EXTERNAL need an
 * entry). Refusals carry Kafka's messages. An empty host binds every interface; port 0 binds a free port.
 */
import { SECURITY_PROTOCOLS, type SecurityProtocol } from './security-protocol.js';

export interface ListenerEndpoint {
  /** Upper case, as Kafka normalises listener names. */
  name: string;
  /** Empty: every interface (when binding) or the machine's name (when advertised). */
  host: string;
  port: number;
  securityProtocol: SecurityProtocol;
}

/** One listener to bind, and the address clients are told for it (null: the bound address). */
export interface ListenerPlan {
  bind: ListenerEndpoint;
  advertised: { host: string; port: number } | null;
}

export const DEFAULT_PROTOCOL_MAP = 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT';

const ENDPOINT = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

function csv(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** listener.security.protocol.map: listener name → security protocol. */
export function parseProtocolMap(text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of csv(text)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`Invalid value ${entry} for listener.security.protocol.map: expected NAME:PROTOCOL`);
    const name = entry.slice(0, colon).trim().toUpperCase();
    const protocol = entry.slice(colon + 1).trim().toUpperCase();
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw new Error(`Invalid value ${entry} for listener.security.protocol.map: No enum constant ${protocol}; security protocols are ${SECURITY_PROTOCOLS.join(', ')}`);
    }
    if (map.has(name)) throw new Error(`Invalid value ${text} for listener.security.protocol.map: duplicate listener name ${name}`);
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

/** A `listeners` or `advertised.listeners` value as endpoints, checked as Kafka checks them. */
export function parseEndpoints(text: string, protocols: ReadonlyMap<string, SecurityProtocol>, configName: string, distinctPorts: boolean): ListenerEndpoint[] {
  const endpoints = csv(text).map((entry) => {
    const m = ENDPOINT.exec(entry);
    if (!m) throw new Error(`Error creating broker listeners from '${text}': Unable to parse ${entry} to a broker endpoint`);
    const name = m[1]!.toUpperCase();
    const port = Number(m[3]);
    if (port < 0 || port > 65535) throw new Error(`Error creating broker listeners from '${text}': port ${port} of ${entry} is not a TCP port`);
    const securityProtocol = protocols.get(name);
    if (!securityProtocol) {
      throw new Error(`Error creating broker listeners from '${text}': No security protocol defined for listener ${name} (set listener.security.protocol.map)`);
    }
    return { name, host: m[2]!, port, securityProtocol };
  });
  // Port 0 (a free port each) may repeat, as in Kafka's tests.
  const ports = endpoints.map((e) => e.port).filter((p) => p !== 0);
  if (distinctPorts && new Set(ports).size !== ports.length) throw new Error(`Each listener must have a different port, ${configName}: ${text}`);
  if (new Set(endpoints.map((e) => e.name)).size !== endpoints.length) throw new Error(`Each listener must have a different name, ${configName}: ${text}`);
  return endpoints;
}

export interface ListenerSettings {
  listeners: string;
  advertisedListeners: string | null;
  protocolMap: string;
}

/**
 * What to bind and advertise, in `listeners` order. advertised.listeners may name a subset of the listeners;
 * a listener it leaves out (or all, without it) advertises its own address.
 */
export function planListeners(settings: ListenerSettings): ListenerPlan[] {
  const protocols = parseProtocolMap(settings.protocolMap);
  const bound = parseEndpoints(settings.listeners, protocols, 'listeners', true);
  if (bound.length === 0) throw new Error('listeners must name at least one listener');
  if (settings.advertisedListeners === null) return bound.map((bind) => ({ bind, advertised: null }));
  const advertised = parseEndpoints(settings.advertisedListeners, protocols, 'advertised.listeners', false);
  const names = new Set(bound.map((b) => b.name));
  for (const a of advertised) {
    if (!names.has(a.name)) {
      throw new Error(
        `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${a.name}. ` +
          `The valid options based on currently configured listeners are ${[...names].join(',')}`,
      );
    }
    if (a.host === '0.0.0.0') throw new Error('advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.');
  }
  return bound.map((bind) => {
    const a = advertised.find((e) => e.name === bind.name);
    return { bind, advertised: a ? { host: a.host, port: a.port } : null };
  });
}

/** `listeners` as kpg wrote it before listeners were configurable: one PLAINTEXT listener. */
export function singlePlaintextListener(host: string, port: number): string {
  return `PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** An endpoint list in Kafka's text form (advertised.listeners as DescribeConfigs shows it). */
export function endpointsToString(endpoints: readonly { name: string; host: string; port: number }[]): string {
  return endpoints.map((e) => `${e.name}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).join(',');
}
