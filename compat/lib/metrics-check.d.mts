// Types of compat/lib/metrics-check.mjs for the TypeScript tests (test/compat/metrics-check.test.ts).
export interface MetricCheck { metric: string; labels?: Record<string, string>; min?: number; gauge?: boolean }
export interface Sample { name: string; labels: Record<string, string>; value: number }
export function freePort(avoid?: number[]): Promise<number>;
export function scrape(port: number, timeoutMs?: number): Promise<string>;
export function parseMetrics(text: string): Sample[];
export function sumOf(samples: Sample[], name: string, labels?: Record<string, string>): number;
export function describeCheck(check: MetricCheck): string;
export function expectedMetrics(scenario: string, cell: { client: string; topic: string; bulkRecords?: number }): MetricCheck[];
export function evaluate(checks: MetricCheck[], beforeText: string | null, afterText: string): { failed: string[]; checked: number };
