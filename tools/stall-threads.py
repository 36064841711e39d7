#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""For each long VM entry Sprout reported in a scenario, how much CPU time QEMU gave
the vCPU thread of that CPU meanwhile (a run with QEMU_THREADS=1 writes threads.log).

    tools/stall-threads.py build/test/NAME

A thread that got about the entry's length ran the guest all along and the
interrupt was not taken (an emulator matter); one that got little was not run by
the host. Sprout's CPU n is taken to be QEMU's "CPU n/TCG" (both count from the
boot CPU in APIC order).
"""
import os
import re
import sys

STALL = re.compile(r"sched: CPU (\d+): vm (\S+) vCPU (\d+) stayed (\d+) ms in the guest")


def main(d):
    with open(os.path.join(d, "e9.log"), encoding="utf-8", errors="replace") as f:
        e9 = f.read().splitlines()
    samples = []
    with open(os.path.join(d, "threads.log"), encoding="ascii") as f:
        for line in f:
            w = line.split()
            if len(w) < 3:
                continue
            cpus = dict(x.split("=") for x in w[2:])
            samples.append((int(w[0]), int(w[1]), {k: int(v) for k, v in cpus.items()}))
    found = 0
    for n, line in enumerate(e9, 1):
        m = STALL.search(line)
        if not m:
            continue
        found += 1
        cpu, ms = "cpu" + m.group(1), int(m.group(4))
        after = next((s for s in samples if s[1] >= n), None)
        if not after:
            print("line %d: %s: no sample after it" % (n, line.strip()))
            continue
        before = [s for s in samples if s[0] <= after[0] - ms - 100]
        if not before or cpu not in after[2] or cpu not in before[-1][2]:
            print("line %d: %s: no sample before it" % (n, line.strip()))
            continue
        got = after[2][cpu] - before[-1][2][cpu]
        span = after[0] - before[-1][0]
        print("line %d: CPU %s stayed %d ms in the guest; its thread got %d ms of CPU in "
              "the %d ms around it" % (n, m.group(1), ms, got, span))
    print("%d long entries" % found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]) if len(sys.argv) == 2 else 2)
