-- kpg.append_batches: appends record batches to partitions in the caller's transaction. Kafka producers
-- (through the gateway) and kpg.produce (through kpg.append_sql_records) both append here.
--
-- Offsets are assigned under each partition's row lock (taken in (topic_id, partition) order, so concurrent
-- callers cannot deadlock), gap-free and in argument order within a partition. Idempotent producers are
-- checked against kpg.producer_states in the same transaction: a retry of one of the last five batches is
-- answered with its original base offset and not stored again; a sequence gap gives
-- OUT_OF_ORDER_SEQUENCE_NUMBER (45); a stale epoch INVALID_PRODUCER_EPOCH (47). A missing partition gives
-- UNKNOWN_TOPIC_OR_PARTITION (3). Per-batch problems are returned, never raised, so one bad batch never
-- fails its neighbours. Each touched partition sends NOTIFY kpg_records '<topic_id>:<partition>:<next_offset>',
-- delivered when the transaction commits.
--
-- Every stored batch gets its assigned base offset and the partition's leader epoch
-- (kpg.partitions.leader_epoch, read under the row lock) written into bytes 0-7 and 12-15, as a Kafka leader
-- stamps them on append: the producer's epoch (-1 from clients and from kpg.sql_batch) is replaced. Both
-- fields lie before the CRC-32C's coverage (which starts at the attributes), so the CRC stays valid.
--
-- The batches arrive back to back in one bytea (p_data, sliced by p_sizes): a single binary parameter,
-- where a bytea[] would travel as hex text that Postgres must parse. The gateway calls this function with
-- exactly this signature (src/storage record store); change it only together with that caller.
CREATE OR REPLACE FUNCTION kpg.append_batches(
  p_topic_ids uuid[],
  p_partitions integer[],
  p_data bytea,
  p_sizes integer[],
  p_record_counts integer[],
  p_max_timestamps bigint[],
  p_max_timestamp_deltas integer[],
  p_producer_ids bigint[],
  p_producer_epochs smallint[],
  p_base_sequences integer[],
  p_from_sql boolean DEFAULT false
) RETURNS TABLE (idx integer, base_offset bigint, log_start_offset bigint, error_code smallint)
LANGUAGE plpgsql AS $$
DECLARE
  b record;
  cur_topic uuid;
  cur_partition integer;
  partition_found boolean := false;
  next_off bigint;
  log_start bigint;
  part_max_ts bigint;
  part_max_ts_off bigint;
  part_epoch integer;
  state kpg.producer_states%ROWTYPE;
  has_state boolean;
  last_seq integer;
  expected_seq integer;
  duplicate_offset bigint;
  assigned bigint;
BEGIN
  FOR b IN
    SELECT u.ord::integer AS i, u.t, u.p, u.size,
           (sum(u.size) OVER (ORDER BY u.ord) - u.size + 1)::integer AS start,
           u.n, u.mt, u.mtd, u.pid, u.pe, u.bs
      FROM unnest(p_topic_ids, p_partitions, p_sizes, p_record_counts, p_max_timestamps,
                  p_max_timestamp_deltas, p_producer_ids, p_producer_epochs, p_base_sequences)
           WITH ORDINALITY AS u(t, p, size, n, mt, mtd, pid, pe, bs, ord)
     ORDER BY u.t, u.p, u.ord
  LOOP
    IF cur_topic IS DISTINCT FROM b.t OR cur_partition IS DISTINCT FROM b.p THEN
      IF partition_found THEN
        UPDATE kpg.partitions
           SET next_offset = next_off, max_timestamp = part_max_ts, max_timestamp_offset = part_max_ts_off
         WHERE topic_id = cur_topic AND partition = cur_partition;
        PERFORM pg_notify('kpg_records', cur_topic::text || ':' || cur_partition || ':' || next_off);
      END IF;
      cur_topic := b.t;
      cur_partition := b.p;
      SELECT pt.next_offset, pt.log_start_offset, pt.max_timestamp, pt.max_timestamp_offset, pt.leader_epoch
        INTO next_off, log_start, part_max_ts, part_max_ts_off, part_epoch
        FROM kpg.partitions pt
       WHERE pt.topic_id = b.t AND pt.partition = b.p
         FOR UPDATE;
      partition_found := FOUND;
    END IF;

    IF NOT partition_found THEN
      RETURN QUERY SELECT b.i, -1::bigint, -1::bigint, 3::smallint;
      CONTINUE;
    END IF;

    has_state := false;
    IF b.pid >= 0 THEN
      SELECT * INTO state FROM kpg.producer_states s
       WHERE s.topic_id = b.t AND s.partition = b.p AND s.producer_id = b.pid;
      has_state := FOUND;
      -- The batch's last sequence, wrapping past Int32.MAX to 0 as Kafka's producers do.
      last_seq := CASE WHEN b.bs > 2147483647 - (b.n - 1) THEN (b.n - 1) - (2147483647 - b.bs) - 1
                       ELSE b.bs + b.n - 1 END;
      IF has_state THEN
        IF b.pe < state.producer_epoch THEN
          RETURN QUERY SELECT b.i, -1::bigint, log_start, 47::smallint;
          CONTINUE;
        ELSIF b.pe = state.producer_epoch THEN
          duplicate_offset := NULL;
          FOR k IN 1 .. coalesce(array_length(state.recent_first_sequences, 1), 0) LOOP
            IF state.recent_first_sequences[k] = b.bs AND state.recent_last_sequences[k] = last_seq THEN
              duplicate_offset := state.recent_base_offsets[k];
              EXIT;
            END IF;
          END LOOP;
          IF duplicate_offset IS NOT NULL THEN
            RETURN QUERY SELECT b.i, duplicate_offset, log_start, 0::smallint;
            CONTINUE;
          END IF;
          expected_seq := CASE WHEN state.last_sequence = 2147483647 THEN 0 ELSE state.last_sequence + 1 END;
          IF b.bs <> expected_seq THEN
            RETURN QUERY SELECT b.i, -1::bigint, log_start, 45::smallint;
            CONTINUE;
          END IF;
        ELSIF b.bs <> 0 THEN
          -- A bumped epoch starts its sequences again at zero.
          RETURN QUERY SELECT b.i, -1::bigint, log_start, 45::smallint;
          CONTINUE;
        END IF;
      END IF;
    END IF;

    assigned := next_off;
    next_off := next_off + b.n;
    INSERT INTO kpg.record_batches
      (topic_id, partition, base_offset, last_offset, record_count, max_timestamp, time_index,
       producer_id, from_sql, size_bytes, batch)
    VALUES
      (b.t, b.p, assigned, assigned + b.n - 1, b.n, b.mt, greatest(part_max_ts, b.mt),
       b.pid, p_from_sql, b.size,
       -- base offset | batch length (as sent) | partition leader epoch | magic onwards (as sent)
       int8send(assigned) || substring(p_data FROM b.start + 8 FOR 4) || int4send(part_epoch)
         || substring(p_data FROM b.start + 16 FOR b.size - 16));
    IF b.mt > part_max_ts THEN
      part_max_ts := b.mt;
      part_max_ts_off := assigned + b.mtd;
    END IF;

    IF b.pid >= 0 THEN
      IF has_state AND b.pe = state.producer_epoch THEN
        UPDATE kpg.producer_states s
           SET last_sequence = last_seq,
               recent_first_sequences = (state.recent_first_sequences || b.bs)[greatest(1, array_length(state.recent_first_sequences, 1) - 3):],
               recent_last_sequences = (state.recent_last_sequences || last_seq)[greatest(1, array_length(state.recent_last_sequences, 1) - 3):],
               recent_base_offsets = (state.recent_base_offsets || assigned)[greatest(1, array_length(state.recent_base_offsets, 1) - 3):],
               last_timestamp = b.mt,
               updated_at = now()
         WHERE s.topic_id = b.t AND s.partition = b.p AND s.producer_id = b.pid;
      ELSE
        INSERT INTO kpg.producer_states AS s
          (topic_id, partition, producer_id, producer_epoch, last_sequence,
           recent_first_sequences, recent_last_sequences, recent_base_offsets, last_timestamp, updated_at)
        VALUES (b.t, b.p, b.pid, b.pe, last_seq, ARRAY[b.bs], ARRAY[last_seq], ARRAY[assigned], b.mt, now())
        ON CONFLICT (topic_id, partition, producer_id) DO UPDATE
          SET producer_epoch = excluded.producer_epoch, last_sequence = excluded.last_sequence,
              recent_first_sequences = excluded.recent_first_sequences,
              recent_last_sequences = excluded.recent_last_sequences,
              recent_base_offsets = excluded.recent_base_offsets,
              last_timestamp = excluded.last_timestamp, updated_at = now();
      END IF;
    END IF;

    RETURN QUERY SELECT b.i, assigned, log_start, 0::smallint;
  END LOOP;

  IF partition_found THEN
    UPDATE kpg.partitions
       SET next_offset = next_off, max_timestamp = part_max_ts, max_timestamp_offset = part_max_ts_off
     WHERE topic_id = cur_topic AND partition = cur_partition;
    PERFORM pg_notify('kpg_records', cur_topic::text || ':' || cur_partition || ':' || next_off);
  END IF;
END;
$$;
