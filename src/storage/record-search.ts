/**
 * Browsing and searching one partition's records (the web console's message browser): a window of
 * stored batches chosen through record_batches' keys, the records in it decoded and filtered in Postgres.
 */

export interface RecordSearch {
  topicId: string;
  partition: number;
  /** forward: offsets >= startOffset, ascending; backward: offsets <= startOffset, descending. */
  direction: 'forward' | 'backward';
  startOffset: bigint;
  /** At most this many records are returned. */
  limit: number;
  /** At most this many stored batches are decoded per search (the bound on a scan's cost). */
  maxBatches: number;
  /** Batches join the window only while it holds fewer offsets on the searched side of startOffset than this (the first always does). */
  maxRecords: number;
  /** Exact key bytes. */
  key?: Buffer;
  /** Record timestamps in [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  /** The last header of that name has exactly these bytes. */
  header?: { name: string; value: Buffer };
  /** A SQL/JSON path over values that parse as JSON; with `jsonValue`, the first match's text must equal it. */
  jsonPath?: string;
  jsonValue?: string;
}

export interface FoundRecord {
  offset: bigint;
  timestampMs: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface RecordSearchResult {
  records: FoundRecord[];
  /**
   * Where a following search in the same direction continues, or null when the log has nothing more
   * that way (the scan reached its end without filling the limit).
   */
  nextOffset: bigint | null;
}

/** A search that Postgres refused as malformed (a bad JSON path). */
export class InvalidRecordSearchError extends Error {
  override name = 'InvalidRecordSearchError';
}

export interface RecordSearchStorage {
  searchRecords(search: RecordSearch): Promise<RecordSearchResult>;
}
