"""Shared parts of the Python scenario programs: arguments, expected records, result line."""
import argparse
import json
import sys
import traceback

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
    a = ap.parse_args()
    if a.group is None:
        a.group = a.topic + "-group"
    return a


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
