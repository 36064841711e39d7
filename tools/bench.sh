#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: Sprout's benchmarks, all measured in this one invocation so that every
# ratio compares runs made back to back on the same (noisy) machine. Prints each figure
# as a `name: value` line, then ratios, then a summary block. docs/bench.md explains
# every figure, how it is measured and its target.
#
#   tools/bench.sh [PART...]     PART: svm-qemu bochs memory vcpu linux linux-hotplug
#                                      footprint
#                                (default: all, in order)
#
# Environment: BUILD (default build) holds sprout.elf and guests/; results and logs go
# to $BUILD/bench/. BENCH_ROUNDS (3) rounds for the QEMU figures, BENCH_JOBS (2) Bochs
# runs at once. Exit status 1 only when the reference part (svm-qemu) has no figures.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
OUT=$BUILD/bench
CONFIGS=bench/configs
ROUNDS=${BENCH_ROUNDS:-3}
JOBS=${BENCH_JOBS:-2}
ALL_PARTS="svm-qemu bochs memory vcpu linux linux-hotplug footprint"

# The emulators as the integration harness (tests/integration/run.sh) starts them,
# with one host CPU: every benchmark VM has one vCPU, and a second CPU only adds noise.
QEMU_CPU=qemu64,+svm,+npt
QEMU_TIMEOUT=180
BOCHS_TIMEOUT=400
BOCHS_TEMPLATE=tests/integration/bochsrc-iso.in
BOCHS_RC=tests/integration/bochs-cont.rc

CRASH_MARK='*** SPROUT CRASH ***'
POWEROFF_FAILED='sprout: power-off failed'
BOCHS_EXIT='Bochs is exiting with the following message:'
SIEVE_PRIMES=148933 # primes up to 2,000,000: a sieve run with another count is wrong

SUMMARY=()
STATUS=0

say() {
	printf '%s\n' "$*"
}

summary() { # part text
	SUMMARY+=("$(printf '%-10s %s' "$1" "$2")")
}

# ---- arithmetic on lists of integers ----

median() { # numbers... (the mean of the two middle ones for an even count)
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

median2() { # numbers... -> the median with two decimals
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

minimum() { # numbers...
	printf '%s\n' "$@" | sort -n | head -n 1
}

ratio() { # a b -> a/b with two decimals
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'
}

# "met" when value <= limit, else "MISSED".
target() { # value limit
	awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "met" : "MISSED" }'
}

# ---- logs ----

has() { # file fixed-string
	[ -f "$1" ] && grep -qaF -- "$2" "$1"
}

# The last number N of a `key=N` in the file (the guests print `bench: key=N`).
val() { # file key
	grep -aoE "(^|[^A-Za-z0-9_])$2=[0-9]+" "$1" 2>/dev/null | tail -n 1 | sed 's/.*=//'
}

# The last number N or N.NN of a `key=N` in the file.
dval() { # file key
	grep -aoE "(^|[^A-Za-z0-9_])$2=[0-9]+(\.[0-9]+)?" "$1" 2>/dev/null | tail -n 1 | sed 's/.*=//'
}

# One field of the hypervisor's `vm NAME: figures: ...` line at VM stop.
figure() { # file vm field-regex (e.g. 'faults 4K')
	grep -a "vm $2: figures:" "$1" 2>/dev/null | tail -n 1 |
		sed -nE "s/.*[ ,:]$3 ([0-9]+).*/\1/p"
}

seconds() { # milliseconds -> "12.3 s"
	printf '%d.%d s' $(($1 / 1000)) $(($1 % 1000 / 100))
}

# ---- images and emulators ----

# Build the GRUB ISO of bench/configs/NAME.cfg once per invocation; fails with the reason.
iso() { # name
	local iso=$OUT/iso/$1.iso
	if [ ! -f "$iso" ]; then
		mkdir -p "$OUT/iso"
		if ! tools/mkiso.sh "$CONFIGS/$1.cfg" "$iso" "$BUILD" >"$OUT/iso/$1.log" 2>&1; then
			rm -f "$iso"
			echo "image build failed: $(tail -n 1 "$OUT/iso/$1.log")"
			return 1
		fi
	fi
	echo "$iso"
}

# Run one emulator under `timeout` (Bochs needs TERM but no terminal and ignores
# SIGTERM, hence HUP), stdout to FILE. Sprout halts for good after a crash report or a
# failed power-off: stop the machine then instead of waiting for the timeout.
# Writes "exit-code milliseconds" to DIR/status.
run_emu() { # dir timeout stdout-file cmd...
	local d=$1 t=$2 out=$3 pid start stop_at=
	shift 3
	start=$(date +%s%N)
	TERM=dumb timeout -s HUP -k 5 "$t" "$@" </dev/null >"$out" 2>"$d/stderr" &
	pid=$!
	echo "$pid" >"$d/pid"
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$stop_at" ] && { has "$d/e9.log" "$CRASH_MARK" ||
			has "$d/e9.log" "$POWEROFF_FAILED"; }; then
			stop_at=$((SECONDS + 3)) # let the crash dump finish
		fi
		if [ -n "$stop_at" ] && [ "$SECONDS" -ge "$stop_at" ]; then
			kill -HUP "$pid" 2>/dev/null || true
		fi
		sleep 0.5
	done
	local rc=0
	wait "$pid" || rc=$?
	rm -f "$d/pid"
	echo "$rc $((($(date +%s%N) - start) / 1000000))" >"$d/status"
}

fresh_dir() { # dir
	rm -rf "$1"
	mkdir -p "$1"
}

# Boot ISO under QEMU TCG (SVM), SeaBIOS, port 0xE9 to DIR/e9.log; one CPU unless given.
# PREALLOC=1: QEMU allocates the machine's RAM up front (-mem-prealloc), so that the
# first write to a frame does not also pay a page fault of the host's kernel in the
# QEMU process, which real hardware does not have (the fault costs).
qemu_iso() { # dir iso host-mib [cpus]
	fresh_dir "$1"
	run_emu "$1" "$QEMU_TIMEOUT" "$1/qemu.out" qemu-system-x86_64 -nodefaults -accel tcg \
		-display none -no-reboot -cpu "$QEMU_CPU" -smp "${4:-1}" -m "$3M" -M pc \
		${PREALLOC:+-mem-prealloc} \
		-serial "file:$1/com1.log" -debugcon "file:$1/e9.log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -d cpu_reset -D "$1/qemu.log" \
		-cdrom "$2"
}

# qemu_iso with the 0xE9 log stamped line by line with the host's clock (tools/stamp.py):
# for events that no one clock inside the machine sees.
qemu_iso_stamped() { # dir iso host-mib cpus
	fresh_dir "$1"
	run_emu "$1" "$QEMU_TIMEOUT" >(python3 tools/stamp.py >"$1/e9.log") \
		qemu-system-x86_64 -nodefaults -accel tcg \
		-display none -no-reboot -cpu "$QEMU_CPU" -smp "$4" -m "$3M" -M pc \
		-serial "file:$1/com1.log" -debugcon stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -d cpu_reset -D "$1/qemu.log" \
		-cdrom "$2"
}

# Boot a PVH guest ELF directly on QEMU TCG, no Sprout: the same machine and CPU.
qemu_bare() { # dir elf guest-mib [cpus [cmdline]]
	fresh_dir "$1"
	run_emu "$1" "$QEMU_TIMEOUT" "$1/qemu.out" qemu-system-x86_64 -nodefaults -accel tcg \
		-display none -no-reboot -cpu "$QEMU_CPU" -smp "${4:-1}" -m "$3M" -M pc \
		-serial "file:$1/com1.log" -debugcon "file:$1/e9.log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -d cpu_reset -D "$1/qemu.log" \
		-kernel "$2" ${5:+-append "$5"}
}

# Boot ISO under Bochs with one CPU of MODEL; port 0xE9 is Bochs's stdout.
bochs_iso() { # dir iso model [cpus]
	local d=$1
	fresh_dir "$d"
	sed -e "s|@MEGS@|256|g" -e "s|@MODEL@|$3|g" -e "s|@COUNT@|${4:-1}|g" \
		-e "s|@IPS@|20000000|g" -e "s|@ISO@|$2|g" -e "s|@COM1@|$d/com1.log|g" \
		-e "s|@LOG@|$d/bochs.log|g" -e "s|@DISPLAY@|term|g" "$BOCHS_TEMPLATE" >"$d/bochsrc"
	run_emu "$d" "$BOCHS_TIMEOUT" "$d/e9.log" bochs -q -f "$d/bochsrc" -rc "$BOCHS_RC"
}

# Judge a Sprout run: WHY is empty when the machine shut down with status 0 (the test
# VM exited 0), else the reason. Also sets MS (wall time) and LOG (0xE9 log, no CRs).
sprout_verdict() { # dir
	local d=$1 rc status
	LOG=$d/e9.txt
	tr -d '\r' <"$d/e9.log" >"$LOG" 2>/dev/null || : >"$LOG"
	read -r rc MS <"$d/status" 2>/dev/null || rc='?' MS=0
	WHY=
	status=$(grep -aoE 'sprout: shutdown \(status -?[0-9]+\)' "$LOG" | tail -n 1 |
		grep -oE -- '-?[0-9]+' || true)
	if has "$LOG" "$CRASH_MARK"; then
		WHY="crash: $(grep -aA1 -F -- "$CRASH_MARK" "$LOG" | sed -n 2p | cut -c1-70)"
	elif [ -z "$status" ]; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			WHY="timeout after $(seconds "$MS")"
		elif has "$d/stderr" "$BOCHS_EXIT"; then
			WHY="bochs: $(grep -aA1 -F -- "$BOCHS_EXIT" "$d/stderr" | sed -n 2p | cut -c1-70)"
		else
			WHY="no 'sprout: shutdown' line (emulator exit code $rc)"
		fi
	elif [ "$status" != 0 ]; then
		WHY="machine status $status: $(grep -aE '^vm [^ ]+: (stopped|exited)' "$LOG" |
			head -n 1 | cut -c1-70)"
	fi
	[ -z "$WHY" ] || WHY="$WHY, see $d/"
}

# Judge a bare QEMU run of a guest: isa-debug-exit status 0 is QEMU exit code 1.
bare_verdict() { # dir
	local d=$1 rc
	LOG=$d/e9.txt
	tr -d '\r' <"$d/e9.log" >"$LOG" 2>/dev/null || : >"$LOG"
	read -r rc MS <"$d/status" 2>/dev/null || rc='?' MS=0
	WHY=
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		WHY="timeout after $(seconds "$MS")"
	elif [ "$rc" != 1 ] || ! has "$LOG" "guest: exit 0"; then
		WHY="guest did not exit 0 (QEMU exit code $rc)"
	fi
	[ -z "$WHY" ] || WHY="$WHY, see $d/"
}

# Read the bench guest's figures from LOG into CPUID HCALL PIO SIEVE; WHY on bad output.
bench_figures() {
	CPUID=$(val "$LOG" cpuid_cycles)
	HCALL=$(val "$LOG" hypercall_cycles)
	CPUID_LOOP=$(val "$LOG" cpuid_loop_cycles)
	HCALL_LOOP=$(val "$LOG" hypercall_loop_cycles)
	PIO=$(val "$LOG" pio_cycles)
	SIEVE=$(val "$LOG" sieve_cycles)
	if [ -z "$CPUID" ] || [ -z "$PIO" ] || [ -z "$SIEVE" ]; then
		WHY="bench figures missing, see $LOG"
	elif [ "$(val "$LOG" primes)" != "$SIEVE_PRIMES" ]; then
		WHY="sieve found $(val "$LOG" primes) primes, want $SIEVE_PRIMES: see $LOG"
	fi
}

# The bench guest's timer interrupt figures (guests/bench/timer.c), each optional: a
# guest prints `na` for what its CPU lacks (bare QEMU TCG: no x2APIC, no TSC deadline).
TIMER_KEYS="timer_latency_spin_cycles timer_latency_hlt_cycles timer_eoi_x2apic_cycles
	timer_eoi_xapic_cycles timer_irq_x2apic_cycles timer_irq_xapic_cycles
	timer_irq_x2apic_exits timer_irq_xapic_exits timer_arm_tscdl_cycles timer_arm_x2apic_cycles"

# The timer figures of one log on one line, for a run's report and run-to-run checks.
timer_brief() { # log
	local k v out=
	for k in $TIMER_KEYS; do
		v=$(dval "$1" "$k")
		[ -z "$v" ] || out="${out:+$out, }${k#timer_} $v"
	done
	echo "${out:-none}"
}

# How the summary names each timer figure, in its order.
TIMER_LABELS=("latency:timer_latency_spin_cycles" "latency in HLT:timer_latency_hlt_cycles"
	"eoi x2apic:timer_eoi_x2apic_cycles" "eoi xapic:timer_eoi_xapic_cycles"
	"end to end x2apic:timer_irq_x2apic_cycles" "end to end xapic:timer_irq_xapic_cycles"
	"exits per irq x2apic:timer_irq_x2apic_exits" "xapic:timer_irq_xapic_exits"
	"arm tsc-deadline:timer_arm_tscdl_cycles" "arm x2apic count:timer_arm_x2apic_cycles")

# Print "PREFIX key: median" for each timer figure the logs have; sets TIMER_SUMMARY.
timer_report() { # prefix log...
	local prefix=$1 k v l vals part
	local -A tv=()
	shift
	for k in $TIMER_KEYS; do
		vals=()
		for l in "$@"; do
			v=$(dval "$l" "$k")
			[ -z "$v" ] || vals+=("$v")
		done
		[ ${#vals[@]} -gt 0 ] || continue
		case $k in
		*_exits) v=$(median2 "${vals[@]}") ;;
		*) v=$(median "${vals[@]}") ;;
		esac
		tv[$k]=$v
		say "$prefix $k: $v"
	done
	TIMER_SUMMARY=
	for part in "${TIMER_LABELS[@]}"; do
		k=${part#*:}
		[ -z "${tv[$k]:-}" ] || TIMER_SUMMARY="${TIMER_SUMMARY:+$TIMER_SUMMARY, }${part%%:*} ${tv[$k]}"
	done
	[ -z "$TIMER_SUMMARY" ] || TIMER_SUMMARY="timer irq (cycles): $TIMER_SUMMARY"
}

# ---- 1. SVM under QEMU TCG: the bench guest under Sprout and bare, interleaved ----

bench_svm_qemu() {
	local iso r d s_cpuid=() s_hcall=() s_pio=() s_sieve=() b_cpuid=() b_pio=() b_sieve=()
	local sieve_s sieve_b s_logs=() b_logs=() s_timer
	say "== svm-qemu: bench.elf under Sprout (GRUB ISO) and bare (-kernel), QEMU TCG" \
		"-cpu $QEMU_CPU -M pc -smp 1, rounds: $ROUNDS, interleaved"
	if ! iso=$(iso bench); then
		say "svm-qemu: not available ($iso)"
		summary svm-qemu "not available ($iso)"
		STATUS=1
		return
	fi
	for r in $(seq 1 "$ROUNDS"); do
		d=$OUT/svm-qemu/sprout-$r
		qemu_iso "$d" "$iso" 512
		sprout_verdict "$d"
		[ -n "$WHY" ] || bench_figures
		if [ -n "$WHY" ]; then
			say "  round $r sprout: failed ($WHY)"
		else
			say "  round $r sprout: cpuid $CPUID, hypercall $HCALL, pio $PIO, sieve $SIEVE cycles ($(seconds "$MS"))"
			say "  round $r sprout timer: $(timer_brief "$LOG")"
			s_cpuid+=("$CPUID") s_hcall+=("$HCALL") s_pio+=("$PIO") s_sieve+=("$SIEVE")
			s_logs+=("$LOG")
		fi
		d=$OUT/svm-qemu/bare-$r
		qemu_bare "$d" "$BUILD/guests/bench.elf" 64
		bare_verdict "$d"
		[ -n "$WHY" ] || bench_figures
		if [ -n "$WHY" ]; then
			say "  round $r bare:   failed ($WHY)"
		else
			say "  round $r bare:   cpuid $CPUID, pio $PIO, sieve $SIEVE cycles ($(seconds "$MS"))"
			say "  round $r bare timer:   $(timer_brief "$LOG")"
			b_cpuid+=("$CPUID") b_pio+=("$PIO") b_sieve+=("$SIEVE")
			b_logs+=("$LOG")
		fi
	done
	if [ ${#s_sieve[@]} -eq 0 ]; then
		say "svm-qemu: not available (every Sprout run failed; last: $WHY)"
		summary svm-qemu "not available (every Sprout run failed)"
		STATUS=1
		return
	fi
	say "svm-qemu sprout cpuid_cycles: $(median "${s_cpuid[@]}")"
	say "svm-qemu sprout hypercall_cycles: $(median "${s_hcall[@]}")"
	say "svm-qemu sprout pio_cycles: $(median "${s_pio[@]}")"
	say "svm-qemu sprout sieve_cycles: $(median "${s_sieve[@]}")"
	timer_report "svm-qemu sprout" "${s_logs[@]}"
	s_timer=$TIMER_SUMMARY
	if [ ${#b_sieve[@]} -eq 0 ]; then
		say "svm-qemu bare: not available (every bare run failed; last: $WHY)"
		summary svm-qemu "exit round trip (cycles): cpuid $(median "${s_cpuid[@]}"), hypercall $(median "${s_hcall[@]}"), pio $(median "${s_pio[@]}"); no bare runs"
		[ -z "$s_timer" ] || summary svm-qemu "$s_timer"
		return
	fi
	say "svm-qemu bare cpuid_cycles: $(median "${b_cpuid[@]}")"
	say "svm-qemu bare pio_cycles: $(median "${b_pio[@]}")"
	say "svm-qemu bare sieve_cycles: $(median "${b_sieve[@]}")"
	timer_report "svm-qemu bare" "${b_logs[@]}"
	sieve_s=$(median "${s_sieve[@]}") sieve_b=$(median "${b_sieve[@]}")
	say "ratio sieve sprout/bare: $(ratio "$sieve_s" "$sieve_b")"
	say "ratio sieve sprout/bare (fastest runs): $(ratio "$(minimum "${s_sieve[@]}")" "$(minimum "${b_sieve[@]}")")"
	say "ratio cpuid sprout/bare: $(ratio "$(median "${s_cpuid[@]}")" "$(median "${b_cpuid[@]}")")"
	say "ratio pio sprout/bare: $(ratio "$(median "${s_pio[@]}")" "$(median "${b_pio[@]}")")"
	summary svm-qemu "exit round trip (cycles): cpuid $(median "${s_cpuid[@]}"), hypercall $(median "${s_hcall[@]}"), pio $(median "${s_pio[@]}")"
	summary svm-qemu "sieve sprout/bare $(ratio "$sieve_s" "$sieve_b") (medians of ${#s_sieve[@]}+${#b_sieve[@]} runs; fastest runs $(ratio "$(minimum "${s_sieve[@]}")" "$(minimum "${b_sieve[@]}")"))"
	[ -z "$s_timer" ] || summary svm-qemu "$s_timer"
	[ -z "$TIMER_SUMMARY" ] || summary svm-qemu "bare ${TIMER_SUMMARY}"
}

# ---- 2. Bochs: VMX (corei7_skylake_x) and SVM (ryzen), each twice ----

# Bochs counts time in instructions, so its TSC figures repeat run to run and Bochs runs
# may share the host CPUs: start all of them, BENCH_JOBS at a time, then report.
bench_bochs() {
	local iso ipi_iso add_iso fault_iso label run pids=() failed_iso=
	say "== vmx, svm-bochs: bench.elf under Sprout, Bochs 2.7 one CPU (corei7_skylake_x, ryzen), 2 runs each;"
	say "   the apic guest's IPI round trips with two CPUs, one run each; 2 MiB faults with no zero pool"
	ipi_iso=$(iso ipi) || ipi_iso=
	add_iso=$(iso vcpu-add-bochs) || add_iso=
	fault_iso=$(iso fault-2m-nopool) || fault_iso=
	if ! iso=$(iso bench); then
		failed_iso=$iso
	else
		for run in 1 2 ipi add fault; do
			for label in vmx svm-bochs; do
				while [ ${#pids[@]} -ge "$JOBS" ]; do
					wait -n "${pids[@]}" || true
					prune_pids
				done
				if [ "$run" = ipi ]; then
					[ -n "$ipi_iso" ] || continue
					bochs_iso "$OUT/$label-ipi" "$ipi_iso" "$(bochs_model "$label")" 2 &
				elif [ "$run" = add ]; then
					# VMX only: Bochs 2.7's SVM takes no host-interrupt exit
					# while a guest computes with interrupts off, so the
					# broker never sees cpuburn's load there.
					if [ -z "$add_iso" ] || [ "$label" != vmx ]; then continue; fi
					bochs_iso "$OUT/$label-add" "$add_iso" "$(bochs_model "$label")" 2 &
				elif [ "$run" = fault ]; then
					[ -n "$fault_iso" ] || continue
					bochs_iso "$OUT/$label-fault" "$fault_iso" "$(bochs_model "$label")" &
				else
					bochs_iso "$OUT/$label-$run" "$iso" "$(bochs_model "$label")" &
				fi
				pids+=($!)
			done
		done
		wait "${pids[@]}" 2>/dev/null || true
	fi
	for label in vmx svm-bochs; do
		if [ -n "$failed_iso" ]; then
			say "$label: not available ($failed_iso)"
			summary "$label" "not available ($failed_iso)"
		else
			bochs_report "$label"
		fi
	done
}

# Issue target: an exit round trip costs at most this many Sprout instructions.
EXIT_INSNS_TARGET=150

bochs_model() { # label
	case $1 in
	vmx) echo corei7_skylake_x ;;
	svm-bochs) echo ryzen ;;
	esac
}

# Keep in pids only the jobs still running.
prune_pids() {
	local p alive=()
	for p in "${pids[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			alive+=("$p")
		fi
	done
	pids=("${alive[@]}")
}

bochs_report() { # label
	local l=$1 run cpuid=() hcall=() pio=() sieve=() why='' logs=() timer=() own_c=() own_h=()
	for run in 1 2; do
		sprout_verdict "$OUT/$l-$run"
		[ -n "$WHY" ] || bench_figures
		if [ -n "$WHY" ]; then
			say "  $l run $run: failed ($WHY)"
			why=$WHY
			continue
		fi
		say "  $l run $run: cpuid $CPUID, hypercall $HCALL, pio $PIO, sieve $SIEVE cycles ($(seconds "$MS"))"
		timer+=("$(timer_brief "$LOG")")
		say "  $l run $run timer: ${timer[-1]}"
		cpuid+=("$CPUID") hcall+=("$HCALL") pio+=("$PIO") sieve+=("$SIEVE")
		logs+=("$LOG")
		# Under Bochs the TSC counts instructions: loop with the exit minus loop with NOP.
		[ -z "$CPUID_LOOP" ] || own_c+=("$((CPUID - CPUID_LOOP))")
		[ -z "$HCALL_LOOP" ] || [ -z "$HCALL" ] || own_h+=("$((HCALL - HCALL_LOOP))")
	done
	if [ ${#cpuid[@]} -eq 0 ]; then
		say "$l: not available ($why)"
		summary "$l" "not available ($why)"
		return
	fi
	say "$l cpuid_cycles: $(median "${cpuid[@]}")"
	say "$l hypercall_cycles: $(median "${hcall[@]}")"
	say "$l pio_cycles: $(median "${pio[@]}")"
	say "$l sieve_cycles: $(median "${sieve[@]}")"
	[ ${#own_c[@]} -eq 0 ] || say "$l cpuid_sprout_insns: $(median "${own_c[@]}")"
	[ ${#own_h[@]} -eq 0 ] || say "$l hypercall_sprout_insns: $(median "${own_h[@]}")"
	timer_report "$l" "${logs[@]}"
	ipi_report "$l"
	add_report "$l"
	fault_report "$l"
	summary "$l" "exit round trip (cycles): cpuid $(median "${cpuid[@]}"), hypercall $(median "${hcall[@]}"), pio $(median "${pio[@]}"); $(bochs_stability)"
	if [ ${#own_c[@]} -gt 0 ] && [ ${#own_h[@]} -gt 0 ]; then
		local oc oh
		oc=$(median "${own_c[@]}") oh=$(median "${own_h[@]}")
		summary "$l" "Sprout instructions per round trip: cpuid $oc (target <= $EXIT_INSNS_TARGET: $(target "$oc" "$EXIT_INSNS_TARGET")), hypercall $oh (target <= $EXIT_INSNS_TARGET: $(target "$oh" "$EXIT_INSNS_TARGET"))"
	fi
	[ -z "$TIMER_SUMMARY" ] || summary "$l" "$TIMER_SUMMARY"
	local x lg xs=()
	for lg in "${logs[@]}"; do
		x=$(dval "$lg" timer_irq_x2apic_exits)
		[ -z "$x" ] || xs+=("$x")
	done
	if [ ${#xs[@]} -gt 0 ]; then
		x=$(median2 "${xs[@]}")
		summary "$l" "exits per timer interrupt (x2APIC) $x (target <= 2: $(target "$x" 2))"
	fi
	[ -z "$IPI_SUMMARY" ] || summary "$l" "$IPI_SUMMARY"
	[ -z "$ADD_SUMMARY" ] || summary "$l" "$ADD_SUMMARY"
	[ -z "$FAULT_SUMMARY" ] || summary "$l" "$FAULT_SUMMARY"
}

# The broker adds a vCPU under Bochs (two CPUs, bench/configs/vcpu-add-bochs.cfg): the
# guest's add latency, in cycles that count instructions, from Sprout taking the request
# to the new vCPU's first C code.
add_report() { # label
	local l=$1 c
	ADD_SUMMARY=
	[ -d "$OUT/$l-add" ] || return 0
	sprout_verdict "$OUT/$l-add"
	c=$(grep -aoE 'add_latency_cycles=[0-9]+' "$LOG" | head -n 1 | sed 's/.*=//')
	if [ -n "$WHY" ] || [ -z "$c" ]; then
		say "  $l vcpu add: failed (${WHY:-no add_latency_cycles in $LOG})"
		ADD_SUMMARY="vCPU add not available (${WHY:-no figure})"
		return 0
	fi
	say "$l vcpu_add_cycles: $c"
	ADD_SUMMARY="vCPU add, decision to the new vCPU's first C code (instructions): $c"
}

# 2 MiB faults with the zero pool off (bench/configs/fault-2m-nopool.cfg), one CPU:
# under Bochs the TSC counts instructions, so fault2m/zero2m compares what Sprout runs
# for a fault (its exit path, the allocation, zeroing 2 MiB, the map) with the guest's
# own zeroing of 2 MiB, free of TCG's costs per world switch and per fresh page.
fault_report() { # label
	local l=$1 f z
	FAULT_SUMMARY=
	[ -d "$OUT/$l-fault" ] || return 0
	sprout_verdict "$OUT/$l-fault"
	f=$(val "$LOG" first_touch_2m_cycles) z=$(val "$LOG" zero2m_cycles)
	if [ -n "$WHY" ] || [ -z "$f" ] || [ -z "$z" ]; then
		say "  $l fault2m: failed (${WHY:-no first_touch_2m_cycles/zero2m_cycles in $LOG})"
		FAULT_SUMMARY="2 MiB faults with no pool not available (${WHY:-no figure})"
		return 0
	fi
	say "  $l fault2m, no pool: fault2m $f, zero2m $z instructions ($(seconds "$MS"))"
	say "$l fault2m_nopool_ratio: $(ratio "$f" "$z")"
	FAULT_SUMMARY="no zero pool: fault2m $f, zero2m $z instructions, fault2m/zero2m $(ratio "$f" "$z") (target <= 1.1: $(target "$(ratio "$f" "$z")" 1.1))"
}

# The apic guest's IPI round trips with two CPUs (bench/configs/ipi.cfg).
ipi_report() { # label
	local l=$1 c
	IPI_SUMMARY=
	[ -d "$OUT/$l-ipi" ] || return 0
	sprout_verdict "$OUT/$l-ipi"
	c=$(val "$LOG" ipi_roundtrip_cycles)
	if [ -n "$WHY" ] || [ -z "$c" ]; then
		say "  $l ipi: failed (${WHY:-no ipi_roundtrip_cycles in $LOG})"
		IPI_SUMMARY="IPI round trip not available (${WHY:-no figure})"
		return 0
	fi
	say "  $l ipi: $(grep -aoE 'ipi_roundtrip_cycles=.*' "$LOG" | tail -n 1) ($(seconds "$MS"))"
	say "$l ipi_roundtrip_cycles: $c"
	IPI_SUMMARY="IPI round trip between two vCPUs (xAPIC, cycles): $c"
	c=$(val "$LOG" ipi_wake_cycles)
	[ -z "$c" ] || {
		say "$l ipi_wake_cycles: $c"
		IPI_SUMMARY="$IPI_SUMMARY; IPI to a halted vCPU, send to handler: $c"
	}
}

# Compare the two runs' exit and timer figures (arrays of bochs_report).
bochs_stability() {
	if [ ${#cpuid[@]} -lt 2 ]; then
		echo "one run only"
	elif [ "${cpuid[0]} ${hcall[0]} ${pio[0]}" != "${cpuid[1]} ${hcall[1]} ${pio[1]}" ]; then
		echo "runs differ: cpuid ${cpuid[0]}/${cpuid[1]}, hypercall ${hcall[0]}/${hcall[1]}, pio ${pio[0]}/${pio[1]}"
	elif [ "${timer[0]}" != "${timer[1]}" ]; then
		echo "runs identical but for the timer figures"
	else
		echo "runs identical"
	fi
}

# ---- 3. Memory on demand: memtouch under Sprout, QEMU TCG ----

bench_memory() {
	local elf=$BUILD/guests/memtouch.elf
	say "== memory: memtouch under Sprout, QEMU TCG -cpu $QEMU_CPU -smp 1"
	if [ ! -f "$elf" ]; then
		say "memory: not available (no memtouch.elf: the memtouch guest is not built)"
		summary memory "not available (no memtouch guest)"
		return
	fi
	if grep -qa first_touch_2m_cycles "$elf"; then
		bench_fault
	else
		say "memory fault: not available (memtouch has no bench=fault mode yet)"
		summary memory "fault costs not available (memtouch has no bench=fault mode yet)"
	fi
	bench_seq
}

# First-touch costs: bench=fault in a 4k-backed VM (fault4k) and a 2m-backed VM (fault2m,
# zero2m), interleaved, ROUNDS each. fault2m/zero2m is taken per run (both figures come
# from the same boot), and its median reported.
# One boot of a fault-2m image: F2M, Z2M and their ratio Q2M, or false (WHY says why).
fault2m_round() { # dir iso label
	qemu_iso "$1" "$2" 512
	sprout_verdict "$1"
	F2M=$(val "$LOG" first_touch_2m_cycles) Z2M=$(val "$LOG" zero2m_cycles)
	[ -n "$WHY" ] || { [ -n "$F2M" ] && [ -n "$Z2M" ] && [ "$Z2M" != 0 ]; } ||
		WHY="no first_touch_2m_cycles/zero2m_cycles, see $LOG"
	if [ -n "$WHY" ]; then
		say "  $3: failed ($WHY)"
		return 1
	fi
	Q2M=$(ratio "$F2M" "$Z2M")
	say "  $3: fault2m $F2M, zero2m $Z2M cycles, ratio $Q2M ($(seconds "$MS"))"
}

bench_fault() {
	local iso4='' iso2='' isonp='' r d f4k=() f2m=() z2m=() rat=() f q f4k_m=na
	local np_f=() np_z=() np_rat=()
	if ! iso4=$(iso fault-4k) || ! iso2=$(iso fault-2m) || ! isonp=$(iso fault-2m-nopool); then
		say "memory fault: not available ($iso4$iso2$isonp)"
		summary memory "fault costs not available (image build failed)"
		return
	fi
	local PREALLOC=1
	for r in $(seq 1 "$ROUNDS"); do
		d=$OUT/memory/fault-4k-$r
		qemu_iso "$d" "$iso4" 512
		sprout_verdict "$d"
		f=$(val "$LOG" first_touch_cycles)
		[ -n "$WHY" ] || [ -n "$f" ] || WHY="no first_touch_cycles, see $LOG"
		if [ -n "$WHY" ]; then
			say "  round $r fault-4k: failed ($WHY)"
		else
			say "  round $r fault-4k: fault4k $f cycles ($(seconds "$MS"))"
			f4k+=("$f")
		fi
		if fault2m_round "$OUT/memory/fault-2m-$r" "$iso2" "round $r fault-2m"; then
			f2m+=("$F2M") z2m+=("$Z2M") rat+=("$Q2M")
		fi
		# The same with the zero pool off: each fault zeroes its block itself.
		if fault2m_round "$OUT/memory/fault-2m-nopool-$r" "$isonp" "round $r fault-2m, no pool"; then
			np_f+=("$F2M") np_z+=("$Z2M") np_rat+=("$Q2M")
		fi
	done
	[ ${#f4k[@]} -eq 0 ] || f4k_m=$(median "${f4k[@]}")
	say "fault4k cycles: $f4k_m"
	if [ ${#f2m[@]} -eq 0 ]; then
		say "memory fault2m: not available ($WHY)"
		summary memory "fault2m not available ($WHY)"
		return
	fi
	say "fault2m cycles: $(median "${f2m[@]}")"
	say "zero2m cycles: $(median "${z2m[@]}")"
	q=$(printf '%s\n' "${rat[@]}" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	say "ratio fault2m/zero2m: $q"
	summary memory "fault4k $f4k_m, fault2m $(median "${f2m[@]}"), zero2m $(median "${z2m[@]}") cycles"
	summary memory "fault2m/zero2m $q with the zero pool (target <= 1.1: $(target "$q" 1.1))"
	if [ ${#np_f[@]} -eq 0 ]; then
		summary memory "fault2m with no zero pool not available"
		return
	fi
	say "fault2m cycles (no pool): $(median "${np_f[@]}")"
	say "zero2m cycles (no pool run): $(median "${np_z[@]}")"
	q=$(median2 "${np_rat[@]}")
	say "ratio fault2m/zero2m (no pool): $q"
	summary memory "no zero pool: fault2m $(median "${np_f[@]}"), zero2m $(median "${np_z[@]}") cycles, fault2m/zero2m $q (target <= 1.1: $(target "$q" 1.1))"
}

# Faults per GiB touched sequentially: the figures line of a 256 MiB run minus that of
# a 2 MiB run of the same VM (which holds the fixed faults: image, tables, stack), per
# GiB of the 254 MiB difference.
bench_seq() {
	local p P line=
	for p in 2m 4k; do
		P=$(echo "$p" | tr '[:lower:]' '[:upper:]')
		if ! seq_pair "$p"; then
			say "memory seq $p: not available ($WHY)"
			summary memory "faults per GiB ($P backing) not available ($WHY)"
			continue
		fi
		say "faults per GiB ($P backing): $PER_GIB"
		say "faults in 256 MiB seq run ($P backing): $TOTAL"
		say "touch cycles per page ($P backing): $PER_PAGE"
		if [ "$p" = 2m ]; then
			line="faults/GiB 2M backing $PER_GIB (target <= 520: $(target "$PER_GIB" 520))"
		else
			line="${line:+$line, }faults/GiB 4K backing $PER_GIB"
		fi
	done
	[ -z "$line" ] || summary memory "$line"
}

# Run seq-P and seq-base-P; sets PER_GIB, TOTAL, PER_PAGE or WHY.
seq_pair() { # 2m|4k
	local p=$1 iso name d n n2 faults=() mib
	for name in seq-$p seq-base-$p; do
		if ! iso=$(iso "$name"); then
			WHY=$iso
			return 1
		fi
		d=$OUT/memory/$name
		qemu_iso "$d" "$iso" 1024
		sprout_verdict "$d"
		[ -z "$WHY" ] || return 1
		n=$(figure "$LOG" memtouch 'faults 4K') n2=$(figure "$LOG" memtouch 2M)
		if [ -z "$n" ] || [ -z "$n2" ]; then
			WHY="no figures line, see $LOG"
			return 1
		fi
		faults+=($((n + n2)))
		mib=$(grep -aoE 'touched [0-9]+ MiB' "$LOG" | grep -oE '[0-9]+' || true)
		say "  $name: $mib MiB touched, faults 4K $n 2M $n2," \
			"$(val "$LOG" cycles_per_page) cycles/page ($(seconds "$MS"))"
		[ "$name" != "seq-$p" ] || PER_PAGE=$(val "$LOG" cycles_per_page)
	done
	TOTAL=${faults[0]}
	PER_GIB=$(((faults[0] - faults[1]) * 1024 / (256 - 2)))
}

# ---- 4. vCPU benchmarks ----

# The place for vCPU benchmarks (scheduling, several vCPUs per VM): the cpuburn guest
# comes with that work. Add its configs to bench/configs/ and its figures here.
# vCPUs on demand, QEMU -smp 4: the same cpuburn work with vcpus=1..3 (the broker adds
# vCPUs) and with a fixed single vCPU, interleaved ROUNDS times. Reports the heavy
# phase's speed-up, the add latency the guest measured (from the hypervisor taking the
# request to the new vCPU's first C code) and the broker's reaction in periods.
# Issue target: from the broker's decision to the new vCPU's first instruction. The
# guest measures a little more, up to its first C code (smp_ap_main()).
VCPU_ADD_US_TARGET=100
bench_vcpu() {
	local isod='' isof='' r d ms_d=() ms_f=() lat=() react=() ms l n wake=() entry=() after=() w e wx ex
	say "== vcpu: cpuburn under Sprout with the broker, QEMU TCG -cpu $QEMU_CPU -smp 4"
	if [ ! -f "$BUILD/guests/cpuburn.elf" ] || [ ! -f "$BUILD/guests/broker.elf" ]; then
		say "vcpu: not available (cpuburn or broker guest not built)"
		summary vcpu "not available"
		return
	fi
	if ! isod=$(iso vcpu-ondemand) || ! isof=$(iso vcpu-fixed); then
		say "vcpu: not available ($isod$isof)"
		summary vcpu "not available (image build failed)"
		return
	fi
	for r in $(seq 1 "$ROUNDS"); do
		d=$OUT/vcpu/ondemand-$r
		qemu_iso "$d" "$isod" 512 4
		sprout_verdict "$d"
		ms=$(grep -aoE 'phase 0 heavy ms=[0-9]+' "$LOG" | grep -oE '[0-9]+$' || true)
		[ -n "$WHY" ] || [ -n "$ms" ] || WHY="no phase figures, see $LOG"
		if [ -n "$WHY" ]; then
			say "  round $r on-demand: failed ($WHY)"
		else
			l=$(grep -aoE 'add_latency_us=[0-9,]+' "$LOG" | tail -n 1 | sed 's/.*=//')
			n=$(grep -aoE 'vcpu add vm [0-9]+ \(burn\).* for [0-9]+ periods' "$LOG" | head -n 1 |
				grep -oE '[0-9]+ periods' | grep -oE '[0-9]+' || true)
			# Sprout's line per launch: its core's wake-up and the first entry.
			w=$(grep -aoE 'vm burn: vCPU [0-9]+ launched: core woke [0-9]+ us' "$LOG" |
				grep -oE '[0-9]+ us$' | grep -oE '[0-9]+' | paste -sd, || true)
			e=$(grep -aoE 'vm burn: vCPU [0-9]+ launched: .* guest entered [0-9]+ us' "$LOG" |
				grep -oE '[0-9]+ us$' | grep -oE '[0-9]+' | paste -sd, || true)
			say "  round $r on-demand: heavy phase $ms ms, max vCPUs $(val "$LOG" max_vcpus), add to first instruction ${e:-none} us (core woke ${w:-?}), to first C code ${l:-none} us, first add after ${n:-?} periods"
			for x in ${w//,/ }; do wake+=("$x"); done
			for x in ${e//,/ }; do entry+=("$x"); done
			# Per launch, the part after the core woke: Sprout's own path to the entry.
			if [ -n "$w" ] && [ -n "$e" ]; then
				paste -d' ' <(tr , '\n' <<<"$w") <(tr , '\n' <<<"$e") >"$d/pairs"
				while read -r wx ex; do
					[ -z "$wx" ] || [ -z "$ex" ] || after+=("$((ex - wx))")
				done <"$d/pairs"
			fi
			ms_d+=("$ms")
			for x in ${l//,/ }; do lat+=("$x"); done
			[ -z "$n" ] || react+=("$n")
		fi
		d=$OUT/vcpu/fixed-$r
		qemu_iso "$d" "$isof" 512 4
		sprout_verdict "$d"
		ms=$(grep -aoE 'phase 0 heavy ms=[0-9]+' "$LOG" | grep -oE '[0-9]+$' || true)
		[ -n "$WHY" ] || [ -n "$ms" ] || WHY="no phase figures, see $LOG"
		if [ -n "$WHY" ]; then
			say "  round $r fixed:     failed ($WHY)"
		else
			say "  round $r fixed:     heavy phase $ms ms on 1 vCPU"
			ms_f+=("$ms")
		fi
	done
	if [ ${#ms_d[@]} -eq 0 ] || [ ${#ms_f[@]} -eq 0 ]; then
		say "vcpu: not available ($WHY)"
		summary vcpu "not available ($WHY)"
		return
	fi
	vcpu_ipi_floor
	say "vcpu heavy phase ms (on demand, 1..3 vCPUs): $(median "${ms_d[@]}")"
	say "vcpu heavy phase ms (fixed, 1 vCPU): $(median "${ms_f[@]}")"
	say "ratio cpuburn speed-up on-demand/fixed: $(ratio "$(median "${ms_f[@]}")" "$(median "${ms_d[@]}")")"
	[ ${#entry[@]} -eq 0 ] || say "vcpu add to first instruction us (median of ${#entry[@]}): $(median "${entry[@]}")"
	[ ${#wake[@]} -eq 0 ] || say "vcpu add core wake-up us (median of ${#wake[@]}): $(median "${wake[@]}")"
	[ ${#after[@]} -eq 0 ] || say "vcpu add after the wake-up us (median of ${#after[@]}): $(median "${after[@]}")"
	[ ${#lat[@]} -eq 0 ] || say "vcpu add latency us (median of ${#lat[@]}): $(median "${lat[@]}")"
	[ ${#react[@]} -eq 0 ] || say "vcpu reaction periods (first add): $(median "${react[@]}")"
	summary vcpu "cpuburn speed-up $(ratio "$(median "${ms_f[@]}")" "$(median "${ms_d[@]}")")x (heavy phase $(median "${ms_f[@]}") -> $(median "${ms_d[@]}") ms)"
	if [ ${#entry[@]} -eq 0 ]; then
		summary vcpu "add to first instruction: no add seen (target <= $VCPU_ADD_US_TARGET us: MISSED), reaction ${react:+$(median "${react[@]}")} periods"
	else
		e=$(median "${entry[@]}")
		summary vcpu "add to first instruction $e us (target <= $VCPU_ADD_US_TARGET: $(target "$e" "$VCPU_ADD_US_TARGET")), of which the core's wake-up $(median "${wake[@]}") us (the emulator's) and Sprout's path after it $(median "${after[@]:-0}") us; to first C code $(median "${lat[@]:-0}") us; reaction ${react:+$(median "${react[@]}")} periods"
	fi
	[ -z "$IPI_FLOOR_SUMMARY" ] || summary vcpu "$IPI_FLOOR_SUMMARY"
}

# The apic guest's IPI wake-up in us from LOG (after a verdict) into US; says it, or why not.
ipi_wake_us() { # label
	US=$(grep -aoE 'ipi_wake_cycles=[0-9]+ \(.*, [0-9]+ us\)' "$LOG" | grep -oE '[0-9]+ us' |
		grep -oE '[0-9]+' || true)
	if [ -n "$WHY" ] || [ -z "$US" ]; then
		say "  $1: failed (${WHY:-no ipi_wake_cycles in $LOG})"
		return 1
	fi
	say "  $1: $US us"
}

# The emulator's floor under the add's wake-up: the apic guest (ipi-bench) times an IPI
# to a halted CPU, bare on QEMU -smp 4 (no Sprout: QEMU's own cost of waking a halted
# CPU's thread) and under Sprout on the same machine (bench/configs/ipi.cfg), ROUNDS
# times each, interleaved. Sets IPI_FLOOR_SUMMARY.
vcpu_ipi_floor() {
	local iso r d bare=() under=()
	IPI_FLOOR_SUMMARY=
	[ -f "$BUILD/guests/apic.elf" ] || return 0
	iso=$(iso ipi) || iso=
	for r in $(seq 1 "$ROUNDS"); do
		d=$OUT/vcpu/ipi-bare-$r
		qemu_bare "$d" "$BUILD/guests/apic.elf" 64 4 "cpus=2 ipi-bench"
		bare_verdict "$d"
		! ipi_wake_us "round $r IPI to a halted CPU, bare" || bare+=("$US")
		[ -n "$iso" ] || continue
		d=$OUT/vcpu/ipi-sprout-$r
		qemu_iso "$d" "$iso" 256 4
		sprout_verdict "$d"
		! ipi_wake_us "round $r IPI to a halted vCPU, under Sprout" || under+=("$US")
	done
	[ ${#bare[@]} -eq 0 ] || say "vcpu ipi wake us (bare, median of ${#bare[@]}): $(median "${bare[@]}")"
	[ ${#under[@]} -eq 0 ] || say "vcpu ipi wake us (under Sprout, median of ${#under[@]}): $(median "${under[@]}")"
	[ ${#bare[@]} -eq 0 ] ||
		IPI_FLOOR_SUMMARY="IPI to a halted CPU (the emulator's floor of a wake-up): bare $(median "${bare[@]}") us${under:+, a halted vCPU under Sprout $(median "${under[@]}") us}"
}

# ---- 5. Linux ----

# Debian's kernel (the bzImage of linux-image-amd64) with the test initramfs, 1 GiB, one
# vCPU, under Sprout and on bare QEMU (its own bzImage loader), interleaved ROUNDS times,
# with two command lines: "console=ttyS0 quiet" (the target's figure) and
# "console=ttyS0" (the whole boot log on the serial console). Boot time is the kernel's
# own uptime when /init starts (guests/linux/init prints it), so firmware, GRUB and
# Sprout's start are not in it; the committed memory is the VM's peak, read from the
# hypervisor's figures line at power-off, just after that marker.
LINUX_MIB=1024

# The uptime /init printed, in ms, from a console log; empty when there is none.
linux_uptime_ms() { # log
	grep -aoE 'sprout-linux: uptime at /init [0-9.]+ s' "$1" 2>/dev/null | head -n 1 |
		awk '{ printf "%d", $(NF - 1) * 1000 }'
}

bench_linux() {
	local iso="" isoq="" r d q x up_s=() up_b=() up_sq=() up_bq=() peak=() io=() u p
	say "== linux: Debian's bzImage to its /init, ${LINUX_MIB} MiB, QEMU TCG -cpu $QEMU_CPU"
	if [ ! -f "$BUILD/guests/bzImage" ] || [ ! -f "$BUILD/guests/linux-initrd.cpio.gz" ]; then
		say "linux: not available (no bzImage or initramfs in $BUILD/guests)"
		summary linux "not available"
		return
	fi
	if ! iso=$(iso linux) || ! isoq=$(iso linux-quiet); then
		say "linux: not available (image build failed)"
		summary linux "not available (image build failed)"
		return
	fi
	for r in $(seq 1 "$ROUNDS"); do
		for q in quiet verbose; do
			d=$OUT/linux/sprout-$q-$r
			if [ $q = quiet ]; then
				qemu_iso "$d" "$isoq" $((LINUX_MIB + 512))
			else
				qemu_iso "$d" "$iso" $((LINUX_MIB + 512))
			fi
			sprout_verdict "$d"
			u=$(linux_uptime_ms "$LOG")
			p=$(grep -a "vm linux: figures:" "$LOG" | grep -oE 'peak [0-9]+' | grep -oE '[0-9]+' || true)
			x=$(grep -a "vm linux: exits by reason:" "$LOG" | grep -oE ' io [0-9]+' | grep -oE '[0-9]+' || true)
			[ -n "$WHY" ] || [ -n "$u" ] || WHY="no /init uptime line, see $LOG"
			if [ -n "$WHY" ]; then
				say "  round $r sprout $q: failed ($WHY)"
			else
				say "  round $r sprout $q: /init at $u ms of kernel uptime, peak ${p:-?} KiB committed, ${x:-?} I/O exits in all"
				if [ $q = quiet ]; then
					up_sq+=("$u")
					[ -z "$p" ] || peak+=("$p")
				else
					up_s+=("$u")
					[ -z "$x" ] || io+=("$x")
				fi
			fi
			d=$OUT/linux/bare-$q-$r
			fresh_dir "$d"
			run_emu "$d" "$QEMU_TIMEOUT" "$d/qemu.out" qemu-system-x86_64 -nodefaults -accel tcg \
				-display none -no-reboot -cpu "$QEMU_CPU" -smp 1 -m "${LINUX_MIB}M" -M pc \
				-serial "file:$d/com1.log" -kernel "$BUILD/guests/bzImage" \
				-initrd "$BUILD/guests/linux-initrd.cpio.gz" \
				-append "console=ttyS0$([ $q = verbose ] || echo ' quiet')"
			u=$(linux_uptime_ms "$d/com1.log")
			if [ -z "$u" ]; then
				say "  round $r bare $q:   failed (no /init uptime line, see $d/com1.log)"
			elif [ $q = quiet ]; then
				say "  round $r bare $q:   /init at $u ms of kernel uptime"
				up_bq+=("$u")
			else
				say "  round $r bare $q:   /init at $u ms of kernel uptime"
				up_b+=("$u")
			fi
		done
	done
	if [ ${#up_sq[@]} -eq 0 ] || [ ${#up_bq[@]} -eq 0 ]; then
		say "linux: not available (no complete round)"
		summary linux "not available (no complete round)"
		return
	fi
	local ms mb rt share msv mbv rtv
	ms=$(median "${up_sq[@]}")
	mb=$(median "${up_bq[@]}")
	rt=$(ratio "$ms" "$mb")
	say "linux boot ms to /init (sprout): $ms"
	say "linux boot ms to /init (bare): $mb"
	say "ratio linux boot sprout/bare: $rt"
	# The host's noise only adds time: the fastest boots of each side are the other view.
	local rtf
	rtf=$(ratio "$(minimum "${up_sq[@]}")" "$(minimum "${up_bq[@]}")")
	say "ratio linux boot sprout/bare (fastest runs): $rtf"
	summary linux "boot to /init $rt x bare ($mb -> $ms ms of kernel uptime, medians of ${#up_sq[@]}+${#up_bq[@]}, console=ttyS0 quiet; target <= 1.2: $(target "$rt" 1.2)); fastest runs $rtf"
	if [ ${#up_s[@]} -gt 0 ] && [ ${#up_b[@]} -gt 0 ]; then
		msv=$(median "${up_s[@]}")
		mbv=$(median "${up_b[@]}")
		rtv=$(ratio "$msv" "$mbv")
		say "linux boot ms to /init, boot log on ttyS0 (sprout): $msv"
		say "linux boot ms to /init, boot log on ttyS0 (bare): $mbv"
		say "ratio linux boot with its log sprout/bare: $rtv"
		summary linux "boot to /init with the boot log on ttyS0 $rtv x bare ($mbv -> $msv ms; ${io:+$(median "${io[@]}")} I/O exits, mostly the UART)"
	fi
	if [ ${#peak[@]} -gt 0 ]; then
		p=$(median "${peak[@]}")
		share=$(awk -v p="$p" -v m="$LINUX_MIB" 'BEGIN { printf "%.1f", p / 1024 * 100 / m }')
		say "linux committed KiB at /init: $p"
		say "linux committed share of ${LINUX_MIB} MiB: $share%"
		summary linux "committed at /init $((p / 1024)) MiB = $share% of ${LINUX_MIB} MiB (target <= 15%: $(target "$share" 15))"
	fi
}

# vCPU hot-add latency for Linux (bench/configs/linux-hotplug.cfg): /init burns one CPU
# three times per boot, the broker's policy adds vCPU 1 each time and parks it after.
# Each add is timed on the host's clock (the 0xE9 log stamped as it arrives), from the
# hypervisor's "CPU 1 plugged in" (the broker's HC_VCPU_ADD, its decision) to Linux
# starting the vCPU ("started by INIT/SIPI") and to /init's "cpu1 brought online" (the
# write to .../cpu1/online returned: online in Linux). /init polls every 50 ms, as a
# udev rule reacts at once. Adds before /init (the policy sees the kernel's boot as
# load) are not counted: nothing onlines a CPU before /init.
linux_hotplug_times() { # stamped log -> "sipi_ms online_ms" per add
	awk '
		/sprout-linux: cpuhp waiting/ { on = 1 }
		on && /vm linux: CPU 1 plugged in/ { t0 = $1; ts = "" }
		t0 != "" && /vm linux: vCPU 1 started by INIT\/SIPI/ { ts = $1 }
		t0 != "" && /sprout-linux: cpu1 brought online/ {
			printf "%d %d\n", (ts == "" ? -1 : (ts - t0) * 1000), ($1 - t0) * 1000
			t0 = ""
		}' "$1"
}

bench_linux_hotplug() {
	local iso='' r d sipi=() online=() a b n
	say "== linux: vCPU hot-add to online in Linux, ACPI CPU hotplug, QEMU TCG, 3 CPUs"
	if ! iso=$(iso linux-hotplug); then
		say "linux hot-add: not available ($iso)"
		summary linux "hot-add: not available (image build failed)"
		return
	fi
	for r in $(seq 1 "$ROUNDS"); do
		d=$OUT/linux/hotplug-$r
		qemu_iso_stamped "$d" "$iso" 768 3
		for _ in $(seq 1 20); do # the stamper may still be writing
			! has "$d/e9.log" 'sprout: shutdown' || break
			sleep 0.1
		done
		sprout_verdict "$d"
		n=0
		while read -r a b; do
			[ "$a" -lt 0 ] || sipi+=("$a")
			online+=("$b")
			n=$((n + 1))
		done < <(linux_hotplug_times "$LOG")
		if [ -n "$WHY" ] || [ "$n" = 0 ]; then
			say "  round $r: failed (${WHY:-no timed add, see $LOG})"
		else
			say "  round $r: $n adds, ms to online: ${online[*]: -$n}"
		fi
	done
	if [ ${#online[@]} -eq 0 ]; then
		say "linux hot-add: not available (no timed add)"
		summary linux "hot-add: not available (no timed add)"
		return
	fi
	[ ${#sipi[@]} -eq 0 ] || say "linux hot-add ms to INIT/SIPI (median of ${#sipi[@]}): $(median "${sipi[@]}")"
	say "linux hot-add ms to online (median of ${#online[@]}): $(median "${online[@]}")"
	summary linux "hot-add to online in Linux $(median "${online[@]}") ms (median of ${#online[@]}; to its INIT/SIPI ${sipi:+$(median "${sipi[@]}")} ms; host clock, TCG)"
}

# ---- main ----

# Other builds may replace $BUILD's binaries while this runs: measure one copy of them.
snapshot_build() {
	mkdir -p "$OUT/build/guests"
	cp "$BUILD/sprout.elf" "$OUT/build/"
	cp "$BUILD"/guests/*.elf "$OUT/build/guests/"
	cp "$BUILD"/guests/bzImage "$BUILD"/guests/linux-initrd.cpio.gz "$OUT/build/guests/" \
		2>/dev/null || true
	BUILD=$OUT/build
}

# Sprout's own RAM (bench/configs/footprint.cfg, QEMU, one run): its fixed RAM at boot,
# and per VM what it keeps besides the VM's RAM, from Sprout's own lines.
bench_footprint() {
	local iso d f img code per=() vcpu=() peak=() o p v
	say "== footprint: the broker and 8 hello VMs of 4 MiB, QEMU TCG -cpu $QEMU_CPU -smp 2"
	if ! iso=$(iso footprint); then
		say "footprint: not available ($iso)"
		summary footprint "not available (image build failed)"
		return
	fi
	d=$OUT/footprint
	qemu_iso "$d" "$iso" 512 2
	sprout_verdict "$d"
	f=$(grep -aoE 'memory: fixed [0-9]+ KiB' "$LOG" | grep -oE '[0-9]+' || true)
	img=$(grep -aoE 'memory: fixed .*: image [0-9]+ KiB' "$LOG" | grep -oE '[0-9]+ KiB$' | grep -oE '[0-9]+' || true)
	code=$(grep -aoE '\(code [0-9]+ KiB' "$LOG" | head -n 1 | grep -oE '[0-9]+' || true)
	mapfile -t per < <(grep -aoE 'vm h[0-9]: overhead [0-9]+ bytes' "$LOG" | grep -oE '[0-9]+ bytes' | grep -oE '[0-9]+')
	mapfile -t vcpu < <(grep -aoE 'vm h[0-9]: overhead .*\(([0-9]+) each\)' "$LOG" | grep -oE '[0-9]+ each' | grep -oE '[0-9]+')
	mapfile -t peak < <(grep -aoE 'vm h[0-9]: figures: committed [0-9]+ KiB, peak [0-9]+ KiB' "$LOG" | grep -oE 'peak [0-9]+' | grep -oE '[0-9]+')
	[ -n "$WHY" ] || [ -n "$f" ] || WHY="no 'memory: fixed' line in $LOG"
	[ -n "$WHY" ] || [ ${#per[@]} -eq 8 ] || WHY="${#per[@]} overhead lines of 8 in $LOG"
	if [ -n "$WHY" ]; then
		say "footprint: failed ($WHY)"
		summary footprint "not available ($WHY)"
		return
	fi
	o=$(median "${per[@]}") v=$(median "${vcpu[@]}") p=$(median "${peak[@]}")
	say "footprint image KiB: $img (code $code)"
	say "footprint fixed RAM KiB: $f"
	say "footprint per VM bytes: $o (besides its RAM; one vCPU)"
	say "footprint per vCPU bytes: $v"
	say "footprint hello VM RAM peak KiB: $p"
	summary footprint "image $img KiB (code $code), fixed RAM $f KiB, per VM $o bytes + its RAM (hello: $p KiB at peak), per vCPU $v bytes"
	local est slots
	est=$(((f * 1024 + 128 * (o + p * 1024)) >> 20))
	slots=$(grep -aoE 'VM table [0-9]+ KiB for [0-9]+ VMs' "$LOG" | grep -oE 'for [0-9]+' | grep -oE '[0-9]+')
	say "footprint 128 hello VMs MiB (estimate): $est"
	if [ "${slots:-0}" -ge 129 ] && [ "$est" -le 512 ]; then
		summary footprint "128 such VMs and the broker: about $est MiB, VM table of $slots (128 idle VMs in 512 MiB: met; many-vms-qemu in the slow set runs them)"
	else
		summary footprint "128 such VMs and the broker: about $est MiB, VM table of ${slots:-?} (128 idle VMs in 512 MiB: MISSED)"
	fi
}

# Ctrl-C: background jobs ignore it, so stop the emulators still running ourselves.
# shellcheck disable=SC2317 # called through the trap
interrupted() {
	local f
	trap - INT TERM
	for f in "$OUT"/*/pid "$OUT"/*/*/pid; do
		[ ! -f "$f" ] || kill -HUP "$(cat "$f")" 2>/dev/null || true
	done
	wait
	say "bench: interrupted"
	exit 130
}

parts=("$@")
[ ${#parts[@]} -gt 0 ] || read -r -a parts <<<"$ALL_PARTS"
for p in "${parts[@]}"; do
	case " $ALL_PARTS " in
	*" $p "*) ;;
	*)
		echo "usage: $0 [PART...]   PART: $ALL_PARTS" >&2
		exit 2
		;;
	esac
done
for f in sprout.elf guests/bench.elf; do
	[ -f "$BUILD/$f" ] || { echo "bench: $BUILD/$f missing (make hv guests)" >&2 && exit 1; }
done

trap interrupted INT TERM
rm -rf "$OUT"
mkdir -p "$OUT"
snapshot_build
start=$SECONDS
load_start=$(cut -d' ' -f1 /proc/loadavg)
say "bench: $(nproc) host CPUs, load $load_start, $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty'); logs in $OUT/"
for p in "${parts[@]}"; do
	case $p in
	svm-qemu) bench_svm_qemu ;;
	bochs) bench_bochs ;;
	memory) bench_memory ;;
	vcpu) bench_vcpu ;;
	linux) bench_linux ;;
	linux-hotplug) bench_linux_hotplug ;;
	footprint) bench_footprint ;;
	esac
done

elapsed=$((SECONDS - start))
say "==== bench summary ($((elapsed / 60))m$((elapsed % 60))s)"
printf '%s\n' "${SUMMARY[@]}"
say "$(printf '%-10s %s' host "$(nproc) CPUs, load $load_start at start, $(cut -d' ' -f1 /proc/loadavg) at end")"
say "bench time: ${elapsed} s"
exit $STATUS
