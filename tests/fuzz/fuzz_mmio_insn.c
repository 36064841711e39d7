// SPDX-License-Identifier: MIT
/* libFuzzer harness for mmio_insn_decode(): the input is a mode byte and the instruction bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/mmio_insn.h>

#include "fuzz.h"

static const int modes[3] = {16, 32, 64};

/* Decode from an exact-size heap copy of bytes[0..n): reads past n are ASan reports. */
static int decode(const u8 *bytes, u32 n, int mode, struct mmio_insn *d)
{
	u8 *copy = malloc(n ? n : 1);
	int ret;

	memcpy(copy, bytes, n);
	ret = mmio_insn_decode(copy, n, mode, d);
	free(copy);
	return ret;
}

static bool is_size(u32 s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static u64 mask(u32 size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void check_fields(const struct mmio_insn *d, u32 n)
{
	FUZZ_ASSERT(d->len >= 1 && d->len <= 15 && d->len <= n);
	FUZZ_ASSERT(is_size(d->size) && is_size(d->addr_size) && d->addr_size >= 2);
	FUZZ_ASSERT(d->op > MMIO_OP_NONE && d->op <= MMIO_OP_STOS);
	FUZZ_ASSERT(d->reg < 16 && (!d->high8 || (d->reg < 4 && d->size == 1)));
	FUZZ_ASSERT(d->has_reg == (d->reg_size != 0) && (!d->reg_size || is_size(d->reg_size)));
	FUZZ_ASSERT(!(d->has_reg && d->has_imm));
	FUZZ_ASSERT((d->imm & ~mask(d->size)) == 0 && (d->has_imm || !d->imm));
	FUZZ_ASSERT(d->mem_read || d->mem_write);
	FUZZ_ASSERT(d->seg <= MMIO_SEG_GS || d->seg == MMIO_SEG_NONE);
}

/* The helpers on values from the input: results stay within their widths. */
static void check_helpers(const struct mmio_insn *d, const u8 *data, size_t size)
{
	u64 v[3] = {0, 0, 0}, flags, r, old;

	memcpy(v, data, size < sizeof(v) ? size : sizeof(v));
	flags = v[2];
	old = v[0];
	r = mmio_insn_merge(d, old, v[1]);
	if (d->high8)
		FUZZ_ASSERT((r & ~0xff00ULL) == (old & ~0xff00ULL));
	else if (d->reg_size && d->reg_size < 4)
		FUZZ_ASSERT((r & ~mask(d->reg_size)) == (old & ~mask(d->reg_size)));
	else if (d->reg_size == 4)
		FUZZ_ASSERT(r >> 32 == 0);
	r = mmio_insn_operand(d, v[1]);
	FUZZ_ASSERT((r & ~mask(d->size)) == 0);
	if (d->sets_flags) {
		r = mmio_insn_alu(d, v[0], mmio_insn_operand(d, v[1]), &flags);
		FUZZ_ASSERT((r & ~mask(d->size)) == 0);
		FUZZ_ASSERT((flags & ~MMIO_FLAGS_ALU) == (v[2] & ~MMIO_FLAGS_ALU));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmio_insn d, again;
	u32 n;
	int mode, ret;

	if (size < 1)
		return 0;
	mode = modes[data[0] % 3];
	data++;
	size--;
	n = size > 64 ? 64 : (u32)size;
	ret = decode(data, n, mode, &d);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL || ret == -ENODATA);
	if (ret == -ENODATA)
		FUZZ_ASSERT(n < 15);
	if (ret) {
		FUZZ_ASSERT(d.len == 0 && d.op == MMIO_OP_NONE);
		return 0;
	}
	check_fields(&d, n);
	/* Exactly the instruction's bytes give the same answer; any fewer ask for more. */
	FUZZ_ASSERT(decode(data, d.len, mode, &again) == 0 && !memcmp(&d, &again, sizeof(d)));
	for (u32 k = 0; k < d.len; k++)
		FUZZ_ASSERT(decode(data, k, mode, &again) == -ENODATA);
	check_helpers(&d, data + d.len, size - d.len);
	return 0;
}
