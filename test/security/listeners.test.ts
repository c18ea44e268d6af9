// listeners / advertised.listeners / listener.security.protocol.map parsed and checked as Kafka does.
import { describe, expect, it } from 'vitest';
import { listenerPlans } from '../../src/gateway.js';
import { DEFAULT_PROTOCOL_MAP, planListeners } from '../../src/security/listeners.js';

const plan = (listeners: string, advertisedListeners: string | null = null, protocolMap = DEFAULT_PROTOCOL_MAP) =>
  planListeners({ listeners, advertisedListeners, protocolMap });

describe('listener configs', () => {
  it('parses listeners with each protocol name mapping to itself by default', () => {
    expect(plan('PLAINTEXT://127.0.0.1:9092,SASL_SSL://:9093, ssl://[::1]:9094')).toEqual([
      { bind: { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }, advertised: null },
      { bind: { name: 'SASL_SSL', host: '', port: 9093, securityProtocol: 'SASL_SSL' }, advertised: null },
      { bind: { name: 'SSL', host: '::1', port: 9094, securityProtocol: 'SSL' }, advertised: null },
    ]);
  });

  it('needs a protocol map entry for custom listener names', () => {
    expect(() => plan('INTERNAL://:9092')).toThrow('No security protocol defined for listener INTERNAL');
    expect(plan('INTERNAL://:9092,EXTERNAL://:9093', null, 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL').map((p) => p.bind.securityProtocol)).toEqual([
      'PLAINTEXT',
      'SASL_SSL',
    ]);
    expect(() => plan('INTERNAL://:9092', null, 'INTERNAL:TLS')).toThrow(/No enum constant TLS/);
  });

  it('refuses duplicate ports and names, port 0 excepted', () => {
    expect(() => plan('PLAINTEXT://localhost:9091,SSL://localhost:9091')).toThrow('Each listener must have a different port');
    expect(() => plan('PLAINTEXT://localhost:9091,PLAINTEXT://localhost:9092')).toThrow('Each listener must have a different name');
    expect(plan('PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0')).toHaveLength(2);
  });

  it('refuses text that is not NAME://host:port', () => {
    expect(() => plan('127.0.0.1:9092')).toThrow(/Unable to parse 127.0.0.1:9092 to a broker endpoint/);
    expect(() => plan('PLAINTEXT://host:99999')).toThrow(/not a TCP port/);
  });

  it('advertises a subset of the listeners, by name, and never 0.0.0.0', () => {
    const plans = plan('INTERNAL://:9092,EXTERNAL://:9093', 'EXTERNAL://kpg.example.com:19093', 'INTERNAL:PLAINTEXT,EXTERNAL:SSL');
    expect(plans.map((p) => p.advertised)).toEqual([null, { host: 'kpg.example.com', port: 19093 }]);
    expect(() => plan('PLAINTEXT://:9092', 'SSL://x:9093')).toThrow(
      'advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found SSL.',
    );
    expect(() => plan('PLAINTEXT://:9092', 'PLAINTEXT://0.0.0.0:9092')).toThrow('cannot use the nonroutable meta-address 0.0.0.0');
    // Advertised listeners may share a port (a load balancer in front).
    expect(plan('A://:9092,B://:9093', 'A://lb:9000,B://lb:9000', 'A:PLAINTEXT,B:SSL')).toHaveLength(2);
  });

  it('keeps one PLAINTEXT listener from --host/--port when listeners is not set', () => {
    expect(listenerPlans({ host: '127.0.0.1', port: 9092 })).toEqual([
      { bind: { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }, advertised: null },
    ]);
    expect(listenerPlans({ host: '0.0.0.0', port: 9092, advertisedHost: 'kpg.local' })[0]!.advertised).toEqual({ host: 'kpg.local', port: 0 });
    const configured = listenerPlans({ host: '127.0.0.1', port: 9092, brokerConfigs: new Map([['listeners', 'SSL://:9093']]) });
    expect(configured.map((p) => p.bind)).toEqual([{ name: 'SSL', host: '', port: 9093, securityProtocol: 'SSL' }]);
  });
});
