#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages Sprout needs to build, boot and test; a no-op when present.
set -eu

PKGS="build-essential nasm gnu-efi qemu-system-x86 ovmf grub-pc-bin grub-efi-amd64-bin
grub-common xorriso mtools dosfstools gdisk bochs bochsbios vgabios bochs-term
busybox-static linux-image-amd64 acpica-tools clang clang-format clang-tidy cppcheck bear sparse
libclang-rt-14-dev gnuplot-nox python3"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
