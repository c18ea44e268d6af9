"""kpg compatibility scenarios for kafka-python (run with both the current release and 2.0.2)."""
import time

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic, ConfigResource, ConfigResourceType
from kafka.structs import OffsetAndMetadata

from common import CODECS, BASE_TS, BULK_N, BulkChecker, Fail, NA, bulk_range, bulk_record, expected, check_records, run, run_auth

VERSION = kafka.__version__
OLD = VERSION.startswith(("1.", "2."))


def admin(a):
    return KafkaAdminClient(bootstrap_servers=a.bootstrap, client_id="kpg-compat-kafka-python", request_timeout_ms=20000)


def metadata(a):
    adm = admin(a)
    try:
        cluster = adm.describe_cluster()
        topics = adm.list_topics()
    finally:
        adm.close()
    brokers = cluster.get("brokers") or []
    if not brokers:
        raise Fail("no brokers")
    if a.topic not in topics:
        raise Fail("topic %s not listed (%d topics)" % (a.topic, len(topics)))
    return "%d broker(s), controller %s, %d topic(s) incl. %s" % (len(brokers), cluster.get("controller_id"), len(topics), a.topic)


def config_values(adm, rtype, name):
    """describe_configs returns raw responses in 2.0.2 and a dict-like in 3.x: normalise to name -> value."""
    if OLD:
        res = adm.describe_configs([ConfigResource(rtype, name)])
    else:  # kafka-python 3.x returns only modified keys unless asked for all
        res = adm.describe_configs([ConfigResource(rtype, name)], config_filter="all")
    out = {}
    responses = res if isinstance(res, list) else [res]
    for r in responses:
        if isinstance(r, dict):  # 3.x: {resource_type: {resource_name: {key: {config data}}}}
            for by_name in r.values():
                for entries in by_name.values():
                    if isinstance(entries, Exception):
                        raise Fail("describe configs: %s" % entries)
                    for k, e in entries.items():
                        out[k] = e.get("value") if isinstance(e, dict) else getattr(e, "value", e)
            continue
        for resource in r.resources:
            err = resource[0]
            if err:
                raise Fail("describe configs error %s %s" % (err, resource[1]))
            for entry in resource[4]:
                out[entry[0]] = entry[1]
    return out


def topic_admin(a):
    adm = admin(a)
    t = a.topic + "-adm"
    try:
        adm.create_topics([NewTopic(name=t, num_partitions=2, replication_factor=1)])
        deadline = time.time() + 10
        while True:
            d = adm.describe_topics([t])
            if d and d[0].get("error_code", 0) == 0 and len(d[0].get("partitions", [])) == 2:
                break
            if time.time() > deadline:
                raise Fail("describe: %s" % d)
            time.sleep(0.2)
        # kafka-python 2.0.2 only has the (non-incremental) AlterConfigs API.
        adm.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs={"retention.ms": "3600000"})])
        # Kafka applies an altered config shortly after answering: read it back for up to 5 s.
        until = time.time() + 5
        v = config_values(adm, ConfigResourceType.TOPIC, t).get("retention.ms")
        while v != "3600000" and time.time() < until:
            time.sleep(0.2)
            v = config_values(adm, ConfigResourceType.TOPIC, t).get("retention.ms")
        if v != "3600000":
            raise Fail("retention.ms is %r after alter" % v)
        adm.delete_topics([t])
        deadline = time.time() + 15
        while t in adm.list_topics():
            if time.time() > deadline:
                raise Fail("topic still listed 15s after delete")
            time.sleep(0.3)
    finally:
        adm.close()
    return "create(2 partitions), describe, alter retention.ms (%s), delete" % ("AlterConfigs" if OLD else "IncrementalAlterConfigs if offered")


def produce(a, codec, recs):
    p = KafkaProducer(bootstrap_servers=a.bootstrap, client_id="kpg-compat-kafka-python",
                      compression_type=None if codec == "none" else codec, linger_ms=20, acks="all")
    try:
        futures = [p.send(a.topic, value=r["value"].encode(), key=r["key"].encode() if r.get("key") else None,
                          headers=[(k, v.encode()) for k, v in r.get("headers", [])], partition=0, timestamp_ms=r["ts"])
                   for r in recs]
        for f in futures:
            f.get(timeout=30)
    finally:
        p.close()


def consumer(a, **extra):
    return KafkaConsumer(bootstrap_servers=a.bootstrap, client_id="kpg-compat-kafka-python",
                         enable_auto_commit=False, auto_offset_reset="earliest", **extra)


def produce_consume(a):
    want, skipped = [], []
    for ci, codec in enumerate(CODECS):
        recs = expected(codec, ci)
        try:
            produce(a, codec, recs)
        except (AssertionError, NotImplementedError, ValueError) as e:
            if "Libraries for" in str(e) or "not supported" in str(e).lower():
                skipped.append(codec)
                continue
            raise Fail("produce %s: %s" % (codec, e))
        want += recs
    c = consumer(a)
    tp = TopicPartition(a.topic, 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    got = {}
    deadline = time.time() + 30
    try:
        while len(got) < len(want) and time.time() < deadline:
            for recs in c.poll(timeout_ms=500).values():
                for m in recs:
                    key = m.key.decode()
                    got[key] = {"key": key, "value": m.value.decode(), "ts": m.timestamp,
                                "headers": [(k, v.decode()) for k, v in (m.headers or [])]}
    finally:
        c.close()
    check_records(want, got)
    done = [c for c in CODECS if c not in skipped]
    return "codecs %s: %d records checked%s" % (",".join(done), len(want), ("; skipped " + ",".join(skipped)) if skipped else "")


def offset_and_metadata(offset):
    try:
        return OffsetAndMetadata(offset, "", -1)  # kafka-python >= 2.1 has leader_epoch
    except TypeError:
        return OffsetAndMetadata(offset, "")


def group_resume(a):
    produce(a, "none", [{"key": "k%d" % i, "value": "r%d" % i, "ts": int(time.time() * 1000)} for i in range(6)])

    def first_offset(commit_at):
        c = consumer(a, group_id=a.group)
        c.subscribe([a.topic])
        try:
            deadline = time.time() + 40
            while time.time() < deadline:
                for recs in c.poll(timeout_ms=500).values():
                    if recs:
                        if commit_at is not None:
                            c.commit({TopicPartition(a.topic, 0): offset_and_metadata(commit_at)})
                        return recs[0].offset
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
    c = consumer(a)
    tp = TopicPartition(a.topic, 0)
    try:
        lo = c.beginning_offsets([tp])[tp]
        hi = c.end_offsets([tp])[tp]
        t1 = c.offsets_for_times({tp: BASE_TS + 500})[tp]
        t2 = c.offsets_for_times({tp: BASE_TS + 2000})[tp]
    finally:
        c.close()
    t1 = t1.offset if t1 else None
    t2 = t2.offset if t2 else None
    if (lo, hi, t1, t2) != (0, 3, 1, 2):
        raise Fail("earliest=%s latest=%s time(+500ms)=%s time(+2000ms)=%s, want 0 3 1 2" % (lo, hi, t1, t2))
    return "earliest=0 latest=3 by-time=1,2"


def describe_configs(a):
    adm = admin(a)
    try:
        vals = config_values(adm, ConfigResourceType.TOPIC, a.topic)
        if vals.get("cleanup.policy") != "delete" or not vals.get("retention.ms"):
            raise Fail("topic configs lack cleanup.policy=delete / retention.ms (%d entries)" % len(vals))
        brokers = adm.describe_cluster().get("brokers") or []
        b0 = brokers[0]
        bid = str(b0.get("node_id", b0.get("broker_id")))
        bvals = config_values(adm, ConfigResourceType.BROKER, bid)
    finally:
        adm.close()
    if not bvals:
        raise Fail("broker %s has no config entries" % bid)
    return "topic: %d entries (cleanup.policy=delete, retention.ms=%s); broker %s: %d entries" % (
        len(vals), vals["retention.ms"], bid, len(bvals))


def bulk(a):
    t0 = time.time()
    errors = []
    for ci, codec in enumerate(CODECS):
        lo, hi = bulk_range(ci, len(CODECS))
        p = KafkaProducer(bootstrap_servers=a.bootstrap, client_id="kpg-compat-kafka-python",
                          compression_type=None if codec == "none" else codec, linger_ms=5, acks="all")
        try:
            for i in range(lo, hi):
                r = bulk_record(i, codec)
                f = p.send(a.topic, value=r["value"].encode(), key=None if r["key"] is None else r["key"].encode(),
                           headers=[(k, v.encode()) for k, v in r["headers"]], partition=0, timestamp_ms=r["ts"])
                if len(errors) < 3:
                    f.add_errback(lambda e: errors.append("%s: %s" % (type(e).__name__, e)))
            p.flush(120)
        finally:
            p.close()
        if errors:
            raise Fail("produce %s: %s" % (codec, errors))
    produced = time.time() - t0
    check = BulkChecker(CODECS)
    c = consumer(a)
    tp = TopicPartition(a.topic, 0)
    try:
        c.assign([tp])
        c.seek_to_beginning(tp)
        last_progress = time.time()
        while not check.done and time.time() - last_progress < 60:
            for recs in c.poll(timeout_ms=1000, max_records=2000).values():
                for m in recs:
                    check.check(m.offset, None if m.key is None else m.key.decode(), m.value.decode(),
                                [(k, v.decode()) for k, v in (m.headers or [])], m.timestamp)
                    last_progress = time.time()
        log_end = c.end_offsets([tp])[tp]
    finally:
        c.close()
    check.finish(log_end)
    return "%d records (codecs %s) produced in %d ms, consumed and compared in %d ms" % (
        BULK_N, ",".join(CODECS), produced * 1000, (time.time() - t0 - produced) * 1000)


def crash_retry(a):
    raise NA("crash-retry runs with the Java and librdkafka (confluent-kafka) idempotent producers; "
             "kafka-python %s" % ("has no idempotent producer" if OLD else "is not in that scenario's client list"))


# ------------------------------------------------------------------ auth
def token_provider_base():
    """kafka-python wants its AbstractTokenProvider, which moved between releases."""
    for module in ("kafka.net.sasl.oauth", "kafka.sasl.oauth", "kafka.oauth.abstract", "kafka.oauth"):
        try:
            return getattr(__import__(module, fromlist=["AbstractTokenProvider"]), "AbstractTokenProvider")
        except (ImportError, AttributeError):
            continue
    return object


class KafkaPythonAuth:
    """kafka-python's security settings for each mode of the auth scenario."""

    @staticmethod
    def conf(sec, mode, user="alice", password=None):
        c = {"client_id": "kpg-compat-kafka-python-auth", "ssl_cafile": sec["caFile"], "request_timeout_ms": 20000}
        if mode == "mTLS":
            c.update(bootstrap_servers=sec["ssl"], security_protocol="SSL",
                     ssl_certfile=sec["clientCertFile"], ssl_keyfile=sec["clientKeyFile"])
            return c
        c.update(bootstrap_servers=sec["saslSsl"], security_protocol="SASL_SSL", sasl_mechanism=mode)
        if mode == "OAUTHBEARER":
            token = sec["oauthTokens"][user]

            class Provider(token_provider_base()):
                def token(self):
                    return token

                def extensions(self):
                    return {}
            c["sasl_oauth_token_provider"] = Provider()
        else:
            c.update(sasl_plain_username=user, sasl_plain_password=password or sec["users"][user])
        return c

    def produce_consume(self, sec, mode, values):
        p = KafkaProducer(**self.conf(sec, mode))
        try:
            for v in values:
                p.send(sec["topic"], value=v.encode(), partition=0).get(timeout=30)
        finally:
            p.close(timeout=10)
        c = KafkaConsumer(group_id=sec["group"], auto_offset_reset="earliest", enable_auto_commit=False, **self.conf(sec, mode))
        want = set(values)
        try:
            c.subscribe([sec["topic"]])
            deadline = time.time() + 40
            while want and time.time() < deadline:
                for records in c.poll(timeout_ms=500).values():
                    for r in records:
                        want.discard(r.value.decode())
            if want:
                raise Fail("consumed in %s without %s" % (sec["group"], sorted(want)))
            c.commit()
        finally:
            c.close()

    def produce_denied(self, sec, mode):
        p = KafkaProducer(max_block_ms=30000, **self.conf(sec, mode))
        try:
            p.send(sec["deniedTopic"], value=b"denied", partition=0).get(timeout=30)
            raise Fail("producing to %s succeeded" % sec["deniedTopic"])
        except kafka.errors.TopicAuthorizationFailedError:
            pass
        finally:
            p.close(timeout=10)

    def wrong_password(self, sec):
        try:
            p = KafkaProducer(**self.conf(sec, "SCRAM-SHA-512", password="not-" + sec["users"]["alice"]))
            p.close(timeout=5)
        except Exception as e:  # noqa: BLE001 - the class differs between releases
            # kafka-python 2.0.2 only says that no broker answered (NoBrokersAvailable)
            # kafka-python 3 gives up with KafkaTimeoutError "Unable to bootstrap" (the SASL error is in its log)
            if "Authentication" in type(e).__name__ or type(e).__name__ in ("NoBrokersAvailable", "KafkaTimeoutError"):
                return "%s: %s" % (type(e).__name__, e)
            raise
        raise Fail("a wrong password (SCRAM-SHA-512) was accepted")

    def bob_refused(self, sec):
        c = KafkaConsumer(group_id=sec["group"], auto_offset_reset="earliest", **self.conf(sec, "SCRAM-SHA-512", user="bob"))
        try:
            c.subscribe([sec["topic"]])
            deadline = time.time() + 30
            while time.time() < deadline:
                if any(c.poll(timeout_ms=500).values()):
                    raise Fail("bob consumed a record")
            raise Fail("bob's consumer got no error in 30 s")
        except (kafka.errors.TopicAuthorizationFailedError, kafka.errors.GroupAuthorizationFailedError) as e:
            return type(e).__name__
        finally:
            c.close()


def auth(a):
    return run_auth(a, KafkaPythonAuth())


if __name__ == "__main__":
    run({"metadata": metadata, "topic-admin": topic_admin, "produce-consume": produce_consume,
         "group-resume": group_resume, "list-offsets": list_offsets, "describe-configs": describe_configs,
         "bulk": bulk, "crash-retry": crash_retry, "auth": auth},
        "kafka-python " + VERSION)
