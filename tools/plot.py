#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Draw the broker's timeline (`stats export`) from a console log, with gnuplot.

    tools/plot.py [LOG] [-o PREFIX]

LOG is a console log holding the CSV that `stats export` prints between
"--- sprout stats begin ---" and "--- sprout stats end ---" (default
build/run-e9.log, what `make run` writes); the last such block is used.
Writes PREFIX.png and PREFIX.svg (default build/plot/timeline) and PREFIX.csv
(the block as it was). Top: memory committed per VM, stacked, against the
host's RAM; bottom: vCPUs online per VM. The broker's decisions are marked:
grant and deny on the top, reclaim too, add and park on the bottom.
Exit status 1 when the log holds no block or gnuplot fails.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys

BEGIN = "--- sprout stats begin ---"
END = "--- sprout stats end ---"
HEADER = ("t_ms,record,vm_id,vm,state,committed_kib,quota_kib,vcpus,busy_pct,"
          "free_kib,busy_cores,event,arg")
MARK_COLORS = {"grant": "#2a9d2a", "deny": "#d62728", "reclaim": "#1f77b4",
               "add": "#9467bd", "park": "#8c564b"}


def last_block(text):
    """Lines of the last complete block between the markers, or None."""
    block, cur = None, None
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if line.endswith(BEGIN):
            cur = []
        elif line.endswith(END) and cur is not None:
            block, cur = cur, None
        elif cur is not None:
            cur.append(line)
    return block


def parse(lines):
    """(meta comment, rows as dicts) of a block; ValueError when it is not the format."""
    meta = ""
    body = []
    for line in lines:
        if line.startswith("# "):
            meta = line[2:]
        elif line.strip():
            body.append(line)
    if not body or body[0] != HEADER:
        raise ValueError("no header line " + HEADER)
    rows = list(csv.DictReader(body))
    for r in rows:
        if r["record"] not in ("vm", "host", "event") or None in r.values():
            raise ValueError("bad row: " + ",".join(str(v) for v in r.values()))
        int(r["t_ms"])
    return meta, rows


def series(rows):
    """Times (s), VM names in first-seen order, per-sample committed MiB and vCPUs by VM."""
    times, samples, names, events = [], {}, [], []
    for r in rows:
        t = int(r["t_ms"])
        if r["record"] == "host":
            times.append(t)
            samples[t] = {"free": int(r["free_kib"]) / 1024.0, "vm": {}}
        elif r["record"] == "vm" and t in samples:
            if r["vm"] not in names:
                names.append(r["vm"])
            samples[t]["vm"][r["vm"]] = (int(r["committed_kib"]) / 1024.0,
                                         int(r["vcpus"] or 0))
        elif r["record"] == "event":
            events.append((t, r["event"], r["vm"], r["arg"]))
    return times, samples, names, events


def host_total_mib(meta):
    for word in meta.split():
        if word.startswith("host_total_kib="):
            return int(word.split("=", 1)[1]) / 1024.0
    return 0.0


def write_data(path, times, samples, names):
    t0 = times[0]
    with open(path, "w", encoding="ascii") as f:
        f.write("# t_s free_mib " + " ".join("mem_" + n for n in names) + " "
                + " ".join("vcpus_" + n for n in names) + "\n")
        for t in times:
            s = samples[t]
            cum, mem, cpus = 0.0, [], []
            for n in names:
                c, v = s["vm"].get(n, (0.0, 0))
                cum += c
                mem.append("%.1f" % cum)
                cpus.append(str(v))
            f.write("%.3f %.1f %s %s\n" % ((t - t0) / 1000.0, s["free"], " ".join(mem),
                                           " ".join(cpus)))
    return t0


def gnuplot_script(data, names, events, t0, total, max_vcpus, terminal, out):
    n = len(names)
    lines = [terminal, 'set output "%s"' % out, "set multiplot layout 2,1",
             "set grid", "set key outside right top", "set xlabel 'time (s)'",
             "set ylabel 'MiB committed'", "set title 'Memory per VM (stacked) and host RAM'",
             "set yrange [0:*]"]
    for (t, kind, vm, _arg) in events:
        if kind in ("grant", "deny", "reclaim"):
            lines.append("set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb '%s' dt 2"
                         % ((t - t0) / 1000.0, (t - t0) / 1000.0, MARK_COLORS[kind]))
    plots = []
    for i, name in enumerate(names):
        low = "0" if i == 0 else "$%d" % (2 + i)
        plots.append("'%s' using 1:(%s):%d with filledcurves title '%s'"
                     % (data, low, 3 + i, name))
    if total:
        plots.append("%.1f with lines lw 2 lc rgb 'black' title 'host RAM'" % total)
    for kind in ("grant", "deny", "reclaim"):
        if any(e[1] == kind for e in events):
            plots.append("NaN with lines dt 2 lc rgb '%s' title '%s'" % (MARK_COLORS[kind], kind))
    lines.append("plot " + ", ".join(plots))
    lines += ["unset arrow", "set ylabel 'vCPUs online'", "set title 'vCPUs per VM'",
              "set yrange [0:%.1f]" % (max_vcpus + 0.5), "set ytics 1"]
    for (t, kind, vm, _arg) in events:
        if kind in ("add", "park"):
            lines.append("set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb '%s' dt 2"
                         % ((t - t0) / 1000.0, (t - t0) / 1000.0, MARK_COLORS[kind]))
    plots = ["'%s' using 1:%d with steps lw 2 title '%s'" % (data, 3 + n + i, name)
             for i, name in enumerate(names)]
    for kind in ("add", "park"):
        if any(e[1] == kind for e in events):
            plots.append("NaN with lines dt 2 lc rgb '%s' title '%s'" % (MARK_COLORS[kind], kind))
    lines.append("plot " + ", ".join(plots))
    lines.append("unset multiplot")
    return "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description="Plot the broker's stats export.")
    ap.add_argument("log", nargs="?", default="build/run-e9.log")
    ap.add_argument("-o", "--output", default="build/plot/timeline",
                    help="output prefix (PREFIX.png, PREFIX.svg, PREFIX.csv)")
    args = ap.parse_args(argv)
    try:
        with open(args.log, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        print("plot: %s: %s" % (args.log, e.strerror), file=sys.stderr)
        return 1
    block = last_block(text)
    if block is None:
        print("plot: %s: no '%s' block (type `stats export` at sprout>)" % (args.log, BEGIN),
              file=sys.stderr)
        return 1
    try:
        meta, rows = parse(block)
    except ValueError as e:
        print("plot: %s: %s" % (args.log, e), file=sys.stderr)
        return 1
    times, samples, names, events = series(rows)
    if not times or not names:
        print("plot: %s: the block has no samples yet" % args.log, file=sys.stderr)
        return 1
    if not shutil.which("gnuplot"):
        print("plot: gnuplot not found (tools/install-deps.sh installs gnuplot-nox)",
              file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output + ".csv", "w", encoding="ascii", errors="replace") as f:
        f.write("\n".join(block) + "\n")
    data = args.output + ".dat"
    t0 = write_data(data, times, samples, names)
    total = host_total_mib(meta)
    max_vcpus = max(v for t in times for (_c, v) in samples[t]["vm"].values())
    for term, ext in (("set terminal png size 1000,700", "png"),
                      ("set terminal svg size 1000,700", "svg")):
        script = gnuplot_script(data, names, events, t0, total, max_vcpus, term,
                                args.output + "." + ext)
        res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True,
                             check=False)
        if res.returncode != 0:
            print("plot: gnuplot failed: " + res.stderr.strip(), file=sys.stderr)
            return 1
    print("plot: %d samples over %.0f s, VMs %s, %d decisions; wrote %s.png and %s.svg"
          % (len(times), (times[-1] - times[0]) / 1000.0, ", ".join(names), len(events),
             args.output, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
