#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# List the guest files a Sprout config names (every `image = X` and `initrd = X`),
# once each, in order of first mention. With --paths BUILD, print where each file
# is found instead: $BUILD/guests/X first, then the config's own directory.
#
#   tools/config-files.sh CONFIG                 names, one a line
#   tools/config-files.sh --paths BUILD CONFIG   resolved paths; fails if one is missing
set -eu

usage() {
	echo "usage: $0 [--paths BUILD] CONFIG" >&2
	exit 2
}

build=""
if [ "${1:-}" = "--paths" ]; then
	[ $# -eq 3 ] || usage
	build=$2
	shift 2
fi
[ $# -eq 1 ] || usage
config=$1
[ -f "$config" ] || { echo "config-files: $config: no such file" >&2; exit 1; }

# Keys whose value is a file the boot loader must hand to the hypervisor.
FILE_KEYS="image initrd"

names() {
	local line key value seen=" "
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		case $line in *=*) ;; *) continue ;; esac
		key=$(echo "${line%%=*}" | tr -d '[:space:]')
		value=$(echo "${line#*=}" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
			-e 's/^"\(.*\)"$/\1/')
		case " $FILE_KEYS " in *" $key "*) ;; *) continue ;; esac
		[ -n "$value" ] || continue
		case $value in
		*/* | *[[:space:]]* | .*)
			echo "config-files: $config: $key = '$value': want a plain file name" >&2
			return 1
			;;
		esac
		case $seen in *" $value "*) continue ;; esac
		seen="$seen$value "
		echo "$value"
	done <"$config"
}

list=$(names)
if [ -z "$build" ]; then
	[ -z "$list" ] || echo "$list"
	exit 0
fi

confdir=$(dirname "$config")
status=0
for name in $list; do
	if [ -f "$build/guests/$name" ]; then
		echo "$build/guests/$name"
	elif [ -f "$confdir/$name" ]; then
		echo "$confdir/$name"
	else
		echo "config-files: $config names '$name': not in $build/guests/ nor $confdir/" >&2
		status=1
	fi
done
exit $status
