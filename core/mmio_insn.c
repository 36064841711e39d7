// SPDX-License-Identifier: MIT
/* Decoder of the guest instructions that access MMIO, and the register and flag results they give. */
#include <hv/errno.h>
#include <hv/mmio_insn.h>
#include <hv/string.h>

/* The architectural limit on instruction length (SDM Vol. 2A, 2.1: "Instruction Format"). */
#define INSN_MAX 15

struct dec {
	const u8 *b;
	u32 n; /* bytes available, at most INSN_MAX */
	u32 i; /* next byte */
	int mode;
	u8 rex;
	u8 rep; /* F2 or F3, 0 without */
	bool opsize_prefix;
	bool adsize_prefix;
	struct mmio_insn *out;
};

#define REX_W 8
#define REX_R 4

/* Ask for k more bytes: too long for the CPU (#GP) is -EINVAL, past what was fetched -ENODATA. */
static int need(const struct dec *d, u32 k)
{
	if (d->i + k > INSN_MAX)
		return -EINVAL;
	return d->i + k > d->n ? -ENODATA : 0;
}

/* Little-endian value of the next k (1, 2, 4 or 8) bytes, which need() has checked. */
static u64 take(struct dec *d, u32 k)
{
	u64 v = 0;

	for (u32 j = 0; j < k; j++)
		v |= (u64)d->b[d->i + j] << (8 * j);
	d->i += k;
	return v;
}

static u64 size_mask(u32 size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static u64 sign_extend(u64 v, u32 from)
{
	u64 sign = 1ULL << (8 * from - 1);

	v &= size_mask(from);
	return (v ^ sign) - sign;
}

static u8 segment_of(u8 prefix)
{
	switch (prefix) {
	case 0x26: return MMIO_SEG_ES;
	case 0x2e: return MMIO_SEG_CS;
	case 0x36: return MMIO_SEG_SS;
	case 0x3e: return MMIO_SEG_DS;
	case 0x64: return MMIO_SEG_FS;
	case 0x65: return MMIO_SEG_GS;
	default: return MMIO_SEG_NONE;
	}
}

/* Legacy prefixes in any order, then REX in 64-bit mode: a REX before a legacy prefix is ignored. */
static int parse_prefixes(struct dec *d)
{
	for (;;) {
		int err = need(d, 1);
		u8 c;

		if (err)
			return err;
		c = d->b[d->i];
		if (c == 0x66)
			d->opsize_prefix = true;
		else if (c == 0x67)
			d->adsize_prefix = true;
		else if (c == 0xf0)
			d->out->lock = true;
		else if (c == 0xf2 || c == 0xf3)
			d->rep = c;
		else if (segment_of(c) != MMIO_SEG_NONE)
			d->out->seg = segment_of(c);
		else if (d->mode == 64 && (c & 0xf0) == 0x40) {
			d->rex = c;
			d->i++;
			continue;
		} else
			return 0;
		d->rex = 0;
		d->i++;
	}
}

/* Operand size of the non-byte forms (SDM Vol. 1, 3.6: "Operand-size and Address-size Attributes"). */
static u8 operand_size(const struct dec *d)
{
	if (d->rex & REX_W)
		return 8;
	if (d->mode == 16)
		return d->opsize_prefix ? 4 : 2;
	return d->opsize_prefix ? 2 : 4;
}

static u8 address_size(const struct dec *d)
{
	if (d->mode == 64)
		return d->adsize_prefix ? 4 : 8;
	if (d->mode == 16)
		return d->adsize_prefix ? 4 : 2;
	return d->adsize_prefix ? 2 : 4;
}

/*
 * Length of the displacement after ModRM (and SIB, consumed here) for a
 * memory operand (SDM Vol. 2A, 2.1.5, tables 2-1 to 2-3):
 *
 *   ModRM  7    6 5     3 2    0      SIB  7      6 5       3 2     0
 *         | mod  |  reg  |  rm  |          | scale | index   | base  |
 *
 * 32/64-bit addressing: rm 4 brings a SIB; mod 0 with rm 5 is disp32
 * (RIP-relative in 64-bit mode), mod 0 with SIB base 5 is disp32 without
 * a base; mod 1 is disp8, mod 2 disp32. 16-bit addressing has no SIB: mod 0
 * with rm 6 is disp16; mod 1 is disp8, mod 2 disp16.
 */
static int modrm_disp(struct dec *d, u8 modrm, u32 *disp)
{
	u8 mod = modrm >> 6, rm = modrm & 7;

	if (d->out->addr_size == 2) {
		*disp = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
		return 0;
	}
	if (rm == 4) {
		int err = need(d, 1);

		if (err)
			return err;
		if ((take(d, 1) & 7) == 5 && mod == 0)
			mod = 2; /* SIB without base: disp32 */
	}
	*disp = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 5)) ? 4 : 0;
	return 0;
}

/*
 * ModRM with a memory operand, its SIB and displacement. The register field,
 * with REX.R, goes to out->reg as an operand of reg_size bytes. Register-only
 * forms (mod == 3) touch no memory.
 */
static int parse_modrm(struct dec *d, u8 reg_size, u8 *regfield)
{
	struct mmio_insn *o = d->out;
	u32 disp;
	u8 modrm;
	int err = need(d, 1);

	if (err)
		return err;
	modrm = (u8)take(d, 1);
	if (modrm >> 6 == 3)
		return -EINVAL;
	err = modrm_disp(d, modrm, &disp);
	if (!err)
		err = need(d, disp);
	if (err)
		return err;
	d->i += disp;
	*regfield = (modrm >> 3) & 7;
	o->reg = (u8)(*regfield | (d->rex & REX_R ? 8 : 0));
	o->reg_size = reg_size;
	/* Without REX, byte registers 4-7 are AH CH DH BH (SDM Vol. 2A, 3.1.1.1). */
	if (reg_size == 1 && !d->rex && o->reg >= 4) {
		o->reg -= 4;
		o->high8 = true;
	}
	return 0;
}

static int take_imm(struct dec *d, u32 k, u32 size)
{
	int err = need(d, k);

	if (err)
		return err;
	d->out->imm = sign_extend(take(d, k), k) & size_mask(size);
	d->out->has_imm = true;
	return 0;
}

/* Immediate of the non-byte forms: 16 bits for 16-bit operands, else 32 sign-extended. */
static int take_immz(struct dec *d, u32 size)
{
	return take_imm(d, size == 2 ? 2 : 4, size);
}

static void set_alu(struct mmio_insn *o, u8 op, bool reg_dst)
{
	o->op = op;
	o->mem_read = true;
	o->sets_flags = true;
	o->reg_dst = reg_dst;
	o->reg_write = reg_dst && op != MMIO_OP_CMP && op != MMIO_OP_TEST;
	o->mem_write = !reg_dst && op != MMIO_OP_CMP && op != MMIO_OP_TEST;
}

/* The ModRM forms whose low opcode bit picks byte or full operand size. */
static int modrm_sized(struct dec *d, u8 opc, u8 *size, u8 *regfield)
{
	*size = opc & 1 ? operand_size(d) : 1;
	return parse_modrm(d, *size, regfield);
}

/* 00-3F with low bits 0-3: ADD OR ADC SBB AND SUB XOR CMP between a register and memory. */
static int decode_alu_reg(struct dec *d, u8 opc)
{
	struct mmio_insn *o = d->out;
	u8 size, regfield;
	int err = modrm_sized(d, opc, &size, &regfield);

	if (err)
		return err;
	o->size = size;
	o->has_reg = true;
	set_alu(o, (u8)(MMIO_OP_ADD + (opc >> 3)), opc & 2);
	return 0;
}

/* 80 81 83 /n: group 1 with an immediate; F6 F7 /0: TEST with an immediate. */
static int decode_alu_imm(struct dec *d, u8 opc)
{
	struct mmio_insn *o = d->out;
	u8 size, regfield;
	int err = modrm_sized(d, opc, &size, &regfield);

	if (err)
		return err;
	o->size = size;
	o->reg = o->reg_size = 0;
	o->high8 = false;
	if (opc == 0xf6 || opc == 0xf7) {
		if (regfield != 0)
			return -EINVAL;
		set_alu(o, MMIO_OP_TEST, false);
	} else
		set_alu(o, (u8)(MMIO_OP_ADD + regfield), false);
	return opc == 0x83 || size == 1 ? take_imm(d, 1, size) : take_immz(d, size);
}

/* 88-8B: MOV between a register and memory; 86 87: XCHG; 84 85: TEST. */
static int decode_reg_mem(struct dec *d, u8 opc)
{
	struct mmio_insn *o = d->out;
	u8 size, regfield;
	int err = modrm_sized(d, opc, &size, &regfield);

	if (err)
		return err;
	o->size = size;
	o->has_reg = true;
	if (opc == 0x84 || opc == 0x85) {
		set_alu(o, MMIO_OP_TEST, false);
	} else if (opc == 0x86 || opc == 0x87) {
		o->op = MMIO_OP_XCHG;
		o->mem_read = o->mem_write = o->reg_write = true;
		o->lock = true;
	} else if (opc & 2) {
		o->op = MMIO_OP_LOAD;
		o->mem_read = o->reg_write = true;
	} else {
		o->op = MMIO_OP_STORE;
		o->mem_write = true;
	}
	return 0;
}

/* C6 /0 ib, C7 /0 iz: MOV memory, immediate. */
static int decode_mov_imm(struct dec *d, u8 opc)
{
	struct mmio_insn *o = d->out;
	u8 size, regfield;
	int err = modrm_sized(d, opc, &size, &regfield);

	if (err)
		return err;
	if (regfield != 0)
		return -EINVAL;
	o->reg = o->reg_size = 0;
	o->high8 = false;
	o->size = size;
	o->op = MMIO_OP_STORE_IMM;
	o->mem_write = true;
	return size == 1 ? take_imm(d, 1, 1) : take_immz(d, size);
}

/* A0-A3: MOV between AL/AX/EAX/RAX and an absolute address of the address size. */
static int decode_moffs(struct dec *d, u8 opc)
{
	struct mmio_insn *o = d->out;
	int err = need(d, o->addr_size);

	if (err)
		return err;
	d->i += o->addr_size;
	o->size = o->reg_size = opc & 1 ? operand_size(d) : 1;
	o->reg = 0;
	o->has_reg = true;
	o->op = opc & 2 ? MMIO_OP_STORE : MMIO_OP_LOAD;
	o->mem_write = opc & 2;
	o->mem_read = o->reg_write = !(opc & 2);
	return 0;
}

/* A4 A5 MOVS, AA AB STOS: one iteration; with REP the caller handles RCX. */
static int decode_string(struct dec *d, u8 opc)
{
	struct mmio_insn *o = d->out;

	o->size = opc & 1 ? operand_size(d) : 1;
	o->rep = d->rep != 0;
	o->mem_write = true;
	if (opc == 0xa4 || opc == 0xa5) {
		o->op = MMIO_OP_MOVS;
		o->mem_read = true;
	} else {
		o->op = MMIO_OP_STOS;
		o->reg = 0;
		o->reg_size = o->size;
		o->has_reg = true;
	}
	return 0;
}

/*
 * 63 /r: MOVSXD in 64-bit mode (ARPL elsewhere). Without REX.W it is a plain
 * 32-bit load. With 0x66, Intel reads a word and AMD documents no such form
 * (binutils shows a dword): refuse it rather than guess.
 */
static int decode_movsxd(struct dec *d)
{
	struct mmio_insn *o = d->out;
	u8 size = operand_size(d), regfield;
	int err;

	if (d->mode != 64 || size == 2)
		return -EINVAL;
	err = parse_modrm(d, size, &regfield);
	if (err)
		return err;
	o->size = 4;
	o->op = size == 8 ? MMIO_OP_LOAD_SX : MMIO_OP_LOAD;
	o->has_reg = o->mem_read = o->reg_write = true;
	return 0;
}

/* 0F B6 B7 BE BF: MOVZX and MOVSX from a byte or a word. */
static int decode_0f(struct dec *d)
{
	struct mmio_insn *o = d->out;
	u8 opc, regfield;
	int err = need(d, 1);

	if (err)
		return err;
	opc = (u8)take(d, 1);
	if (opc != 0xb6 && opc != 0xb7 && opc != 0xbe && opc != 0xbf)
		return -EINVAL;
	err = parse_modrm(d, operand_size(d), &regfield);
	if (err)
		return err;
	o->size = opc & 1 ? 2 : 1;
	o->op = opc & 8 ? MMIO_OP_LOAD_SX : MMIO_OP_LOAD_ZX;
	o->has_reg = o->mem_read = o->reg_write = true;
	return 0;
}

static int decode_opcode(struct dec *d, u8 opc)
{
	if (opc < 0x40 && (opc & 7) < 4)
		return decode_alu_reg(d, opc);
	switch (opc) {
	case 0x0f: return decode_0f(d);
	case 0x63: return decode_movsxd(d);
	case 0x80:
	case 0x81:
	case 0x83:
	case 0xf6:
	case 0xf7: return decode_alu_imm(d, opc);
	case 0x84 ... 0x8b: return decode_reg_mem(d, opc);
	case 0xa0 ... 0xa3: return decode_moffs(d, opc);
	case 0xa4:
	case 0xa5:
	case 0xaa:
	case 0xab: return decode_string(d, opc);
	case 0xc6:
	case 0xc7: return decode_mov_imm(d, opc);
	}
	return -EINVAL; /* VEX (C4 C5), EVEX (62), everything else */
}

/* LOCK is legal only on read-modify-write memory operands (SDM Vol. 2A, "LOCK"). */
static bool lock_ok(const struct mmio_insn *o)
{
	return !o->lock || o->op == MMIO_OP_XCHG ||
	       (o->op >= MMIO_OP_ADD && o->op <= MMIO_OP_XOR && o->mem_write);
}

int mmio_insn_decode(const u8 *bytes, u32 n, int mode, struct mmio_insn *out)
{
	struct dec d = {.b = bytes, .n = MIN(n, (u32)INSN_MAX), .mode = mode, .out = out};
	int err;

	memset(out, 0, sizeof(*out));
	out->seg = MMIO_SEG_NONE;
	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;
	err = parse_prefixes(&d);
	if (!err) {
		out->addr_size = address_size(&d);
		err = decode_opcode(&d, (u8)take(&d, 1));
	}
	if (!err && !lock_ok(out))
		err = -EINVAL;
	if (err) {
		memset(out, 0, sizeof(*out));
		out->seg = MMIO_SEG_NONE;
		return err;
	}
	out->len = (u8)d.i;
	return 0;
}

u64 mmio_insn_operand(const struct mmio_insn *d, u64 reg_val)
{
	if (d->has_imm)
		return d->imm;
	if (d->high8)
		return (reg_val >> 8) & 0xff;
	return reg_val & size_mask(d->size);
}

u64 mmio_insn_merge(const struct mmio_insn *d, u64 old_reg, u64 value)
{
	u32 width = d->reg_size ? d->reg_size : d->size;

	if (d->op == MMIO_OP_LOAD_SX)
		value = sign_extend(value, d->size);
	else
		value &= size_mask(d->size);
	value &= size_mask(width);
	if (d->high8)
		return (old_reg & ~0xff00ULL) | (value << 8);
	if (width >= 4)
		return value;
	return (old_reg & ~size_mask(width)) | value;
}

/* PF: set when the low byte of the result has an even number of one bits. */
static u64 szp_flags(u64 r, u64 sign)
{
	u64 f = 0, p = r & 0xff;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!r)
		f |= MMIO_FLAG_ZF;
	if (r & sign)
		f |= MMIO_FLAG_SF;
	if (!(p & 1))
		f |= MMIO_FLAG_PF;
	return f;
}

/* a + b + c (add) or a - b - c (!add), with CF AF OF of the operation (SDM Vol. 1, 3.4.3.1). */
static u64 arith(u64 a, u64 b, u64 c, bool add, u64 mask, u64 *flags)
{
	u64 sign = (mask >> 1) + 1, r, carry, over;

	if (add) {
		r = (a + b + c) & mask;
		carry = (a & b) | ((a | b) & ~r);
		over = (a ^ r) & (b ^ r);
	} else {
		r = (a - b - c) & mask;
		carry = (~a & b) | ((~a | b) & r);
		over = (a ^ b) & (a ^ r);
	}
	*flags = szp_flags(r, sign);
	if (carry & sign)
		*flags |= MMIO_FLAG_CF;
	if (over & sign)
		*flags |= MMIO_FLAG_OF;
	if ((a ^ b ^ r) & 0x10)
		*flags |= MMIO_FLAG_AF;
	return r;
}

u64 mmio_insn_alu(const struct mmio_insn *d, u64 mem, u64 src, u64 *rflags)
{
	u64 mask = size_mask(d->size), sign = (mask >> 1) + 1, cf = *rflags & MMIO_FLAG_CF;
	u64 a = (d->reg_dst ? src : mem) & mask, b = (d->reg_dst ? mem : src) & mask;
	u64 r, f;

	switch (d->op) {
	case MMIO_OP_ADD: r = arith(a, b, 0, true, mask, &f); break;
	case MMIO_OP_ADC: r = arith(a, b, cf, true, mask, &f); break;
	case MMIO_OP_SBB: r = arith(a, b, cf, false, mask, &f); break;
	case MMIO_OP_SUB:
	case MMIO_OP_CMP: r = arith(a, b, 0, false, mask, &f); break;
	case MMIO_OP_OR: r = a | b; break;
	case MMIO_OP_XOR: r = a ^ b; break;
	case MMIO_OP_AND:
	case MMIO_OP_TEST: r = a & b; break;
	default: return 0;
	}
	if (d->op == MMIO_OP_OR || d->op == MMIO_OP_XOR || d->op == MMIO_OP_AND ||
	    d->op == MMIO_OP_TEST)
		f = szp_flags(r, sign);
	*rflags = (*rflags & ~MMIO_FLAGS_ALU) | f;
	return r;
}
