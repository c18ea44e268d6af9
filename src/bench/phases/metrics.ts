/**
 * The metrics row: what serving Prometheus metrics costs the produce path. Two fresh gateways on the same
 * Postgres, alike but for `--metrics-port`: one serves /metrics, which the benchmark scrapes every second
 * during its runs as Prometheus would; the other is started without it (and so must carry no metrics work
 * at all). Both take the same produce load, warm-up and ABBA runs (gateway-pair.ts); each gateway's best
 * run counts.
 */
import type { Progress } from '../progress.js';
import { errorMessage, type MetricsRun } from '../result.js';
import { compareGatewayPair, type RunCompanion } from './gateway-pair.js';

/** Prometheus's scrape interval the row stands for. */
const SCRAPE_INTERVAL_MS = 1000;
/** A scrape slower than this counts as failed (Prometheus's default scrape timeout is 10 s). */
const SCRAPE_TIMEOUT_MS = 5000;

type ScrapeFigures = Pick<MetricsRun, 'scrapes' | 'scrape_failures'>;

/**
 * GETs `url` at once and then every interval, one request at a time (a slow scrape delays the next, as
 * Prometheus never overlaps scrapes of one target), reading each body to its end.
 */
export class Scraper implements RunCompanion<ScrapeFigures> {
  private scrapes = 0;
  private failures = 0;
  private firstFailure: string | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly url: string, private readonly intervalMs = SCRAPE_INTERVAL_MS) {}

  start(): void {
    this.running = true;
    this.loop = this.scrapeEveryInterval();
  }

  async stop(): Promise<{ figures: ScrapeFigures; error: string | null }> {
    this.running = false;
    this.wake?.();
    await this.loop;
    const figures = { scrapes: this.scrapes, scrape_failures: this.failures };
    const error = this.failures > 0
      ? `${this.failures} of ${this.scrapes + this.failures} scrapes of ${this.url} failed, the first: ${this.firstFailure}`
      : this.scrapes === 0 ? `${this.url} was never scraped` : null;
    return { figures, error };
  }

  private async scrapeEveryInterval(): Promise<void> {
    let next = Date.now();
    while (this.running) {
      await this.scrapeOnce();
      next += this.intervalMs;
      // Behind schedule after a slow scrape: the next one goes now, and the schedule restarts from it.
      if (next < Date.now()) next = Date.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, next - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async scrapeOnce(): Promise<void> {
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`);
      // The exposition format: a body without a single TYPE line is not what Prometheus would ingest.
      if (!body.includes('# TYPE ')) throw new Error(`not Prometheus text (${body.length} bytes: ${JSON.stringify(body.slice(0, 80))})`);
      this.scrapes++;
    } catch (err) {
      this.failures++;
      this.firstFailure ??= errorMessage(err);
    }
  }
}

export async function runMetrics(options: {
  databaseUrl: string;
  postgresPid: number | null;
  /** How to run `kpg`. */
  command?: readonly string[];
  producers: number;
  seconds: number;
  progress: Progress;
}): Promise<{ produce_ratio: number | null; scrapes: number; scrape_failures: number; runs: MetricsRun[] }> {
  const result = await compareGatewayPair<MetricsRun['gateway'], ScrapeFigures>({
    phase: 'metrics',
    databaseUrl: options.databaseUrl,
    postgresPid: options.postgresPid,
    command: options.command,
    measured: {
      side: 'scraped',
      label: 'with /metrics scraped every second',
      metricsPort: 0,
      describe: (g) => `kpg serving ${g.metricsUrl ?? '?'}/metrics (pid ${g.pid})`,
    },
    baseline: { side: 'no_metrics', label: 'without a metrics port', describe: (g) => `kpg without a metrics port (pid ${g.pid})` },
    producers: options.producers,
    seconds: options.seconds,
    progress: options.progress,
    emptyFigures: () => ({ scrapes: 0, scrape_failures: 0 }),
    prepare: async ({ measured }) => {
      if (measured.process.metricsUrl === null) throw new Error('the gateway started with --metrics-port 0 did not log its metrics URL');
    },
    companion: (side, gateway) => (side === 'scraped' ? new Scraper(`${gateway.process.metricsUrl!}/metrics`) : undefined),
  });
  return {
    // Three decimals: the goal (0.97) is closer to 1 than the ACL row's.
    produce_ratio: result.ratio === null ? null : Math.round(result.ratio * 1000) / 1000,
    scrapes: result.runs.reduce((sum, r) => sum + r.scrapes, 0),
    scrape_failures: result.runs.reduce((sum, r) => sum + r.scrape_failures, 0),
    runs: result.runs,
  };
}
