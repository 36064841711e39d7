// SPDX-License-Identifier: MIT
/* Stage-2 page tables: one 4-level walker for EPT and NPT, driven by a struct s2pt_format. */
#include <hv/errno.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/s2pt.h>

/*
 * Four levels of 512 entries translate a 48-bit guest-physical address, as in
 * long-mode paging:
 *
 *   47      39 38      30 29      21 20      12 11          0
 *  +----------+----------+----------+----------+-------------+
 *  | PML4 idx | PDPT idx |  PD idx  |  PT idx  |   offset    |
 *  +----------+----------+----------+----------+-------------+
 *    level 3    level 2    level 1    level 0
 *
 * Both vendors keep the address of the next table or of the frame in bits
 * 51:12 of an entry, and flag a 2 MiB leaf with bit 7 of a PD entry (its
 * address is then bits 51:21). What makes an entry present and which other
 * bits a table entry or a leaf carries comes from struct s2pt_format; this
 * file knows nothing else about the vendor. Leaves are 4 KiB entries in a
 * page table or 2 MiB entries in a page directory; there are no 1 GiB leaves.
 *
 * Table frames come from the pmm and are reached through the identity map.
 * A page table emptied by s2pt_unmap() stays where it is: until the caller
 * flushes the VM's stage-2 TLBs, another CPU may still cache the PD entry
 * that points to it, and mm/ cannot flush, so freeing it there would hand the
 * pmm a frame the hardware may still walk. For the same reason a page table
 * that a 2 MiB map replaces (s2pt_map_large()) is not given back to the pmm
 * either. It is retired: kept, empty, out of the tree, until the caller says
 * every CPU's stage-2 TLBs for the VM were flushed (s2pt_flushed()). Only
 * then does it become a spare, reused for this s2pt's next page table. Reused
 * earlier, a CPU that still walks it through a stale paging-structure cache
 * would reach the mappings of another GPA range of this VM (SDM Vol. 3A,
 * 4.10.3 "Paging-Structure Caches"; APM Vol. 2, 15.25.9 for the nested walk);
 * freed, a frame of anyone. Retired tables, spares and directories live until
 * s2pt_destroy(); there is one directory per GiB mapped.
 */
#define S2PT_ENTRIES   512
#define S2PT_GPA_BITS  48
#define S2PT_ADDR_MASK 0x000ffffffffff000ULL /* bits 51:12 */
#define S2PT_LARGE     BIT(7)		     /* PS: this PD entry maps 2 MiB */

enum s2pt_level { LEVEL_PT, LEVEL_PD, LEVEL_PDPT, LEVEL_PML4 };

static u64 *s2pt_table(hpa_t pa)
{
	return (u64 *)(uintptr_t)pa;
}

static unsigned s2pt_index(gpa_t gpa, int level)
{
	return (unsigned)(gpa >> (PAGE_SHIFT + 9 * level)) & (S2PT_ENTRIES - 1);
}

static bool pte_present(const struct s2pt *s, u64 e)
{
	return (e & s->fmt->present_mask) != 0;
}

/* Only meaningful for a present PD entry: in a page table bit 7 is PAT (NPT). */
static bool pde_is_large(u64 e)
{
	return (e & S2PT_LARGE) != 0;
}

static hpa_t pte_addr(u64 e)
{
	return e & S2PT_ADDR_MASK;
}

static hpa_t leaf_addr(u64 e, unsigned order)
{
	return pte_addr(e) & ~((PAGE_SIZE << order) - 1);
}

/*
 * The processor may walk the tables at any moment: publish each entry with a
 * single 64-bit store, ordered after the writes that filled the table it
 * points to.
 */
static void pte_set(u64 *e, u64 val)
{
	__atomic_store_n(e, val, __ATOMIC_RELEASE);
}

static hpa_t s2pt_alloc_table(struct s2pt *s)
{
	hpa_t pa = s->spare;

	if (pa != INVALID_HPA) {
		u64 *t = s2pt_table(pa);

		/* The link is page-aligned: not present in either format while it is there. */
		s->spare = t[0];
		pte_set(&t[0], 0);
		return pa;
	}
	pa = pmm_alloc_zeroed(0); /* all-zero entries are not present in either format */
	if (pa != INVALID_HPA && ++s->table_frames > s->table_peak)
		s->table_peak = s->table_frames;
	return pa;
}

static void s2pt_free_table(struct s2pt *s, hpa_t pa)
{
	pmm_free(pa, 0);
	s->table_frames--;
}

/* An empty table the hardware may still walk: a spare only after the next flush. */
static void s2pt_retire_table(struct s2pt *s, hpa_t pa)
{
	pte_set(&s2pt_table(pa)[0], s->retired);
	s->retired = pa;
}

void s2pt_flushed(struct s2pt *s)
{
	spin_lock(&s->lock);
	while (s->retired != INVALID_HPA) {
		hpa_t pa = s->retired;
		u64 *t = s2pt_table(pa);

		s->retired = t[0];
		pte_set(&t[0], s->spare);
		s->spare = pa;
	}
	spin_unlock(&s->lock);
}

static bool s2pt_table_empty(const struct s2pt *s, hpa_t pa)
{
	const u64 *t = s2pt_table(pa);

	for (unsigned i = 0; i < S2PT_ENTRIES; i++)
		if (pte_present(s, t[i]))
			return false;
	return true;
}

/*
 * The table that the PML4 or PDPT entry e points to, creating an empty one
 * when e is absent and create is set. NULL when absent or out of frames.
 * Not for PD entries, which may be leaves.
 */
static u64 *s2pt_next(struct s2pt *s, u64 *e, bool create)
{
	hpa_t pa;

	if (pte_present(s, *e))
		return s2pt_table(pte_addr(*e));
	if (!create)
		return NULL;
	pa = s2pt_alloc_table(s);
	if (pa == INVALID_HPA)
		return NULL;
	pte_set(e, pa | s->fmt->table_bits);
	return s2pt_table(pa);
}

/* The PD entry that covers gpa, creating the PDPT and PD on the way when asked. */
static u64 *s2pt_pde(struct s2pt *s, gpa_t gpa, bool create)
{
	u64 *t = s2pt_table(s->root);

	for (int level = LEVEL_PML4; level > LEVEL_PD; level--) {
		t = s2pt_next(s, &t[s2pt_index(gpa, level)], create);
		if (!t)
			return NULL;
	}
	return &t[s2pt_index(gpa, LEVEL_PD)];
}

/* The page-table entry for gpa under a present PD entry that is not a leaf. */
static u64 *s2pt_pte(u64 pde, gpa_t gpa)
{
	return &s2pt_table(pte_addr(pde))[s2pt_index(gpa, LEVEL_PT)];
}

static bool s2pt_gpa_ok(const struct s2pt *s, gpa_t gpa)
{
	return s->root != INVALID_HPA && (gpa >> S2PT_GPA_BITS) == 0;
}

static bool s2pt_order_ok(unsigned order)
{
	return order == S2PT_ORDER_4K || order == S2PT_ORDER_2M;
}

static u64 s2pt_leaf_flags(const struct s2pt *s, u64 bits, bool writable)
{
	return writable ? bits : bits & ~s->fmt->write_bit;
}

int s2pt_init(struct s2pt *s, const struct s2pt_format *fmt)
{
	s->fmt = fmt;
	s->table_frames = s->table_peak = 0;
	s->spare = s->retired = INVALID_HPA;
	s->lock = (spinlock_t)SPINLOCK_INIT;
	s->root = s2pt_alloc_table(s);
	return s->root == INVALID_HPA ? -ENOMEM : 0;
}

/*
 * A 2 MiB leaf goes into the PD entry. A page table already there blocks it
 * unless it is empty (all its 4 KiB leaves were unmapped): then the leaf
 * replaces it, so that reclaimed regions can be backed by 2 MiB pages again,
 * and the table is retired (see the top of this file): the one place a table
 * leaves the tree while the VM may run. A CPU that still caches the old PD
 * entry walks the empty table (a stage-2 fault, found mapped, retried) until
 * its next stage-2 flush.
 */
static int s2pt_map_large(struct s2pt *s, gpa_t gpa, hpa_t hpa, bool writable)
{
	u64 *pde = s2pt_pde(s, gpa, true);
	u64 leaf = hpa | s2pt_leaf_flags(s, s->fmt->large_bits, writable);
	hpa_t old;

	if (!pde)
		return -ENOMEM;
	if (!pte_present(s, *pde)) {
		pte_set(pde, leaf);
		return 0;
	}
	if (pde_is_large(*pde) || !s2pt_table_empty(s, pte_addr(*pde)))
		return -EEXIST;
	old = pte_addr(*pde);
	pte_set(pde, leaf);
	s2pt_retire_table(s, old);
	return 0;
}

static int s2pt_map_small(struct s2pt *s, gpa_t gpa, hpa_t hpa, bool writable)
{
	u64 *pde = s2pt_pde(s, gpa, true), *pte;

	if (!pde)
		return -ENOMEM;
	if (!pte_present(s, *pde)) {
		hpa_t pt = s2pt_alloc_table(s);

		if (pt == INVALID_HPA)
			return -ENOMEM;
		pte_set(pde, pt | s->fmt->table_bits);
	} else if (pde_is_large(*pde)) {
		return -EEXIST;
	}
	pte = s2pt_pte(*pde, gpa);
	if (pte_present(s, *pte))
		return -EEXIST;
	pte_set(pte, hpa | s2pt_leaf_flags(s, s->fmt->leaf_bits, writable));
	return 0;
}

/*
 * Tables created on the way stay (empty) when a later step fails: they are
 * reused by the next map and freed by s2pt_destroy().
 */
int s2pt_map(struct s2pt *s, gpa_t gpa, hpa_t hpa, unsigned order, bool writable)
{
	u64 size = PAGE_SIZE << order;
	int ret;

	if (!s2pt_order_ok(order) || !s2pt_gpa_ok(s, gpa) || !IS_ALIGNED(gpa, size) ||
	    !IS_ALIGNED(hpa, size) || (hpa & ~S2PT_ADDR_MASK))
		return -EINVAL;
	spin_lock(&s->lock);
	if (order == S2PT_ORDER_2M)
		ret = s2pt_map_large(s, gpa, hpa, writable);
	else
		ret = s2pt_map_small(s, gpa, hpa, writable);
	spin_unlock(&s->lock);
	return ret;
}

/* The leaf entry of exactly this order at gpa, or NULL. */
static u64 *s2pt_leaf(struct s2pt *s, gpa_t gpa, unsigned order)
{
	u64 *pde = s2pt_pde(s, gpa, false), *pte;

	if (!pde || !pte_present(s, *pde))
		return NULL;
	if (order == S2PT_ORDER_2M)
		return pde_is_large(*pde) ? pde : NULL;
	if (pde_is_large(*pde))
		return NULL;
	pte = s2pt_pte(*pde, gpa);
	return pte_present(s, *pte) ? pte : NULL;
}

/*
 * The caller must flush the stage-2 TLBs of every CPU that runs the VM
 * before it reuses *old: until then the old translation may still be used.
 */
int s2pt_unmap(struct s2pt *s, gpa_t gpa, unsigned order, hpa_t *old)
{
	u64 *e;

	if (!s2pt_order_ok(order) || !s2pt_gpa_ok(s, gpa) || !IS_ALIGNED(gpa, PAGE_SIZE << order))
		return -EINVAL;
	spin_lock(&s->lock);
	e = s2pt_leaf(s, gpa, order);
	if (e) {
		if (old)
			*old = leaf_addr(*e, order);
		pte_set(e, 0);
	}
	spin_unlock(&s->lock);
	return e ? 0 : -ENOENT;
}

/* Find the leaf holding gpa: 2 MiB first, then 4 KiB. */
int s2pt_query(struct s2pt *s, gpa_t gpa, hpa_t *hpa, unsigned *order)
{
	unsigned o = S2PT_ORDER_2M;
	u64 *e;

	if (!s2pt_gpa_ok(s, gpa))
		return -EINVAL;
	spin_lock(&s->lock);
	e = s2pt_leaf(s, gpa, o);
	if (!e) {
		o = S2PT_ORDER_4K;
		e = s2pt_leaf(s, gpa, o);
	}
	if (e && hpa)
		*hpa = leaf_addr(*e, o) + (gpa & ((PAGE_SIZE << o) - 1));
	if (e && order)
		*order = o;
	spin_unlock(&s->lock);
	return e ? 0 : -ENOENT;
}

bool s2pt_region_empty(struct s2pt *s, gpa_t gpa)
{
	bool empty = true;
	u64 *pde;

	if (!s2pt_gpa_ok(s, gpa))
		return true; /* nothing can be mapped there */
	spin_lock(&s->lock);
	pde = s2pt_pde(s, gpa, false);
	if (pde && pte_present(s, *pde))
		empty = !pde_is_large(*pde) && s2pt_table_empty(s, pte_addr(*pde));
	spin_unlock(&s->lock);
	return empty;
}

/*
 * Give the 2 MiB leaf at *pde a page table of 512 4 KiB leaves over the same
 * frames. Each small leaf keeps every flag of the large one (permissions,
 * memory type, accessed/dirty) except PS, which is PAT in an NPT page-table
 * entry. Frames and attributes stay the same, so the guest sees no change;
 * the caller flushes stage-2 TLBs before it relies on the small leaves (say,
 * before it write-protects one of them).
 */
static int s2pt_split_pde(struct s2pt *s, u64 *pde)
{
	u64 flags = *pde & ~S2PT_ADDR_MASK & ~S2PT_LARGE;
	hpa_t base = leaf_addr(*pde, S2PT_ORDER_2M);
	hpa_t pt = s2pt_alloc_table(s);
	u64 *t;

	if (pt == INVALID_HPA)
		return -ENOMEM;
	t = s2pt_table(pt);
	for (unsigned i = 0; i < S2PT_ENTRIES; i++)
		t[i] = (base + i * PAGE_SIZE) | flags;
	pte_set(pde, pt | s->fmt->table_bits);
	return 0;
}

int s2pt_split(struct s2pt *s, gpa_t gpa)
{
	int ret = -ENOENT;
	u64 *pde;

	if (!s2pt_gpa_ok(s, gpa))
		return -EINVAL;
	spin_lock(&s->lock);
	pde = s2pt_leaf(s, ALIGN_DOWN(gpa, LARGE_PAGE_SIZE), S2PT_ORDER_2M);
	if (pde)
		ret = s2pt_split_pde(s, pde);
	spin_unlock(&s->lock);
	return ret;
}

/*
 * Call fn for every leaf under the table at pa, which sits at level and maps
 * from base, in ascending GPA order. With release set, free each lower table
 * once its leaves are done (the caller frees pa itself).
 */
static void s2pt_visit(struct s2pt *s, hpa_t pa, int level, gpa_t base, s2pt_leaf_fn fn, void *ctx,
		       bool release)
{
	const u64 *t = s2pt_table(pa);

	for (unsigned i = 0; i < S2PT_ENTRIES; i++) {
		gpa_t gpa = base + ((u64)i << (PAGE_SHIFT + 9 * level));
		u64 e = t[i];

		if (!pte_present(s, e))
			continue;
		if (level == LEVEL_PT || (level == LEVEL_PD && pde_is_large(e))) {
			unsigned order = level == LEVEL_PT ? S2PT_ORDER_4K : S2PT_ORDER_2M;

			if (fn)
				fn(gpa, leaf_addr(e, order), order, ctx);
			continue;
		}
		s2pt_visit(s, pte_addr(e), level - 1, gpa, fn, ctx, release);
		if (release)
			s2pt_free_table(s, pte_addr(e));
	}
}

/* fn runs with s->lock held: it must not call back into this s2pt. */
void s2pt_walk(struct s2pt *s, s2pt_leaf_fn fn, void *ctx)
{
	spin_lock(&s->lock);
	if (s->root != INVALID_HPA)
		s2pt_visit(s, s->root, LEVEL_PML4, 0, fn, ctx, false);
	spin_unlock(&s->lock);
}

/*
 * No CPU may use the tables any more (the VM is stopped and its stage-2 TLBs
 * flushed). A second call does nothing.
 */
void s2pt_destroy(struct s2pt *s, s2pt_leaf_fn fn, void *ctx)
{
	u64 left;

	spin_lock(&s->lock);
	if (s->root != INVALID_HPA) {
		s2pt_visit(s, s->root, LEVEL_PML4, 0, fn, ctx, true);
		s2pt_free_table(s, s->root);
		s->root = INVALID_HPA;
	}
	for (hpa_t *list = &s->spare; list; list = list == &s->spare ? &s->retired : NULL)
		while (*list != INVALID_HPA) {
			hpa_t pa = *list;

			*list = s2pt_table(pa)[0];
			s2pt_free_table(s, pa);
		}
	left = s->table_frames;
	spin_unlock(&s->lock);
	if (left)
		panic("s2pt: %llu table frames unaccounted for after destroy", left);
}
