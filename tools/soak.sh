#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make soak`: run the integration suite SOAK times (default 20), two scenarios at a
# time as `make integration` does, and count the failures of every scenario. The logs
# of each failed run are kept in $BUILD/soak/<run>/<scenario>/. Prints one line per
# scenario ("name: F of N runs failed") and, last, "N passed, N failed" over all runs.
# Extra arguments (scenario name globs) pass through to tests/integration/run.sh.
set -u

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SOAK=${SOAK:-20}
case $SOAK in '' | *[!0-9]* | 0)
	echo "soak: SOAK must be a positive number of runs (got '$SOAK')" >&2
	exit 2
	;;
esac

declare -A runs=() fails=()
order=()
out=$BUILD/soak
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS

for ((i = 1; i <= SOAK; i++)); do
	log=$out/run-$i.log
	BUILD=$BUILD tests/integration/run.sh "$@" >"$log" 2>&1
	while IFS= read -r line; do
		case $line in
		PASS\ * | FAIL\ *) ;;
		*) continue ;;
		esac
		name=${line#* }
		name=${name%%[: ]*}
		[ -n "${runs[$name]+x}" ] || order+=("$name")
		runs[$name]=$((${runs[$name]:-0} + 1))
		if [[ $line == FAIL* ]]; then
			fails[$name]=$((${fails[$name]:-0} + 1))
			mkdir -p "$out/$i"
			cp -r "$BUILD/test/$name" "$out/$i/" 2>/dev/null || true
			echo "soak run $i: $line"
		fi
	done <"$log"
	echo "soak: run $i of $SOAK done ($((SECONDS - start)) s): $(tail -n 1 "$log")"
done

echo "==== soak: $SOAK runs in $((SECONDS - start)) s"
passed=0 failed=0
for name in "${order[@]}"; do
	f=${fails[$name]:-0}
	printf '%-28s %d of %d runs failed\n' "$name:" "$f" "${runs[$name]}"
	passed=$((passed + ${runs[$name]} - f))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
