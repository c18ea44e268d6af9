/**
 * Appends the records that REPEATABLE READ and SERIALIZABLE transactions produced with kpg.produce.
 *
 * Such a transaction cannot append at its own commit (locking a partition row that others updated after
 * its snapshot is a serialization failure), so kpg.produce leaves its records in kpg.sql_outbox_relay and
 * NOTIFY kpg_outbox fires when it commits. Every gateway listens; each wake-up runs kpg.relay_sql_records
 * in READ COMMITTED transactions until nothing is left (an advisory lock inside makes gateways take
 * turns). READ COMMITTED callers never need this: their records are appended by the commit itself.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ChangeNotifications } from '../notifications.js';

/** Records appended per transaction: bounds how long one relay transaction holds partition locks. */
const RECORDS_PER_TRANSACTION = 5_000;
/** A pass runs this often even without a notification (one lost while the LISTEN connection was down). */
const SAFETY_PASS_INTERVAL_MS = 10_000;
/** After a failed pass, wait this long before the next one. */
const RETRY_DELAY_MS = 1_000;

export class SqlOutboxRelay {
  private running: Promise<void> | undefined;
  /** A wake-up arrived while a pass was running: run again, since that pass may have missed the records. */
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onWake = (): void => {
    void this.wake();
  };

  constructor(
    private readonly pool: pg.Pool,
    private readonly notifications: ChangeNotifications,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.notifications.on('sqlOutboxReady', this.onWake);
    this.notifications.on('reconnected', this.onWake);
    void this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notifications.off('sqlOutboxReady', this.onWake);
    this.notifications.off('reconnected', this.onWake);
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a pass now, or once more after the one in progress; resolves when the current pass ends. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        void this.wake();
      } else {
        this.timer = setTimeout(() => void this.wake(), SAFETY_PASS_INTERVAL_MS);
        this.timer.unref();
      }
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      let appended: number;
      do {
        appended = await this.relayOnce();
        if (appended > 0) this.log.debug({ records: appended }, 'appended records produced from SQL');
      } while (appended > 0 && !this.stopped);
    } catch (err) {
      if (this.stopped) return;
      this.log.warn({ err }, 'relaying SQL-produced records failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS).unref());
      this.again = true;
    }
  }

  private async relayOnce(): Promise<number> {
    const client = await this.pool.connect();
    try {
      // The relay must not inherit a stricter default_transaction_isolation: it locks partitions.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const { rows } = await client.query<{ appended: number }>('SELECT kpg.relay_sql_records($1) AS appended', [RECORDS_PER_TRANSACTION]);
      await client.query('COMMIT');
      return rows[0]!.appended;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
