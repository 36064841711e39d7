// SPDX-License-Identifier: MIT
/* Host tests of the instruction decoder: lengths and control-register writes. */
#include <hv/insn.h>

#include "utest.h"

static u32 decode(const u8 *b, u32 n, bool long64, struct insn_cr_write *w)
{
	*w = (struct insn_cr_write){.cr = 0xff, .gpr = 0xff};
	return insn_decode_cr_write(b, n, long64, w);
}

UTEST(insn_lengths)
{
	static const u8 cpuid[] = {0x0f, 0xa2}, wrmsr_rex[] = {0x48, 0x0f, 0x30};
	static const u8 xsetbv[] = {0x0f, 0x01, 0xd1}, out_imm[] = {0xe6, 0x80};

	CHECK_EQ(insn_length(cpuid, sizeof(cpuid), true), 2);
	CHECK_EQ(insn_length(wrmsr_rex, sizeof(wrmsr_rex), true), 3);
	CHECK_EQ(insn_length(xsetbv, sizeof(xsetbv), false), 3);
	CHECK_EQ(insn_length(out_imm, 1, false), 0); /* truncated */
	CHECK_EQ(insn_length(out_imm, sizeof(out_imm), false), 2);
}

UTEST(insn_mov_to_cr)
{
	static const u8 cr0_rax[] = {0x0f, 0x22, 0xc0}, cr4_rdx[] = {0x0f, 0x22, 0xe2};
	static const u8 cr4_r9[] = {0x41, 0x0f, 0x22, 0xe1}, cr8_rax[] = {0x44, 0x0f, 0x22, 0xc0};
	static const u8 lock_cr0[] = {0xf0, 0x0f, 0x22, 0xc3};
	struct insn_cr_write w;

	CHECK_EQ(decode(cr0_rax, sizeof(cr0_rax), true, &w), 3);
	CHECK(w.op == INSN_MOV_TO_CR && w.cr == 0 && w.gpr == 0);
	CHECK_EQ(decode(cr4_rdx, sizeof(cr4_rdx), false, &w), 3);
	CHECK(w.op == INSN_MOV_TO_CR && w.cr == 4 && w.gpr == 2);
	CHECK_EQ(decode(cr4_r9, sizeof(cr4_r9), true, &w), 4);
	CHECK(w.cr == 4 && w.gpr == 9);
	CHECK_EQ(decode(cr8_rax, sizeof(cr8_rax), true, &w), 4);
	CHECK_EQ(w.cr, 8);
	CHECK_EQ(decode(lock_cr0, sizeof(lock_cr0), true, &w), 4);
	CHECK(w.cr == 8 && w.gpr == 3);
	/* In 32-bit code 0x41 is INC ECX, not REX: not a CR write. */
	CHECK_EQ(decode(cr4_r9, sizeof(cr4_r9), false, &w), 0);
	CHECK_EQ(decode(cr0_rax, 2, true, &w), 0);
}

UTEST(insn_clts_lmsw)
{
	static const u8 clts[] = {0x0f, 0x06}, lmsw_ax[] = {0x0f, 0x01, 0xf0};
	static const u8 lmsw_mem[] = {0x0f, 0x01, 0x30}, rdtscp[] = {0x0f, 0x01, 0xf9};
	struct insn_cr_write w;

	CHECK_EQ(decode(clts, sizeof(clts), true, &w), 2);
	CHECK(w.op == INSN_CLTS && w.cr == 0);
	CHECK_EQ(decode(lmsw_ax, sizeof(lmsw_ax), false, &w), 3);
	CHECK(w.op == INSN_LMSW && w.cr == 0 && w.gpr == 0);
	CHECK_EQ(decode(lmsw_mem, sizeof(lmsw_mem), false, &w), 0);
	CHECK_EQ(decode(rdtscp, sizeof(rdtscp), true, &w), 0);
}
