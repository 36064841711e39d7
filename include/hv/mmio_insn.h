/* SPDX-License-Identifier: MIT */
/* Decoding and emulation helpers for guest instructions that touch an MMIO page. */
#ifndef HV_MMIO_INSN_H
#define HV_MMIO_INSN_H

#include <hv/types.h>

/*
 * What the instruction does with its memory operand. The ALU ops come in two
 * directions: memory destination (ADD [m], r/imm) and register destination
 * (ADD r, [m]); mmio_insn.reg_dst tells them apart.
 */
enum mmio_op {
	MMIO_OP_NONE,
	MMIO_OP_LOAD,	   /* MOV r, [m] (8A 8B A0 A1), MOVSXD without REX.W */
	MMIO_OP_STORE,	   /* MOV [m], r (88 89 A2 A3) */
	MMIO_OP_STORE_IMM, /* MOV [m], imm (C6 /0, C7 /0) */
	MMIO_OP_LOAD_ZX,   /* MOVZX r, [m] (0F B6, 0F B7) */
	MMIO_OP_LOAD_SX,   /* MOVSX r, [m] (0F BE, 0F BF), MOVSXD r64, [m] (REX.W 63) */
	MMIO_OP_ADD,	   /* group 1, in the order of the ModRM reg field (/0../7) */
	MMIO_OP_OR,
	MMIO_OP_ADC,
	MMIO_OP_SBB,
	MMIO_OP_AND,
	MMIO_OP_SUB,
	MMIO_OP_XOR,
	MMIO_OP_CMP,
	MMIO_OP_TEST, /* 84 85, F6 /0, F7 /0 */
	MMIO_OP_XCHG, /* 86 87 */
	MMIO_OP_MOVS, /* A4 A5: [rdi] = [rsi] */
	MMIO_OP_STOS, /* AA AB: [rdi] = al/ax/eax/rax */
};

/* Segment override numbers (as in the ModRM sreg field); MMIO_SEG_NONE without one. */
enum mmio_seg {
	MMIO_SEG_ES,
	MMIO_SEG_CS,
	MMIO_SEG_SS,
	MMIO_SEG_DS,
	MMIO_SEG_FS,
	MMIO_SEG_GS,
	MMIO_SEG_NONE = 0xff,
};

/*
 * A decoded instruction. Register numbers are the x86 ones (0 = RAX .. 15 =
 * R15, REX.R included); for AH/CH/DH/BH, reg is the register that holds them
 * (RAX..RBX) and high8 is set.
 */
struct mmio_insn {
	u8 len;		/* instruction length in bytes, prefixes included */
	u8 size;	/* bytes accessed in memory: 1, 2, 4 or 8 */
	u8 op;		/* enum mmio_op */
	u8 reg;		/* register operand (has_reg); RAX for A0-A3 and STOS */
	u8 reg_size;	/* width of the register operand; for MOVZX/MOVSX(D) the destination's */
	u8 addr_size;	/* address size, 2, 4 or 8: the width of RSI/RDI/RCX for string ops */
	u8 seg;		/* segment override as encoded (enum mmio_seg); 64-bit mode ignores ES-DS */
	bool high8;	/* reg is AH/CH/DH/BH (no REX prefix) */
	bool has_reg;	/* there is a register operand */
	bool has_imm;	/* the source operand is imm, not reg */
	bool reg_dst;	/* ALU ops: reg is the first operand (ADD r, [m]; CMP r, [m]) */
	bool mem_read;	/* the instruction reads memory */
	bool mem_write; /* the instruction writes memory (after reading it for ALU ops, XCHG) */
	bool reg_write; /* the instruction writes reg: use mmio_insn_merge() */
	bool sets_flags; /* the instruction sets RFLAGS: use mmio_insn_alu() */
	bool rep;	 /* MOVS/STOS with an F3 or F2 prefix: RCX counts, the caller repeats */
	bool lock;	 /* LOCK prefix (implicit for XCHG) */
	u64 imm;	 /* immediate, sign-extended as the CPU does and cut to size bytes */
};

/*
 * Decode the instruction at bytes[0..n) executed in a mode of 16, 32 or 64
 * bits (the default operand and address size: CS.D, or CS.L for 64). At most
 * 15 bytes are read, never more than n.
 *
 * Returns 0 and fills *out; -ENODATA if the instruction goes on past n bytes
 * (fetch more and retry); -EINVAL if it is not a memory access this decoder
 * knows (register-only ModRM forms, SSE/AVX/VEX, other opcodes, LOCK where it
 * would #UD, longer than 15 bytes): the caller stops the VM and names it.
 * *out is cleared on error.
 */
int mmio_insn_decode(const u8 *bytes, u32 n, int mode, struct mmio_insn *out);

/*
 * The source operand of a store, an ALU op or XCHG: d->imm if d->has_imm,
 * else the register operand read out of reg_val, the full value of GPR
 * d->reg (AH..BH shifted down, cut to d->size bytes).
 */
u64 mmio_insn_operand(const struct mmio_insn *d, u64 reg_val);

/*
 * The new value of GPR d->reg after writing value to it the way the CPU does:
 * MOVZX/MOVSX extend value from d->size to d->reg_size bytes; then an 8- or
 * 16-bit write merges into old_reg (AH..BH at bits 15:8), a 32-bit write
 * zero-extends to 64 bits. Outside 64-bit mode the upper half of a register
 * is not visible and is undefined after a mode switch, so zero-extending
 * there too is correct in every mode.
 */
u64 mmio_insn_merge(const struct mmio_insn *d, u64 old_reg, u64 value);

/* RFLAGS bits that mmio_insn_alu() computes. */
#define MMIO_FLAG_CF BIT(0)
#define MMIO_FLAG_PF BIT(2)
#define MMIO_FLAG_AF BIT(4)
#define MMIO_FLAG_ZF BIT(6)
#define MMIO_FLAG_SF BIT(7)
#define MMIO_FLAG_OF BIT(11)
#define MMIO_FLAGS_ALU \
	(MMIO_FLAG_CF | MMIO_FLAG_PF | MMIO_FLAG_AF | MMIO_FLAG_ZF | MMIO_FLAG_SF | MMIO_FLAG_OF)

/*
 * Compute an ALU op (ADD..CMP, TEST) of d->size bytes. mem is the value read
 * from memory, src is mmio_insn_operand(); the order of the operands follows
 * d->reg_dst (SUB [m], r is mem - src; SUB r, [m] and CMP r, [m] are
 * src - mem). *rflags is the guest's RFLAGS: CF is read by ADC/SBB, and CF PF
 * AF ZF SF OF are replaced (logic ops clear CF, OF and AF). Returns the result,
 * cut to d->size bytes; it goes to memory if d->mem_write, to d->reg through
 * mmio_insn_merge() if d->reg_write, nowhere for CMP and TEST.
 */
u64 mmio_insn_alu(const struct mmio_insn *d, u64 mem, u64 src, u64 *rflags);

#endif
