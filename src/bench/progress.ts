/**
 * What the benchmark shows while it runs: a cli-progress bar per step on a terminal, and one plain line
 * per finished step otherwise (CI logs), both on stderr so stdout carries only the result table.
 */
import cliProgress from 'cli-progress';

export interface Step {
  /** Sets the bar's position (in the step's own unit). */
  update(value: number): void;
  /** Ends the step with a short outcome, e.g. "412 MB/s". */
  done(outcome: string): void;
}

export class Progress {
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = Boolean(stream.isTTY) && !quiet;
  }

  /** A message between steps. */
  note(message: string): void {
    if (!this.quiet) this.stream.write(`${message}\n`);
  }

  /** A step measured against `total` units (seconds, records, members...). */
  step(label: string, total: number, unit: string): Step {
    const started = performance.now();
    const finish = (outcome: string): string =>
      `  ${label.padEnd(44)} ${outcome} (${((performance.now() - started) / 1000).toFixed(1)} s)`;
    if (!this.tty) {
      return {
        update: () => undefined,
        done: (outcome) => {
          if (!this.quiet) this.stream.write(`${finish(outcome)}\n`);
        },
      };
    }
    const bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `  ${label.padEnd(44)} [{bar}] {percentage}% {value}/{total} ${unit}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        formatValue: (v, _options, type) => (type === 'value' || type === 'total' ? formatCount(v) : String(v)),
      },
      cliProgress.Presets.legacy,
    );
    bar.start(Math.max(total, 1e-9), 0);
    return {
      update: (value) => bar.update(Math.min(value, total)),
      done: (outcome) => {
        bar.stop();
        this.stream.write(`${finish(outcome)}\n`);
      },
    };
  }

  /** A step that lasts about `seconds`: its bar follows the clock. */
  timed(label: string, seconds: number): Step {
    const step = this.step(label, Math.round(seconds * 10) / 10, 's');
    const started = performance.now();
    const timer = setInterval(() => step.update(Math.round((performance.now() - started) / 100) / 10), 200);
    return {
      update: step.update,
      done: (outcome) => {
        clearInterval(timer);
        step.done(outcome);
      },
    };
  }
}

function formatCount(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
