// SPDX-License-Identifier: MIT
/* libFuzzer harness for term_write(): two size bytes, then console bytes in chunks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/term.h>

#include "fuzz.h"

/*
 * The grid is an exact-size heap block, so a write outside it is an ASan
 * report; after every chunk the cursor, the changed range and the cells must
 * stay within the grid and printable.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct term t;
	u16 cols, rows;
	u8 *cells;
	u32 total;

	if (size < 2)
		return 0;
	cols = (u16)(1 + data[0] % 200);
	rows = (u16)(1 + data[1] % 60);
	total = (u32)cols * rows;
	cells = malloc(total);
	term_init(&t, cells, cols, rows);
	for (size_t off = 2; off < size;) {
		size_t n = 1 + (data[off] % 7);

		n = n < size - off ? n : size - off;
		term_write(&t, (const char *)data + off, n);
		off += n;
		FUZZ_ASSERT(t.x <= cols && t.y < rows);
		FUZZ_ASSERT(t.dirty_lo <= t.dirty_hi && t.dirty_hi <= total);
		term_clean(&t);
	}
	for (u32 i = 0; i < total; i++)
		FUZZ_ASSERT(cells[i] >= ' ' && cells[i] < 0x7f);
	free(cells);
	return 0;
}
