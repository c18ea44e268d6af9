/**
 * The hot-path metric families as Prometheus reads them through prom-client's registry: le-inclusive
 * cumulative buckets, _sum and _count, label sets kept apart, and Registry.resetMetrics().
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterFamily, HistogramFamily } from '../../src/metrics/families.js';

function lines(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name));
}

describe('metric families', () => {
  it('a histogram counts a value equal to a bound in that bound\'s bucket, cumulatively, with _sum and _count', async () => {
    const registry = new Registry();
    const h = new HistogramFamily(registry, 'test_ms', 'help', [1, 5, 10]);
    const a = h.child({ request: 'A' });
    const b = h.child({ request: 'B' });
    for (const v of [0.5, 1, 3, 5, 7, 50]) a.observe(v);
    b.observe(2);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_ms histogram');
    expect(lines(text, 'test_ms')).toEqual([
      'test_ms_bucket{request="A",le="1"} 2',
      'test_ms_bucket{request="A",le="5"} 4',
      'test_ms_bucket{request="A",le="10"} 5',
      'test_ms_bucket{request="A",le="+Inf"} 6',
      'test_ms_sum{request="A"} 66.5',
      'test_ms_count{request="A"} 6',
      'test_ms_bucket{request="B",le="1"} 0',
      'test_ms_bucket{request="B",le="5"} 1',
      'test_ms_bucket{request="B",le="10"} 1',
      'test_ms_bucket{request="B",le="+Inf"} 1',
      'test_ms_sum{request="B"} 2',
      'test_ms_count{request="B"} 1',
    ]);
  });

  it('a counter keeps a series per child, one without labels too, and resetMetrics zeroes them', async () => {
    const registry = new Registry();
    const c = new CounterFamily(registry, 'test_total', 'help');
    const all = c.child();
    const t = c.child({ topic: 'orders' });
    all.inc(3);
    t.inc(3);
    t.inc();
    expect(lines(await registry.metrics(), 'test_total')).toEqual(['test_total 3', 'test_total{topic="orders"} 4']);
    expect(() => new CounterFamily(registry, 'test_total', 'again')).toThrow(/already been registered/);
    registry.resetMetrics();
    expect(lines(await registry.metrics(), 'test_total')).toEqual(['test_total 0', 'test_total{topic="orders"} 0']);
  });
});
