// SPDX-License-Identifier: MIT
/* Host tests of the MMIO instruction decoder: a table of encodings, refusals, truncation, merges, flags. */
#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/mmio_insn.h>

#include "utest.h"

/* Expected attributes beyond op/size/reg: */
#define H     1u  /* high8 */
#define R     2u  /* reg_dst */
#define P     4u  /* rep */
#define L     8u  /* lock */
#define I     16u /* has_imm */

#define LOAD  MMIO_OP_LOAD
#define STORE MMIO_OP_STORE
#define STI   MMIO_OP_STORE_IMM
#define ZX    MMIO_OP_LOAD_ZX
#define SX    MMIO_OP_LOAD_SX

/*
 * One instruction: the bytes, the same instruction for gas in Intel syntax
 * (tests/unit/mmio_insn_check.sh assembles it and compares the bytes; "" for
 * encodings gas does not emit), and what the decoder must report. The length
 * is the number of bytes; reg_size 0 means no register operand.
 */
struct tcase {
	int mode;
	const char *hex;
	const char *as;
	u8 op, size, reg, reg_size;
	u32 flags;
	u64 imm;
};

/* clang-format off */
static const struct tcase cases[] = {
	/* 64-bit: MOV loads and stores as Linux's apic_read()/apic_write() and test kernels emit them */
	{64, "8b 87 00 03 00 00", "mov eax, dword ptr [rdi+0x300]", LOAD, 4, 0, 4, 0, 0},
	{64, "89 14 25 00 03 e0 fe", "mov dword ptr [0xfffffffffee00300], edx", STORE, 4, 2, 4, 0, 0},
	{64, "8b 04 25 20 00 e0 fe", "mov eax, dword ptr [0xfffffffffee00020]", LOAD, 4, 0, 4, 0, 0},
	{64, "c7 05 00 10 00 00 78 56 34 12", "mov dword ptr [rip+0x1000], 0x12345678", STI, 4, 0, 0, I, 0x12345678},
	{64, "48 c7 05 10 00 00 00 ff ff ff ff", "mov qword ptr [rip+0x10], -1", STI, 8, 0, 0, I, ~0ULL},
	{64, "44 8b 80 f0 00 00 00", "mov r8d, dword ptr [rax+0xf0]", LOAD, 4, 8, 4, 0, 0},
	{64, "41 89 0c 24", "mov dword ptr [r12], ecx", STORE, 4, 1, 4, 0, 0},
	{64, "41 89 45 00", "mov dword ptr [r13+0], eax", STORE, 4, 0, 4, 0, 0},
	{64, "48 8b 05 00 01 00 00", "mov rax, qword ptr [rip+0x100]", LOAD, 8, 0, 8, 0, 0},
	{64, "4c 89 3c 88", "mov qword ptr [rax+rcx*4], r15", STORE, 8, 15, 8, 0, 0},
	{64, "4d 8b 84 c8 00 01 00 00", "mov r8, qword ptr [r8+rcx*8+0x100]", LOAD, 8, 8, 8, 0, 0},
	{64, "46 8b 04 c8", "mov r8d, dword ptr [rax+r9*8]", LOAD, 4, 8, 4, 0, 0},
	{64, "48 8b 04 c5 00 00 00 00", "mov rax, qword ptr [rax*8+0]", LOAD, 8, 0, 8, 0, 0},
	{64, "8b 44 24 08", "mov eax, dword ptr [rsp+8]", LOAD, 4, 0, 4, 0, 0},
	{64, "8b 84 24 00 01 00 00", "mov eax, dword ptr [rsp+0x100]", LOAD, 4, 0, 4, 0, 0},
	{64, "8a 47 20", "mov al, byte ptr [rdi+0x20]", LOAD, 1, 0, 1, 0, 0},
	{64, "8a 67 20", "mov ah, byte ptr [rdi+0x20]", LOAD, 1, 0, 1, H, 0},
	{64, "40 8a 77 20", "mov sil, byte ptr [rdi+0x20]", LOAD, 1, 6, 1, 0, 0},
	{64, "88 3e", "mov byte ptr [rsi], bh", STORE, 1, 3, 1, H, 0},
	{64, "44 88 3e", "mov byte ptr [rsi], r15b", STORE, 1, 15, 1, 0, 0},
	{64, "66 89 07", "mov word ptr [rdi], ax", STORE, 2, 0, 2, 0, 0},
	{64, "66 8b 47 04", "mov ax, word ptr [rdi+4]", LOAD, 2, 0, 2, 0, 0},
	{64, "c6 07 ff", "mov byte ptr [rdi], 0xff", STI, 1, 0, 0, I, 0xff},
	{64, "66 c7 07 34 12", "mov word ptr [rdi], 0x1234", STI, 2, 0, 0, I, 0x1234},
	{64, "64 8b 04 25 00 00 00 00", "mov eax, dword ptr fs:[0]", LOAD, 4, 0, 4, 0, 0},
	{64, "65 48 8b 04 25 10 00 00 00", "mov rax, qword ptr gs:[0x10]", LOAD, 8, 0, 8, 0, 0},
	{64, "67 8b 07", "mov eax, dword ptr [edi]", LOAD, 4, 0, 4, 0, 0},
	{64, "67 8b 05 00 10 00 00", "mov eax, dword ptr [eip+0x1000]", LOAD, 4, 0, 4, 0, 0},
	{64, "48 66 89 07", "", STORE, 2, 0, 2, 0, 0}, /* REX before 66 is ignored */
	{64, "66 48 89 07", "", STORE, 8, 0, 8, 0, 0}, /* REX.W beats 66 */
	{64, "66 66 66 66 66 66 66 66 66 66 66 c7 07 34 12", "", STI, 2, 0, 0, I, 0x1234}, /* 15 */
	/* moffs: 8 bytes of address in 64-bit mode, 4 with 0x67 */
	{64, "a1 20 00 e0 fe 00 00 00 00", "movabs eax, dword ptr [0xfee00020]", LOAD, 4, 0, 4, 0, 0},
	{64, "48 a3 b0 00 e0 fe 00 00 00 00", "movabs qword ptr [0xfee000b0], rax", STORE, 8, 0, 8, 0, 0},
	{64, "a2 00 00 c0 fe 00 00 00 00", "movabs byte ptr [0xfec00000], al", STORE, 1, 0, 1, 0, 0},
	{64, "67 a1 20 00 e0 fe", "addr32 mov eax, dword ptr [0xfee00020]", LOAD, 4, 0, 4, 0, 0},
	/* MOVZX, MOVSX, MOVSXD */
	{64, "0f b6 47 10", "movzx eax, byte ptr [rdi+0x10]", ZX, 1, 0, 4, 0, 0},
	{64, "48 0f b7 07", "movzx rax, word ptr [rdi]", ZX, 2, 0, 8, 0, 0},
	{64, "0f be 07", "movsx eax, byte ptr [rdi]", SX, 1, 0, 4, 0, 0},
	{64, "48 0f bf 47 02", "movsx rax, word ptr [rdi+2]", SX, 2, 0, 8, 0, 0},
	{64, "66 0f b6 07", "movzx ax, byte ptr [rdi]", ZX, 1, 0, 2, 0, 0},
	{64, "44 0f b7 0d 00 10 00 00", "movzx r9d, word ptr [rip+0x1000]", ZX, 2, 9, 4, 0, 0},
	{64, "48 63 07", "movsxd rax, dword ptr [rdi]", SX, 4, 0, 8, 0, 0},
	{64, "63 07", "movsxd eax, dword ptr [rdi]", LOAD, 4, 0, 4, 0, 0},
	/* group 1 with an immediate */
	{64, "81 0f 00 01 00 00", "or dword ptr [rdi], 0x100", MMIO_OP_OR, 4, 0, 0, I, 0x100},
	{64, "83 27 fe", "and dword ptr [rdi], -2", MMIO_OP_AND, 4, 0, 0, I, 0xfffffffe},
	{64, "48 83 27 fe", "and qword ptr [rdi], -2", MMIO_OP_AND, 8, 0, 0, I, 0xfffffffffffffffe},
	{64, "80 0f 01", "or byte ptr [rdi], 1", MMIO_OP_OR, 1, 0, 0, I, 1},
	{64, "f0 81 0f 00 01 00 00", "lock or dword ptr [rdi], 0x100", MMIO_OP_OR, 4, 0, 0, I | L, 0x100},
	{64, "48 81 47 08 00 00 00 80", "add qword ptr [rdi+8], -0x80000000", MMIO_OP_ADD, 8, 0, 0, I, 0xffffffff80000000},
	{64, "66 83 07 ff", "add word ptr [rdi], -1", MMIO_OP_ADD, 2, 0, 0, I, 0xffff},
	{64, "66 81 07 34 12", "add word ptr [rdi], 0x1234", MMIO_OP_ADD, 2, 0, 0, I, 0x1234},
	{64, "83 3f 00", "cmp dword ptr [rdi], 0", MMIO_OP_CMP, 4, 0, 0, I, 0},
	{64, "83 35 00 10 00 00 01", "xor dword ptr [rip+0x1000], 1", MMIO_OP_XOR, 4, 0, 0, I, 1},
	{64, "83 6f 10 04", "sub dword ptr [rdi+0x10], 4", MMIO_OP_SUB, 4, 0, 0, I, 4},
	{64, "83 57 10 00", "adc dword ptr [rdi+0x10], 0", MMIO_OP_ADC, 4, 0, 0, I, 0},
	{64, "80 5f 10 01", "sbb byte ptr [rdi+0x10], 1", MMIO_OP_SBB, 1, 0, 0, I, 1},
	/* group 1 between memory and a register, both directions */
	{64, "01 07", "add dword ptr [rdi], eax", MMIO_OP_ADD, 4, 0, 4, 0, 0},
	{64, "f0 01 07", "lock add dword ptr [rdi], eax", MMIO_OP_ADD, 4, 0, 4, L, 0},
	{64, "09 37", "or dword ptr [rdi], esi", MMIO_OP_OR, 4, 6, 4, 0, 0},
	{64, "21 0f", "and dword ptr [rdi], ecx", MMIO_OP_AND, 4, 1, 4, 0, 0},
	{64, "31 17", "xor dword ptr [rdi], edx", MMIO_OP_XOR, 4, 2, 4, 0, 0},
	{64, "29 1f", "sub dword ptr [rdi], ebx", MMIO_OP_SUB, 4, 3, 4, 0, 0},
	{64, "39 07", "cmp dword ptr [rdi], eax", MMIO_OP_CMP, 4, 0, 4, 0, 0},
	{64, "08 27", "or byte ptr [rdi], ah", MMIO_OP_OR, 1, 0, 1, H, 0},
	{64, "11 07", "adc dword ptr [rdi], eax", MMIO_OP_ADC, 4, 0, 4, 0, 0},
	{64, "18 07", "sbb byte ptr [rdi], al", MMIO_OP_SBB, 1, 0, 1, 0, 0},
	{64, "03 07", "add eax, dword ptr [rdi]", MMIO_OP_ADD, 4, 0, 4, R, 0},
	{64, "0b 47 04", "or eax, dword ptr [rdi+4]", MMIO_OP_OR, 4, 0, 4, R, 0},
	{64, "23 07", "and eax, dword ptr [rdi]", MMIO_OP_AND, 4, 0, 4, R, 0},
	{64, "2b 07", "sub eax, dword ptr [rdi]", MMIO_OP_SUB, 4, 0, 4, R, 0},
	{64, "33 07", "xor eax, dword ptr [rdi]", MMIO_OP_XOR, 4, 0, 4, R, 0},
	{64, "3b 07", "cmp eax, dword ptr [rdi]", MMIO_OP_CMP, 4, 0, 4, R, 0},
	{64, "0a 07", "or al, byte ptr [rdi]", MMIO_OP_OR, 1, 0, 1, R, 0},
	{64, "4c 23 0f", "and r9, qword ptr [rdi]", MMIO_OP_AND, 8, 9, 8, R, 0},
	/* TEST, XCHG */
	{64, "85 07", "test dword ptr [rdi], eax", MMIO_OP_TEST, 4, 0, 4, 0, 0},
	{64, "84 07", "test byte ptr [rdi], al", MMIO_OP_TEST, 1, 0, 1, 0, 0},
	{64, "f7 07 00 00 00 80", "test dword ptr [rdi], 0x80000000", MMIO_OP_TEST, 4, 0, 0, I, 0x80000000},
	{64, "f6 47 04 01", "test byte ptr [rdi+4], 1", MMIO_OP_TEST, 1, 0, 0, I, 1},
	{64, "87 07", "xchg dword ptr [rdi], eax", MMIO_OP_XCHG, 4, 0, 4, L, 0},
	{64, "48 87 07", "xchg qword ptr [rdi], rax", MMIO_OP_XCHG, 8, 0, 8, L, 0},
	{64, "86 07", "xchg byte ptr [rdi], al", MMIO_OP_XCHG, 1, 0, 1, L, 0},
	/* string instructions */
	{64, "a5", "movsd", MMIO_OP_MOVS, 4, 0, 0, 0, 0},
	{64, "f3 a5", "rep movsd", MMIO_OP_MOVS, 4, 0, 0, P, 0},
	{64, "f3 48 a5", "rep movsq", MMIO_OP_MOVS, 8, 0, 0, P, 0},
	{64, "a4", "movsb", MMIO_OP_MOVS, 1, 0, 0, 0, 0},
	{64, "aa", "stosb", MMIO_OP_STOS, 1, 0, 1, 0, 0},
	{64, "f3 ab", "rep stosd", MMIO_OP_STOS, 4, 0, 4, P, 0},
	{64, "66 ab", "stosw", MMIO_OP_STOS, 2, 0, 2, 0, 0},
	{64, "f3 48 ab", "rep stosq", MMIO_OP_STOS, 8, 0, 8, P, 0},
	/* 32-bit mode */
	{32, "8b 15 20 00 e0 fe", "mov edx, dword ptr [0xfee00020]", LOAD, 4, 2, 4, 0, 0},
	{32, "a1 20 00 e0 fe", "mov eax, dword ptr [0xfee00020]", LOAD, 4, 0, 4, 0, 0},
	{32, "a3 b0 00 e0 fe", "mov dword ptr [0xfee000b0], eax", STORE, 4, 0, 4, 0, 0},
	{32, "89 90 00 03 00 00", "mov dword ptr [eax+0x300], edx", STORE, 4, 2, 4, 0, 0},
	{32, "66 8b 07", "mov ax, word ptr [edi]", LOAD, 2, 0, 2, 0, 0},
	{32, "67 8b 07", "mov eax, dword ptr [bx]", LOAD, 4, 0, 4, 0, 0},
	{32, "67 a1 20 00", "addr16 mov eax, dword ptr [0x20]", LOAD, 4, 0, 4, 0, 0},
	{32, "c7 05 00 03 e0 fe 00 00 00 00", "mov dword ptr [0xfee00300], 0", STI, 4, 0, 0, I, 0},
	{32, "0f b7 05 00 00 c0 fe", "movzx eax, word ptr [0xfec00000]", ZX, 2, 0, 4, 0, 0},
	{32, "8a 25 00 00 c0 fe", "mov ah, byte ptr [0xfec00000]", LOAD, 1, 0, 1, H, 0},
	{32, "83 0c 24 01", "or dword ptr [esp], 1", MMIO_OP_OR, 4, 0, 0, I, 1},
	{32, "f3 a5", "rep movsd", MMIO_OP_MOVS, 4, 0, 0, P, 0},
	{32, "26 89 07", "mov dword ptr es:[edi], eax", STORE, 4, 0, 4, 0, 0},
	/* 16-bit mode */
	{16, "8b 07", "mov ax, word ptr [bx]", LOAD, 2, 0, 2, 0, 0},
	{16, "66 8b 07", "mov eax, dword ptr [bx]", LOAD, 4, 0, 4, 0, 0},
	{16, "8b 46 00", "mov ax, word ptr [bp+0]", LOAD, 2, 0, 2, 0, 0},
	{16, "8b 36 20 00", "mov si, word ptr [0x20]", LOAD, 2, 6, 2, 0, 0},
	{16, "8b 87 00 03", "mov ax, word ptr [bx+0x300]", LOAD, 2, 0, 2, 0, 0},
	{16, "a1 20 00", "mov ax, word ptr [0x20]", LOAD, 2, 0, 2, 0, 0},
	{16, "67 66 8b 87 00 03 e0 fe", "mov eax, dword ptr [edi+0xfee00300]", LOAD, 4, 0, 4, 0, 0},
	{16, "66 67 8b 87 00 03 e0 fe", "", LOAD, 4, 0, 4, 0, 0}, /* prefixes in any order */
	{16, "c6 06 20 00 01", "mov byte ptr [0x20], 1", STI, 1, 0, 0, I, 1},
	{16, "66 c7 06 00 03 00 00 e0 fe", "mov dword ptr [0x300], 0xfee00000", STI, 4, 0, 0, I, 0xfee00000},
	{16, "83 0e 20 00 01", "or word ptr [0x20], 1", MMIO_OP_OR, 2, 0, 0, I, 1},
	{16, "66 a5", "movsd", MMIO_OP_MOVS, 4, 0, 0, 0, 0},
};

/* Not MMIO accesses this decoder knows: each must give -EINVAL. */
static const struct {
	int mode;
	const char *hex;
} refused[] = {
	{64, "8b c0"},		/* mov eax, eax: no memory */
	{64, "83 c0 01"},	/* add eax, 1 */
	{64, "c5 f9 6f 07"},	/* vmovdqa xmm0, [rdi] */
	{64, "c4 e1 79 6f 07"}, /* vmovdqa, 3-byte VEX */
	{64, "62 f1 7d 48 6f 07"}, /* vmovdqa32 zmm0, [rdi] */
	{64, "66 0f 6f 07"},	/* movdqa xmm0, [rdi] */
	{64, "66 0f 7e 07"},	/* movd [rdi], xmm0 */
	{64, "0f 10 07"},	/* movups */
	{64, "f0 89 07"},	/* lock mov: #UD */
	{64, "f0 3b 07"},	/* lock cmp eax, [rdi]: #UD */
	{64, "f0 83 3f 00"},	/* lock cmp [rdi], 0: #UD */
	{64, "f0 a5"},		/* lock movsd: #UD */
	{64, "c7 0f 00 00 00 00"}, /* c7 /1 */
	{64, "f7 17"},		/* not dword ptr [rdi] */
	{64, "ff 37"},		/* push qword ptr [rdi] */
	{64, "0f ae 3f"},	/* clflush [rdi] */
	{64, "0f a3 07"},	/* bt [rdi], eax */
	{64, "82 07 01"},	/* invalid in 64-bit mode */
	{32, "63 07"},		/* arpl */
	{64, "66 63 07"},	/* movsxd ax: word on Intel, undocumented on AMD */
	{32, "48 8b 07"},	/* dec eax */
	{16, "c4 07"},		/* les ax, [bx] */
	{64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 8b 07"}, /* 16 bytes */
	{64, "66 66 66 66 66 66 66 66 66 66 66 66 c7 07 00 00"}, /* 16: imm16 at 15 */
};
/* clang-format on */

static u32 parse_hex(const char *hex, u8 *buf, u32 max)
{
	u32 n = 0;
	char *end;

	while (*hex && n < max) {
		buf[n++] = (u8)strtoul(hex, &end, 16);
		hex = end;
	}
	return n;
}

/* Decode from a buffer of exactly n bytes on the heap, so ASan sees any read past it. */
static int decode_exact(const u8 *bytes, u32 n, int mode, struct mmio_insn *d)
{
	u8 *copy = malloc(n ? n : 1);
	int ret;

	memcpy(copy, bytes, n);
	ret = mmio_insn_decode(n ? copy : NULL, n, mode, d);
	free(copy);
	return ret;
}

static void check_case(const struct tcase *t)
{
	u8 buf[24];
	u32 len = parse_hex(t->hex, buf, 15);
	struct mmio_insn d;

	/* Trailing bytes of a next instruction must not change anything. */
	memset(buf + len, 0x8b, sizeof(buf) - len);
	CHECK_EQ(mmio_insn_decode(buf, sizeof(buf), t->mode, &d), 0);
	CHECK_EQ(decode_exact(buf, len, t->mode, &d), 0);
	if (d.len != len || d.op != t->op || d.size != t->size || d.reg != t->reg ||
	    d.reg_size != t->reg_size || d.high8 != !!(t->flags & H) ||
	    d.reg_dst != !!(t->flags & R) || d.rep != !!(t->flags & P) ||
	    d.lock != !!(t->flags & L) || d.has_imm != !!(t->flags & I) || d.imm != t->imm ||
	    d.has_reg != (t->reg_size != 0)) {
		printf("    %d-bit %s (%s): len %u op %u size %u reg %u/%u high8 %d reg_dst %d "
		       "rep %d lock %d imm %d/%llx\n",
		       t->mode, t->hex, t->as, d.len, d.op, d.size, d.reg, d.reg_size, d.high8,
		       d.reg_dst, d.rep, d.lock, d.has_imm, d.imm);
		CHECK(!"decoded as expected");
	}
	for (u32 n = 0; n < len; n++)
		CHECK_EQ(decode_exact(buf, n, t->mode, &d), -ENODATA);
}

UTEST(mmio_insn_table)
{
	CHECK(ARRAY_SIZE(cases) >= 60);
	for (u32 i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

UTEST(mmio_insn_refused)
{
	struct mmio_insn d;
	u8 buf[24];

	for (u32 i = 0; i < ARRAY_SIZE(refused); i++) {
		u32 len = parse_hex(refused[i].hex, buf, sizeof(buf));
		int ret = decode_exact(buf, len, refused[i].mode, &d);

		if (ret != -EINVAL)
			printf("    %d-bit %s: %d\n", refused[i].mode, refused[i].hex, ret);
		CHECK_EQ(ret, -EINVAL);
		CHECK(d.len == 0 && d.op == MMIO_OP_NONE);
	}
	buf[0] = 0x8b;
	buf[1] = 0x07;
	CHECK_EQ(mmio_insn_decode(buf, 2, 8, &d), -EINVAL);
	CHECK_EQ(decode_exact(buf, 0, 64, &d), -ENODATA);
}

UTEST(mmio_insn_access_kinds)
{
	static const u8 load[] = {0x8b, 0x07}, cmp[] = {0x3b, 0x07}, add[] = {0x01, 0x07};
	static const u8 xchg[] = {0x87, 0x07}, movs[] = {0xa5}, fs[] = {0x64, 0x8b, 0x07};
	struct mmio_insn d;

	CHECK_EQ(mmio_insn_decode(load, sizeof(load), 64, &d), 0);
	CHECK(d.mem_read && !d.mem_write && d.reg_write && !d.sets_flags);
	CHECK_EQ(d.seg, MMIO_SEG_NONE);
	CHECK_EQ(d.addr_size, 8);
	CHECK_EQ(mmio_insn_decode(cmp, sizeof(cmp), 64, &d), 0);
	CHECK(d.mem_read && !d.mem_write && !d.reg_write && d.sets_flags);
	CHECK_EQ(mmio_insn_decode(add, sizeof(add), 64, &d), 0);
	CHECK(d.mem_read && d.mem_write && !d.reg_write && d.sets_flags);
	CHECK_EQ(mmio_insn_decode(xchg, sizeof(xchg), 32, &d), 0);
	CHECK(d.mem_read && d.mem_write && d.reg_write && !d.sets_flags);
	CHECK_EQ(mmio_insn_decode(movs, sizeof(movs), 16, &d), 0);
	CHECK(d.mem_read && d.mem_write && !d.has_reg && d.size == 2 && d.addr_size == 2);
	CHECK_EQ(mmio_insn_decode(fs, sizeof(fs), 32, &d), 0);
	CHECK(d.seg == MMIO_SEG_FS && d.addr_size == 4);
}

static struct mmio_insn decoded(const char *hex, int mode)
{
	struct mmio_insn d;
	u8 buf[15];

	CHECK_EQ(mmio_insn_decode(buf, parse_hex(hex, buf, sizeof(buf)), mode, &d), 0);
	return d;
}

UTEST(mmio_insn_merge)
{
	struct mmio_insn d;

	d = decoded("8a 47 20", 64); /* mov al, [rdi+0x20] */
	CHECK_EQ(mmio_insn_merge(&d, 0x1122334455667788ULL, 0xab), 0x11223344556677abULL);
	d = decoded("8a 67 20", 64); /* mov ah, [rdi+0x20] */
	CHECK_EQ(mmio_insn_merge(&d, 0x1122334455667788ULL, 0xab), 0x112233445566ab88ULL);
	d = decoded("88 3e", 64); /* mov [rsi], bh */
	CHECK_EQ(mmio_insn_operand(&d, 0x1234), 0x12);
	d = decoded("40 8a 77 20", 64); /* mov sil, [rdi+0x20]: low byte, not DH */
	CHECK_EQ(mmio_insn_merge(&d, 0xffffULL, 0x01), 0xff01ULL);
	d = decoded("66 8b 47 04", 64); /* mov ax, [rdi+4] */
	CHECK_EQ(mmio_insn_merge(&d, 0x1122334455667788ULL, 0xabcd), 0x112233445566abcdULL);
	d = decoded("8b 87 00 03 00 00", 64); /* mov eax: zero-extends */
	CHECK_EQ(mmio_insn_merge(&d, 0x1122334455667788ULL, 0xdeadbeef), 0xdeadbeefULL);
	d = decoded("48 8b 05 00 01 00 00", 64);
	CHECK_EQ(mmio_insn_merge(&d, 1, 0x8000000000000001ULL), 0x8000000000000001ULL);
	d = decoded("0f be 07", 64); /* movsx eax, byte */
	CHECK_EQ(mmio_insn_merge(&d, ~0ULL, 0x80), 0xffffff80ULL);
	d = decoded("48 0f bf 47 02", 64); /* movsx rax, word */
	CHECK_EQ(mmio_insn_merge(&d, 0, 0x8001), 0xffffffffffff8001ULL);
	d = decoded("66 0f be 07", 64); /* movsx ax, byte: merges */
	CHECK_EQ(mmio_insn_merge(&d, 0x12345678, 0xfe), 0x1234fffeULL);
	d = decoded("0f b6 47 10", 64); /* movzx eax, byte */
	CHECK_EQ(mmio_insn_merge(&d, ~0ULL, 0xff80), 0x80ULL);
	d = decoded("48 63 07", 64); /* movsxd rax */
	CHECK_EQ(mmio_insn_merge(&d, 0, 0xfffffffe), 0xfffffffffffffffeULL);
	d = decoded("8b 07", 16); /* mov ax, [bx] */
	CHECK_EQ(mmio_insn_merge(&d, 0xaaaabbbb, 0x1234), 0xaaaa1234ULL);
	d = decoded("87 07", 64); /* xchg: the register gets the old memory value */
	CHECK_EQ(mmio_insn_operand(&d, 0x1122334455667788ULL), 0x55667788ULL);
	d = decoded("c7 05 00 10 00 00 78 56 34 12", 64);
	CHECK_EQ(mmio_insn_operand(&d, 0), 0x12345678);
}

#define CF MMIO_FLAG_CF
#define PF MMIO_FLAG_PF
#define AF MMIO_FLAG_AF
#define ZF MMIO_FLAG_ZF
#define SF MMIO_FLAG_SF
#define OF MMIO_FLAG_OF

static u64 alu(const char *hex, u64 mem, u64 src, u64 *flags)
{
	struct mmio_insn d = decoded(hex, 64);

	return mmio_insn_alu(&d, mem, src, flags);
}

UTEST(mmio_insn_alu_flags)
{
	u64 f;

	/* Bits other than the six arithmetic flags (here IF and bit 1) stay. */
	f = 0x202;
	CHECK_EQ(alu("80 07 01", 0xff, 1, &f), 0); /* add byte [rdi], 1 */
	CHECK_EQ(f, 0x202 | CF | PF | AF | ZF);
	f = 0;
	CHECK_EQ(alu("01 07", 0x7fffffff, 1, &f), 0x80000000); /* add [rdi], eax */
	CHECK_EQ(f, OF | SF | AF | PF);
	f = ~0ULL;
	CHECK_EQ(alu("81 0f 00 01 00 00", 0x10, 0x100, &f), 0x110); /* or: CF OF AF cleared */
	CHECK_EQ(f, ~MMIO_FLAGS_ALU); /* low byte 0x10 has one bit set: PF clear */
	f = 0;
	CHECK_EQ(alu("2b 07", 2, 1, &f), 0xffffffff); /* sub eax, [rdi]: 1 - 2 */
	CHECK_EQ(f, CF | SF | PF | AF);
	f = 0;
	CHECK_EQ(alu("29 07", 2, 1, &f), 1); /* sub [rdi], eax: 2 - 1 */
	CHECK_EQ(f, 0);
	f = 0;
	alu("3b 07", 5, 5, &f); /* cmp eax, [rdi] */
	CHECK_EQ(f, ZF | PF);
	f = CF;
	CHECK_EQ(alu("11 07", 1, 1, &f), 3); /* adc: 1 + 1 + CF */
	CHECK_EQ(f, PF);
	f = CF;
	CHECK_EQ(alu("18 07", 0, 0, &f), 0xff); /* sbb byte: 0 - 0 - CF */
	CHECK_EQ(f, CF | SF | PF | AF);
	f = 0;
	CHECK_EQ(alu("f7 07 00 00 00 80", 0x80000001, 0x80000000, &f), 0x80000000); /* test */
	CHECK_EQ(f, SF | PF);
	f = 0;
	CHECK_EQ(alu("48 83 27 fe", 0x8000000000000001ULL, 0xfffffffffffffffeULL, &f),
		 0x8000000000000000ULL);
	CHECK_EQ(f, SF | PF);
}

#if defined(__x86_64__)
/* The same ops on the host CPU: RFLAGS after `insn src, dst` of each width. */
#define HOST_ALU(insn, sfx, mod)                                                                  \
	static u64 host_##insn##_##sfx(u64 a, u64 b, u64 fin, u64 *fout)                          \
	{                                                                                         \
		asm("sub $128, %%rsp\n\tpush %[fin]\n\tpopf\n\t" #insn #sfx " %" mod "[b], %" mod \
		    "[a]\n\tpushf\n\tpop %[fin]\n\tadd $128, %%rsp"                               \
		    : [a] "+r"(a), [fin] "+r"(fin)                                                \
		    : [b] "r"(b)                                                                  \
		    : "cc", "memory");                                                            \
		*fout = fin;                                                                      \
		return a;                                                                         \
	}
#define HOST_ALU_ALL(insn) \
	HOST_ALU(insn, b, "b") HOST_ALU(insn, w, "w") HOST_ALU(insn, l, "k") HOST_ALU(insn, q, "q")
HOST_ALU_ALL(add)
HOST_ALU_ALL(or)
HOST_ALU_ALL(adc)
HOST_ALU_ALL(sbb)
HOST_ALU_ALL(and)
HOST_ALU_ALL(sub)
HOST_ALU_ALL(xor)
HOST_ALU_ALL(cmp)

typedef u64 (*host_fn)(u64, u64, u64, u64 *);
static const host_fn host_ops[8][4] = {
	{host_add_b, host_add_w, host_add_l, host_add_q},
	{host_or_b, host_or_w, host_or_l, host_or_q},
	{host_adc_b, host_adc_w, host_adc_l, host_adc_q},
	{host_sbb_b, host_sbb_w, host_sbb_l, host_sbb_q},
	{host_and_b, host_and_w, host_and_l, host_and_q},
	{host_sub_b, host_sub_w, host_sub_l, host_sub_q},
	{host_xor_b, host_xor_w, host_xor_l, host_xor_q},
	{host_cmp_b, host_cmp_w, host_cmp_l, host_cmp_q},
};

static u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Every group 1 op of every width, both directions, against the host CPU (AF of logic ops is undefined). */
UTEST(mmio_insn_alu_vs_cpu)
{
	/* clang-format off */
	static const u64 edge[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff,
				   0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
				   0x8000000000000000ULL, ~0ULL};
	/* clang-format on */
	static const u8 sizes[] = {1, 2, 4, 8};
	u64 seed = 0x9e3779b97f4a7c15ULL;
	u32 bad = 0;

	for (u32 iter = 0; iter < 4000; iter++) {
		u64 mem = iter < 169 ? edge[iter % 13] : next_rand(&seed);
		u64 src = iter < 169 ? edge[iter / 13] : next_rand(&seed);
		u64 fin = (next_rand(&seed) & MMIO_FLAGS_ALU) | 0x202;

		for (u32 op = 0; op < 8; op++) {
			for (u32 s = 0; s < 4; s++) {
				struct mmio_insn d = {.op = (u8)(MMIO_OP_ADD + op),
						      .size = sizes[s]};
				u64 mask = s == 3 ? ~0ULL : (1ULL << (8 * sizes[s])) - 1;
				u64 undef = op == 1 || op == 4 || op == 6 ? AF : 0;
				u64 want_f, got_f = fin, want, got;

				d.reg_dst = iter & 1;
				want = host_ops[op][s](d.reg_dst ? src : mem, d.reg_dst ? mem : src,
						       fin, &want_f) &
				       mask;
				got = mmio_insn_alu(&d, mem, src, &got_f);
				if ((op != 7 && got != want) ||
				    ((got_f ^ want_f) & (MMIO_FLAGS_ALU & ~undef))) {
					if (bad++ < 5)
						printf("    op %u size %u %llx %llx: %llx/%llx "
						       "want "
						       "%llx/%llx\n",
						       op, sizes[s], mem, src, got, got_f, want,
						       want_f);
				}
			}
		}
	}
	CHECK_EQ(bad, 0);
}
#endif
