"""Consumer group scenario for librdkafka (confluent-kafka-python), run by test/groups/real-clients.test.ts.

    python group_clients.py --bootstrap H:P --topic T --group G

cooperative: two consumers with cooperative-sticky assignment share a 12-partition topic and consume
everything; one leaves, the other takes its partitions over incrementally (without losing its own)
and resumes from the committed offsets. Prints one JSON line {"scenario","status","detail"}.

    python group_clients.py --bootstrap H:P --topic T --group G --scenario epochs

epochs: leader epochs on a one-partition topic: 10 records; a group consumer reads 4 (noting each
record's leader epoch) and commits; a second one in the group (auto.offset.reset=error, so a failed
validation shows) resumes from the commit, then seeks to offset 2 with leader epoch 0; a third is
assigned offset 7 with leader epoch 0. The detail lists what was seen (status fail when something went
wrong). librdkafka validates positions that carry an epoch when a seek or an assignment sets them, not
those it resumes from a commit.

    python group_clients.py --bootstrap H:P --topic T --group G --scenario member --name N

member (run by test/groups/mixed-group.test.ts): one "roundrobin" consumer in a group shared with
other clients, driven by the test. Prints JSON lines as it goes: {"event":"state","memberId",
"generation","partitions"} whenever its membership changes, {"event":"record","partition","offset",
"key","value","generation"} per record (committed synchronously after each batch), {"event":
"commit-failed","error"} if a commit fails, and {"event":"closed"} once it left the group after its
stdin closed.
"""
import argparse
import json
import struct
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

PARTITIONS = 12


class Member:
    def __init__(self, name, args):
        self.name = name
        self.owned = set()
        self.revoked = []
        self.values = set()
        self.consumer = Consumer({
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "client.id": name,
            "partition.assignment.strategy": "cooperative-sticky",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500,
            "fetch.wait.max.ms": 100,
            "enable.auto.commit": True,
            "auto.commit.interval.ms": 200,
        })
        self.consumer.subscribe([args.topic], on_assign=self.on_assign, on_revoke=self.on_revoke, on_lost=self.on_lost)

    def on_assign(self, consumer, partitions):
        self.owned.update(p.partition for p in partitions)

    def on_revoke(self, consumer, partitions):
        if partitions:
            self.revoked.append(sorted(p.partition for p in partitions))
        self.owned.difference_update(p.partition for p in partitions)

    def on_lost(self, consumer, partitions):
        self.revoked.append(["lost"] + sorted(p.partition for p in partitions))
        self.owned.difference_update(p.partition for p in partitions)

    def poll(self):
        msg = self.consumer.poll(0.05)
        if msg is not None and msg.error() is None:
            self.values.add(msg.value().decode())


def produce(args, prefix, n):
    p = Producer({"bootstrap.servers": args.bootstrap})
    sent = set()
    for i in range(n):
        value = "%s-%d" % (prefix, i)
        p.produce(args.topic, value=value.encode(), partition=i % PARTITIONS)
        sent.add(value)
    p.flush(30)
    return sent


def wait(what, members, check, timeout=60):
    deadline = time.time() + timeout
    while not check():
        for m in members:
            m.poll()
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for %s: %s" % (what, [(m.name, sorted(m.owned), m.revoked) for m in members]))


def owned_exactly_once(members):
    return sorted(p for m in members for p in m.owned) == list(range(PARTITIONS))


def cooperative(args):
    first = produce(args, "first", 120)
    a, b = Member("rd-a", args), Member("rd-b", args)
    members = [a, b]
    wait("both members sharing the partitions", members, lambda: owned_exactly_once(members) and len(a.owned) == 6)
    wait("every record of the first batch", members, lambda: first <= (a.values | b.values))
    kept = set(a.owned)
    revocations = len(a.revoked)
    # Let the auto-commit of the last records happen before b leaves.
    deadline = time.time() + 1
    while time.time() < deadline:
        a.poll()
        b.poll()
    b.consumer.close()
    wait("a holding every partition", [a], lambda: owned_exactly_once([a]))
    if not kept <= a.owned or len(a.revoked) != revocations:
        return "fail: a gave up partitions: %s" % a.revoked
    second = produce(args, "second", 24)
    before = set(a.values)
    wait("the second batch", [a], lambda: second <= a.values)
    # Resumed from b's commits: nothing of the first batch came again.
    again = (a.values - before) & first
    a.consumer.close()
    if again:
        return "fail: records delivered again after the handover: %s" % sorted(again)[:5]
    return "pass"


def epochs_consumer(args, group, reset):
    return Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": group,
        "auto.offset.reset": reset,
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 100,
    })


def next_messages(consumer, n, timeout=60):
    out = []
    deadline = time.time() + timeout
    while len(out) < n:
        if time.time() > deadline:
            raise RuntimeError("got %d of %d records" % (len(out), n))
        for m in consumer.consume(num_messages=n - len(out), timeout=0.1):
            if m.error() is not None:
                raise KafkaException(m.error())
            out.append(m)
    return out


def epochs(args):
    p = Producer({"bootstrap.servers": args.bootstrap})
    for i in range(10):
        p.produce(args.topic, value=("e-%d" % i).encode(), partition=0)
    p.flush(30)
    parts = []
    c = epochs_consumer(args, args.group, "earliest")
    c.subscribe([args.topic])
    seen = next_messages(c, 4)
    parts.append("read " + ",".join("%d:%s" % (m.offset(), m.leader_epoch()) for m in seen))
    c.commit(message=seen[-1], asynchronous=False)
    committed = c.committed([TopicPartition(args.topic, 0)], timeout=30)[0]
    parts.append("committed %d epoch %s" % (committed.offset, committed.leader_epoch))
    c.close()
    c = epochs_consumer(args, args.group, "error")
    c.subscribe([args.topic])
    m = next_messages(c, 1)[0]
    parts.append("rejoined at %d epoch %s" % (m.offset(), m.leader_epoch()))
    c.seek(TopicPartition(args.topic, 0, 2, leader_epoch=0))
    parts.append("seek 2 epoch 0 read %d" % next_messages(c, 1)[0].offset())
    c.close()
    c = epochs_consumer(args, args.group + "-assigned", "error")
    c.assign([TopicPartition(args.topic, 0, 7, leader_epoch=0)])
    m = next_messages(c, 1)[0]
    parts.append("assigned 7 epoch 0 read %d" % m.offset())
    c.close()
    return "; ".join(parts)


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def generation(consumer):
    # librdkafka has no getter for the generation; it is in the serialized group metadata (the form
    # transactional producers hand around): b"CGMDv2:", then the int32 generation id in host order.
    meta = consumer.consumer_group_metadata()
    if isinstance(meta, bytes) and meta.startswith(b"CGMDv2:"):
        return struct.unpack_from("=i", meta, 7)[0]
    return None


def member(args):
    closed = threading.Event()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read1(4096):
                pass
        finally:
            closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "client.id": args.name,
        "partition.assignment.strategy": "roundrobin",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 15000,
        "heartbeat.interval.ms": 500,
        "fetch.wait.max.ms": 100,
    })
    consumer.subscribe([args.topic])
    last = None
    while not closed.is_set():
        messages = consumer.consume(num_messages=500, timeout=0.1)
        gen = generation(consumer)
        state = {"event": "state", "memberId": consumer.memberid() or "", "generation": gen,
                 "partitions": sorted(p.partition for p in consumer.assignment())}
        if state != last:
            emit(state)
            last = state
        records = [m for m in messages if m.error() is None]
        for m in records:
            emit({"event": "record", "partition": m.partition(), "offset": m.offset(),
                  "key": m.key().decode() if m.key() is not None else None,
                  "value": m.value().decode() if m.value() is not None else None, "generation": gen})
        if records:
            try:
                consumer.commit(asynchronous=False)
            except KafkaException as e:
                emit({"event": "commit-failed", "error": str(e)})
    consumer.close()
    emit({"event": "closed"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--scenario", default="cooperative")
    parser.add_argument("--name", default="member")
    args = parser.parse_args()
    if args.scenario == "member":
        member(args)
        return
    try:
        detail = epochs(args) if args.scenario == "epochs" else cooperative(args)
    except Exception as e:  # reported, not raised: the test reads the JSON line
        detail = "fail: %r" % e
    print(json.dumps({"scenario": args.scenario, "status": "fail" if detail.startswith("fail") else "pass", "detail": detail}))


if __name__ == "__main__":
    main()
