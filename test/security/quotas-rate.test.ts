/**
 * The measured rate and the throttle time, with explicit clocks: Kafka's SampledStat/Rate windows
 * (11 x 1 s, at least 10 s of span) and its throttle formula (rate - bound) / bound x span.
 */
import { describe, expect, it } from 'vitest';
import { SampledRate } from '../../src/quotas/sampled-rate.js';

describe('SampledRate (quota.window.num = 11, quota.window.size.seconds = 1)', () => {
  it('spreads a first burst over (samples - 1) windows', () => {
    const rate = new SampledRate(11, 1000);
    rate.record(50_000, 0);
    expect(rate.windowSize(0)).toBe(10_000);
    expect(rate.measure(0)).toBe(5_000);
    // Half a second later: the elapsed half second plus the 10 missing full windows.
    expect(rate.windowSize(500)).toBe(10_500);
    expect(rate.measure(500)).toBeCloseTo(50_000 / 10.5, 6);
  });

  it('measures over the real elapsed time once it exceeds the minimum span', () => {
    const rate = new SampledRate(11, 1000);
    for (let t = 0; t <= 10_000; t += 1000) rate.record(1000, t); // 11 windows of 1000
    expect(rate.windowSize(10_500)).toBe(10_500);
    expect(rate.measure(10_500)).toBeCloseTo(11_000 / 10.5, 6);
  });

  it('forgets windows older than the whole span', () => {
    const rate = new SampledRate(11, 1000);
    rate.record(100_000, 0);
    expect(rate.measure(5_000)).toBe(10_000);
    expect(rate.measure(11_000)).toBe(0);
    rate.record(1_000, 11_000);
    expect(rate.measure(11_000)).toBe(100);
  });

  it('gives Kafka\'s throttle time for a burst: (rate - bound) / bound x span', () => {
    const rate = new SampledRate(11, 1000);
    rate.record(121_000, 0);
    const bound = 10_000;
    const observed = rate.measure(0);
    expect(observed).toBe(12_100);
    expect(Math.round(((observed - bound) / bound) * rate.windowSize(0))).toBe(2_100);
  });
});
