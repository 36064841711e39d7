#!/bin/sh
# SPDX-License-Identifier: MIT
# Capture the ACPI tables of the emulators Sprout is tested on, as unit-test data.
#
# Each machine boots with no OS until its firmware has built the tables, then
# guest RAM is dumped (QEMU monitor `pmemsave`, Bochs debugger `writemem`) and
# tools/acpi-extract.py follows RSDP -> RSDT/XSDT -> tables into
# tests/unit/data/acpi/<machine>/. Needs qemu-system-x86, ovmf, bochs, bochsbios,
# vgabios, bochs-term. Re-running it rewrites the data the unit tests check, so
# review the expected values in tests/unit/test_acpi.c afterwards.
#
# Usage: tools/acpi-capture.sh [OUTDIR]   (default tests/unit/data/acpi)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/tests/unit/data/acpi}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mem=128M

# qemu_dump NAME SECONDS QEMU-ARGS...: boot, wait for the firmware, dump RAM.
qemu_dump() {
	name=$1 wait=$2
	shift 2
	# A bare file name: the monitor would parse "0x8000000 /tmp/x" as a division.
	(sleep "$wait"; echo "pmemsave 0 0x8000000 $name.mem"; sleep 4; echo quit) |
		(cd "$work" && timeout 120 qemu-system-x86_64 -m $mem -display none \
			-nodefaults -no-user-config -monitor stdio "$@" >"$name.log" 2>&1)
}

# A floppy whose boot sector is "cli; hlt; jmp $": the breakpoint at 0x7c00
# fires once the BIOS has finished, tables included.
bochs_dump() {
	python3 -c "
b = bytearray(1474560)
b[0:4] = bytes([0xfa, 0xf4, 0xeb, 0xfd])
b[510:512] = bytes([0x55, 0xaa])
open('$work/boot.img', 'wb').write(b)"
	cat >"$work/bochsrc" <<-EOF
		megs: 128
		romimage: file=/usr/share/bochs/BIOS-bochs-latest
		vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
		floppya: 1_44=boot.img, status=inserted
		boot: floppy
		display_library: term
		cpu: count=2, ips=50000000
		clock: sync=none
		log: bochs.log
	EOF
	printf 'lb 0x7c00\nc\nwritemem "bochs.mem" 0 134217728\nquit\n' >"$work/rc"
	# The term display library wants a terminal; script(1) provides one.
	(cd "$work" && timeout 300 script -qc "bochs -q -f bochsrc -rc rc" /dev/null \
		</dev/null >bochs.out 2>&1)
}

extract() {
	rm -rf "${out:?}/$1"
	python3 "$top/tools/acpi-extract.py" "$work/$2.mem" "$out/$1" "$3"
}

qemu_dump q35 25 -M q35 -smp 4 -bios /usr/share/ovmf/OVMF.fd
extract qemu-q35-ovmf q35 "qemu-system-x86_64 -M q35 -m $mem -smp 4 -bios OVMF.fd (OVMF, ACPI 2.0 XSDT)"
qemu_dump pc 6 -M pc -smp 2,maxcpus=4
extract qemu-pc-seabios pc "qemu-system-x86_64 -M pc -m $mem -smp 2,maxcpus=4 (SeaBIOS, ACPI 1.0 RSDT)"
bochs_dump
extract bochs bochs "bochs 2.7, BIOS-bochs-latest, megs 128, cpu count=2 (ACPI 1.0 RSDT)"
