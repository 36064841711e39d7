#!/bin/sh
# SPDX-License-Identifier: MIT
# Check core/mmio_insn.c against binutils, independently of its own tables:
#  1. assemble every instruction of the table in test_mmio_insn.c with gas and compare the bytes
#     (so the length) with the table's;
#  2. decode COUNT random instructions built from the supported opcodes, prefixes, ModRM, SIB
#     and displacements, and compare each accepted one's length, memory operand size and
#     mnemonic with objdump's disassembly.
# Usage: tests/unit/mmio_insn_check.sh [COUNT]   (default 20000; needs as, objdump, python3, cc)
set -eu
COUNT=${1:-20000}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# Table lines look like: {64, "8b 87 00 03 00 00", "mov eax, dword ptr [rdi+0x300]", ...
sed -n 's/^[[:space:]]*{\(16\|32\|64\), "\([0-9a-f ]*\)", "\([^"]\+\)",.*/\1|\2|\3/p' \
	tests/unit/test_mmio_insn.c >"$tmp/list"
while IFS='|' read -r mode hex insn; do
	if [ "$mode" = 64 ]; then flag=--64; else flag=--32; fi
	printf '.intel_syntax noprefix\n.code%s\n%s\n' "$mode" "$insn" >"$tmp/t.s"
	if ! as $flag -o "$tmp/t.o" "$tmp/t.s" 2>"$tmp/err"; then
		echo "FAIL $mode-bit '$insn': $(head -1 "$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	objcopy -O binary -j .text "$tmp/t.o" "$tmp/t.bin"
	got=$(od -An -v -tx1 "$tmp/t.bin" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	if [ "$got" = "$hex" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $mode-bit '$insn': gas gives '$got', table has '$hex'"
		fail=$((fail + 1))
	fi
done <"$tmp/list"
echo "gas: $pass passed, $fail failed"

# A driver: "mode hex..." lines in, "len op size" or "err" lines out.
cat >"$tmp/drv.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <hv/mmio_insn.h>
int main(void)
{
	char line[256];
	while (fgets(line, sizeof(line), stdin)) {
		u8 b[15];
		u32 n = 0;
		char *p = line, *end;
		int mode = (int)strtol(p, &p, 10);
		struct mmio_insn d;
		while (n < 15 && (b[n] = (u8)strtoul(p, &end, 16), end != p)) {
			p = end;
			n++;
		}
		if (mmio_insn_decode(b, n, mode, &d))
			puts("err");
		else
			printf("%u %u %u\n", d.len, d.op, d.size);
	}
	return 0;
}
C
cc -std=gnu11 -DSPROUT_HOST -Iinclude -o "$tmp/drv" "$tmp/drv.c" core/mmio_insn.c
python3 - "$tmp" "$COUNT" <<'PY'
import random, subprocess, sys
tmp, count = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
OPS = [None, {"mov", "movabs", "movsxd"}, {"mov", "movabs"}, {"mov"}, {"movzx"},
       {"movsx", "movsxd"}, {"add"}, {"or"}, {"adc"}, {"sbb"}, {"and"}, {"sub"}, {"xor"},
       {"cmp"}, {"test"}, {"xchg"}, {"movs"}, {"stos"}]
SIZES = {"BYTE": 1, "WORD": 2, "DWORD": 4, "QWORD": 8}
PREFIX_WORDS = {"lock", "rep", "repz", "repnz", "repe", "repne", "data16", "data32", "addr16",
                "addr32", "cs", "ds", "es", "ss", "fs", "gs", "bnd", "notrack", "xacquire",
                "xrelease"}
opcodes = [[o] for o in range(0x40) if o & 7 < 4] + [[o] for o in (
    0x63, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0xa0, 0xa1,
    0xa2, 0xa3, 0xa4, 0xa5, 0xaa, 0xab, 0xc6, 0xc7, 0xf6, 0xf7)] + \
    [[0x0f, o] for o in (0xb6, 0xb7, 0xbe, 0xbf)]
prefixes = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]

def candidate(mode):
    b = [rnd.choice(prefixes) for _ in range(rnd.choice((0, 0, 1, 1, 2, 3)))]
    if mode == 64 and rnd.random() < 0.5:
        b.append(0x40 | rnd.randrange(16))
    b += rnd.choice(opcodes)
    b.append(rnd.randrange(0xc0))  # ModRM with a memory operand
    return (b + [rnd.randrange(256) for _ in range(15)])[:15]

MACH = {16: "i8086", 32: "i386", 64: "i386:x86-64"}
bad = checked = 0
for mode in (16, 32, 64):
    cands = [candidate(mode) for _ in range(count // 3)]
    out = subprocess.run([tmp + "/drv"], input="".join(
        "%d %s\n" % (mode, " ".join("%02x" % x for x in c)) for c in cands),
        capture_output=True, text=True, check=True).stdout.split("\n")
    slots = []
    for c, r in zip(cands, out):
        if r != "err":
            ln, op, size = map(int, r.split())
            slots.append((c[:ln], op, size))
    blob = b"".join(bytes(c) + b"\x90" * (32 - len(c)) for c, _, _ in slots)
    open(tmp + "/r.bin", "wb").write(blob)
    dis = subprocess.run(["objdump", "-D", "-b", "binary", "-m", MACH[mode], "-M", "intel",
                          "-w", tmp + "/r.bin"], capture_output=True, text=True,
                         check=True).stdout
    at = {}
    for line in dis.split("\n"):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0].strip().endswith(":"):
            at[int(parts[0].strip()[:-1], 16)] = (len(parts[1].split()), parts[2])
    for k, (c, op, size) in enumerate(slots):
        checked += 1
        ln, text = at.get(32 * k, (0, "(missing)"))
        words = text.replace(",", " ").split()
        while words and (words[0] in PREFIX_WORDS or words[0].startswith("rex")):
            words.pop(0)
        mnem = words[0] if words else ""
        ptr = [SIZES[w] for w in words if w in SIZES]
        why = []
        if ln != len(c):
            why.append("length %d, objdump %d" % (len(c), ln))
        if mnem not in OPS[op]:
            why.append("op %d" % op)
        if ptr and ptr[0] != size:
            why.append("size %d" % size)
        if why:
            bad += 1
            if bad <= 20:
                print("FAIL %d-bit %s: %s: %s" % (mode, " ".join("%02x" % x for x in c),
                                                  ", ".join(why), text))
print("objdump: %d passed, %d failed" % (checked - bad, bad))
sys.exit(1 if bad else 0)
PY
[ "$fail" -eq 0 ]
