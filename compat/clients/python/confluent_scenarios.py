"""kpg compatibility scenarios for confluent-kafka-python (librdkafka)."""
import time
import uuid

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource, ResourceType

from common import CODECS, BASE_TS, Fail, expected, check_records, run


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


if __name__ == "__main__":
    run({"metadata": metadata, "topic-admin": topic_admin, "produce-consume": produce_consume,
         "group-resume": group_resume, "list-offsets": list_offsets, "describe-configs": describe_configs},
        "confluent-kafka %s (librdkafka %s)" % (confluent_kafka.__version__, confluent_kafka.libversion()[0]))
