#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check a VM's ACPI tables (core/vdev/acpi_build.c) with ACPICA's iasl: disassemble
# each table without errors, warnings or bad checksums, and recompile the DSDT to the
# very AML Sprout wrote. Not part of `make test`; run it from anywhere:
#   tests/unit/acpi_iasl.sh        (BUILD=dir as for make; needs acpica-tools)
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
set -u

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
passed=0
failed=0

pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if ! command -v iasl >/dev/null; then
	echo "iasl not found: apt-get install acpica-tools"
	fail iasl
	finish
fi
if ! make -s BUILD="$BUILD" "$BUILD/host/unit" >/dev/null; then
	fail "build $BUILD/host/unit"
	finish
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! ACPI_BUILD_DUMP=$dir "$BUILD/host/unit" acpi_build_dump >"$dir/dump.log" 2>&1; then
	cat "$dir/dump.log"
	fail "dump tables"
	finish
fi

# The RSDP is left out: iasl 2020xx does not disassemble it from a file (the unit
# tests check it). iasl exits 0 on a bad checksum, so its words are checked too.
bad='warning|error|incorrect|invalid|unknown|mismatch'
for t in DSDT FACP APIC FACS RSDT XSDT; do
	if [ ! -s "$dir/$t.dat" ]; then
		fail "$t: not dumped"
	elif ! (cd "$dir" && iasl -d "$t.dat") >"$dir/$t.log" 2>&1; then
		cat "$dir/$t.log"
		fail "$t: iasl -d failed"
	elif grep -iqE "$bad" "$dir/$t.log" "$dir/$t.dsl"; then
		grep -iE "$bad" "$dir/$t.log" "$dir/$t.dsl"
		fail "$t: iasl -d complains"
	else
		pass "$t: iasl -d"
	fi
done

# Compiled without optimizations, the disassembled DSDT is byte for byte our AML.
mkdir "$dir/rt"
if [ ! -s "$dir/DSDT.dsl" ]; then
	fail "DSDT: no disassembly to recompile"
elif ! (cd "$dir/rt" && iasl -oa -p DSDT ../DSDT.dsl) >"$dir/rt.log" 2>&1 ||
	! grep -q ' 0 Errors, 0 Warnings' "$dir/rt.log"; then
	cat "$dir/rt.log"
	fail "DSDT: recompile"
elif ! cmp -s <(tail -c +37 "$dir/rt/DSDT.aml") <(tail -c +37 "$dir/DSDT.dat"); then
	fail "DSDT: recompiled AML differs from ours"
else
	pass "DSDT: recompiles to the same AML"
fi
finish
