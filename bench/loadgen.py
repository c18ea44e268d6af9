"""
kpg bench's load generator: real Kafka clients (confluent-kafka, i.e. librdkafka) driven by the
benchmark (src/bench/). librdkafka does the batching, compression and network I/O in C threads, so the
Python side costs little per record; the benchmark reports this process's CPU next to the broker's.

    loadgen.py MODE 'JSON-CONFIG'

Every mode talks JSON lines on stdout: {"event": "ready"} once connected, then waits for a line "go"
on stdin (so several processes start their measured work together), optional {"event": "progress"},
and finally {"event": "result", ...}. A failure prints {"event": "error", "message": ...} and exits 1.
"""
import json
import os
import signal
import sys
import threading
import time

from confluent_kafka import OFFSET_END, Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

PROGRESS_INTERVAL_S = 0.5
# Distinct random values, reused in turn: random bytes so no layer (Postgres TOAST, compression) can
# shrink them, the same kind of bytes the benchmark's ceiling writes.
VALUE_POOL = 1024


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def fail(message):
    emit("error", message=message)
    sys.exit(1)


def wait_for_go():
    emit("ready")
    line = sys.stdin.readline()
    if line.strip() != "go":
        sys.exit(0)  # the benchmark gave up on this step


def finish(**result):
    """Reports the result, then stays alive until the benchmark has read this process's CPU time."""
    emit("result", **result)
    sys.stdin.readline()


def client_config(cfg, extra):
    conf = {"bootstrap.servers": cfg["bootstrap"], "log_level": 3}
    conf.update(cfg.get("client_config", {}))
    conf.update(extra)
    errors = []

    def on_error(err):
        # Transient broker-connection errors are normal during start-up; keep the first few for the report.
        if len(errors) < 5:
            errors.append(str(err))

    conf["error_cb"] = on_error
    return conf, errors


def count_failed_deliveries(conf, messages, keep):
    """Sets the producer's delivery callback: returns a one-element list counting failed records, and
    keeps the first `keep` failure messages in `messages`."""
    failed = [0]

    def on_delivery(err, _msg):
        if err is not None:
            failed[0] += 1
            if len(messages) < keep:
                messages.append(str(err))

    conf["on_delivery"] = on_delivery
    return failed


def produce_paced(producer, topic, rate, expected, padding):
    """Produces `expected` records into partition 0 at `rate` per second, each value starting with the
    monotonic clock (ns, 8 bytes big-endian) at its produce() call, so a reader on this machine can
    measure its latency."""
    start = time.monotonic()
    next_progress = time.time() + PROGRESS_INTERVAL_S
    for i in range(expected):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        producer.produce(topic, time.monotonic_ns().to_bytes(8, "big") + padding, partition=0)
        producer.poll(0)
        if time.time() >= next_progress:
            emit("progress", records=i)
            next_progress = time.time() + PROGRESS_INTERVAL_S


def values(size):
    return [os.urandom(size) for _ in range(VALUE_POOL)]


# ------------------------------------------------------------------------------------------ topics


def create_topics(cfg):
    """Creates topics with CreateTopics; reports per topic 'created', 'exists' or the error."""
    conf, _ = client_config(cfg, {})
    admin = AdminClient(conf)
    # librdkafka wants the partition count with an assignment (and no replication factor).
    new = [NewTopic(t["name"], num_partitions=t["partitions"], replica_assignment=[[t["leader"]]] * t["partitions"])
           if t.get("leader") is not None
           else NewTopic(t["name"], num_partitions=t["partitions"], replication_factor=1) for t in cfg["topics"]]
    outcome = {}
    for name, future in admin.create_topics(new, operation_timeout=30, request_timeout=30).items():
        try:
            future.result(timeout=60)
            outcome[name] = "created"
        except KafkaException as e:
            err = e.args[0]
            outcome[name] = "exists" if err.code() == KafkaError.TOPIC_ALREADY_EXISTS else str(err)
    # Wait until every topic's metadata shows all its partitions (creation propagates asynchronously).
    deadline = time.time() + 30
    for t in cfg["topics"]:
        while outcome[t["name"]] in ("created", "exists"):
            md = admin.list_topics(topic=t["name"], timeout=10).topics.get(t["name"])
            if md is not None and md.error is None and len(md.partitions) >= t["partitions"]:
                break
            if time.time() > deadline:
                outcome[t["name"]] = "created but its partitions did not appear in metadata within 30 s"
                break
            time.sleep(0.1)
    emit("result", topics=outcome)


def partition_counts(cfg):
    conf, _ = client_config(cfg, {})
    admin = AdminClient(conf)
    md = admin.list_topics(timeout=15)
    emit("result", topics={name: len(t.partitions) for name, t in md.topics.items() if t.error is None})


# ------------------------------------------------------------------------------------------ produce


def produce(cfg):
    """
    One producer writing one partition as fast as the broker acknowledges, acks=all, batched by
    librdkafka (linger.ms, batch.num.messages). Runs for duration_s, or until `records` are acknowledged.
    """
    batch_records = cfg["batch_records"]
    conf, errors = client_config(cfg, {
        "acks": "all",
        "linger.ms": cfg["linger_ms"],
        "batch.num.messages": batch_records,
        "batch.size": 16 * 1024 * 1024,
        # A short queue: enough batches to keep requests in flight, few enough that the drain after the
        # deadline is short and the measured rate is the steady one.
        "queue.buffering.max.messages": batch_records * cfg.get("queue_batches", 16),
        "queue.buffering.max.kbytes": 1024 * 1024,
        "delivery.report.only.error": True,
    })
    failures = []
    failed = count_failed_deliveries(conf, failures, keep=3)
    producer = Producer(conf)
    topic, partition = cfg["topic"], cfg["partition"]
    # Connect and learn the leader before the clock starts.
    producer.list_topics(topic=topic, timeout=30)
    pool = values(cfg["record_size"])
    limit = cfg.get("records")
    duration = cfg.get("duration_s")
    wait_for_go()

    start = time.time()
    deadline = start + duration if duration else float("inf")
    next_progress = start + PROGRESS_INTERVAL_S
    sent = 0
    produce_one = producer.produce
    while (limit is None or sent < limit):
        # Check the clock every 256 records: cheap enough, fine-grained enough.
        if sent & 255 == 0:
            now = time.time()
            if now >= deadline:
                break
            if now >= next_progress:
                emit("progress", records=sent)
                next_progress = now + PROGRESS_INTERVAL_S
        try:
            produce_one(topic, pool[sent % VALUE_POOL], partition=partition)
            sent += 1
        except BufferError:
            producer.poll(0.001)
    remaining = producer.flush(120)
    end = time.time()
    acked = sent - remaining - failed[0]
    finish(records=acked, bytes=acked * cfg["record_size"], start=start, end=end,
           failed=failed[0], unacknowledged=remaining, errors=failures + errors[:3])


# ------------------------------------------------------------------------------------------ consume


def consume(cfg):
    """
    One consumer reading every partition of a topic from its start to the high watermark it had when
    the consumer started (assign, no group membership: only Fetch is measured).
    """
    conf, errors = client_config(cfg, {"group.id": "kpg-bench-backlog", "enable.auto.commit": False,
                                       "enable.partition.eof": False})
    consumer = Consumer(conf)
    topic = cfg["topic"]
    consumer.list_topics(topic=topic, timeout=30)
    ends = {}
    for p in range(cfg["partitions"]):
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
        ends[p] = high
    total = sum(ends.values())
    emit("backlog", records=total)
    wait_for_go()

    start = time.time()
    consumer.assign([TopicPartition(topic, p, 0) for p in ends])
    positions = {p: 0 for p in ends}
    records = 0
    nbytes = 0
    next_progress = start + PROGRESS_INTERVAL_S
    deadline = start + cfg["timeout_s"]
    while records < total:
        now = time.time()
        if now > deadline:
            fail(f"consumed {records} of {total} records in {cfg['timeout_s']} s; first errors: {errors[:3]}")
        if now >= next_progress:
            emit("progress", records=records)
            next_progress = now + PROGRESS_INTERVAL_S
        for msg in consumer.consume(10000, 0.5):
            if msg.error():
                errors.append(str(msg.error()))
                continue
            p = msg.partition()
            off = msg.offset()
            if off >= ends[p] or off < positions[p]:
                continue
            positions[p] = off + 1
            records += 1
            nbytes += len(msg.value())
    end = time.time()
    consumer.close()
    finish(records=records, bytes=nbytes, start=start, end=end, errors=errors[:3])


# ------------------------------------------------------------------------------------------ latency


def latency(cfg):
    """
    A producer at a fixed rate and a long-poll consumer in one process (one clock): each value starts
    with the monotonic time of its produce() call; the consumer notes the receipt time of each.
    """
    topic = cfg["topic"]
    size = cfg["record_size"]
    rate = cfg["rate"]
    duration = cfg["duration_s"]
    warmup = cfg["warmup_s"]
    pconf, perrors = client_config(cfg, {"acks": "all", "linger.ms": cfg["linger_ms"], "delivery.report.only.error": True})
    cconf, cerrors = client_config(cfg, {"group.id": "kpg-bench-latency", "enable.auto.commit": False,
                                         "fetch.wait.max.ms": cfg["fetch_wait_max_ms"], "fetch.min.bytes": 1})
    producer = Producer(pconf)
    consumer = Consumer(cconf)
    producer.list_topics(topic=topic, timeout=30)
    _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)
    consumer.assign([TopicPartition(topic, 0, high)])
    padding = os.urandom(max(0, size - 8))
    expected = int(rate * duration)
    latencies_us = []
    received = [0]
    done = threading.Event()

    def receive():
        warm_until = None
        while not done.is_set():
            # poll() returns as soon as one record is there (consume(n) would wait for n or its timeout).
            msg = consumer.poll(0.1)
            now = time.monotonic_ns()
            if msg is None or msg.error():
                continue
            sent_ns = int.from_bytes(msg.value()[:8], "big")
            received[0] += 1
            if warm_until is None:
                warm_until = sent_ns + int(warmup * 1e9)
            if sent_ns >= warm_until:
                latencies_us.append((now - sent_ns) // 1000)

    # A first record, received, proves the whole path (metadata, fetch position, long poll) is in place.
    producer.produce(topic, (0).to_bytes(8, "big") + padding, partition=0)
    producer.flush(30)
    probe_deadline = time.time() + 30
    while not any(not m.error() for m in consumer.consume(1, 0.1)):
        if time.time() > probe_deadline:
            fail(f"the consumer did not receive a probe record within 30 s; errors: {(perrors + cerrors)[:3]}")
    wait_for_go()
    receiver = threading.Thread(target=receive, daemon=True)
    receiver.start()

    produce_paced(producer, topic, rate, expected, padding)
    producer.flush(60)
    drain_deadline = time.monotonic() + 10
    while received[0] < expected and time.monotonic() < drain_deadline:
        time.sleep(0.01)
    done.set()
    receiver.join()
    consumer.close()
    finish(sent=expected, received=received[0], latencies_us=latencies_us,
           errors=(perrors + cerrors)[:3])


# ------------------------------------------------------------------------------------------ paced


def paced(cfg):
    """
    A producer at a fixed rate without a consumer (the consumer is elsewhere, e.g. the console's tail):
    each value starts with the monotonic time of its produce() call, in nanoseconds (CLOCK_MONOTONIC,
    the clock a Node process on the same machine reads with process.hrtime). Before "ready" it writes
    one probe record (time 0), for the reader to prove its path is in place.
    """
    topic = cfg["topic"]
    rate = cfg["rate"]
    conf, errors = client_config(cfg, {"acks": "all", "linger.ms": cfg["linger_ms"], "delivery.report.only.error": True})
    failed = count_failed_deliveries(conf, errors, keep=5)
    producer = Producer(conf)
    producer.list_topics(topic=topic, timeout=30)
    padding = os.urandom(max(0, cfg["record_size"] - 8))
    producer.produce(topic, (0).to_bytes(8, "big") + padding, partition=0)
    if producer.flush(30) > 0:
        fail(f"the probe record was not acknowledged within 30 s; errors: {errors[:3]}")
    expected = int(rate * cfg["duration_s"])
    wait_for_go()
    produce_paced(producer, topic, rate, expected, padding)
    remaining = producer.flush(60)
    finish(sent=expected, unacknowledged=remaining, failed=failed[0], errors=errors[:3])


# ------------------------------------------------------------------------------------------ records


def write_records(cfg):
    """
    Writes `records` records into one partition and waits for every acknowledgement (set-up, not
    measured): the first with key `first_key` when given; values random bytes of record_size, or with
    "json" small JSON documents {"seq": i, "customer": {"id": "c<i % 100>"}, "note": ...}.
    """
    conf, errors = client_config(cfg, {"acks": "all", "linger.ms": 5, "batch.num.messages": 1000,
                                       "delivery.report.only.error": True})
    failed = count_failed_deliveries(conf, errors, keep=5)
    producer = Producer(conf)
    topic, partition = cfg["topic"], cfg["partition"]
    pool = None if cfg.get("json") else values(cfg["record_size"])
    for i in range(cfg["records"]):
        if pool is None:
            value = json.dumps({"seq": i, "customer": {"id": f"c{i % 100}"}, "note": "kpg bench console"}).encode()
        else:
            value = pool[i % VALUE_POOL]
        key = cfg["first_key"].encode() if i == 0 and cfg.get("first_key") else None
        while True:
            try:
                producer.produce(topic, value, key=key, partition=partition)
                break
            except BufferError:
                producer.poll(0.01)
    remaining = producer.flush(120)
    if remaining > 0 or failed[0] > 0:
        fail(f"{remaining} records unacknowledged, {failed[0]} failed; errors: {errors[:3]}")
    emit("result", records=cfg["records"])


# ------------------------------------------------------------------------------------------ idle


def idle(cfg):
    """
    Many consumers, each assigned one empty partition at its end, long-polling until a line arrives on
    stdin. librdkafka fetches in its own threads: the application need not poll for fetches to go on.
    The benchmark lets them settle before it measures.
    """
    topic = cfg["topic"]
    partitions = cfg["partitions"]
    consumers = []
    all_errors = []
    for i in range(cfg["consumers"]):
        conf, errors = client_config(cfg, {"group.id": f"kpg-bench-idle-{i}", "enable.auto.commit": False,
                                           "fetch.wait.max.ms": cfg["fetch_wait_max_ms"]})
        all_errors.append(errors)
        c = Consumer(conf)
        # At the end: librdkafka looks the offset up and starts long-polling in its own threads.
        c.assign([TopicPartition(topic, i % partitions, OFFSET_END)])
        consumers.append(c)
    emit("ready")
    sys.stdin.readline()  # the benchmark measures while we wait here; any line (or EOF) ends it
    received = 0
    for c in consumers:
        received += len(c.consume(1000, 0))
        c.close()
    finish(consumers=len(consumers), received=received,
           errors=[e for errs in all_errors for e in errs][:3])


# ------------------------------------------------------------------------------------------ group member


def member(cfg):
    """
    One consumer-group member. Prints subscribe / assign / revoke events with wall-clock times; a
    line "leave" on stdin closes it cleanly (LeaveGroup), end of stdin too.
    """
    conf, errors = client_config(cfg, {
        "group.id": cfg["group"],
        "enable.auto.commit": False,
        "session.timeout.ms": cfg["session_timeout_ms"],
        "heartbeat.interval.ms": cfg["heartbeat_interval_ms"],
        "partition.assignment.strategy": "range",
        "auto.offset.reset": "latest",
    })
    reported = [0]

    def report_errors():
        while reported[0] < len(errors):
            emit("client_error", message=errors[reported[0]], t=time.time())
            reported[0] += 1

    consumer = Consumer(conf)

    def on_assign(_c, parts):
        emit("assign", t=time.time(), partitions=sorted(p.partition for p in parts))

    def on_revoke(_c, parts):
        emit("revoke", t=time.time(), partitions=sorted(p.partition for p in parts))

    consumer.list_topics(topic=cfg["topic"], timeout=30)
    stop = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == "leave":
                break
        stop.set()

    threading.Thread(target=read_stdin, daemon=True).start()
    emit("subscribe", t=time.time())
    consumer.subscribe([cfg["topic"]], on_assign=on_assign, on_revoke=on_revoke)
    while not stop.is_set():
        msg = consumer.poll(0.05)
        if msg is not None and msg.error():
            errors.append(str(msg.error()))
        report_errors()
    consumer.close()
    emit("left", t=time.time())


MODES = {
    "create-topics": create_topics,
    "partition-counts": partition_counts,
    "produce": produce,
    "consume": consume,
    "latency": latency,
    "paced": paced,
    "write-records": write_records,
    "idle": idle,
    "member": member,
}

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        fail(f"usage: loadgen.py {{{'|'.join(MODES)}}} JSON-CONFIG")
    try:
        MODES[sys.argv[1]](json.loads(sys.argv[2]))
    except KafkaException as e:
        fail(f"{sys.argv[1]}: {e}")
