// SPDX-License-Identifier: MIT
/* Instruction-length decoding for intercepted instructions (for SVM without NRIP-save). */
#include <hv/insn.h>

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x26:
	case 0x64:
	case 0x65: return true;
	default: return false;
	}
}

/* Length of a 0F-escaped opcode at op[0..avail), 0 if not one we expect. */
static u32 twobyte_length(const u8 *op, u32 avail)
{
	if (avail < 1)
		return 0;
	switch (op[0]) {
	case 0xa2: /* CPUID */
	case 0x30: /* WRMSR */
	case 0x32: /* RDMSR */
	case 0x08: /* INVD */
	case 0x09: /* WBINVD */
	case 0x31: /* RDTSC */ return 2;
	case 0x01:
		if (avail < 2)
			return 0;
		switch (op[1]) {
		case 0xc1: /* VMCALL */
		case 0xc2: /* VMLAUNCH */
		case 0xc3: /* VMRESUME */
		case 0xc4: /* VMXOFF */
		case 0xd0: /* XGETBV */
		case 0xd1: /* XSETBV */
		case 0xd8: /* VMRUN */
		case 0xd9: /* VMMCALL */
		case 0xda: /* VMLOAD */
		case 0xdb: /* VMSAVE */
		case 0xdc: /* STGI */
		case 0xdd: /* CLGI */
		case 0xde: /* SKINIT */
		case 0xdf: /* INVLPGA */
		case 0xf9: /* RDTSCP */ return 3;
		}
		return 0;
	}
	return 0;
}

u32 insn_length(const u8 *bytes, u32 n, bool long64)
{
	u32 i = 0;

	if (n > 15)
		n = 15;
	while (i < n && is_legacy_prefix(bytes[i]))
		i++;
	if (long64 && i < n && (bytes[i] & 0xf0) == 0x40) /* REX */
		i++;
	if (i >= n)
		return 0;
	switch (bytes[i]) {
	case 0xf4: /* HLT */
	case 0xec:
	case 0xed:
	case 0xee:
	case 0xef: /* IN/OUT with DX */
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f: /* INS/OUTS */ return i + 1;
	case 0xe4:
	case 0xe5:
	case 0xe6:
	case 0xe7: /* IN/OUT with imm8 */ return i + 2 <= n ? i + 2 : 0;
	case 0x90: /* PAUSE is F3 90 */ return i + 1;
	case 0x0f: {
		u32 len = twobyte_length(bytes + i + 1, n - i - 1);

		return len ? i + len : 0;
	}
	}
	return 0;
}

/* Skip legacy prefixes and, in 64-bit mode, a REX prefix; *rex gets it (0 if none). */
static u32 skip_prefixes(const u8 *bytes, u32 n, bool long64, u8 *rex, bool *lock)
{
	u32 i = 0;

	*rex = 0;
	*lock = false;
	while (i < n && is_legacy_prefix(bytes[i]))
		*lock |= bytes[i++] == 0xf0;
	if (long64 && i < n && (bytes[i] & 0xf0) == 0x40)
		*rex = bytes[i++];
	return i;
}

u32 insn_decode_cr_write(const u8 *bytes, u32 n, bool long64, struct insn_cr_write *out)
{
	u8 rex, modrm;
	bool lock;
	u32 i;

	if (n > 15)
		n = 15;
	i = skip_prefixes(bytes, n, long64, &rex, &lock);
	if (i + 2 > n || bytes[i] != 0x0f)
		return 0;
	if (bytes[i + 1] == 0x06) {
		*out = (struct insn_cr_write){.op = INSN_CLTS, .cr = 0};
		return i + 2;
	}
	if (i + 3 > n)
		return 0;
	modrm = bytes[i + 2];
	/* MOV to CR ignores the mod field: the operand is always a register (SDM Vol. 2B). */
	if (bytes[i + 1] == 0x22) {
		/* LOCK MOV CR0 is AMD's encoding of CR8 (APM Vol. 3, "MOV CRn"). */
		u8 cr = (u8)(((modrm >> 3) & 7) | ((rex & 4) << 1) | (lock ? 8 : 0));

		*out = (struct insn_cr_write){INSN_MOV_TO_CR, cr,
					      (u8)((modrm & 7) | ((rex & 1) << 3))};
		return i + 3;
	}
	if (bytes[i + 1] == 0x01 && (modrm >> 6) == 3 && ((modrm >> 3) & 7) == 6) {
		*out = (struct insn_cr_write){INSN_LMSW, 0, (u8)((modrm & 7) | ((rex & 1) << 3))};
		return i + 3;
	}
	return 0;
}
