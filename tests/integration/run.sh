#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sprout integration harness: for each scenario in the scenario file, build its image
# into $BUILD/test/<name>/, boot it headless under QEMU or Bochs, read the 0xE9 and
# COM1 logs and print one line `PASS name (12.3s)` or `FAIL name: reason (see log)`;
# the last line is `N passed, N failed`. Exit status 1 when anything failed.
# The scenario file format is described in docs/testing.md and in its own header.
set -eu

usage() {
	cat >&2 <<EOF
usage: $0 [-f SCENARIO_FILE] [-j JOBS] [-l] [-v] [NAME_GLOB...]
  -f FILE  scenario file (default tests/integration/scenarios)
  -j N     run N scenarios at once (default: number of CPUs, at most 2)
  -l       list the selected scenarios and exit
  -v       on failure, also print the last lines of the scenario's logs
  NAME     run only scenarios whose name matches one of these globs
Environment: BUILD (default build) holds sprout.efi, sprout.elf and guests/.
  QEMU_ACCEL (default tcg; e.g. tcg,thread=single) and QEMU_LOG (QEMU -d items,
  default cpu_reset; e.g. cpu_reset,int) for chasing emulator-level failures.
  QEMU_THREADS=1: sample the CPU time of each QEMU vCPU thread every 50 ms into
  threads.log (ms since start, lines of e9.log, then ms of CPU time per
  "CPU n/TCG" thread): tells a host that did not run a thread from one that ran it.
EOF
	exit 2
}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
here=tests/integration
BUILD=${BUILD:-build}

scenario_file=$here/scenarios
jobs=$(nproc 2>/dev/null || echo 1)
[ "$jobs" -le 2 ] || jobs=2
list_only=0
verbose=0
while getopts "f:j:lvh" opt; do
	case $opt in
	f) scenario_file=$OPTARG ;;
	j) jobs=$OPTARG ;;
	l) list_only=1 ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
globs=("$@")

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
OVMF_BOCHS=/usr/share/ovmf/OVMF.fd # the 2 MiB unified image: Bochs maps one ROM

# Markers from the hypervisor's output contract and from the firmware/emulators.
CRASH_MARK='*** SPROUT CRASH ***'
PANIC_MARK='*** SPROUT PANIC ***'
HALT_MARK='*** CPU halted ***'
POWEROFF_FAILED='sprout: power-off failed'
OVMF_EXC='!!!! X64 Exception'
BOCHS_EXIT='Bochs is exiting with the following message:'
BOCHS_POWEROFF='ACPI control: soft power off'
SHUTDOWN_RE='sprout: shutdown \(status (-?[0-9]+)\)'

# ---- scenario file ----

# Split one scenario line into words, honouring '...' and "..." quoting (xargs does
# the quoting, so nothing in the file is ever executed).
split_words() {
	printf '%s\n' "$1" | xargs printf '%s\0'
}

names=()
lines=()
all_names=()
while IFS= read -r line || [ -n "$line" ]; do
	[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
	line=${line#"${line%%[![:space:]]*}"}
	name=${line%%[[:space:]]*}
	if [[ ! $name =~ ^[A-Za-z0-9._-]+$ ]] || [[ " ${all_names[*]} " == *" $name "* ]]; then
		echo "integration: $scenario_file: bad or duplicate scenario name '$name'" >&2
		exit 2
	fi
	all_names+=("$name")
	if [ ${#globs[@]} -gt 0 ]; then
		match=0
		for g in "${globs[@]}"; do
			# shellcheck disable=SC2053
			[[ $name == $g ]] && match=1
		done
		[ $match -eq 1 ] || continue
	fi
	names+=("$name")
	lines+=("$line")
done <"$scenario_file"

if [ ${#names[@]} -eq 0 ]; then
	echo "integration: no scenario selected from $scenario_file" >&2
	exit 2
fi
if [ $list_only -eq 1 ]; then
	printf '%s\n' "${names[@]}"
	exit 0
fi

# ---- one scenario ----

# Parse "kind,key=val,..." into KIND, EMU, IMAGE and the options; BOOT_ERR on failure.
parse_boot() {
	local opt
	IFS=, read -r -a opts <<<"$1"
	KIND=${opts[0]}
	SMP=2 MEM=512 IPS=20000000 CPU='' CLI='' SCREEN=0 ACCEL=${QEMU_ACCEL:-tcg}
	for opt in "${opts[@]:1}"; do
		case $opt in
		smp=*) SMP=${opt#smp=} ;;
		mem=*) MEM=${opt#mem=} ;;
		ips=*) IPS=${opt#ips=} ;;
		cpu=*) CPU=${opt#cpu=} ;;
		accel=single) [ -n "${QEMU_ACCEL:-}" ] || ACCEL=tcg,thread=single ;;
		screen) SCREEN=1 ;;
		cli=*)
			CLI=$here/cli/${opt#cli=}.txt
			if [[ ! ${opt#cli=} =~ ^[A-Za-z0-9._-]+$ ]] || [ ! -f "$CLI" ]; then
				BOOT_ERR="no CLI script $CLI" && return 1
			fi
			;;
		*) BOOT_ERR="unknown boot option '$opt'" && return 1 ;;
		esac
	done
	case $KIND in
	qemu-usb-ovmf | qemu-iso-bios | qemu-iso-ovmf) EMU=qemu ;;
	bochs-iso-vmx | bochs-iso-svm | bochs-esp-ovmf-vmx | bochs-esp-ovmf-svm) EMU=bochs ;;
	*) BOOT_ERR="unknown boot kind '$KIND'" && return 1 ;;
	esac
	if [ "$SCREEN" = 1 ] && [[ $KIND != qemu-*-ovmf ]]; then
		BOOT_ERR="option 'screen' needs a qemu-*-ovmf boot" && return 1
	fi
	case $KIND in
	*-usb-*) IMAGE=usb ;;
	*-iso-*) IMAGE=iso ;;
	*-esp-*) IMAGE=esp ;;
	esac
	if [ -z "$CPU" ]; then
		case $KIND in
		qemu-*) CPU=qemu64,+svm,+npt ;;
		*-vmx) CPU=corei7_skylake_x ;;
		*-svm) CPU=ryzen ;;
		esac
	fi
	return 0
}

build_image() { # dir config
	local d=$1 config=$2
	case $IMAGE in
	usb) tools/mkusb.sh "$config" "$d/sprout-usb.img" "$BUILD" ;;
	iso) tools/mkiso.sh "$config" "$d/sprout.iso" "$BUILD" ;;
	esp) tools/mkesp.sh "$config" "$d/esp" "$BUILD" ;;
	esac
}

# Fill CMD with the emulator command line for the scenario in dir d.
make_cmd() {
	local d=$1 template
	if [ "$EMU" = qemu ]; then
		# shellcheck disable=SC2054 # commas belong to QEMU option values
		CMD=(qemu-system-x86_64 -nodefaults -accel "$ACCEL" -display none -no-reboot
			-cpu "$CPU" -smp "$SMP" -m "${MEM}M"
			-debugcon "file:$d/e9.log"
			-device isa-debug-exit,iobase=0xf4,iosize=0x04
			-d "${QEMU_LOG:-cpu_reset}" -D "$d/qemu.log")
		[ "${QEMU_THREADS:-0}" != 1 ] || CMD+=(-name debug-threads=on)
		if [ "$SCREEN" = 1 ]; then
			# A display and a PS/2 keyboard, no serial port: typing goes
			# through the monitor's sendkey, the screen out through screendump.
			free_port >"$d/monitor.port"
			CMD+=(-device VGA -serial none
				-monitor "tcp:127.0.0.1:$(cat "$d/monitor.port"),server=on,wait=off")
		elif [ -n "$CLI" ]; then
			# COM1 both ways: QEMU reads com1.in and writes com1.out (FIFOs).
			mkfifo "$d/com1.in" "$d/com1.out"
			CMD+=(-serial "pipe:$d/com1")
		else
			CMD+=(-serial "file:$d/com1.log")
		fi
		case $KIND in
		qemu-usb-ovmf | qemu-iso-ovmf)
			cp "$OVMF_VARS" "$d/vars.fd"
			CMD+=(-M q35
				-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
				-drive "if=pflash,format=raw,file=$d/vars.fd") ;;
		*) CMD+=(-M pc) ;;
		esac
		case $IMAGE in
		usb) CMD+=(-drive "format=raw,file=$d/sprout-usb.img,if=virtio") ;;
		iso) CMD+=(-cdrom "$d/sprout.iso") ;;
		esac
		return
	fi
	case $IMAGE in
	iso) template=$here/bochsrc-iso.in ;;
	esp) template=$here/bochsrc-esp-ovmf.in ;;
	esac
	sed -e "s|@MEGS@|$MEM|g" -e "s|@MODEL@|$CPU|g" -e "s|@COUNT@|$SMP|g" \
		-e "s|@IPS@|$IPS|g" -e "s|@ISO@|$d/sprout.iso|g" -e "s|@ESP@|$d/esp|g" \
		-e "s|@OVMF@|$OVMF_BOCHS|g" -e "s|@COM1@|$d/com1.log|g" \
		-e "s|@LOG@|$d/bochs.log|g" -e "s|@DISPLAY@|term|g" "$template" >"$d/bochsrc"
	if [ -n "$CLI" ]; then
		# COM1 as a TCP server: Bochs waits (before the BIOS runs) until the
		# feeder connects; the feeder copies what arrives to com1.log.
		free_port >"$d/com1.port"
		sed -i "s|^com1:.*|com1: enabled=1, mode=socket-server, dev=localhost:$(cat "$d/com1.port")|" \
			"$d/bochsrc"
	fi
	CMD=(bochs -q -f "$d/bochsrc" -rc "$here/bochs-cont.rc")
}

# A TCP port on 127.0.0.1 nobody listens on (for Bochs's COM1 server, QEMU's
# monitor). Below the kernel's ephemeral range: a port there may be the local end
# of some outgoing connection, which nobody answers on but which makes the
# emulator's bind() fail (seen once in a soak: "com1: bind() or listen() failed").
free_port() {
	local p i lo=32768 rest
	read -r lo rest </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for i in {1..50}; do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "$p"
}

# ---- typing on COM1 (scenario option cli=FILE) ----

PROMPT='sprout> '

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

prompts() { # dir -> how many broker prompts the 0xE9 log holds so far
	grep -aoF -- "$PROMPT" "$1/e9.log" 2>/dev/null | wc -l
}

emu_alive() { # dir
	[ -s "$1/emu.pid" ] && kill -0 "$(cat "$1/emu.pid")" 2>/dev/null
}

# Sleep n seconds (fractions allowed) while the emulator runs; false once it is gone.
sleep_alive() { # dir seconds
	local end=$(($(now_ms) + $(awk -v s="$2" 'BEGIN { printf "%d", s * 1000 }')))
	while [ "$(now_ms)" -lt "$end" ]; do
		emu_alive "$1" || return 1
		sleep 0.1
	done
	return 0
}

# Wait until cond (a command taking dir) holds; false on timeout or when the emulator ended.
wait_for() { # dir seconds cond [args...]
	local d=$1 end=$(($(now_ms) + $2 * 1000))
	shift 2
	while ! "$@"; do
		emu_alive "$d" || return 1
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
more_prompts() { # dir than
	[ "$(prompts "$1")" -gt "$2" ]
}
log_matches() { # dir from-line regex
	tail -n +"$2" "$1/e9.log" 2>/dev/null | tr -d '\r' | grep -qaE -- "$3"
}

# QEMU_THREADS=1: every 50 ms, the CPU time (utime + stime, ms) of each vCPU thread
# of the QEMU under the `timeout` in DIR/emu.pid, with the e9.log line count, into
# DIR/threads.log, until the run (PID) ends.
thread_trace() { # dir pid
	local d=$1 run=$2 q='' tick t0 i
	tick=$(getconf CLK_TCK)
	t0=$(now_ms)
	for ((i = 0; i < 100; i++)); do
		q=$(pgrep -P "$(cat "$d/emu.pid" 2>/dev/null || echo 1)" qemu-system 2>/dev/null | head -n 1)
		[ -z "$q" ] || break
		sleep 0.05
	done
	[ -n "$q" ] || return 0
	local f name line rest out
	local -a st
	while kill -0 "$run" 2>/dev/null && [ -d "/proc/$q" ]; do
		# Shell builtins only: a sample costs no fork but wc.
		out="$(($(now_ms) - t0)) $(wc -l <"$d/e9.log" 2>/dev/null || echo 0)"
		for f in /proc/"$q"/task/*; do
			read -r name <"$f/comm" 2>/dev/null || continue
			[[ $name == CPU*/TCG ]] || continue
			read -r line <"$f/stat" 2>/dev/null || continue
			rest=${line##*) }
			read -r -a st <<<"$rest"
			# utime and stime: fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
			name=${name#CPU }
			out+=" cpu${name%%/*}=$(((st[11] + st[12]) * 1000 / tick))"
		done
		echo "$out" >>"$d/threads.log"
		sleep 0.05
	done
}

# Option screen: QEMU's sendkey name of a character (the US layout), on the monitor.
key_name() { # char
	case $1 in
	[a-z0-9]) echo "$1" ;;
	[A-Z]) echo "shift-${1,,}" ;;
	' ') echo spc ;;
	-) echo minus ;;
	_) echo shift-minus ;;
	=) echo equal ;;
	.) echo dot ;;
	,) echo comma ;;
	/) echo slash ;;
	*) echo "unsupported-key" ;;
	esac
}
send_key() { # name
	printf 'sendkey %s\n' "$1" >&3
	sleep 0.15
}

# Option screen: `@screen NAME [REGEX]` saves the screen as NAME.ppm and its text as
# NAME.txt. With REGEX, the shot is taken again (for up to the line timeout) until a
# line of its text matches: the serial log that a script waits on runs ahead of the
# drawing, which takes longer on a busy host.
screen_shot() { # name [regex]
	local f=$d/$1.ppm i re=${2:-} end
	[[ $1 =~ ^[A-Za-z0-9_-]+$ ]] || { note "bad screenshot name '$1'" && return; }
	end=$(($(now_ms) + per * 1000))
	while :; do
		note "screendump $1"
		rm -f "$f"
		printf 'screendump %s\n' "$f" >&3
		# QEMU writes the file in one go from the monitor; wait until its size holds.
		for ((i = 0; i < 100; i++)); do
			sleep 0.2
			[ -s "$f" ] && [ "$(stat -c %s "$f")" = "$(sleep 0.2; stat -c %s "$f")" ] && break
		done
		python3 tools/screen.py "$f" >"$d/$1.txt" 2>>"$d/cli.log" || note "cannot read $1.ppm"
		[ -n "$re" ] || return 0
		grep -qaE -- "$re" "$d/$1.txt" && return 0
		if [ "$(now_ms)" -ge "$end" ]; then
			note "timeout (${per}s) waiting for /$re/ on the screen"
			return 0
		fi
		sleep 0.5
	done
}

# The feeder: types the lines of a CLI script into COM1, each after the broker's
# prompt, and notes what it did in cli.log. Lines: text to type; `# ...` comments;
# `@sleep N` pause N seconds; `@wait REGEX` wait until a line matching REGEX appears
# in the 0xE9 log after the point where the last command was typed; `@seen REGEX`
# the same, anywhere in the log; `@timeout N` per-line timeout from here on
# (default 30 s, Bochs 90 s); `@type TEXT` type TEXT and Enter without waiting for
# a prompt (the console is attached to a VM: sync with @wait); `@paste TEXT` the
# same in one write, as a paste would; `@escape` type Ctrl-] (the console's escape
# key) and wait for the prompt; `@enter` type Enter alone and wait for the prompt;
# `@screen NAME [REGEX]` (option screen) save the screen as NAME.ppm and its text as
# NAME.txt, again until a line matches REGEX when given. With option screen, typing goes to the PS/2 keyboard through QEMU's monitor.
cli_feed() { # dir script first-timeout
	local d=$1 script=$2 first=$3 t0 line n per i re from mark=1
	t0=$(now_ms)
	note() {
		printf '%7.1fs %s\n' "$(awk -v t="$(($(now_ms) - t0))" 'BEGIN { print t / 1000 }')" "$*"
	}
	per=30
	# Open fd 3 to the emulator's TCP server on port $1 (it may not listen yet),
	# copy what it sends to $3; false when it never answers.
	connect() { # port what copy-to
		for ((i = 0; i < 200; i++)); do
			{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && break
			emu_alive "$d" || return 1
			sleep 0.1
		done
		[ $i -lt 200 ] || { note "could not connect to $2 on port $1" && return 1; }
		note "connected to $2 on port $1"
		cat <&3 >"$3" &
	}
	if [ "$SCREEN" = 1 ]; then
		connect "$(cat "$d/monitor.port")" "QEMU's monitor" "$d/monitor.log" || return 0
	elif [ "$EMU" = qemu ]; then
		exec 3<>"$d/com1.in"
	else
		per=90
		connect "$(cat "$d/com1.port")" "Bochs's COM1" "$d/com1.log" || return 0
	fi
	note "waiting for the prompt"
	if ! wait_for "$d" "$first" more_prompts "$d" 0; then
		note "no prompt; giving up"
		return 0
	fi
	type_line() { # text: 16 bytes at a time (the hypervisor's buffer for the broker holds 64)
		mark=$(($(wc -l <"$d/e9.log") + 1))
		note "type: $1"
		if [ "$SCREEN" = 1 ]; then
			for ((i = 0; i < ${#1}; i++)); do
				send_key "$(key_name "${1:i:1}")"
			done
			send_key ret
			return
		fi
		for ((i = 0; i < ${#1}; i += 16)); do
			printf '%s' "${1:i:16}" >&3
			sleep 0.05
		done
		printf '\r' >&3
	}
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		case $line in
		'@type '*)
			type_line "${line#@type }"
			continue
			;;
		'@paste '*)
			if [ "$SCREEN" = 1 ]; then
				type_line "${line#@paste }"
				continue
			fi
			mark=$(($(wc -l <"$d/e9.log") + 1))
			note "paste: ${line#@paste }"
			printf '%s\r' "${line#@paste }" >&3
			continue
			;;
		'@escape')
			n=$(prompts "$d")
			mark=$(($(wc -l <"$d/e9.log") + 1))
			note "type: Ctrl-]"
			if [ "$SCREEN" = 1 ]; then
				send_key ctrl-bracket_right
			else
				printf '\035' >&3
			fi
			wait_for "$d" "$per" more_prompts "$d" "$n" ||
				note "timeout (${per}s) waiting for the prompt after Ctrl-]"
			continue
			;;
		'@sleep '*)
			note "sleep ${line#@sleep }"
			sleep_alive "$d" "${line#@sleep }" || break
			continue
			;;
		'@timeout '*)
			per=${line#@timeout }
			continue
			;;
		'@enter')
			# A fresh prompt after output that came in after the last one.
			n=$(prompts "$d")
			type_line ""
			wait_for "$d" "$per" more_prompts "$d" "$n" ||
				note "timeout (${per}s) waiting for the prompt after Enter"
			continue
			;;
		'@screen '*)
			n=${line#@screen }
			if [[ $n == *' '* ]]; then
				screen_shot "${n%% *}" "${n#* }"
			else
				screen_shot "$n"
			fi
			continue
			;;
		'@wait '* | '@seen '*)
			re=${line#@* }
			from=$mark
			[[ $line == @seen* ]] && from=1
			note "wait for /$re/"
			wait_for "$d" "$per" log_matches "$d" "$from" "$re" ||
				note "timeout (${per}s) waiting for /$re/"
			continue
			;;
		esac
		n=$(prompts "$d")
		type_line "$line"
		if ! wait_for "$d" "$per" more_prompts "$d" "$n"; then
			emu_alive "$d" || break
			note "timeout (${per}s) waiting for the prompt after '$line'"
		fi
	done <"$script"
	note "end of script"
	# Bochs: keep copying COM1 until the machine is off.
	while emu_alive "$d"; do
		sleep 0.2
	done
	exec 3>&-
	wait
}

has() { # file fixed-string
	[ -f "$1" ] && grep -qaF -- "$2" "$1"
}

has_crash() { # file: a crash report or a panic
	has "$1" "$CRASH_MARK" || has "$1" "$PANIC_MARK"
}

# Start the emulator under `timeout` and watch its logs: after a crash report (or a
# firmware exception, or a failed power-off) the machine halts for good, so stop it
# then instead of waiting for the timeout. Sets RC, STOPPED (why we stopped it) and ELAPSED.
run_emulator() { # dir timeout
	local d=$1 t=$2 pid start mark_at=0 now drain='' feeder='' i n
	STOPPED=
	start=$(date +%s%N)
	# QEMU opens the FIFOs with O_RDWR; until it does, cat waits in open().
	if [ "$EMU" = qemu ] && [ -n "$CLI" ] && [ "$SCREEN" = 0 ]; then
		cat "$d/com1.out" >"$d/com1.log" &
		drain=$!
	fi
	# The subshell reaps the emulator, so a crash of the emulator itself (Bochs can
	# segfault on exit with count=2) is noted in emu.status, not on our terminal.
	(
		if [ "$EMU" = qemu ]; then
			timeout -s HUP -k 5 "$t" "${CMD[@]}" </dev/null >"$d/qemu.out" 2>&1 &
		else
			# Bochs: port 0xE9 goes to stdout; it needs TERM but no terminal; it ignores SIGTERM.
			TERM=dumb timeout -s HUP -k 5 "$t" "${CMD[@]}" </dev/null >"$d/e9.log" 2>"$d/bochs.err" &
		fi
		echo $! >"$d/emu.pid"
		wait $!
	) 2>"$d/emu.status" &
	pid=$!
	while [ ! -s "$d/emu.pid" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
	done
	if [ -n "$CLI" ]; then
		cli_feed "$d" "$CLI" "$t" >"$d/cli.log" 2>&1 &
		feeder=$!
	fi
	[ "$EMU" != qemu ] || [ "${QEMU_THREADS:-0}" != 1 ] || thread_trace "$d" "$pid" &
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$STOPPED" ]; then
			if has_crash "$d/e9.log"; then
				STOPPED=crash
			elif has "$d/com1.log" "$OVMF_EXC"; then
				STOPPED=firmware
			elif has "$d/e9.log" "$POWEROFF_FAILED"; then
				STOPPED=poweroff
			fi
			[ -z "$STOPPED" ] || mark_at=$SECONDS
		fi
		# Give the dump a moment to finish (up to 3 s), then end the run.
		if [ -n "$STOPPED" ]; then
			if has "$d/e9.log" "$HALT_MARK" || [ $((SECONDS - mark_at)) -ge 3 ]; then
				[ "$STOPPED" != crash ] || sleep 0.3
				kill -HUP "$(cat "$d/emu.pid")" 2>/dev/null || true
				break
			fi
		fi
		sleep 0.2
	done
	RC=0
	wait "$pid" || RC=$?
	now=$(date +%s%N)
	ELAPSED=$(((now - start) / 1000000))
	# The feeder and the COM1 copy end with the emulator; stop them if they hang.
	for i in $feeder $drain; do
		for ((n = 0; n < 20; n++)); do
			kill -0 "$i" 2>/dev/null || break
			sleep 0.1
		done
		kill "$i" 2>/dev/null || true
		{ wait "$i"; } 2>/dev/null || true
	done
}

# Record one check in $VERDICT; the first failure becomes REASON.
fail() {
	echo "FAIL $*" >>"$VERDICT"
	[ -n "$REASON" ] || REASON=$*
}
ok() {
	echo "ok   $*" >>"$VERDICT"
}

# Read the logs of a finished run and decide. Writes every check to dir/verdict.txt;
# sets REASON to the first failure ("" when the scenario passed).
judge() { # dir exit-kind checks...
	local d=$1 want=$2 log msg status code after=0 n re
	shift 2
	log=$d/e9.txt
	tr -d '\r' <"$d/e9.log" >"$log" 2>/dev/null || : >"$log"
	REASON=
	VERDICT=$d/verdict.txt
	: >"$VERDICT"
	echo "emulator exit code $RC, stopped by harness: ${STOPPED:-no}" >>"$d/verdict.txt"

	# What went wrong at the machine level comes first: it explains everything else.
	if has_crash "$log"; then
		if [ "$want" = crash ]; then
			ok "crash report"
		else
			msg=$(grep -aA1 -F -e "$CRASH_MARK" -e "$PANIC_MARK" "$log" | sed -n 2p |
				sed "s/^error: //" | cut -c1-80)
			fail "crash: $msg"
		fi
	elif [ "$want" = crash ]; then
		if [ -z "$STOPPED" ] && { [ "$RC" = 124 ] || [ "$RC" = 137 ]; }; then
			fail "timeout (no crash report)"
		else
			fail "no crash report"
		fi
	fi
	if has "$d/com1.log" "$OVMF_EXC"; then
		fail "firmware exception: $(tr -d '\r' <"$d/com1.log" | grep -aF -m1 -- "$OVMF_EXC" | cut -c1-80)"
	fi
	if [ "$EMU" = bochs ] && has "$d/bochs.err" "$BOCHS_EXIT"; then
		msg=$(grep -aA1 -F -- "$BOCHS_EXIT" "$d/bochs.err" | sed -n 2p)
		case $msg in
		*"$BOCHS_POWEROFF"*) ok "bochs: $msg" ;;
		*"Received SIGHUP"*) ok "bochs: stopped (by the harness or the timeout)" ;;
		*) fail "bochs panic: $msg" ;;
		esac
	fi
	if [ "$EMU" = qemu ] && has "$d/qemu.log" "Triple fault"; then
		fail "triple fault (host)"
	fi
	# Above 128 is a signal, unless it is Sprout's status at port 0xf4 ((s << 1) | 1).
	status=$(grep -aoE -- "$SHUTDOWN_RE" "$log" | tail -1 | grep -oE -- '-?[0-9]+' || true)
	if [ "$EMU" = qemu ] && [ -z "$STOPPED" ] && [ "$RC" -gt 128 ] && [ "$RC" != 137 ] &&
		{ [ -z "$status" ] || [ "$RC" != $((((status << 1) | 1) & 255)) ]; }; then
		fail "QEMU died (exit code $RC): $(tail -n 1 "$d/qemu.out" | cut -c1-80)"
	fi
	[ "$STOPPED" != poweroff ] || fail "power-off failed (ACPI S5 did not take)"
	if [ -z "$STOPPED" ] && { [ "$RC" = 124 ] || [ "$RC" = 137 ]; }; then
		fail "timeout"
	fi

	# Patterns: REGEX must appear; >REGEX must appear after the previous match;
	# !REGEX must not appear; =SHOT:REGEX must appear in screenshot SHOT's text.
	# Extended regexes, matched line by line.
	for re in "$@"; do
		case $re in
		'='*:*)
			n=${re#=}
			if grep -qaE -- "${n#*:}" "$d/${n%%:*}.txt" 2>/dev/null; then
				ok "screen ${n%%:*}: '${n#*:}'"
			else
				fail "screen ${n%%:*}: missing '${n#*:}'"
			fi
			;;
		'!'*)
			if grep -qaE -- "${re#!}" "$log"; then
				fail "forbidden pattern '${re#!}'"
			else
				ok "absent '${re#!}'"
			fi
			;;
		'>'*)
			n=$(tail -n +$((after + 1)) "$log" | grep -naE -m1 -- "${re#>}" | cut -d: -f1)
			if [ -n "$n" ]; then
				after=$((after + n))
				ok "line $after: '${re#>}'"
			else
				fail "missing pattern '${re#>}' (after line $after)"
			fi
			;;
		*)
			n=$(grep -naE -m1 -- "$re" "$log" | cut -d: -f1)
			if [ -n "$n" ]; then
				after=$n
				ok "line $n: '$re'"
			else
				fail "missing pattern '$re'"
			fi
			;;
		esac
	done

	# How the machine ended.
	[ "$want" != crash ] || return 0
	status=$(grep -aoE -- "$SHUTDOWN_RE" "$log" | tail -1 | grep -oE -- '-?[0-9]+' || true)
	if [ -z "$status" ]; then
		fail "no 'sprout: shutdown' line"
		return 0
	fi
	ok "shutdown line, status $status"
	if [ "$EMU" = bochs ]; then
		has "$d/bochs.err" "$BOCHS_POWEROFF" || fail "no ACPI power-off (bochs)"
	elif [ "$RC" != 0 ] && [ $((RC & 1)) = 0 ]; then
		fail "QEMU exit code $RC"
	fi
	case $want in
	shutdown) ;;
	status=*)
		code=${want#status=}
		[ "$status" = "$code" ] || fail "wrong exit status $status (want $code)"
		if [ "$EMU" = qemu ] && [ "$RC" != $(((code << 1) | 1)) ]; then
			if [ $((RC & 1)) = 1 ]; then
				fail "wrong exit status $((RC >> 1)) at port 0xf4 (want $code)"
			else
				fail "no exit status at port 0xf4 (QEMU exit code $RC)"
			fi
		fi
		;;
	*) fail "unknown exit kind '$want'" ;;
	esac
	return 0
}

run_scenario() { # index
	local words name boot config t want d secs
	mapfile -d '' words < <(split_words "${lines[$1]}")
	name=${words[0]}
	d=$BUILD/test/$name
	rm -rf "$d"
	mkdir -p "$d"
	result() {
		echo "$*" >"$d/result"
	}
	if [ ${#words[@]} -lt 5 ]; then
		result "FAIL $name: bad scenario line (want: name boot config timeout exit [checks...])"
		return
	fi
	boot=${words[1]} config=${words[2]} t=${words[3]} want=${words[4]}
	if ! parse_boot "$boot"; then
		result "FAIL $name: $BOOT_ERR"
		return
	fi
	if ! build_image "$d" "$config" >"$d/image.log" 2>&1; then
		result "FAIL $name: image build failed: $(tail -1 "$d/image.log") (see $d/image.log)"
		return
	fi
	make_cmd "$d"
	printf '%q ' "${CMD[@]}" >"$d/cmdline"
	echo >>"$d/cmdline"
	run_emulator "$d" "$t"
	judge "$d" "$want" "${words[@]:5}"
	secs=$(printf '%d.%d' $((ELAPSED / 1000)) $((ELAPSED % 1000 / 100)))
	if [ -z "$REASON" ]; then
		result "PASS $name (${secs}s)"
	else
		result "FAIL $name: $REASON (${secs}s, see $d/e9.log)"
	fi
}

print_result() { # index
	local d=$BUILD/test/${names[$1]}
	local line
	line=$(cat "$d/result" 2>/dev/null || echo "FAIL ${names[$1]}: harness error")
	echo "$line"
	case $line in
	PASS*) passed=$((passed + 1)) ;;
	*)
		failed=$((failed + 1))
		# The hypervisor's own error lines say why in most failures; show them always.
		if [ -s "$d/e9.log" ]; then
			tr -d '\r' <"$d/e9.log" | grep -aE 'stopped: |^error: |SPROUT CRASH|vector [0-9]+|machine status' |
				tail -n 8 | sed 's/^/  | /' || true
		fi
		if [ $verbose -eq 1 ]; then
			for f in e9.log com1.log bochs.err verdict.txt; do
				[ -s "$d/$f" ] || continue
				echo "  --- $d/$f (last 15 lines)"
				tail -n 15 "$d/$f" | tr -d '\r' | sed 's/^/  | /'
			done
		fi
		;;
	esac
}

# ---- run them, up to $jobs at once, printing each result as it finishes ----

passed=0 failed=0
declare -A running=()

# Background jobs ignore Ctrl-C: stop the emulators of running scenarios ourselves.
interrupted() {
	local i
	trap - INT TERM
	for i in "${running[@]}"; do
		[ -s "$BUILD/test/${names[$i]}/emu.pid" ] &&
			kill -HUP "$(cat "$BUILD/test/${names[$i]}/emu.pid")" 2>/dev/null
	done
	wait
	echo "integration: interrupted"
	exit 130
}
trap interrupted INT TERM
for i in "${!names[@]}"; do
	while [ ${#running[@]} -ge "$jobs" ]; do
		wait -n -p done_pid "${!running[@]}" || true
		print_result "${running[$done_pid]}"
		unset "running[$done_pid]"
	done
	run_scenario "$i" &
	running[$!]=$i
done
while [ ${#running[@]} -gt 0 ]; do
	wait -n -p done_pid "${!running[@]}" || true
	print_result "${running[$done_pid]}"
	unset "running[$done_pid]"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
