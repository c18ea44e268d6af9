/**
 * docs/grafana/kpg-dashboard.json is a Grafana dashboard whose every query names metrics a real gateway
 * exposes (its /metrics registry, lag metrics included), with histograms read through _bucket.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const DASHBOARD = fileURLToPath(new URL('../../docs/grafana/kpg-dashboard.json', import.meta.url));

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
  panels?: Panel[];
}

let kpg: TestGateway;
beforeAll(async () => {
  kpg = await startTestGateway();
});
afterAll(async () => {
  await kpg?.stop();
});

/** Metric families of a scrape: name -> type, from the `# TYPE` lines. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/** Whether `name` is a series a family of the scrape produces: the family itself, or a histogram's parts. */
function exposed(name: string, scraped: Map<string, string>): boolean {
  const type = scraped.get(name);
  if (type !== undefined) return type !== 'histogram';
  const part = /^(.*)_(bucket|sum|count)$/.exec(name);
  return part !== null && scraped.get(part[1]!) === 'histogram';
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    title: string; uid: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; query: unknown }[] };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
  for (const v of dashboard.templating.list) {
    if (v.query && typeof v.query === 'object') queries.push({ panel: `variable ${v.name}`, expr: (v.query as { query: string }).query });
  }

  it('is a dashboard Grafana can import: unique panel ids, panels on the 24-column grid, a Prometheus query per graph', () => {
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThan(30);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource?.type, p.title).toBe('prometheus');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toContain('datasource');
    expect(queries.some((q) => q.expr.includes('rate('))).toBe(true);
    expect(queries.some((q) => q.expr.includes('histogram_quantile('))).toBe(true);
  });

  it('queries only metrics a running gateway exposes, and histograms by their buckets', async () => {
    const scraped = families(await kpg.gateway.metrics.registry.metrics());
    const referenced = new Set<string>();
    for (const q of queries) {
      for (const m of q.expr.matchAll(/\b(?:kafka|kpg)_[a-z0-9_]+\b/g)) {
        referenced.add(m[0]);
        expect(exposed(m[0], scraped), `${q.panel}: ${m[0]} is not a metric kpg exposes`).toBe(true);
      }
      // Quantiles come from bucket series (each expression here holds at most one histogram_quantile).
      const quantile = q.expr.split('histogram_quantile(')[1];
      if (quantile !== undefined) {
        for (const m of quantile.matchAll(/\b(?:kafka|kpg)_[a-z0-9_]+\b/g)) expect(m[0], `${q.panel}: histogram_quantile over ${m[0]}`).toMatch(/_bucket$/);
      }
    }
    // Both helpers' metrics are on it: request metrics and consumer lag.
    expect(referenced).toContain('kafka_network_requestmetrics_totaltimems_bucket');
    expect(referenced).toContain('kafka_consumergroup_lag');
    expect(referenced).toContain('kafka_consumergroup_lag_sum');
  });
});
