#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host tests of tools/soak.sh: counting per scenario, and resuming an interrupted soak.

The script runs from a copy in a scratch git repository with a fake suite, so the
identity it checks (commit, clean tree) is real and the suite costs nothing."""
import os
import re
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
results = []

# The fake suite: run N (counted in a file) prints what $FAKE_PLAN says for it.
# "p" = both scenarios pass, "f" = beta fails, "x" = the run dies without a total.
FAKE = r"""#!/usr/bin/env bash
n=$(( $(cat "$FAKE_DIR/count" 2>/dev/null || echo 0) + 1 ))
echo $n >"$FAKE_DIR/count"
kind=${FAKE_PLAN:$((n - 1)):1}
echo "PASS alpha (1.0s)"
case $kind in
f) echo "FAIL beta: check 2 failed"; mkdir -p "$BUILD/test/beta"; echo log >"$BUILD/test/beta/serial.log"
   echo "1 passed, 1 failed";;
x) echo "PASS beta (1.0s)"; exit 1;;
*) echo "PASS beta (1.0s)"; echo "2 passed, 0 failed";;
esac
"""


def check(name, ok, why=""):
    results.append(ok)
    print("%s %d - %s%s" % ("ok" if ok else "FAIL", len(results), name,
                            "" if ok else ": " + str(why)))


def git(repo, *args):
    subprocess.run(["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t"] +
                   list(args), check=True, capture_output=True)


def make_repo(tmp):
    repo = os.path.join(tmp, "repo")
    os.makedirs(os.path.join(repo, "tools"))
    shutil.copy(os.path.join(ROOT, "tools", "soak.sh"), os.path.join(repo, "tools"))
    fake = os.path.join(repo, "suite.sh")
    with open(fake, "w", encoding="utf-8") as f:
        f.write(FAKE)
    os.chmod(fake, 0o755)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "x")
    return repo


def soak(repo, fake_dir, runs, plan, resume=False):
    env = dict(os.environ, SOAK=str(runs), SOAK_SUITE=os.path.join(repo, "suite.sh"),
               BUILD=os.path.join(repo, "build"), FAKE_DIR=fake_dir, FAKE_PLAN=plan)
    env.pop("SOAK_RESUME", None)
    if resume:
        env["SOAK_RESUME"] = "1"
    res = subprocess.run([os.path.join(repo, "tools", "soak.sh")], env=env,
                         capture_output=True, text=True, check=False)
    return res.returncode, res.stdout


def count_of(out, name):
    m = re.search(r"^%s:\s+(\d+) of (\d+) runs failed$" % name, out, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    tmp = tempfile.mkdtemp(prefix="soak-test-")
    try:
        repo = make_repo(tmp)
        fake_dir = os.path.join(tmp, "fake")
        os.makedirs(fake_dir)
        count = os.path.join(fake_dir, "count")

        rc, out = soak(repo, fake_dir, 3, "pfp")
        check("a failed run fails the soak", rc != 0, out)
        check("beta failed 1 of 3", count_of(out, "beta") == (1, 3), out)
        check("alpha failed 0 of 3", count_of(out, "alpha") == (0, 3), out)
        check("total line counts every scenario run", out.splitlines()[-1] ==
              "5 passed, 1 failed", out)
        check("the failed run's logs are kept",
              os.path.isfile(os.path.join(repo, "build", "soak", "2", "beta", "serial.log")))

        # Interrupted: the second run dies without its total line.
        os.remove(count)
        rc, out = soak(repo, fake_dir, 3, "pxp")
        check("a run without a total line counts as a failure",
              rc != 0 and "1 of 3 runs ended without" in out, out)
        os.remove(count)
        rc, out = soak(repo, fake_dir, 3, "p", resume=True)
        check("resuming runs only the incomplete run", open(count, encoding="utf-8").read()
              .strip() == "1" and "run 1 of 3 kept" in out and "run 3 of 3 kept" in out, out)
        check("resumed soak passes", rc == 0 and out.splitlines()[-1] == "6 passed, 0 failed",
              out)

        # Another commit: nothing is kept.
        with open(os.path.join(repo, "suite.sh"), "a", encoding="utf-8") as f:
            f.write("# changed\n")
        os.remove(count)
        rc, out = soak(repo, fake_dir, 2, "pp", resume=True)
        check("a changed work tree is not resumed", "not resuming: the work tree" in out and
              open(count, encoding="utf-8").read().strip() == "2", out)
        git(repo, "commit", "-q", "-am", "y")
        os.remove(count)
        rc, out = soak(repo, fake_dir, 2, "pp", resume=True)
        check("a soak of another commit is not resumed", "of another build" in out and
              open(count, encoding="utf-8").read().strip() == "2", out)
        os.remove(count)
        rc, out = soak(repo, fake_dir, 2, "", resume=False)
        check("without SOAK_RESUME every run is made again",
              open(count, encoding="utf-8").read().strip() == "2" and rc == 0, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
