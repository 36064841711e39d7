// SPDX-License-Identifier: MIT
/* AMD nested page table (NPT) entry format for the generic stage-2 walker in mm/s2pt.c. */
#include <hv/s2pt.h>

/*
 * An NPT entry is an ordinary x86-64 long-mode paging entry (AMD APM Vol. 2,
 * 15.25 "Nested Paging"); the same layout serves PML4E, PDPTE, PDE and PTE:
 *
 *   63  62:52  51:12           11:9  8   7    6   5   4    3    2    1    0
 *  +---+------+---------------+-----+---+----+---+---+----+----+----+----+---+
 *  |NX | avl  | frame address | avl | G | PS | D | A |PCD |PWT |U/S |R/W | P |
 *  +---+------+---------------+-----+---+----+---+---+----+----+----+----+---+
 *
 * PS (bit 7) is set only in a PDE that maps a 2 MiB page; its address then
 * lies in bits 51:21 and bit 12 is PAT, which stays 0. U/S must be set at
 * every level: the processor checks all nested-table accesses as user
 * accesses, so a supervisor-only entry would fault every guest access.
 * NX stays 0 (guests may execute anywhere). PAT, PCD and PWT stay 0, which
 * selects PAT entry 0 (write-back); the guest's own memory type combines
 * with it. A and D are set by the processor and left alone.
 */
const struct s2pt_format npt_format = {
	.name = "NPT",
	.present_mask = BIT(0),
	.table_bits = BIT(0) | BIT(1) | BIT(2),		 /* P | R/W | U/S = 0x07 */
	.leaf_bits = BIT(0) | BIT(1) | BIT(2),		 /* 0x07 */
	.large_bits = BIT(0) | BIT(1) | BIT(2) | BIT(7), /* ... | PS = 0x87 */
	.write_bit = BIT(1),
};
