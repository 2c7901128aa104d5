#!/usr/bin/python3
# replay_check.py — checks the ground-truth scenario sessions (pcaps/sessions/<name>/).
#
#   replay_check.py GHOSTWIRE ROOT [NAME ...]
#       For each session (default: every pcaps/sessions/*/ with an expect.json), runs
#       `GHOSTWIRE replay pcaps/sessions/<name> --json` from ROOT and checks that
#       1. the output is byte for byte golden.jsonl (replay is deterministic, and
#          nothing changed that nobody looked at), and
#       2. the verdicts meet expect.json, the ground truth written from what the
#          scenario played (tests/scenarios/<name>.sh), not from what ghostwire said:
#          a golden that is wrong fails here even when it is reproduced exactly.
#       Prints "ok <name>" or "FAIL <name>" with the details, then "N passed, M failed".
#   replay_check.py --verdicts FILE --expect EXPECT [--name NAME]
#       Checks verdict JSON lines (e.g. from `ghostwire watch --json FILE`) against an
#       expect.json; prints ok/FAIL and "1 passed, 0 failed" or "0 passed, 1 failed".
#   replay_check.py --write-golden GHOSTWIRE ROOT NAME ...
#       Replays each session twice, and writes golden.jsonl if both runs are
#       identical. Read what changed against expect.json before committing it.
#
# expect.json: {"scenario": ..., "expectations": [E, ...]}, each E one of
#   {"what": TEXT, "match": {FIELD: VALUE, ...},            selects verdicts
#    "count": N | "min_count": N,                           how many (default: >= 1)
#    "verdict": V, "kind": K,                               every selected one has these,
#    "hints_include": [H, ...], "hints_exclude": [H, ...],  these hints, not those,
#    "holders_include": [{FIELD: VALUE, ...}, ...],         holders like these (any order),
#    "fields": {FIELD: VALUE, ...}}                         and these fields
#   {"what": TEXT, "no_verdict": V, "match": {...}}         no (selected) verdict is V
# An expectation may carry "xfail": REASON (a known bug, named): its failure is then
# printed as "xfail", not counted; once it passes, that is a failure ("xpass"), so the
# mark goes when the bug does.
# A match selects final verdict lines unless it names "ghostwire.stage" ("opening").
# FIELD is a dotted path into a verdict line (docs/verdicts-json.md), or one of the
# short names transport, type, direction, local_ip, local_port, remote_ip, remote_port
# (the flow as ghostwire.flow orients it: local is the monitored host's end).
#
# Exit: 0 all passed, 1 a failure, 2 usage or setup error. Standard library only.
import json
import os
import subprocess
import sys

SHORT = {
    "transport": "network.transport",
    "type": "network.type",
    "direction": "network.direction",
    "verdict": "ghostwire.verdict",
    "local_ip": "ghostwire.flow.local.ip",
    "local_port": "ghostwire.flow.local.port",
    "remote_ip": "ghostwire.flow.remote.ip",
    "remote_port": "ghostwire.flow.remote.port",
}
MISSING = object()
SESSIONS = os.path.join("pcaps", "sessions")


def get(v, field):
    cur = v
    for part in SHORT.get(field, field).split("."):
        if not isinstance(cur, dict) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def describe(v):
    f = v.get("ghostwire", {}).get("flow", {})
    loc, rem = f.get("local", {}), f.get("remote", {})
    g = v.get("ghostwire", {})
    def end(e):
        ip = e.get("ip")
        return "%s:%s" % ("[%s]" % ip if ":" in str(ip) else ip, e.get("port"))

    return "%s %s -> %s %s%s%s" % (
        get(v, "transport"), end(loc), end(rem),
        g.get("verdict"), " " + g["kind"] if g.get("kind") else "",
        " hints=" + ",".join(g["hints"]) if g.get("hints") else "")


def stage(v):
    s = get(v, "ghostwire.stage")
    return "final" if s is MISSING else s


def selected(verdicts, match):
    # A flow's final verdict, unless the match asks for another stage (an
    # "opening" finding, decided while the flow went on).
    want_stage = match.get("ghostwire.stage", "final")
    return [v for v in verdicts
            if stage(v) == want_stage
            and all(get(v, k) == want for k, want in match.items() if k != "ghostwire.stage")]


def holder_matches(h, want):
    return all(h.get(k, MISSING) == val for k, val in want.items())


def check_one(e, verdicts):
    """The problems with expectation e, as lines (none: met)."""
    what = e.get("what", json.dumps(e.get("match", {})))
    sel = selected(verdicts, e.get("match", {}))
    if "no_verdict" in e:
        bad = [v for v in sel if get(v, "verdict") == e["no_verdict"]]
        if not bad:
            return []
        return (["%s: %d verdict(s) %s, none expected" % (what, len(bad), e["no_verdict"])] +
                ["    " + describe(v) for v in bad[:10]])
    out = []
    if "count" in e and len(sel) != e["count"]:
        out.append("%s: %d flow(s) match, %d expected" % (what, len(sel), e["count"]))
    elif len(sel) < e.get("min_count", 1):
        out.append("%s: %d flow(s) match, at least %d expected"
                   % (what, len(sel), e.get("min_count", 1)))
    for v in sel:
        wrong = []
        if "verdict" in e and get(v, "verdict") != e["verdict"]:
            wrong.append("verdict %s, expected %s" % (get(v, "verdict"), e["verdict"]))
        if "kind" in e and get(v, "ghostwire.kind") != e["kind"]:
            got = get(v, "ghostwire.kind")
            wrong.append("kind %s, expected %s" % (None if got is MISSING else got, e["kind"]))
        hints = get(v, "ghostwire.hints")
        hints = [] if hints is MISSING else hints
        lacking = [h for h in e.get("hints_include", []) if h not in hints]
        if lacking:
            wrong.append("hints %s lack %s" % (hints, lacking))
        extra = [h for h in e.get("hints_exclude", []) if h in hints]
        if extra:
            wrong.append("hints %s include %s" % (hints, extra))
        holders = get(v, "ghostwire.holders")
        holders = [] if holders is MISSING else holders
        for want in e.get("holders_include", []):
            if not any(holder_matches(h, want) for h in holders):
                wrong.append("no holder like %s among %s" % (
                    json.dumps(want), json.dumps([{k: h.get(k) for k in want} for h in holders])))
        for k, want in e.get("fields", {}).items():
            got = get(v, k)
            if got != want:
                wrong.append("%s is %s, expected %s" % (
                    k, "absent" if got is MISSING else json.dumps(got), json.dumps(want)))
        if wrong:
            out.append("%s: %s: %s" % (what, describe(v), "; ".join(wrong)))
    return out


def load_verdicts(text, origin):
    verdicts = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            verdicts.append(json.loads(line))
        except ValueError as err:
            raise ValueError("%s:%d: not JSON: %s" % (origin, n, err))
    return verdicts


def check_expect(expect_path, verdicts):
    """(problems, notes): what fails, and the known failures (xfail)."""
    with open(expect_path, encoding="utf-8") as f:
        expect = json.load(f)
    problems, notes = [], []
    for e in expect["expectations"]:
        found = check_one(e, verdicts)
        if "xfail" not in e:
            problems += found
        elif found:
            notes += ["xfail (%s): %s" % (e["xfail"], p) for p in found]
        else:
            problems.append("xpass: %s: passes now, remove its xfail (%s)"
                            % (e.get("what", "?"), e["xfail"]))
    return problems, notes


def replay(gw, root, name):
    p = subprocess.run([gw, "replay", os.path.join(SESSIONS, name), "--json", "--no-progress"],
                       cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("replay exited with %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[-500:]))
    return p.stdout


def first_difference(a, b):
    la, lb = a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<none>"
        y = lb[i] if i < len(lb) else "<none>"
        if x != y:
            return "line %d:\n      golden: %s\n      replay: %s" % (i + 1, x[:300], y[:300])
    return "(same lines, different bytes)"


def report(name, problems, notes=()):
    print("%s %s" % ("FAIL" if problems else "ok  ", name))
    for p in list(problems) + list(notes):
        print("    " + p.replace("\n", "\n    "))
    sys.stdout.flush()
    return not problems


def sessions_of(root, names):
    if names:
        return names
    base = os.path.join(root, SESSIONS)
    if not os.path.isdir(base):
        return []
    return sorted(n for n in os.listdir(base)
                  if os.path.isfile(os.path.join(base, n, "expect.json")))


def main_sessions(gw, root, names):
    passed = failed = 0
    for name in sessions_of(root, names):
        d = os.path.join(root, SESSIONS, name)
        problems, notes = [], []
        try:
            out = replay(gw, root, name)
            golden_path = os.path.join(d, "golden.jsonl")
            if not os.path.exists(golden_path):
                problems.append("no golden.jsonl")
            else:
                with open(golden_path, "rb") as f:
                    golden = f.read()
                if golden != out:
                    problems.append("replay differs from golden.jsonl, " +
                                    first_difference(golden, out))
            found, notes = check_expect(os.path.join(d, "expect.json"),
                                        load_verdicts(out.decode("utf-8"), name))
            problems += found
        except (OSError, RuntimeError, ValueError, KeyError,
                subprocess.TimeoutExpired) as err:
            problems.append("%s: %s" % (type(err).__name__, err))
        if report(name, problems, notes):
            passed += 1
        else:
            failed += 1
    if passed + failed == 0:
        print("replay_check.py: no sessions under %s" % os.path.join(root, SESSIONS),
              file=sys.stderr)
        return 2
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main_verdicts(path, expect, name):
    notes = []
    try:
        with open(path, encoding="utf-8") as f:
            verdicts = load_verdicts(f.read(), path)
        problems, notes = check_expect(expect, verdicts)
    except (OSError, ValueError, KeyError) as err:
        problems = [str(err)]
    ok = report(name or path, problems, notes)
    print("%d passed, %d failed" % (int(ok), int(not ok)))
    return 0 if ok else 1


def main_write_golden(gw, root, names):
    status = 0
    for name in names:
        try:
            a, b = replay(gw, root, name), replay(gw, root, name)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as err:
            print("FAIL %s: %s" % (name, err))
            status = 1
            continue
        if a != b:
            print("FAIL %s: two replays differ, %s" % (name, first_difference(a, b)))
            status = 1
            continue
        path = os.path.join(root, SESSIONS, name, "golden.jsonl")
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == a:
            print("same     %s" % path)
        else:
            with open(path, "wb") as f:
                f.write(a)
            print("written  %s" % path)
    return status


def usage():
    print("usage: replay_check.py GHOSTWIRE ROOT [NAME ...]\n"
          "       replay_check.py --verdicts FILE --expect EXPECT [--name NAME]\n"
          "       replay_check.py --write-golden GHOSTWIRE ROOT NAME ...", file=sys.stderr)
    return 2


def main(argv):
    if argv and argv[0] == "--verdicts":
        opts = dict(zip(argv[0::2], argv[1::2]))
        if len(argv) % 2 or "--expect" not in opts or set(opts) - {"--verdicts", "--expect",
                                                                     "--name"}:
            return usage()
        return main_verdicts(opts["--verdicts"], opts["--expect"], opts.get("--name"))
    if argv and argv[0] == "--write-golden":
        if len(argv) < 4:
            return usage()
        return main_write_golden(os.path.abspath(argv[1]), argv[2], argv[3:])
    if len(argv) < 2 or argv[0].startswith("-"):
        return usage()
    gw = os.path.abspath(argv[0])
    if not os.access(gw, os.X_OK):
        print("replay_check.py: %s is not an executable" % gw, file=sys.stderr)
        return 2
    return main_sessions(gw, argv[1], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
