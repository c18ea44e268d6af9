/**
 * Counter and histogram families for the hot paths. prom-client's own hash the label values on every
 * inc() and observe() (a sorted key string per call, even through labels()); these keep one child
 * object per label set, so counting is a field increment. The registry reads them through get(), the
 * same interface its own metrics have, so they are scraped, listed and merged like any other metric.
 */
import type { Metric, Registry } from 'prom-client';

/** What prom-client's registry reads from a metric's get(). */
interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { metricName?: string; labels: Labels; value: number }[];
}

type Labels = Record<string, string>;

export class CounterChild {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class HistogramChild {
  /** Per bucket (not cumulative; the last one is +Inf). */
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** Registers a metric object with the registry: prom-client's registry only needs name, help, type and get(). */
function register(registry: Registry, metric: { name: string }): void {
  registry.registerMetric(metric as unknown as Metric);
}

export class CounterFamily {
  readonly type = 'counter' as const;
  readonly aggregator = 'sum' as const;
  private readonly children: CounterChild[] = [];

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
  ) {
    register(registry, this);
  }

  /** A new child with these labels; the caller keeps it (one per label set). */
  child(labels: Labels = {}): CounterChild {
    const c = new CounterChild(labels);
    this.children.push(c);
    return c;
  }

  /** Registry.resetMetrics() calls this on every metric: back to zero, children kept (callers hold them). */
  reset(): void {
    for (const c of this.children) c.value = 0;
  }

  get(): Collected {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.children.map((c) => ({ value: c.value, labels: c.labels })),
    };
  }
}

export class HistogramFamily {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly children: HistogramChild[] = [];

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    register(registry, this);
  }

  child(labels: Labels = {}): HistogramChild {
    const c = new HistogramChild(labels, this.bounds);
    this.children.push(c);
    return c;
  }

  reset(): void {
    for (const c of this.children) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }

  get(): Collected {
    const values: Collected['values'] = [];
    for (const c of this.children) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += c.counts[i]!;
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...c.labels, le }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: c.labels, value: c.sum });
      values.push({ metricName: `${this.name}_count`, labels: c.labels, value: c.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
