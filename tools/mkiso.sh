#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a GRUB rescue ISO (boots on BIOS and UEFI) for one config: GRUB loads
# sprout.elf with multiboot2 and hands over sprout.cfg and every guest file the config
# names as modules whose string is the file name; the hypervisor finds them by it.
#
#   tools/mkiso.sh CONFIG OUT.iso BUILD     (BUILD holds sprout.elf and guests/)
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 CONFIG OUT.iso BUILD" >&2
	exit 2
fi
config=$1 out=$2 build=$3
here=$(dirname "$0")

[ -f "$build/sprout.elf" ] || { echo "mkiso: $build/sprout.elf missing (make hv)" >&2; exit 1; }
files=$("$here/config-files.sh" --paths "$build" "$config")

work=$(mktemp -d "${TMPDIR:-/tmp}/mkiso.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/iso/boot/grub"
cp "$build/sprout.elf" "$work/iso/boot/sprout.elf"
cp "$config" "$work/iso/boot/sprout.cfg"
modules="	module2 /boot/sprout.cfg sprout.cfg"
for f in $files; do
	name=$(basename "$f")
	cp "$f" "$work/iso/boot/$name"
	modules="$modules
	module2 /boot/$name $name"
done

cat >"$work/iso/boot/grub/grub.cfg" <<GRUB
set timeout=0
serial --unit=0 --speed=115200
terminal_output serial console
menuentry "Sprout" {
	multiboot2 /boot/sprout.elf
$modules
	boot
}
GRUB

mkdir -p "$(dirname "$out")"
# xorriso 1.5.4 has been seen to die of SIGSEGV while shutting down after it wrote
# the image (once in ~1000 images, under load); one more try tells that from a real
# failure, which fails the same way twice.
if ! grub-mkrescue -o "$work/out.iso" "$work/iso" >"$work/log" 2>&1 &&
	! grub-mkrescue -o "$work/out.iso" "$work/iso" >"$work/log" 2>&1; then
	cat "$work/log" >&2
	exit 1
fi
mv "$work/out.iso" "$out"
