/**
 * RecordSearch (../record-search.ts) on Postgres. Two queries: the window of batches to decode (offsets
 * only, a range of record_batches' primary key; for a `fromMs` bound going forward, or a `toMs` bound
 * going backward, the first batch reaching it comes from the time index), then the records of that window decoded by kpg.batch_records
 * and filtered. The window is what bounds the cost: at most maxBatches batches, however selective
 * the filters are.
 */
import type pg from 'pg';
import { InvalidRecordSearchError, type FoundRecord, type RecordSearch, type RecordSearchResult, type RecordSearchStorage } from '../record-search.js';

interface HeaderJson {
  key: string;
  value: string | null;
  key_encoding?: 'base64';
  value_encoding?: 'base64';
}

export class PgRecordSearch implements RecordSearchStorage {
  constructor(private readonly pool: pg.Pool) {}

  async searchRecords(s: RecordSearch): Promise<RecordSearchResult> {
    const forward = s.direction === 'forward';
    let start = s.startOffset;
    // The time index (each batch's running maximum timestamp, as Kafka's offsetsForTimes reads it) bounds a
    // time-range search from its near end: forward from the first batch reaching fromMs (earlier batches
    // hold only older records), backward from the first batch reaching toMs (later batches hold only
    // records at or after toMs, unless a producer's timestamps went backwards).
    const bound = forward ? s.fromMs : s.toMs;
    if (bound !== undefined) {
      const first = await this.pool.query<{ base_offset: bigint; last_offset: bigint }>(
        `SELECT base_offset, last_offset FROM kpg.record_batches
          WHERE topic_id = $1 AND partition = $2 AND time_index >= $3
          ORDER BY time_index, base_offset LIMIT 1`,
        [s.topicId, s.partition, bound],
      );
      const batch = first.rows[0];
      if (forward) {
        if (!batch) return { records: [], nextOffset: null };
        if (batch.base_offset > start) start = batch.base_offset;
      } else if (batch && batch.last_offset < start) {
        start = batch.last_offset;
      }
    }
    // The window: at most maxBatches batches, and no more batches once maxRecords records are in it.
    const order = forward ? 'ASC' : 'DESC';
    const window = await this.pool.query<{ low: bigint | null; high: bigint | null; kept: string; candidates: string }>(
      `SELECT min(w.base_offset) FILTER (WHERE w.keep) AS low, max(w.last_offset) FILTER (WHERE w.keep) AS high,
              count(*) FILTER (WHERE w.keep) AS kept, count(*) AS candidates
         FROM (
           SELECT c.base_offset, c.last_offset,
                  sum(c.wanted) OVER (ORDER BY c.last_offset ${order}) - c.wanted < $5 AS keep
             FROM (
               -- the batch's offsets on the searched side of startOffset
               SELECT rb.base_offset, rb.last_offset,
                      greatest(${forward ? 'rb.last_offset - greatest(rb.base_offset, $3)' : 'least(rb.last_offset, $3) - rb.base_offset'} + 1, 0) AS wanted
                 FROM kpg.record_batches rb
                 JOIN kpg.partitions p ON p.topic_id = rb.topic_id AND p.partition = rb.partition
                WHERE rb.topic_id = $1 AND rb.partition = $2 AND rb.last_offset >= p.log_start_offset
                  ${forward
                    ? 'AND rb.last_offset >= $3'
                    : `-- up to the batch holding startOffset (or the first one after it; its records are filtered out)
                  AND rb.last_offset <= coalesce((SELECT min(x.last_offset) FROM kpg.record_batches x
                                                   WHERE x.topic_id = $1 AND x.partition = $2 AND x.last_offset >= $3),
                                                 9223372036854775807)`}
                ORDER BY rb.last_offset ${order} LIMIT $4
             ) c
         ) w`,
      [s.topicId, s.partition, start, s.maxBatches, s.maxRecords],
    );
    const { low, high } = window.rows[0]!;
    const kept = Number(window.rows[0]!.kept);
    const candidates = Number(window.rows[0]!.candidates);
    // Whether the log goes on past the window (the scan was cut short by a bound, not by the log's end).
    const cut = kept < candidates || candidates === s.maxBatches;
    if (low === null || high === null) return { records: [], nextOffset: null };
    const params: unknown[] = [s.topicId, s.partition, low, high, forward ? start : low, forward ? high : start, s.limit];
    const filters: string[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (s.key !== undefined) filters.push(`r.key = ${param(s.key)}`);
    if (s.fromMs !== undefined) filters.push(`r.timestamp_ms >= ${param(s.fromMs)}`);
    if (s.toMs !== undefined) filters.push(`r.timestamp_ms < ${param(s.toMs)}`);
    if (s.header !== undefined) filters.push(`kpg.header_value(r.headers, ${param(s.header.name)}) = ${param(s.header.value)}`);
    if (s.jsonPath !== undefined) {
      // Values that are not UTF-8 JSON never match (and never fail the query).
      const json = 'kpg.json_or_null(r.value)';
      const path = `${param(s.jsonPath)}::jsonpath`;
      filters.push(
        s.jsonValue === undefined
          ? `jsonb_path_exists(${json}, ${path})`
          : `jsonb_path_query_first(${json}, ${path}) #>> '{}' = ${param(s.jsonValue)}`,
      );
    }
    let rows: { offset: bigint; timestamp_ms: bigint; key: Buffer | null; value: Buffer | null; headers: HeaderJson[] | null }[];
    try {
      const result = await this.pool.query(
        `SELECT rb.base_offset + r.offset_delta AS "offset", r.timestamp_ms, r.key, r.value, r.headers
           FROM kpg.record_batches rb
           JOIN kpg.partitions p ON p.topic_id = rb.topic_id AND p.partition = rb.partition
           CROSS JOIN LATERAL kpg.batch_records(rb.batch) r
          WHERE rb.topic_id = $1 AND rb.partition = $2 AND rb.last_offset >= $3 AND rb.last_offset <= $4
            AND rb.base_offset + r.offset_delta BETWEEN greatest($5, p.log_start_offset) AND $6
            ${filters.map((f) => `AND ${f}`).join(' ')}
          ORDER BY 1 ${forward ? 'ASC' : 'DESC'}
          LIMIT $7`,
        params,
      );
      rows = result.rows;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // syntax_error (a malformed path) and the SQL/JSON error class 22/2203x.
      if (code === '42601' || code.startsWith('2203') || code === '22P02') throw new InvalidRecordSearchError((err as Error).message);
      throw err;
    }
    const records: FoundRecord[] = rows.map((r) => ({
      offset: r.offset,
      timestampMs: r.timestamp_ms,
      key: r.key,
      value: r.value,
      headers: (r.headers ?? []).map((h) => ({
        key: h.key_encoding === 'base64' ? Buffer.from(h.key, 'base64').toString('utf8') : h.key,
        value: h.value === null ? null : Buffer.from(h.value, h.value_encoding === 'base64' ? 'base64' : 'utf8'),
      })),
    }));
    let nextOffset: bigint | null = null;
    if (records.length === s.limit) nextOffset = forward ? records.at(-1)!.offset + 1n : records.at(-1)!.offset - 1n;
    else if (cut) nextOffset = forward ? high + 1n : low - 1n;
    if (nextOffset !== null && nextOffset < 0n) nextOffset = null;
    return { records, nextOffset };
  }
}
