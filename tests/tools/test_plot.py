#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host tests of tools/plot.py on console logs made here: the block found, the files drawn."""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOT = os.path.join(ROOT, "tools", "plot.py")
HEADER = ("t_ms,record,vm_id,vm,state,committed_kib,quota_kib,vcpus,busy_pct,"
          "free_kib,busy_cores,event,arg")
results = []


def check(name, ok, why=""):
    results.append(ok)
    print("%s %d - %s%s" % ("ok" if ok else "FAIL", len(results), name,
                            "" if ok else ": " + why))


def block(vms, samples, total_kib=524288):
    lines = ["--- sprout stats begin ---",
             "# sprout stats v1: host_total_kib=%d samples=%d events=2 events_lost=0"
             % (total_kib, samples), HEADER]
    for i in range(samples):
        t = 1000 * (i + 1)
        if i == 1:
            lines.append("%d,event,1,%s,,,,,,,,add,1" % (t, vms[-1]))
        if i == 2:
            lines.append("%d,event,1,%s,,,,,,,,reclaim,2048" % (t, vms[-1]))
        lines.append("%d,host,,,,,,,,%d,0.50,," % (t, 300000 - i))
        for j, name in enumerate(vms):
            lines.append("%d,vm,%d,%s,running,%d,65536,%d,10,,,," % (t, j, name, 1024 * (j + i + 1),
                                                                    1 + (i >= 1 and j > 0)))
    lines.append("--- sprout stats end ---")
    return lines


def run(log_text, prefix):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(log_text)
        path = f.name
    res = subprocess.run([sys.executable, PLOT, path, "-o", prefix], capture_output=True,
                         text=True, check=False)
    os.unlink(path)
    return res


def main():
    tmp = tempfile.mkdtemp(prefix="sprout-plot-")
    prefix = os.path.join(tmp, "out", "timeline")
    old = block(["broker", "old"], 2)
    new = block(["broker", "linux", "rtos"], 6)
    text = "\r\n".join(["Sprout booting", "broker: period 100 ms"] + old + ["sprout> stats export"]
                       + new + ["sprout> "]) + "\r\n"
    res = run(text, prefix)
    check("plot exits 0 on a log with two blocks", res.returncode == 0, res.stderr)
    check("it reports the last block's samples and VMs",
          "6 samples over 5 s, VMs broker, linux, rtos, 2 decisions" in res.stdout, res.stdout)
    with open(prefix + ".png", "rb") as f:
        check("PREFIX.png is a PNG", f.read(8) == b"\x89PNG\r\n\x1a\n")
    with open(prefix + ".svg", encoding="utf-8") as f:
        svg = f.read()
    check("PREFIX.svg is an SVG with every VM and the host RAM line",
          "<svg" in svg and all(n in svg for n in ("broker", "linux", "rtos", "host RAM")))
    check("the add and reclaim marks have legend entries", "add" in svg and "reclaim" in svg)
    with open(prefix + ".csv", encoding="ascii") as f:
        csv_lines = f.read().splitlines()
    check("PREFIX.csv is the last block", csv_lines[1] == HEADER and
          not any(",old," in line for line in csv_lines), csv_lines[:3])
    check("every CSV row has the header's 13 fields",
          all(len(line.split(",")) == 13 for line in csv_lines[1:]))
    with open(prefix + ".dat", encoding="ascii") as f:
        dat = f.read().splitlines()
    check("the data has stacked memory and vCPU series per VM",
          dat[0] == "# t_s free_mib mem_broker mem_linux mem_rtos vcpus_broker vcpus_linux "
          "vcpus_rtos" and dat[1].split() == ["0.000", "293.0", "1.0", "3.0", "6.0", "1", "1",
                                                "1"], dat[:2])

    res = run("no stats here\n", prefix)
    check("a log without a block: exit 1, says what to type",
          res.returncode == 1 and "stats export" in res.stderr, res.stderr)
    res = run("\n".join(["--- sprout stats begin ---", "t_ms,oops", "1,2",
                         "--- sprout stats end ---"]), prefix)
    check("a block without the header: exit 1", res.returncode == 1 and "header" in res.stderr,
          res.stderr)
    res = run("\n".join(["--- sprout stats begin ---", HEADER, "1000,host,,,", 
                         "--- sprout stats end ---"]), prefix)
    check("a short row: exit 1", res.returncode == 1 and "bad row" in res.stderr, res.stderr)
    res = run("\n".join(["--- sprout stats begin ---", "--- sprout stats end ---"]) + "\n"
              + "--- sprout stats begin ---\n" + HEADER + "\n", prefix)
    check("a block cut short is not used", res.returncode == 1, res.stderr)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
