// SPDX-License-Identifier: MIT
/* Intel extended page table (EPT) entry format for the generic stage-2 walker in mm/s2pt.c. */
#include <hv/s2pt.h>

/*
 * EPT entries (Intel SDM Vol. 3C, 29.3.2 "EPT Translation Mechanism"). An
 * entry that maps a page (a PTE, or a PDE with bit 7 set for 2 MiB):
 *
 *   63   62:52  51:12           11   10   9   8   7    6     5:3   2   1   0
 *  +----+------+---------------+----+----+---+---+----+-----+-----+---+---+---+
 *  |SVE | ign  | frame address |ign | UX | D | A | PS |IPAT | MT  | X | W | R |
 *  +----+------+---------------+----+----+---+---+----+-----+-----+---+---+---+
 *
 * An entry that points to a lower table uses only R/W/X (bits 2:0) and the
 * table address; bits 7:3 must be 0 there, so table_bits holds R|W|X alone.
 * An entry is present when any of R, W, X is set: the "not present" test of
 * the SDM. X is supervisor execute; UX (mode-based execute control) is off.
 * Leaves use memory type 6 (write-back) and leave IPAT 0 so that the
 * guest's PAT still combines with it. A and D are only written by the
 * processor when EPTP enables them. SVE (suppress #VE) stays 0.
 */
#define EPT_R	  BIT(0)
#define EPT_W	  BIT(1)
#define EPT_X	  BIT(2)
#define EPT_MT_WB (6ULL << 3)
#define EPT_LARGE BIT(7)

const struct s2pt_format ept_format = {
	.name = "EPT",
	.present_mask = EPT_R | EPT_W | EPT_X,			     /* 0x07 */
	.table_bits = EPT_R | EPT_W | EPT_X,			     /* 0x07 */
	.leaf_bits = EPT_R | EPT_W | EPT_X | EPT_MT_WB,		     /* 0x37 */
	.large_bits = EPT_R | EPT_W | EPT_X | EPT_MT_WB | EPT_LARGE, /* 0xb7 */
	.write_bit = EPT_W,
};
