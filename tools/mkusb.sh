#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a bootable USB disk image for one config, without root: a GPT disk with one
# EFI System Partition (FAT32) holding what tools/mkesp.sh puts in an ESP directory.
# The image is at least 64 MiB, more when the guest files need it; `dd` it to a stick.
#
#   tools/mkusb.sh CONFIG OUT.img BUILD     (BUILD holds sprout.efi and guests/)
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 CONFIG OUT.img BUILD" >&2
	exit 2
fi
config=$1 out=$2 build=$3
here=$(dirname "$0")

MIN_MIB=64
PART_START=2048 # sectors: the partition starts at 1 MiB
export MTOOLS_SKIP_CHECK=1

work=$(mktemp -d "${TMPDIR:-/tmp}/mkusb.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$here/mkesp.sh" "$config" "$work/esp" "$build"

# Room for the files plus a quarter and 16 MiB for FAT metadata and edits on the stick.
content_mib=$(( ($(du -sk "$work/esp" | cut -f1) + 1023) / 1024 ))
size_mib=$(( content_mib + content_mib / 4 + 16 ))
[ "$size_mib" -ge "$MIN_MIB" ] || size_mib=$MIN_MIB

img="$work/disk.img"
truncate -s "${size_mib}M" "$img"
sgdisk -o -n "1:$PART_START:0" -t 1:EF00 -c "1:EFI System" "$img" >/dev/null
part_end=$(sgdisk -i 1 "$img" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
part_sectors=$(( part_end - PART_START + 1 ))

fat="$img@@$(( PART_START * 512 ))"
mformat -i "$fat" -F -T "$part_sectors" -h 64 -s 32 -H "$PART_START" -v SPROUT ::
mcopy -s -i "$fat" "$work/esp/"* ::/

mkdir -p "$(dirname "$out")"
mv "$img" "$out"
