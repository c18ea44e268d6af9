"""kpg compatibility scenarios for confluent-kafka-python (librdkafka)."""
import time
import uuid

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource, ResourceType

from common import (CODECS, BASE_TS, BULK_N, CRASH_N, BulkChecker, Disruption, Fail, NA, bulk_range, bulk_record,
                    check_numbered, expected, check_records, run)


def conf(a, **extra):
    c = {"bootstrap.servers": a.bootstrap, "client.id": "kpg-compat-confluent"}
    c.update(extra)
    return c


def metadata(a):
    md = AdminClient(conf(a)).list_topics(timeout=20)
    if not md.brokers:
        raise Fail("no brokers")
    if a.topic not in md.topics:
        raise Fail("topic %s not listed (%d topics)" % (a.topic, len(md.topics)))
    return "%d broker(s), controller %s, %d topic(s) incl. %s" % (len(md.brokers), md.controller_id, len(md.topics), a.topic)


def topic_configs(adm, t):
    res = ConfigResource(ResourceType.TOPIC, t)
    return {k: e.value for k, e in adm.describe_configs([res])[res].result(timeout=30).items()}


def topic_admin(a):
    from confluent_kafka.admin import ConfigEntry, AlterConfigOpType

    adm = AdminClient(conf(a))
    t = a.topic + "-adm"
    adm.create_topics([NewTopic(t, num_partitions=2, replication_factor=1)])[t].result(timeout=30)
    deadline = time.time() + 10
    while True:
        md = adm.list_topics(topic=t, timeout=10)
        tm = md.topics.get(t)
        if tm is not None and tm.error is None and len(tm.partitions) == 2:
            break
        if time.time() > deadline:
            raise Fail("describe: topic %s not found with 2 partitions" % t)
        time.sleep(0.2)
    res = ConfigResource(ResourceType.TOPIC, t, incremental_configs=[
        ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET)])
    for f in adm.incremental_alter_configs([res]).values():
        f.result(timeout=30)
    # Kafka applies an altered config shortly after answering: read it back for up to 5 s.
    until = time.time() + 5
    v = topic_configs(adm, t).get("retention.ms")
    while v != "3600000" and time.time() < until:
        time.sleep(0.2)
        v = topic_configs(adm, t).get("retention.ms")
    if v != "3600000":
        raise Fail("retention.ms is %r after alter" % v)
    adm.delete_topics([t])[t].result(timeout=30)
    deadline = time.time() + 15
    while t in adm.list_topics(timeout=10).topics:
        if time.time() > deadline:
            raise Fail("topic still listed 15s after delete")
        time.sleep(0.3)
    return "create(2 partitions), describe, incremental alter retention.ms, delete"


def produce(a, codec, recs):
    p = Producer(conf(a, **{"compression.type": codec, "linger.ms": 20, "acks": "all"}))
    errors = []
    for r in recs:
        p.produce(a.topic, value=r["value"], key=r.get("key"), partition=0, timestamp=r["ts"],
                  headers=r.get("headers") or None,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
    left = p.flush(30)
    if left or errors:
        raise Fail("produce %s: %s undelivered, errors %s" % (codec, left, errors[:3]))


def consume_all(a, n):
    c = Consumer(conf(a, **{"group.id": "unused-" + uuid.uuid4().hex, "enable.auto.commit": False}))
    c.assign([TopicPartition(a.topic, 0, OFFSET_BEGINNING)])
    got = {}
    deadline = time.time() + 30
    try:
        while len(got) < n and time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                raise Fail("consume: %s" % m.error())
            hs = [(k, v.decode()) for k, v in (m.headers() or [])]
            key = m.key().decode()
            got[key] = {"key": key, "value": m.value().decode(), "headers": hs, "ts": m.timestamp()[1]}
    finally:
        c.close()
    return got


def produce_consume(a):
    want = []
    for ci, codec in enumerate(CODECS):
        recs = expected(codec, ci)
        produce(a, codec, recs)
        want += recs
    check_records(want, consume_all(a, len(want)))
    return "codecs %s: %d records checked" % (",".join(CODECS), len(want))


def group_resume(a):
    produce(a, "none", [{"key": "k%d" % i, "value": "r%d" % i, "ts": int(time.time() * 1000)} for i in range(6)])

    def first_offset(commit_at):
        c = Consumer(conf(a, **{"group.id": a.group, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
        c.subscribe([a.topic])
        try:
            deadline = time.time() + 40
            while time.time() < deadline:
                m = c.poll(0.5)
                if m is None:
                    continue
                if m.error():
                    raise Fail("consume: %s" % m.error())
                if commit_at is not None:
                    c.commit(offsets=[TopicPartition(a.topic, 0, commit_at)], asynchronous=False)
                return m.offset()
            raise Fail("no records within 40s")
        finally:
            c.close()

    first = first_offset(3)
    if first != 0:
        raise Fail("first consumer started at %d, want 0" % first)
    resumed = first_offset(None)
    if resumed != 3:
        raise Fail("resumed at offset %d, want 3 (the committed offset)" % resumed)
    return "committed offset 3 in group %s, restarted consumer resumed at 3" % a.group


def list_offsets(a):
    produce(a, "none", [{"value": "t%d" % i, "ts": BASE_TS + i * 1000} for i in range(3)])
    c = Consumer(conf(a, **{"group.id": "unused-" + uuid.uuid4().hex}))
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(a.topic, 0), timeout=20)
        t = c.offsets_for_times([TopicPartition(a.topic, 0, BASE_TS + 500), ], timeout=20)[0].offset
        t2 = c.offsets_for_times([TopicPartition(a.topic, 0, BASE_TS + 2000), ], timeout=20)[0].offset
    finally:
        c.close()
    if (lo, hi, t, t2) != (0, 3, 1, 2):
        raise Fail("earliest=%s latest=%s time(+500ms)=%s time(+2000ms)=%s, want 0 3 1 2" % (lo, hi, t, t2))
    return "earliest=0 latest=3 by-time=1,2"


def describe_configs(a):
    adm = AdminClient(conf(a))
    vals = topic_configs(adm, a.topic)
    if vals.get("cleanup.policy") != "delete" or not vals.get("retention.ms"):
        raise Fail("topic configs lack cleanup.policy=delete / retention.ms (%d entries)" % len(vals))
    md = adm.list_topics(timeout=10)
    bid = str(sorted(md.brokers)[0])
    res = ConfigResource(ResourceType.BROKER, bid)
    bvals = adm.describe_configs([res])[res].result(timeout=30)
    if not bvals:
        raise Fail("broker %s has no config entries" % bid)
    return "topic: %d entries (cleanup.policy=delete, retention.ms=%s); broker %s: %d entries" % (
        len(vals), vals["retention.ms"], bid, len(bvals))


def produce_one(p, *args, **kwargs):
    """Producer.produce, waiting while librdkafka's local queue is full."""
    while True:
        try:
            p.produce(*args, **kwargs)
            return
        except BufferError:
            p.poll(0.2)


def bulk(a):
    t0 = time.time()
    errors = []

    def on_delivery(err, msg):
        if err and len(errors) < 3:
            errors.append(str(err))

    for ci, codec in enumerate(CODECS):
        lo, hi = bulk_range(ci, len(CODECS))
        p = Producer(conf(a, **{"compression.type": codec, "linger.ms": 5, "acks": "all"}))
        for i in range(lo, hi):
            r = bulk_record(i, codec)
            produce_one(p, a.topic, value=r["value"], key=r["key"], partition=0, timestamp=r["ts"],
                        headers=r["headers"] or None, on_delivery=on_delivery)
            if i % 1000 == 0:
                p.poll(0)
        left = p.flush(120)
        if left or errors:
            raise Fail("produce %s: %d undelivered, errors %s" % (codec, left, errors))
    produced = time.time() - t0
    check = BulkChecker(CODECS)
    c = Consumer(conf(a, **{"group.id": "unused-" + uuid.uuid4().hex, "enable.auto.commit": False}))
    try:
        c.assign([TopicPartition(a.topic, 0, OFFSET_BEGINNING)])
        last_progress = time.time()
        while not check.done and time.time() - last_progress < 60:
            for m in c.consume(num_messages=1000, timeout=1.0):
                if m.error():
                    raise Fail("consume: %s" % m.error())
                key = m.key()
                check.check(m.offset(), None if key is None else key.decode(), m.value().decode(),
                            [(k, v.decode()) for k, v in (m.headers() or [])], m.timestamp()[1])
                last_progress = time.time()
        log_end = c.get_watermark_offsets(TopicPartition(a.topic, 0), timeout=20)[1]
    finally:
        c.close()
    check.finish(log_end)
    return "%d records (codecs %s) produced in %d ms, consumed and compared in %d ms" % (
        BULK_N, ",".join(CODECS), produced * 1000, (time.time() - t0 - produced) * 1000)


def crash_retry(a):
    """An idempotent producer sends CRASH_N numbered records to 3 partitions while the runner kills the
    server (SIGKILL) and restarts it; every number must then be in the log exactly once, in order."""
    partitions = 3
    acked = [0]
    errors = []

    def on_delivery(err, msg):
        if err:
            if len(errors) < 3:
                errors.append(str(err))
        else:
            acked[0] += 1

    p = Producer(conf(a, **{"enable.idempotence": True, "acks": "all", "retries": 2147483647,
                            "message.timeout.ms": 300000, "linger.ms": 5, "retry.backoff.ms": 200}))
    half = CRASH_N // 2
    disruption = Disruption()
    acked_at_disrupt = acked_at_restart = None
    # paced (about 4000 records/s) so that records are sent before, during and after the restart
    for i in range(CRASH_N):
        if i == half:
            acked_at_disrupt = acked[0]
            disruption.request()
        produce_one(p, a.topic, key="n-%d" % i, value="rec-%d" % i, partition=i % partitions, on_delivery=on_delivery)
        if i % 100 == 0:
            p.poll(0)
            time.sleep(0.025)
        if acked_at_restart is None and disruption.answered():
            acked_at_restart = acked[0]
    status, detail = disruption.result(240)
    if acked_at_restart is None:
        acked_at_restart = acked[0]
    left = p.flush(300)
    if status == "fail":
        raise Fail("server restart: %s" % detail)
    if left or errors:
        raise Fail("%d undelivered, delivery errors %s (acked before the crash %d, by the restart %d)" % (
            left, errors, acked_at_disrupt, acked_at_restart))
    per_partition = {}
    c = Consumer(conf(a, **{"group.id": "unused-" + uuid.uuid4().hex, "enable.auto.commit": False}))
    try:
        ends = {pp: c.get_watermark_offsets(TopicPartition(a.topic, pp), timeout=20)[1] for pp in range(partitions)}
        c.assign([TopicPartition(a.topic, pp, OFFSET_BEGINNING) for pp in range(partitions)])
        pos = {pp: 0 for pp in range(partitions)}
        last_progress = time.time()
        while any(pos[pp] < ends[pp] for pp in pos) and time.time() - last_progress < 60:
            for m in c.consume(num_messages=1000, timeout=1.0):
                if m.error():
                    raise Fail("consume: %s" % m.error())
                pp = m.partition()
                if m.offset() < pos[pp]:
                    continue  # delivered again by the client
                pos[pp] = m.offset() + 1
                per_partition.setdefault(pp, []).append(int(m.value().decode().split("-", 1)[1]))
                last_progress = time.time()
    finally:
        c.close()
    total = check_numbered(partitions, per_partition)
    if acked_at_restart >= CRASH_N:
        raise Fail("every record was acknowledged before the server went down: nothing was tested")
    summary = "%d records, each exactly once and in order in its partition; acknowledged before the crash: %d, " \
              "by the time the server served again: %d; %s" % (total, acked_at_disrupt, acked_at_restart, detail)
    if status == "n/a":
        raise NA("the server was not restarted: %s (%s)" % (detail, summary))
    return summary


if __name__ == "__main__":
    run({"metadata": metadata, "topic-admin": topic_admin, "produce-consume": produce_consume,
         "group-resume": group_resume, "list-offsets": list_offsets, "describe-configs": describe_configs,
         "bulk": bulk, "crash-retry": crash_retry},
        "confluent-kafka %s (librdkafka %s)" % (confluent_kafka.__version__, confluent_kafka.libversion()[0]))
