"""Shared parts of the Python scenario programs: arguments, expected records, result line."""
import argparse
import json
import sys
import traceback
import uuid

BASE_TS = 1700000000000
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
SCENARIOS = ["metadata", "topic-admin", "produce-consume", "group-resume", "list-offsets", "describe-configs"]


class Fail(Exception):
    pass


class NA(Exception):
    pass


def expected(codec, ci):
    pad = "abcdefghij" * 20
    return [
        {
            "key": "key-%s-%d" % (codec, i),
            "value": "value-%s-%d-%s" % (codec, i, pad),
            "headers": [("codec", codec), ("idx", str(i))],
            "ts": BASE_TS + ci * 3 + i,
        }
        for i in range(3)
    ]


def golden_records():
    """The records of the golden scenario (the same in every language, see test/golden/README.md)."""
    return [{"key": "golden-%d" % i, "value": "value-%d" % i, "headers": [("idx", str(i))], "ts": BASE_TS + i} for i in range(2)]


def check_records(want, got):
    """got: dict key -> {key, value, headers[(k, str)], ts}"""
    problems = []
    for w in want:
        g = got.get(w["key"])
        if g is None:
            problems.append("missing " + w["key"])
            continue
        if g["value"] != w["value"]:
            problems.append(w["key"] + ": value differs")
        if g["ts"] != w["ts"]:
            problems.append("%s: timestamp %s want %s" % (w["key"], g["ts"], w["ts"]))
        if list(g["headers"]) != list(w["headers"]):
            problems.append("%s: headers %s" % (w["key"], g["headers"]))
    if len(got) != len(want):
        problems.append("got %d records, want %d" % (len(got), len(want)))
    if problems:
        raise Fail("; ".join(problems[:5]))


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", default="127.0.0.1:39092")
    ap.add_argument("--scenario", default="metadata")
    ap.add_argument("--topic", default="compat-python")
    ap.add_argument("--group", default=None)
    ap.add_argument("--security", default=None, help="the auth scenario's JSON security file")
    a = ap.parse_args()
    a.security_file = a.security
    a.security = None
    if a.security_file:
        with open(a.security_file) as f:
            a.security = json.load(f)
        a.group = a.group or a.security.get("group")
    if a.group is None:
        a.group = a.topic + "-group"
    return a


# ------------------------------------------------------------------ auth (see compat/README.md)
AUTH_MODES = ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER", "mTLS"]


def run_auth(a, client):
    """The auth scenario with a client's own calls: client.produce_consume(sec, mode, values),
    client.produce_denied(sec, mode) (raises Fail unless TOPIC_AUTHORIZATION_FAILED), client.wrong_password(sec)
    and client.bob_refused(sec) (each returns what the client reported). A mode a client cannot express raises NA."""
    sec = a.security
    if not sec:
        raise NA("no --security file (the runner passes one for the auth scenario)")
    passed, skipped, failures = [], [], []
    for mode in AUTH_MODES:
        try:
            values = ["auth-%s-%d-%s" % (mode, i, uuid.uuid4().hex[:8]) for i in range(3)]
            client.produce_consume(sec, mode, values)
            client.produce_denied(sec, mode)
            passed.append(mode)
            sys.stderr.write("auth mode %s: pass\n" % mode)
        except NA as e:
            skipped.append("%s (%s)" % (mode, e))
            sys.stderr.write("auth mode %s: n/a %s\n" % (mode, e))
        except Exception as e:  # noqa: BLE001 - every client raises its own classes
            traceback.print_exc(file=sys.stderr)
            failures.append("%s: %s: %s" % (mode, type(e).__name__, e))
    extra = []
    for name, fn in (("wrong password (SCRAM-SHA-512)", client.wrong_password), ("bob consuming", client.bob_refused)):
        try:
            got = fn(sec)
            extra.append("%s -> %s" % (name, got))
            sys.stderr.write("auth %s: %s\n" % (name, got))
        except Exception as e:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
            failures.append("%s: %s: %s" % (name, type(e).__name__, e))
    if failures:
        raise Fail("%s (modes passed: %s)" % (failures[0], ", ".join(passed) or "none"))
    detail = "modes %s as alice: produce 3, consume in the group, denied topic -> TOPIC_AUTHORIZATION_FAILED; %s" % (
        ", ".join(passed), "; ".join(extra))
    if skipped:
        detail += "; not expressible: " + "; ".join(skipped)
    return detail


def run(table, client_name):
    a = parse_args()
    fn = table.get(a.scenario)
    try:
        if fn is None:
            raise NA("scenario %s not implemented" % a.scenario)
        status, detail = "pass", fn(a)
    except NA as e:
        status, detail = "n/a", str(e)
    except Fail as e:
        status, detail = "fail", str(e)
    except Exception as e:  # a client error is a failed scenario, not a crash
        traceback.print_exc(file=sys.stderr)
        status, detail = "fail", "%s: %s" % (type(e).__name__, e)
    print(json.dumps({"scenario": a.scenario, "status": status, "detail": detail, "client": client_name}))
    sys.stdout.flush()


# ------------------------------------------------------------------ bulk (see compat/README.md)
import os  # noqa: E402

BULK_N = int(os.environ.get("KPG_COMPAT_BULK_N", "100000"))
_BULK_PAD = "abcdefghij" * 20


def bulk_record(i, codec):
    """Record i of the bulk scenario (the same in every language): key None for every 100th."""
    return {
        "key": None if i % 100 == 99 else "bulk-%d" % i,
        "value": "value-%d-%s" % (i, _BULK_PAD[:(i * 37) % 200]),
        "headers": [] if i % 5 == 0 else [("idx", str(i)), ("codec", codec)],
        "ts": BASE_TS + i,
    }


def bulk_range(ci, k, n=None):
    """Codec number ci of k produces records [lo, hi)."""
    n = BULK_N if n is None else n
    return (ci * n) // k, ((ci + 1) * n) // k


class BulkChecker:
    """The record at offset o must be record o, without gaps; keeps only counters and the first problems."""

    def __init__(self, codecs, n=None):
        self.codecs, self.n = codecs, BULK_N if n is None else n
        self.next, self.problems, self.redelivered = 0, [], 0
        self._bounds = [bulk_range(ci, len(codecs), self.n)[1] for ci in range(len(codecs))]

    def codec_of(self, i):
        for ci, hi in enumerate(self._bounds):
            if i < hi:
                return self.codecs[ci]
        return None

    def problem(self, s):
        if len(self.problems) < 5:
            self.problems.append(s)
        elif len(self.problems) == 5:
            self.problems.append("...")

    def check(self, offset, key, value, headers, ts):
        """key: str or None, value: str, headers: [(k, str)], ts: int"""
        if offset < self.next:
            self.redelivered += 1
            return
        if offset > self.next:
            self.problem("gap: offset %d after %d" % (offset, self.next - 1))
        self.next = offset + 1
        if offset >= self.n:
            self.problem("unexpected record at offset %d (only %d were produced)" % (offset, self.n))
            return
        w = bulk_record(offset, self.codec_of(offset))
        if key != w["key"]:
            self.problem("offset %d: key %r want %r" % (offset, key, w["key"]))
        if value != w["value"]:
            self.problem("offset %d: value %r want %r" % (offset, (value or "")[:40], w["value"][:40]))
        if ts != w["ts"]:
            self.problem("offset %d: timestamp %s want %s" % (offset, ts, w["ts"]))
        if list(headers) != list(w["headers"]):
            self.problem("offset %d: headers %s want %s" % (offset, headers, w["headers"]))

    @property
    def done(self):
        return self.next >= self.n

    def finish(self, log_end=None):
        if self.next < self.n:
            self.problem("consumed up to offset %d, want %d" % (self.next - 1, self.n - 1))
        if log_end is not None and log_end != self.n:
            self.problem("log end offset %s, want %d" % (log_end, self.n))
        if self.problems:
            raise Fail("; ".join(self.problems))


# ------------------------------------------------------------------ crash-retry (see compat/README.md)
CRASH_N = int(os.environ.get("KPG_COMPAT_CRASH_N", "20000"))


class Disruption:
    """Asks the runner to crash and restart the server (a `DISRUPT` line on stdout) and collects its
    answer (`DISRUPTED ok|n/a|fail <detail>` on stdin) in a background thread."""

    def __init__(self):
        import threading
        self.reply = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._wait, daemon=True)

    def _wait(self):
        try:
            line = sys.stdin.readline()
        except Exception:  # noqa: BLE001 - no stdin: nobody will answer
            line = ""
        self.reply = line.strip() or "DISRUPTED n/a nobody answered DISRUPT (not run by compat/run.mjs?)"
        self._done.set()

    def request(self):
        print("DISRUPT")
        sys.stdout.flush()
        self._thread.start()

    def answered(self):
        return self._done.is_set()

    def result(self, timeout):
        """(status, detail) of the runner's answer, waiting up to timeout seconds."""
        if not self._done.wait(timeout):
            return "fail", "no answer to DISRUPT within %ds" % timeout
        parts = self.reply.split(" ", 2)
        if len(parts) < 2 or parts[0] != "DISRUPTED":
            return "fail", "unexpected answer to DISRUPT: %r" % self.reply
        return parts[1], parts[2] if len(parts) > 2 else ""


def check_numbered(partitions, per_partition):
    """per_partition: {partition: [record numbers in offset order]}; record i was sent to partition
    i % partitions. Each number must appear exactly once, in order within its partition. Returns the total."""
    problems = []
    total = 0
    for p in range(partitions):
        got = per_partition.get(p, [])
        want = list(range(p, CRASH_N, partitions))
        total += len(got)
        if got == want:
            continue
        dups = len(got) - len(set(got))
        missing = len(set(want) - set(got))
        first = next((j for j, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
        problems.append("partition %d: %d records, want %d; %d duplicate(s), %d missing; first difference at offset %d (%s, want %s)" % (
            p, len(got), len(want), dups, missing, first, got[first] if first < len(got) else "end", want[first] if first < len(want) else "end"))
    if problems:
        raise Fail("; ".join(problems))
    return total
