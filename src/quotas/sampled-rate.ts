/**
 * A rate over a sliding set of time windows, measured as Kafka's metrics library measures a quota's
 * Rate (SampledStat + Rate): `samples` windows of `windowMs` each; the rate is the sum of the live
 * windows divided by the elapsed time since the oldest one, which counts as at least (samples - 1)
 * full windows, so a first burst is spread over that span instead of looking infinitely fast.
 */
interface Sample {
  startMs: number;
  value: number;
}

export class SampledRate {
  private readonly windows: Sample[] = [];
  private current = 0;
  /** When the rate last recorded anything (idle rates are dropped by their owner). */
  lastRecordMs = 0;

  constructor(
    private readonly samples: number,
    private readonly windowMs: number,
  ) {}

  record(value: number, nowMs: number): void {
    this.lastRecordMs = nowMs;
    let sample = this.currentSample(nowMs);
    if (nowMs - sample.startMs >= this.windowMs) sample = this.advance(nowMs);
    sample.value += value;
  }

  /** Events per second over the live windows. */
  measure(nowMs: number): number {
    this.purgeObsolete(nowMs);
    const total = this.windows.reduce((sum, s) => sum + s.value, 0);
    return total / (this.windowSize(nowMs) / 1000);
  }

  /** The span the rate is measured over, in ms: since the oldest live window, at least samples - 1 windows. */
  windowSize(nowMs: number): number {
    this.purgeObsolete(nowMs);
    const oldest = this.windows.length === 0 ? nowMs : Math.min(...this.windows.map((s) => s.startMs));
    let elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.windowMs);
    const minFullWindows = this.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.windowMs;
    return elapsed;
  }

  private currentSample(nowMs: number): Sample {
    if (this.windows.length === 0) this.windows.push({ startMs: nowMs, value: 0 });
    return this.windows[this.current]!;
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % this.samples;
    if (this.current >= this.windows.length) {
      const sample = { startMs: nowMs, value: 0 };
      this.windows.push(sample);
      return sample;
    }
    const sample = this.windows[this.current]!;
    sample.startMs = nowMs;
    sample.value = 0;
    return sample;
  }

  /** Windows older than the whole span start over empty (as Kafka resets them). */
  private purgeObsolete(nowMs: number): void {
    const expireAge = this.samples * this.windowMs;
    for (const s of this.windows) {
      if (nowMs - s.startMs >= expireAge) {
        s.startMs = nowMs;
        s.value = 0;
      }
    }
  }
}
