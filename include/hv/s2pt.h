/* SPDX-License-Identifier: MIT */
/* Stage-2 (EPT/NPT) page tables: a generic 4-level walker over a per-vendor PTE format. */
#ifndef HV_S2PT_H
#define HV_S2PT_H

#include <hv/spinlock.h>
#include <hv/types.h>

/*
 * How a vendor encodes stage-2 entries. Both formats put the frame address in
 * bits 51:12, the 2 MiB page-size flag in bit 7 and write permission in bit 1;
 * they differ in what "present" is and which other bits a leaf carries.
 */
struct s2pt_format {
	const char *name; /* "NPT" or "EPT" */
	u64 present_mask; /* entry is present when any of these bits is set */
	u64 table_bits;	  /* flags of an entry that points to a lower table */
	u64 leaf_bits;	  /* flags of a 4 KiB leaf with full access, write-back */
	u64 large_bits;	  /* flags of a 2 MiB leaf with full access (includes bit 7) */
	u64 write_bit;	  /* cleared in read-only leaves */
};

extern const struct s2pt_format npt_format; /* arch/x86/svm/npt.c */
extern const struct s2pt_format ept_format; /* arch/x86/vmx/ept.c */

struct s2pt {
	hpa_t root; /* PML4 frame: goes to N_CR3 / EPTP */
	const struct s2pt_format *fmt;
	u64 table_frames; /* frames used by the tables themselves, spares included */
	u64 table_peak;	  /* the most table_frames has been */
	hpa_t spare;	  /* emptied page tables kept for reuse, linked through entry 0 */
	hpa_t retired;	  /* emptied, replaced by a 2 MiB leaf, spares after s2pt_flushed() */
	spinlock_t lock;
};

#define S2PT_ORDER_4K 0
#define S2PT_ORDER_2M 9

/* Called for each leaf: gpa and hpa of its first byte, order 0 or 9. */
typedef void (*s2pt_leaf_fn)(gpa_t gpa, hpa_t hpa, unsigned order, void *ctx);

/* Allocate an empty root. Returns 0 or -ENOMEM. */
int s2pt_init(struct s2pt *s, const struct s2pt_format *fmt);

/* Call fn (may be NULL) for every leaf, then free every table frame. */
void s2pt_destroy(struct s2pt *s, s2pt_leaf_fn fn, void *ctx);

/*
 * Map a 4 KiB (order 0) or 2 MiB (order 9) page, both addresses aligned to it.
 * -EINVAL: bad order or alignment; -EEXIST: any part already mapped;
 * -ENOMEM: no frame for a table.
 */
int s2pt_map(struct s2pt *s, gpa_t gpa, hpa_t hpa, unsigned order, bool writable);

/*
 * Every CPU's stage-2 TLBs for this s2pt have been flushed since the last
 * call, or will be before any of them runs the VM again: the page tables
 * retired until now (by 2 MiB maps over emptied ones) may be reused.
 */
void s2pt_flushed(struct s2pt *s);

/* Remove the leaf of exactly that order at gpa; *old gets its frame. -ENOENT if none. */
int s2pt_unmap(struct s2pt *s, gpa_t gpa, unsigned order, hpa_t *old);

/* Translate gpa; 0 and *hpa (with the offset) and *order when mapped, else -ENOENT. */
int s2pt_query(struct s2pt *s, gpa_t gpa, hpa_t *hpa, unsigned *order);

/* True when nothing at all is mapped in the 2 MiB-aligned region holding gpa. */
bool s2pt_region_empty(struct s2pt *s, gpa_t gpa);

/* Replace the 2 MiB leaf holding gpa by 512 4 KiB leaves of the same frames. */
int s2pt_split(struct s2pt *s, gpa_t gpa);

/* Call fn for every leaf in ascending GPA order. */
void s2pt_walk(struct s2pt *s, s2pt_leaf_fn fn, void *ctx);

#endif
