#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make soak`: run the integration suite SOAK times (default 20), two scenarios at a
# time as `make integration` does, and count the failures of every scenario. The logs
# of each failed run are kept in $BUILD/soak/<run>/<scenario>/. Prints one line per
# scenario ("name: F of N runs failed") and, last, "N passed, N failed" over all runs.
# Extra arguments (scenario name globs) pass through to tests/integration/run.sh.
#
# SOAK_RESUME=1 goes on with an interrupted soak instead of starting again: runs whose
# log is complete are kept, if the soak was of the same commit (clean work tree), the
# same arguments and the same emulator settings. A soak of 20 runs takes hours; this
# lets one be spread over several sittings without weakening what it reports.
# SOAK_SUITE replaces the suite's command (the host tests of this script use it).
set -u

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
SOAK=${SOAK:-20}
SUITE=${SOAK_SUITE:-tests/integration/run.sh}
case $SOAK in '' | *[!0-9]* | 0)
	echo "soak: SOAK must be a positive number of runs (got '$SOAK')" >&2
	exit 2
	;;
esac

out=$BUILD/soak
# What a kept run must have been made with: the commit, and nothing changed on top.
ident="commit $(git rev-parse HEAD 2>/dev/null || echo none)"
ident+=" suite $SUITE args [$*] accel [${QEMU_ACCEL:-}] threads [${QEMU_THREADS:-}]"
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null)

# A run counts once its log ends with the suite's total line.
run_complete() {
	tail -n 1 "$out/run-$1.log" 2>/dev/null | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'
}

resume=0
if [ "${SOAK_RESUME:-0}" = 1 ]; then
	if [ -n "$dirty" ]; then
		echo "soak: not resuming: the work tree has changes, so the runs would differ"
	elif [ ! -f "$out/identity" ]; then
		echo "soak: not resuming: no earlier soak in $out"
	elif [ "$(cat "$out/identity")" != "$ident" ]; then
		echo "soak: not resuming: $out is of another build ($(cat "$out/identity"))"
	else
		resume=1
	fi
fi
if [ $resume = 0 ]; then
	rm -rf "$out"
	mkdir -p "$out"
	[ -n "$dirty" ] && ident+=" dirty"
	echo "$ident" >"$out/identity"
fi
start=$SECONDS
spent=0
for ((i = 1; i <= SOAK; i++)); do
	if [ $resume = 1 ] && run_complete "$i"; then
		spent=$((spent + $(cat "$out/run-$i.time" 2>/dev/null || echo 0)))
		echo "soak: run $i of $SOAK kept from before: $(tail -n 1 "$out/run-$i.log")"
		continue
	fi
	rm -rf "${out:?}/$i"
	t0=$SECONDS
	BUILD=$BUILD "$SUITE" "$@" >"$out/run-$i.log" 2>&1
	echo $((SECONDS - t0)) >"$out/run-$i.time"
	spent=$((spent + SECONDS - t0))
	while IFS= read -r line; do
		[[ $line == FAIL\ * ]] || continue
		name=${line#* }
		name=${name%%[: ]*}
		mkdir -p "$out/$i"
		cp -r "$BUILD/test/$name" "$out/$i/" 2>/dev/null || true
		echo "soak run $i: $line"
	done <"$out/run-$i.log"
	echo "soak: run $i of $SOAK done ($((SECONDS - start)) s): $(tail -n 1 "$out/run-$i.log")"
done

# The counts come from the logs of all runs, kept ones included.
declare -A runs=() fails=()
order=()
incomplete=0
for ((i = 1; i <= SOAK; i++)); do
	run_complete "$i" || incomplete=$((incomplete + 1))
	while IFS= read -r line; do
		case $line in
		PASS\ * | FAIL\ *) ;;
		*) continue ;;
		esac
		name=${line#* }
		name=${name%%[: ]*}
		[ -n "${runs[$name]+x}" ] || order+=("$name")
		runs[$name]=$((${runs[$name]:-0} + 1))
		[[ $line == FAIL* ]] && fails[$name]=$((${fails[$name]:-0} + 1))
	done <"$out/run-$i.log"
done

echo "==== soak: $SOAK runs, $spent s of runs ($((SECONDS - start)) s in this sitting)"
passed=0 failed=0
for name in "${order[@]}"; do
	f=${fails[$name]:-0}
	printf '%-28s %d of %d runs failed\n' "$name:" "$f" "${runs[$name]}"
	passed=$((passed + ${runs[$name]} - f))
	failed=$((failed + f))
done
if [ $incomplete -gt 0 ]; then
	echo "soak: $incomplete of $SOAK runs ended without the suite's total line"
	failed=$((failed + incomplete))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
