"""kpg compatibility scenarios for confluent-kafka-python (librdkafka)."""
import sys
import time
import uuid

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicCollection, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, NewPartitions,
                                  NewTopic, OffsetSpec, ResourceType)

from common import (CODECS, BASE_TS, BULK_N, CRASH_N, BulkChecker, Disruption, Fail, NA, bulk_range, bulk_record,
                    check_numbered, expected, check_records, golden_records, run, run_auth)


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


def eventually(read, ok, seconds=5):
    """Kafka applies an altered config (and new partitions) shortly after answering: wait up to 5 s."""
    v = read()
    until = time.time() + seconds
    while not ok(v) and time.time() < until:
        time.sleep(0.2)
        v = read()
    return v


# librdkafka's text when the broker sends no error message (Kafka sends none for these)
NO_MESSAGE_UNKNOWN_TP = "Broker: Unknown topic or partition"


def expect_error(name, want, want_msg, call):
    """call() must raise a KafkaException whose KafkaError code is `want` (a KafkaError constant) and whose
    message is `want_msg` (Kafka's own text, or librdkafka's when Kafka sends none)."""
    want_name = confluent_kafka.KafkaError(want).name()
    try:
        got = call()
    except confluent_kafka.KafkaException as e:
        err = e.args[0] if e.args and isinstance(e.args[0], confluent_kafka.KafkaError) else None
        if err is None or err.code() != want:
            raise Fail("%s: %r, want %s" % (name, err or e, want_name))
        sys.stderr.write("%s: %s (%s)\n" % (name, err.name(), err.str()))
        if err.str() != want_msg:
            raise Fail("%s: %s with message %r, want %r" % (name, want_name, err.str(), want_msg))
        return err
    raise Fail("%s succeeded (%r), want %s" % (name, got, want_name))


def describe_topic(adm, t):
    return adm.describe_topics(TopicCollection([t]))[t].result(timeout=30)


def partition_problems(d, broker_id):
    problems = []
    for i, p in enumerate(d.partitions):
        if p.id != i:
            problems.append("partition #%d is %d" % (i, p.id))
        if p.leader is None or p.leader.id != broker_id:
            problems.append("partition %d leader %s" % (i, p.leader and p.leader.id))
        if [n.id for n in p.replicas] != [broker_id]:
            problems.append("partition %d replicas %s" % (i, [n.id for n in p.replicas]))
        if [n.id for n in p.isr] != [broker_id]:
            problems.append("partition %d isr %s" % (i, [n.id for n in p.isr]))
    return "; ".join(problems)


def uuid_bits(u):
    return (u.get_most_significant_bits(), u.get_least_significant_bits()) if u is not None else None


def topic_admin(a):
    """The whole topic life cycle of issue #4 with the AdminClient: create_topics (with configs), describe_topics,
    describe_configs, incremental_alter_configs, create_partitions, list_offsets, delete_records, delete_topics,
    plus a few bad calls, each asserting the KafkaError code and message Kafka answers with."""
    adm = AdminClient(conf(a))
    t = a.topic + "-adm"
    missing = a.topic + "-missing"
    steps = []
    try:
        return _topic_admin(a, adm, t, missing, steps)
    except Fail as e:
        raise Fail("after %s: %s" % (", ".join(steps) or "nothing", e))
    except Exception as e:  # noqa: BLE001 - a client error fails the scenario; say how far it got
        raise Fail("after %s: %s: %s" % (", ".join(steps) or "nothing", type(e).__name__, e))


def _topic_admin(a, adm, t, missing, steps):
    E = confluent_kafka.KafkaError
    nodes = adm.describe_cluster().result(timeout=30).nodes
    broker_id, rf = nodes[0].id, len(nodes) + 1

    # create_topics (with configs), then the same name again
    adm.create_topics([NewTopic(t, num_partitions=2, replication_factor=1,
                                config={"retention.ms": "7200000", "max.message.bytes": "500000"})])[t].result(timeout=30)
    exists = "Topic '%s' already exists." % t
    expect_error("create_topics existing", E.TOPIC_ALREADY_EXISTS, exists,
                 lambda: adm.create_topics([NewTopic(t, num_partitions=1, replication_factor=1)])[t].result(timeout=30))
    expect_error("create_topics existing (validate_only)", E.TOPIC_ALREADY_EXISTS, exists,
                 lambda: adm.create_topics([NewTopic(t, num_partitions=1, replication_factor=1)],
                                           validate_only=True)[t].result(timeout=30))
    steps.append("create_topics(2 partitions, retention.ms, max.message.bytes; again: TOPIC_ALREADY_EXISTS)")

    bad = a.topic + "-bad"
    expect_error("create_topics retention.ms=abc", E.INVALID_CONFIG,
                 "Invalid value abc for configuration retention.ms: Not a number of type LONG",
                 lambda: adm.create_topics([NewTopic(bad, num_partitions=1, replication_factor=1,
                                                     config={"retention.ms": "abc"})])[bad].result(timeout=30))
    expect_error("create_topics unknown config", E.INVALID_CONFIG, "Unknown topic config name: no.such.config",
                 lambda: adm.create_topics([NewTopic(bad, num_partitions=1, replication_factor=1,
                                                     config={"no.such.config": "1"})])[bad].result(timeout=30))
    expect_error("create_topics replication factor brokers+1", E.INVALID_REPLICATION_FACTOR,
                 "Unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached "
                 "because only %d broker(s) are registered." % (rf, rf, len(nodes)),
                 lambda: adm.create_topics([NewTopic(bad, num_partitions=1, replication_factor=rf)])[bad].result(timeout=30))
    expect_error("create_topics 0 partitions", E.INVALID_PARTITIONS,
                 "Number of partitions was set to an invalid non-positive value.",
                 lambda: adm.create_topics([NewTopic(bad, num_partitions=0, replication_factor=1)])[bad].result(timeout=30))
    expect_error("create_topics 'bad name!'", E.TOPIC_EXCEPTION,
                 "Topic name is invalid: 'bad name!' contains one or more characters other than ASCII alphanumerics, "
                 "'.', '_' and '-'",
                 lambda: adm.create_topics([NewTopic("bad name!", num_partitions=1, replication_factor=1)])[
                     "bad name!"].result(timeout=30))
    vo = a.topic + "-vo"
    got = adm.create_topics([NewTopic(vo, num_partitions=3, replication_factor=1)], validate_only=True)[vo].result(timeout=30)
    if got is not None:
        raise Fail("create_topics validate_only answered %r" % got)
    listed = adm.list_topics(timeout=10).topics
    if bad in listed or vo in listed:
        raise Fail("create_topics: a refused or validate_only topic is listed")
    expect_error("describe_topics validate_only topic", E.UNKNOWN_TOPIC_OR_PART, NO_MESSAGE_UNKNOWN_TP,
                 lambda: describe_topic(adm, vo))
    steps.append("create_topics errors (INVALID_CONFIG x2, INVALID_REPLICATION_FACTOR, INVALID_PARTITIONS, "
                 "TOPIC_EXCEPTION; validate_only not created)")

    # describe_topics
    d = describe_topic(adm, t)
    if len(d.partitions) != 2:
        raise Fail("describe_topics: %d partitions, want 2" % len(d.partitions))
    topic_id = uuid_bits(d.topic_id)
    if topic_id is None or topic_id == (0, 0):
        raise Fail("describe_topics: topic id %s" % d.topic_id)
    if d.is_internal:
        raise Fail("describe_topics: topic is internal")
    pp = partition_problems(d, broker_id)
    if pp:
        raise Fail("describe_topics: " + pp)
    expect_error("describe_topics unknown", E.UNKNOWN_TOPIC_OR_PART, NO_MESSAGE_UNKNOWN_TP,
                 lambda: describe_topic(adm, missing))
    steps.append("describe_topics(2 partitions, leader/replicas/isr %d, topic id; unknown: UNKNOWN_TOPIC_OR_PART)" % broker_id)

    # describe_configs
    r = ConfigResource(ResourceType.TOPIC, t)

    def configs():
        return adm.describe_configs([r])[r].result(timeout=30)

    c = configs()
    rm, mm, cp = c.get("retention.ms"), c.get("max.message.bytes"), c.get("cleanup.policy")
    if rm is None or rm.value != "7200000" or rm.source != ConfigSource.DYNAMIC_TOPIC_CONFIG.value:
        raise Fail("describe_configs: retention.ms %r (source %s), want 7200000 from DYNAMIC_TOPIC_CONFIG" % (
            rm, rm and ConfigSource(rm.source).name))
    if mm is None or mm.value != "500000" or mm.source != ConfigSource.DYNAMIC_TOPIC_CONFIG.value:
        raise Fail("describe_configs: max.message.bytes %r, want 500000 from DYNAMIC_TOPIC_CONFIG" % mm)
    if cp is None or cp.value != "delete" or cp.source != ConfigSource.DEFAULT_CONFIG.value:
        raise Fail("describe_configs: cleanup.policy %r (source %s), want delete from DEFAULT_CONFIG" % (
            cp, cp and ConfigSource(cp.source).name))
    rmissing = ConfigResource(ResourceType.TOPIC, missing)
    expect_error("describe_configs unknown topic", E.UNKNOWN_TOPIC_OR_PART, NO_MESSAGE_UNKNOWN_TP,
                 lambda: adm.describe_configs([rmissing])[rmissing].result(timeout=30))
    steps.append("describe_configs(DYNAMIC_TOPIC_CONFIG / DEFAULT_CONFIG; unknown: UNKNOWN_TOPIC_OR_PART)")

    # incremental_alter_configs: SET + DELETE, then a bad value (nothing changes)
    alter = ConfigResource(ResourceType.TOPIC, t, incremental_configs=[
        ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("max.message.bytes", None, incremental_operation=AlterConfigOpType.DELETE)])
    for f in adm.incremental_alter_configs([alter]).values():
        f.result(timeout=30)
    after = eventually(configs, lambda x: x["retention.ms"].value == "3600000"
                       and x["max.message.bytes"].source != ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
    if after["retention.ms"].value != "3600000":
        raise Fail("retention.ms is %r after incremental_alter_configs, want 3600000" % after["retention.ms"].value)
    mm2 = after["max.message.bytes"]
    if mm2.value != "1048588" or mm2.source != ConfigSource.DEFAULT_CONFIG.value:
        raise Fail("max.message.bytes after DELETE: %r (source %s), want 1048588 from DEFAULT_CONFIG" % (
            mm2.value, ConfigSource(mm2.source).name))
    bad_alter = ConfigResource(ResourceType.TOPIC, t, incremental_configs=[
        ConfigEntry("retention.ms", "abc", incremental_operation=AlterConfigOpType.SET)])
    expect_error("incremental_alter_configs retention.ms=abc", E.INVALID_CONFIG,
                 "Invalid value abc for configuration retention.ms: Not a number of type LONG",
                 lambda: adm.incremental_alter_configs([bad_alter])[bad_alter].result(timeout=30))
    missing_alter = ConfigResource(ResourceType.TOPIC, missing, incremental_configs=[
        ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET)])
    expect_error("incremental_alter_configs unknown topic", E.UNKNOWN_TOPIC_OR_PART,
                 "The topic '%s' does not exist." % missing,
                 lambda: adm.incremental_alter_configs([missing_alter])[missing_alter].result(timeout=30))
    if configs()["retention.ms"].value != "3600000":
        raise Fail("retention.ms changed by a refused incremental_alter_configs")
    steps.append("incremental_alter_configs(SET retention.ms, DELETE max.message.bytes; abc: INVALID_CONFIG, "
                 "unknown topic: UNKNOWN_TOPIC_OR_PART)")

    # create_partitions 2 -> 4, then 3 and 4 refused
    adm.create_partitions([NewPartitions(t, 4)])[t].result(timeout=30)
    d = eventually(lambda: describe_topic(adm, t), lambda x: len(x.partitions) == 4)
    if len(d.partitions) != 4:
        raise Fail("after create_partitions(4): %d partitions" % len(d.partitions))
    pp = partition_problems(d, broker_id)
    if pp:
        raise Fail("after create_partitions(4): " + pp)
    if uuid_bits(d.topic_id) != topic_id:
        raise Fail("topic id changed by create_partitions: %s" % d.topic_id)
    expect_error("create_partitions 4 -> 3", E.INVALID_PARTITIONS,
                 "The topic %s currently has 4 partition(s); 3 would not be an increase." % t,
                 lambda: adm.create_partitions([NewPartitions(t, 3)])[t].result(timeout=30))
    expect_error("create_partitions 4 -> 4", E.INVALID_PARTITIONS, "Topic already has 4 partition(s).",
                 lambda: adm.create_partitions([NewPartitions(t, 4)])[t].result(timeout=30))
    expect_error("create_partitions unknown topic", E.UNKNOWN_TOPIC_OR_PART, NO_MESSAGE_UNKNOWN_TP,
                 lambda: adm.create_partitions([NewPartitions(missing, 2)])[missing].result(timeout=30))
    steps.append("create_partitions(2 -> 4; 3 and 4: INVALID_PARTITIONS; unknown: UNKNOWN_TOPIC_OR_PART)")

    # 10 records to partition 0, list_offsets
    n, cut = 10, 4
    p = Producer(conf(a, **{"linger.ms": 5, "acks": "all"}))
    errors = []
    for i in range(n):
        p.produce(t, key="k%d" % i, value="v%d" % i, partition=0,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
    left = p.flush(30)
    if left or errors:
        raise Fail("produce: %s undelivered, errors %s" % (left, errors[:3]))
    tp, tp3 = TopicPartition(t, 0), TopicPartition(t, 3)

    def offset(part, spec):
        return adm.list_offsets({part: spec})[part].result(timeout=30).offset

    e0, l0 = offset(tp, OffsetSpec.earliest()), offset(tp, OffsetSpec.latest())
    if (e0, l0) != (0, n):
        raise Fail("list_offsets after producing %d: earliest %s latest %s, want 0 %d" % (n, e0, l0, n))
    l3 = offset(tp3, OffsetSpec.latest())
    if l3 != 0:
        raise Fail("list_offsets latest of the new partition 3: %s, want 0" % l3)
    steps.append("list_offsets(earliest 0, latest %d, new partition latest 0)" % n)

    # delete_records before 4, then beyond the high watermark
    low = adm.delete_records([TopicPartition(t, 0, cut)])[tp].result(timeout=30).low_watermark
    if low != cut:
        raise Fail("delete_records before %d: low watermark %s" % (cut, low))
    e1, l1 = offset(tp, OffsetSpec.earliest()), offset(tp, OffsetSpec.latest())
    if (e1, l1) != (cut, n):
        raise Fail("list_offsets after delete_records: earliest %s latest %s, want %d %d" % (e1, l1, cut, n))
    expect_error("delete_records beyond the high watermark", E.OFFSET_OUT_OF_RANGE, "Broker: Offset out of range",
                 lambda: adm.delete_records([TopicPartition(t, 0, n + 5)])[tp].result(timeout=30))
    cons = Consumer(conf(a, **{"group.id": "unused-" + uuid.uuid4().hex, "enable.auto.commit": False}))
    try:
        cons.assign([TopicPartition(t, 0, OFFSET_BEGINNING)])
        first = None
        deadline = time.time() + 30
        while first is None and time.time() < deadline:
            m = cons.poll(0.5)
            if m is None:
                continue
            if m.error():
                raise Fail("consume: %s" % m.error())
            first = (m.offset(), m.value().decode())
    finally:
        cons.close()
    if first != (cut, "v%d" % cut):
        raise Fail("consumer from OFFSET_BEGINNING got %s, want offset %d (v%d)" % (first, cut, cut))
    steps.append("delete_records(before %d: low watermark, earliest and first consumed offset %d; "
                 "beyond the end: OFFSET_OUT_OF_RANGE)" % (cut, cut))

    # delete_topics, then the unknown name
    adm.delete_topics([t])[t].result(timeout=30)
    deadline = time.time() + 15
    while t in adm.list_topics(timeout=10).topics:
        if time.time() > deadline:
            raise Fail("topic still listed 15s after delete_topics")
        time.sleep(0.3)
    expect_error("delete_topics unknown", E.UNKNOWN_TOPIC_OR_PART, NO_MESSAGE_UNKNOWN_TP,
                 lambda: adm.delete_topics([missing])[missing].result(timeout=30))
    steps.append("delete_topics(gone; unknown: UNKNOWN_TOPIC_OR_PART)")
    return ", ".join(steps)


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


def golden(a):
    """compat/capture-golden.sh only: CreateTopics, Produce and a consumer group's Join/Sync, OffsetFetch,
    Fetch and OffsetCommit, with the few fixed records of test/golden/README.md, uncompressed."""
    adm = AdminClient(conf(a))
    adm.create_topics([NewTopic(a.topic, 1, 1)])[a.topic].result(timeout=30)
    recs = golden_records()
    produce(a, "none", recs)
    c = Consumer(conf(a, **{"group.id": a.group, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    c.subscribe([a.topic])
    got = {}
    try:
        deadline = time.time() + 40
        while len(got) < len(recs) and time.time() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                raise Fail("consume: %s" % m.error())
            key = m.key().decode()
            got[key] = {"key": key, "value": m.value().decode(), "headers": [(k, v.decode()) for k, v in (m.headers() or [])],
                        "ts": m.timestamp()[1]}
        check_records(recs, got)
        c.commit(offsets=[TopicPartition(a.topic, 0, len(recs))], asynchronous=False)
    finally:
        c.close()
    return "created %s, produced and consumed %d records in group %s, committed offset %d" % (a.topic, len(recs), a.group, len(recs))


def record_errors(a):
    """Per-record produce errors (KIP-467): each record's delivery report says whether it was refused, and why."""
    adm = AdminClient(conf(a))
    compact, small = a.topic + "-compact", a.topic + "-small"
    for f in adm.create_topics([NewTopic(compact, 1, 1, config={"cleanup.policy": "compact"}),
                                NewTopic(small, 1, 1, config={"max.message.bytes": "1000"})]).values():
        f.result(timeout=30)
    p = Producer(conf(a, **{"linger.ms": 1000}))
    # Metadata first: a record produced before librdkafka knows its topic waits in an unassigned queue, and
    # flush() can then send it in a request of its own, ahead of the records that follow it.
    for t in (a.topic, compact, small):
        p.list_topics(t, timeout=30)

    def send_batch(recs):
        """Sends the records as one batch; returns each delivery report: "ok@offset" or "ERROR_NAME: text"."""
        got = [None] * len(recs)

        def report(i):
            def cb(err, msg):
                got[i] = "ok@%d" % msg.offset() if err is None else "%s: %s" % (err.name(), err.str())
            return cb
        for i, (t, key, value, ts) in enumerate(recs):
            p.produce(t, key=key, value=value, partition=0, timestamp=ts, on_delivery=report(i))
        if p.flush(60) != 0:
            raise Fail("records still undelivered after 60 s")
        return got

    problems = []

    def check(name, got, want):
        sys.stderr.write("%s: %s\n" % (name, got))
        if got != want:
            problems.append("%s: got %s, want %s" % (name, got, want))

    other = "_INVALID_DIFFERENT_RECORD: Local: an invalid record in the same batch caused the failure of this message too"
    invalid = "INVALID_RECORD: Broker: Broker failed to validate record"
    check("compacted, 2 keyless of 4", send_batch([(compact, b"k0", b"v0", 0), (compact, None, b"v1", 0), (compact, b"k2", b"v2", 0),
                                                   (compact, None, b"v3", 0)]), [other, invalid, other, invalid])
    check("compacted, keyed afterwards", send_batch([(compact, b"k4", b"v4", 0), (compact, b"k5", b"v5", 0)]), ["ok@0", "ok@1"])
    now = int(time.time() * 1000)
    # librdkafka fails every record of a batch refused with INVALID_TIMESTAMP with that error.
    bad_ts = "INVALID_TIMESTAMP: Broker: Invalid timestamp"
    check("timestamp two hours ahead", send_batch([(a.topic, b"t0", b"t0", now), (a.topic, b"t1", b"t1", now + 7200000),
                                                   (a.topic, b"t2", b"t2", now)]), [bad_ts, bad_ts, bad_ts])
    check("timestamp now afterwards", send_batch([(a.topic, b"t3", b"t3", now)]), ["ok@0"])
    check("larger than max.message.bytes", send_batch([(small, b"big", b"x" * 2000, 0)]),
          ["MSG_SIZE_TOO_LARGE: Broker: Message size too large"])
    if problems:
        raise Fail("; ".join(problems))
    return "5 batches: keyless records on a compacted topic fail with INVALID_RECORD and their batch mates with " \
           "_INVALID_DIFFERENT_RECORD; a future timestamp INVALID_TIMESTAMP; a large record MSG_SIZE_TOO_LARGE; " \
           "later records are stored from offset 0"


def bytes_scenario(a):
    """Strings are bytes: librdkafka sends commit metadata with a trailing NUL byte; the commit succeeds and
    reads back (as librdkafka sees it, up to the NUL). A non-ASCII client id is described as sent."""
    produce(a, "none", [{"key": "k0", "value": "r0", "ts": int(time.time() * 1000)}])
    c = Consumer(conf(a, **{"group.id": a.group, "enable.auto.commit": False}))
    try:
        r = c.commit(offsets=[TopicPartition(a.topic, 0, 1, metadata="meta")], asynchronous=False)
        if r[0].error:
            raise Fail("commit with metadata: %s" % r[0].error)
        got = c.committed([TopicPartition(a.topic, 0)], timeout=30)[0]
        if got.error or got.offset != 1 or got.metadata != "meta":
            raise Fail("committed: offset %s metadata %r error %s, want 1 'meta'" % (got.offset, got.metadata, got.error))
    finally:
        c.close()
    client_id = "kpg-compat-\u00fc"
    group = a.group + "-member"
    c = Consumer(conf(a, **{"group.id": group, "client.id": client_id, "auto.offset.reset": "earliest"}))
    try:
        c.subscribe([a.topic])
        deadline = time.time() + 40
        while True:
            m = c.poll(0.5)
            if m is not None and not m.error():
                break
            if time.time() > deadline:
                raise Fail("no record within 40s")
        admin = AdminClient(conf(a))
        g = admin.describe_consumer_groups([group])[group].result(timeout=30)
        ids = [m.client_id for m in g.members]
        if ids != [client_id]:
            raise Fail("described client ids %r, want [%r]" % (ids, client_id))
    finally:
        c.close()
    return "commit metadata with librdkafka's trailing NUL committed and read back; client id %r described as sent" % client_id


# ------------------------------------------------------------------ auth
class ConfluentAuth:
    """librdkafka's security settings for each mode of the auth scenario."""

    @staticmethod
    def conf(sec, mode, user="alice", password=None, **extra):
        c = {"client.id": "kpg-compat-confluent-auth", "ssl.ca.location": sec["caFile"]}
        if mode == "mTLS":
            c.update({"bootstrap.servers": sec["ssl"], "security.protocol": "SSL",
                      "ssl.certificate.location": sec["clientCertFile"], "ssl.key.location": sec["clientKeyFile"]})
        else:
            c.update({"bootstrap.servers": sec["saslSsl"], "security.protocol": "SASL_SSL", "sasl.mechanism": mode})
            if mode == "OAUTHBEARER":
                token = sec["oauthTokens"][user]
                # (token, expiry in seconds since the epoch, principal, extensions); called from poll()
                c["oauth_cb"] = lambda _config: (token, time.time() + 3600, user, {})
            else:
                c.update({"sasl.username": user, "sasl.password": password or sec["users"][user]})
        c.update(extra)
        return c

    def produce_consume(self, sec, mode, values):
        p = Producer(self.conf(sec, mode))
        errors = []
        for v in values:
            p.produce(sec["topic"], value=v.encode(), partition=0, on_delivery=lambda err, _m: err and errors.append(err))
        left = p.flush(30)
        if left or errors:
            raise Fail("produce: %s" % (errors[0] if errors else "%d record(s) not delivered in 30 s" % left))
        c = Consumer(self.conf(sec, mode, **{"group.id": sec["group"], "auto.offset.reset": "earliest", "enable.auto.commit": False}))
        want = set(values)
        try:
            c.subscribe([sec["topic"]])
            deadline = time.time() + 40
            while want and time.time() < deadline:
                m = c.poll(0.5)
                if m is None:
                    continue
                if m.error():
                    raise Fail("consume: %s" % m.error())
                want.discard(m.value().decode())
            if want:
                raise Fail("consumed in %s without %s" % (sec["group"], sorted(want)))
            c.commit(asynchronous=False)
        finally:
            c.close()

    def produce_denied(self, sec, mode):
        p = Producer(self.conf(sec, mode))
        errors = []
        p.produce(sec["deniedTopic"], value=b"denied", partition=0, on_delivery=lambda err, _m: errors.append(err))
        p.flush(30)
        if not errors:
            raise Fail("producing to %s: no delivery report in 30 s" % sec["deniedTopic"])
        if errors[0] is None or errors[0].code() != confluent_kafka.KafkaError.TOPIC_AUTHORIZATION_FAILED:
            raise Fail("producing to %s: %s, want TOPIC_AUTHORIZATION_FAILED" % (sec["deniedTopic"], errors[0]))

    def wrong_password(self, sec):
        seen = []
        p = Producer(self.conf(sec, "SCRAM-SHA-512", password="not-" + sec["users"]["alice"], error_cb=seen.append))
        deadline = time.time() + 20
        while not seen and time.time() < deadline:
            p.poll(0.2)
        auth = [e for e in seen if e.code() == confluent_kafka.KafkaError._AUTHENTICATION]
        if not auth:
            raise Fail("a wrong password: %s, want _AUTHENTICATION" % (seen or "no error in 20 s"))
        return auth[0].name()

    def bob_refused(self, sec):
        seen = []
        c = Consumer(self.conf(sec, "SCRAM-SHA-512", user="bob", error_cb=seen.append,
                               **{"group.id": sec["group"], "auto.offset.reset": "earliest"}))
        refusals = (confluent_kafka.KafkaError.TOPIC_AUTHORIZATION_FAILED, confluent_kafka.KafkaError.GROUP_AUTHORIZATION_FAILED)
        try:
            c.subscribe([sec["topic"]])
            deadline = time.time() + 30
            while time.time() < deadline:
                m = c.poll(0.5)
                if m is not None and not m.error():
                    raise Fail("bob consumed a record")
                if m is not None:
                    seen.append(m.error())
                hit = [e for e in seen if e.code() in refusals]
                if hit:
                    return hit[0].name()
            raise Fail("bob consuming: %s, want TOPIC_ or GROUP_AUTHORIZATION_FAILED" % (seen or "no error in 30 s"))
        finally:
            c.close()


def auth(a):
    return run_auth(a, ConfluentAuth())


if __name__ == "__main__":
    run({"metadata": metadata, "topic-admin": topic_admin, "produce-consume": produce_consume,
         "group-resume": group_resume, "list-offsets": list_offsets, "describe-configs": describe_configs,
         "bulk": bulk, "crash-retry": crash_retry, "golden": golden, "record-errors": record_errors,
         "bytes": bytes_scenario, "auth": auth},
        "confluent-kafka %s (librdkafka %s)" % (confluent_kafka.__version__, confluent_kafka.libversion()[0]))
