#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run every tests/tools/test_*.py and print their checks with one total line."""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    passed = failed = 0
    for script in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        res = subprocess.run([sys.executable, script], capture_output=True, text=True,
                             check=False)
        lines = res.stdout.splitlines()
        m = re.fullmatch(r"(\d+) passed, (\d+) failed", lines[-1]) if lines else None
        for line in lines[:-1] if m else lines:
            print("%s: %s" % (os.path.basename(script), line))
        if res.stderr:
            sys.stderr.write(res.stderr)
        if m:
            passed += int(m.group(1))
            failed += int(m.group(2))
        if not m or res.returncode != 0:
            failed += not m or int(m.group(2)) == 0
            print("FAIL %s: exit %d%s" % (os.path.basename(script), res.returncode,
                                          "" if m else ", no summary line"))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
