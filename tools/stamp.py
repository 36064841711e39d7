#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Copy stdin to stdout, each line prefixed with the host's monotonic clock.

`make bench` (tools/bench.sh) pipes an emulator's console through this to time
events that no one clock inside the machine sees, e.g. the broker's vCPU add
(a hypervisor line) against the CPU coming online in Linux (a guest line).
Output lines are "SECONDS.MICROSECONDS<space>LINE"; the stamp is taken when the
line's end arrives. Bytes pass unchanged; a last line without a newline is
written unstamped.
"""
import os
import sys
import time


def main() -> int:
    out = sys.stdout.buffer
    pending = b""
    while True:
        try:
            chunk = os.read(0, 65536)
        except InterruptedError:
            continue
        if not chunk:
            break
        now = time.monotonic()
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            out.write(b"%.6f " % now + line + b"\n")
        out.flush()
    if pending:
        out.write(pending)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
