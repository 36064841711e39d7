#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build an EFI System Partition directory for one config: EFI/BOOT/BOOTX64.EFI (the
# hypervisor), sprout.cfg (the config, always under that name) and every guest file
# the config names, at the root. The directory is rebuilt from scratch each time.
#
#   tools/mkesp.sh CONFIG OUTDIR BUILD     (BUILD holds sprout.efi and guests/)
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 CONFIG OUTDIR BUILD" >&2
	exit 2
fi
config=$1 out=${2%/} build=$3
here=$(dirname "$0")

if [ -z "$out" ] || [ "$out" = "/" ]; then
	echo "mkesp: refusing output directory '$2'" >&2
	exit 2
fi
[ -f "$build/sprout.efi" ] || { echo "mkesp: $build/sprout.efi missing (make hv)" >&2; exit 1; }
files=$("$here/config-files.sh" --paths "$build" "$config")

# Assemble next to the target and swap it in, so a failure never leaves half an ESP.
tmp="$out.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/EFI/BOOT"
cp "$build/sprout.efi" "$tmp/EFI/BOOT/BOOTX64.EFI"
cp "$config" "$tmp/sprout.cfg"
for f in $files; do
	cp "$f" "$tmp/"
done
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
