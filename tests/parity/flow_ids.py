#!/usr/bin/python3
# flow_ids.py GHOSTWIRE ROOT — the Community IDs and Wireshark display filters
# that verdicts carry, checked against tshark on the recorded sessions of
# pcaps/sessions/: every TCP/UDP flow's network.community_id must be one tshark's
# communityid post-dissector computes for the capture, and every finding's
# ghostwire.display_filter must select, with tshark -Y, exactly the flow's
# packets (network.packets). Exit 77 (skipped) without tshark.
import json
import os
import shutil
import subprocess
import sys


def main():
    if len(sys.argv) != 3:
        print("usage: flow_ids.py GHOSTWIRE ROOT", file=sys.stderr)
        return 2
    gw, root = sys.argv[1], sys.argv[2]
    tshark = shutil.which("tshark")
    if not tshark:
        print("flow_ids: skipped: no tshark")
        return 77
    sessions = os.path.join(root, "pcaps", "sessions")
    ids = filters = 0
    failures = []
    for name in sorted(os.listdir(sessions)):
        d = os.path.join(sessions, name)
        cap = os.path.join(d, "capture.pcap")
        if not os.path.isfile(cap):
            continue
        out = subprocess.run([gw, "replay", d, "--json", "--no-progress"], capture_output=True,
                             text=True, check=True).stdout
        verdicts = [json.loads(l) for l in out.splitlines()]
        theirs = set(subprocess.run(
            [tshark, "-r", cap, "--enable-protocol", "communityid", "-T", "fields", "-e",
             "communityid"], capture_output=True, text=True, check=True).stdout.split())
        for v in verdicts:
            if v["ghostwire"].get("stage") != "final":
                continue
            cid = v["network"].get("community_id")
            if v["network"]["transport"] in ("tcp", "udp"):
                ids += 1
                if cid not in theirs:
                    failures.append("%s: %s: community id %s not among tshark's" %
                                    (name, v["ghostwire"]["display_filter"], cid))
            if v["event"]["kind"] != "alert":
                continue
            flt = v["ghostwire"]["display_filter"]
            n = subprocess.run([tshark, "-r", cap, "-Y", flt, "-T", "fields", "-e",
                                "frame.number"], capture_output=True, text=True,
                               check=True).stdout.split()
            filters += 1
            # the flow's packets, and the ICMP errors quoting it (tshark matches the
            # quoted header; ghostwire counts them apart, in flow.icmp_errors)
            want = v["network"]["packets"] + v["ghostwire"]["flow"].get("icmp_errors", 0)
            if len(n) != want:
                failures.append("%s: %s: tshark shows %d packets, the flow has %d" %
                                (name, flt, len(n), want))
    for f in failures:
        print("FAIL " + f)
    print("flow_ids: %d community ids and %d display filters checked, %d failures" %
          (ids, filters, len(failures)))
    return 1 if failures else 0


sys.exit(main())
