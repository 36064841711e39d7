#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What `make test` runs: the host unit tests (`make unit`), the tools' tests
# (`make tools-check`), short runs of every parser
# fuzzer (`make fuzz-check`), then the integration boot scenarios (`make integration`);
# prints the summaries and one combined
# "N passed, N failed" line. Exits non-zero if anything failed or did not build.
# Variables given to the outer make (BUILD=..., SCENARIOS=...) reach the inner ones
# through MAKEFLAGS.
set -eu

cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
total_passed=0
total_failed=0
summaries=()

# Run one make target, show its output as it comes, and add its summary line to the
# totals. A target that ends without a summary (e.g. a build error) counts as one failure.
stage() { # label target
	local label=$1 target=$2 log rc=0 summary p f
	log=$(mktemp "${TMPDIR:-/tmp}/sprout-test.XXXXXX")
	echo "==== $label: make $target"
	$MAKE --no-print-directory "$target" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	rm -f "$log"
	if [ -n "$summary" ]; then
		p=${summary%% passed*}
		f=${summary#*passed, }
		f=${f%% failed}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			summary="$summary (but make $target exited with $rc)"
		fi
	else
		p=0 f=1
		summary="no summary: make $target exited with $rc"
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	summaries+=("$label: $summary")
}

start=$SECONDS
stage unit unit
stage tools tools-check
stage fuzz fuzz-check
stage integration integration

echo "==== summary ($((SECONDS - start))s)"
printf '%s\n' "${summaries[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
