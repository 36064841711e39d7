// SPDX-License-Identifier: MIT
/* Buddy allocator of physical frames, with one state byte per frame carved from the free ranges. */
#include <hv/errno.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <hv/string.h>

/*
 * Metadata is one state byte per 4 KiB frame of every range (1 TiB of RAM
 * costs 256 MiB, 0.025%). All ranges' byte arrays sit back to back in one
 * area carved from the top of the largest range; those frames are FS_META.
 * With at most PMM_MAX_RANGES (< 4096) ranges the area always fits there:
 * it needs total/4096 frames and the largest range has at least total/304.
 *
 * A state byte is one of:
 *   FS_TAIL          inside a block (free or handed out) whose head is elsewhere
 *   FS_FREE | order  head of a free block, on pmm.list[order]
 *   FS_USED | order  head of a block handed out by pmm_alloc(order)
 *   FS_META          holds this metadata
 * The free lists themselves are linked through the first bytes of each free
 * block (reached through the identity map), so they cost no metadata.
 */
#define FS_TAIL		 0x00
#define FS_META		 0x20
#define FS_FREE		 0x40
#define FS_USED		 0x80
#define FS_ORDER	 0x0f

#define PMM_BLOCK(order) (PAGE_SIZE << (order))
/* Blocks from this size up are zeroed with non-temporal stores (memzero_nt()). */
#define PMM_ZERO_NT_BYTES (64 * 1024)

struct pmm_node {
	struct pmm_node *next, *prev;
};

struct pmm_range {
	hpa_t base, end; /* page aligned, end exclusive */
	u8 *state;	 /* one byte per frame of [base, end) */
};

static struct {
	spinlock_t lock;
	u32 nranges;
	struct pmm_range range[PMM_MAX_RANGES]; /* sorted, disjoint, not adjacent */
	hpa_t meta_base, meta_end;
	struct pmm_node list[PMM_MAX_ORDER + 1]; /* circular, list[o] is the sentinel */
	u64 nfree[PMM_MAX_ORDER + 1];
	u64 free_frames, total_frames;
} pmm = {.lock = SPINLOCK_INIT};

/* Why pmm_free() refused a block, with the block that does hold the frame. */
enum pmm_fault {
	PMM_OK,
	PMM_BAD_ORDER,
	PMM_MISALIGNED,
	PMM_OUTSIDE,
	PMM_META,
	PMM_DOUBLE_FREE,
	PMM_WRONG_ORDER,
	PMM_NOT_HEAD,
	PMM_NOT_ALLOCATED,
};

struct pmm_verdict {
	enum pmm_fault fault;
	hpa_t head;	/* block that holds pa, for the message */
	unsigned order; /* its order */
};

/* Physical memory is identity mapped: this is the one place that knows it. */
static void *pmm_va(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

static u64 range_frames(const struct pmm_range *r)
{
	return (r->end - r->base) >> PAGE_SHIFT;
}

static u8 *frame_state(const struct pmm_range *r, hpa_t pa)
{
	return &r->state[(pa - r->base) >> PAGE_SHIFT];
}

static struct pmm_range *pmm_find_range(hpa_t pa)
{
	u32 lo = 0, hi = pmm.nranges;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (pa < pmm.range[mid].base)
			hi = mid;
		else if (pa >= pmm.range[mid].end)
			lo = mid + 1;
		else
			return &pmm.range[mid];
	}
	return NULL;
}

/* Put a free block at the head of its list; reuse after free then hits warm frames. */
static void pmm_push(struct pmm_range *r, hpa_t pa, unsigned order)
{
	struct pmm_node *head = &pmm.list[order], *node = pmm_va(pa);

	node->next = head->next;
	node->prev = head;
	head->next->prev = node;
	head->next = node;
	*frame_state(r, pa) = (u8)(FS_FREE | order);
	pmm.nfree[order]++;
	pmm.free_frames += 1ULL << order;
}

static void pmm_unlink(struct pmm_range *r, hpa_t pa, unsigned order)
{
	struct pmm_node *node = pmm_va(pa);

	node->prev->next = node->next;
	node->next->prev = node->prev;
	*frame_state(r, pa) = FS_TAIL;
	pmm.nfree[order]--;
	pmm.free_frames -= 1ULL << order;
}

/* Cut [pa, end) into the largest naturally aligned blocks and free them. */
static void pmm_add_span(struct pmm_range *r, hpa_t pa, hpa_t end)
{
	while (pa < end) {
		unsigned order = PMM_MAX_ORDER;

		while (!IS_ALIGNED(pa, PMM_BLOCK(order)) || PMM_BLOCK(order) > end - pa)
			order--;
		pmm_push(r, pa, order);
		pa += PMM_BLOCK(order);
	}
}

static void pmm_clear(void)
{
	pmm.nranges = 0;
	pmm.meta_base = pmm.meta_end = 0;
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
		pmm.list[o].next = pmm.list[o].prev = &pmm.list[o];
		pmm.nfree[o] = 0;
	}
	pmm.free_frames = pmm.total_frames = 0;
}

/* Keep ranges sorted by base as they come in: at most a few hundred, once per boot. */
static void pmm_insert_range(hpa_t base, hpa_t end)
{
	u32 i = pmm.nranges++;

	for (; i > 0 && pmm.range[i - 1].base > base; i--)
		pmm.range[i] = pmm.range[i - 1];
	pmm.range[i].base = base;
	pmm.range[i].end = end;
}

/* Join overlapping and touching ranges, so buddies may pair across input boundaries. */
static void pmm_merge_ranges(void)
{
	u32 out = 0;

	for (u32 i = 1; i < pmm.nranges; i++) {
		if (pmm.range[i].base <= pmm.range[out].end)
			pmm.range[out].end = MAX(pmm.range[out].end, pmm.range[i].end);
		else
			pmm.range[++out] = pmm.range[i];
	}
	if (pmm.nranges)
		pmm.nranges = out + 1;
}

static void pmm_take_ranges(const struct mem_range *ranges, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		hpa_t base = ALIGN_UP(ranges[i].base, PAGE_SIZE);
		hpa_t end = ALIGN_DOWN(ranges[i].end, PAGE_SIZE);

		if (base < ranges[i].base || base >= end) /* empty, or rounding wrapped */
			continue;
		if (pmm.nranges == PMM_MAX_RANGES) {
			pr_warn("pmm: more than %u ranges, ignoring the rest\n", PMM_MAX_RANGES);
			break;
		}
		pmm_insert_range(base, end);
	}
	pmm_merge_ranges();
}

/* Place every range's state array at the top of the largest range and mark those frames. */
static int pmm_carve_meta(void)
{
	struct pmm_range *big = &pmm.range[0];
	u64 frames = 0, pages;
	u8 *p;

	for (u32 i = 0; i < pmm.nranges; i++) {
		frames += range_frames(&pmm.range[i]);
		if (range_frames(&pmm.range[i]) > range_frames(big))
			big = &pmm.range[i];
	}
	pages = (frames + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > range_frames(big))
		return -ENOMEM;
	pmm.meta_end = big->end;
	pmm.meta_base = big->end - pages * PAGE_SIZE;
	p = pmm_va(pmm.meta_base);
	memset(p, FS_TAIL, pages * PAGE_SIZE);
	for (u32 i = 0; i < pmm.nranges; i++) {
		pmm.range[i].state = p;
		p += range_frames(&pmm.range[i]);
	}
	for (hpa_t pa = pmm.meta_base; pa < pmm.meta_end; pa += PAGE_SIZE)
		*frame_state(big, pa) = FS_META;
	return 0;
}

static int pmm_init_locked(const struct mem_range *ranges, size_t n)
{
	pmm_clear();
	pmm_take_ranges(ranges, n);
	if (!pmm.nranges || pmm_carve_meta())
		goto fail;
	for (u32 i = 0; i < pmm.nranges; i++) {
		struct pmm_range *r = &pmm.range[i];
		bool has_meta = pmm.meta_base >= r->base && pmm.meta_base < r->end;

		pmm_add_span(r, r->base, has_meta ? pmm.meta_base : r->end);
	}
	if (!pmm.free_frames)
		goto fail;
	pmm.total_frames = pmm.free_frames;
	return 0;
fail:
	pmm_clear();
	return -ENOMEM;
}

int pmm_init(const struct mem_range *ranges, size_t n)
{
	int err;

	spin_lock(&pmm.lock);
	err = pmm_init_locked(ranges, n);
	spin_unlock(&pmm.lock);
	return err;
}

void pmm_reset(void)
{
	spin_lock(&pmm.lock);
	pmm_clear();
	spin_unlock(&pmm.lock);
}

/*
 * Take a block of at least the order asked for and split off upper halves
 * until it has the right size. The state byte of the head taken from a list
 * is checked first: a mismatch means something wrote into a free block.
 */
static hpa_t pmm_alloc_locked(unsigned order, bool *corrupt)
{
	unsigned o = order;
	struct pmm_range *r;
	hpa_t pa;

	while (o <= PMM_MAX_ORDER && !pmm.nfree[o])
		o++;
	if (o > PMM_MAX_ORDER)
		return INVALID_HPA;
	pa = (hpa_t)(uintptr_t)pmm.list[o].next;
	r = pmm_find_range(pa);
	if (!r || pa + PMM_BLOCK(o) > r->end || *frame_state(r, pa) != (FS_FREE | o)) {
		*corrupt = true;
		return pa;
	}
	pmm_unlink(r, pa, o);
	while (o > order) {
		o--;
		pmm_push(r, pa + PMM_BLOCK(o), o);
	}
	*frame_state(r, pa) = (u8)(FS_USED | order);
	return pa;
}

hpa_t pmm_alloc(unsigned order)
{
	bool corrupt = false;
	hpa_t pa;

	if (order > PMM_MAX_ORDER)
		return INVALID_HPA;
	spin_lock(&pmm.lock);
	pa = pmm_alloc_locked(order, &corrupt);
	spin_unlock(&pmm.lock);
	if (corrupt)
		panic("pmm: free list corrupted at 0x%llx (written after free?)",
		      (unsigned long long)pa);
	return pa;
}

hpa_t pmm_alloc_zeroed(unsigned order)
{
	hpa_t pa = pmm_alloc(order);

	if (pa == INVALID_HPA)
		return pa;
	/* Large blocks are rarely all used at once: zero them past the caches. */
	if (PMM_BLOCK(order) >= PMM_ZERO_NT_BYTES)
		memzero_nt(pmm_va(pa), PMM_BLOCK(order));
	else
		memset(pmm_va(pa), 0, PMM_BLOCK(order));
	return pa;
}

/* The free or handed-out block that holds the tail frame pa, if any. */
static bool pmm_find_head(const struct pmm_range *r, hpa_t pa, struct pmm_verdict *v)
{
	for (unsigned o = 1; o <= PMM_MAX_ORDER; o++) {
		hpa_t head = ALIGN_DOWN(pa, PMM_BLOCK(o));
		u8 s;

		if (head < r->base)
			break;
		s = *frame_state(r, head);
		if ((s & (FS_FREE | FS_USED)) && (s & FS_ORDER) >= o) {
			v->head = head;
			v->order = s & FS_ORDER;
			v->fault = (s & FS_FREE) ? PMM_DOUBLE_FREE : PMM_NOT_HEAD;
			return true;
		}
	}
	return false;
}

/* Everything that must hold for pmm_free(pa, order) to be a legal free. */
static struct pmm_verdict pmm_check_free(hpa_t pa, unsigned order)
{
	struct pmm_verdict v = {PMM_OK, pa, order};
	struct pmm_range *r = pmm_find_range(pa);
	u8 s;

	if (order > PMM_MAX_ORDER)
		v.fault = PMM_BAD_ORDER;
	else if (!IS_ALIGNED(pa, PMM_BLOCK(order)))
		v.fault = PMM_MISALIGNED;
	else if (!r || PMM_BLOCK(order) > r->end - pa)
		v.fault = PMM_OUTSIDE;
	if (v.fault != PMM_OK)
		return v;
	s = *frame_state(r, pa);
	v.order = s & FS_ORDER;
	if (s == (FS_USED | order))
		return v;
	if (s & FS_USED)
		v.fault = PMM_WRONG_ORDER;
	else if (s & FS_FREE)
		v.fault = PMM_DOUBLE_FREE;
	else if (s == FS_META)
		v.fault = PMM_META;
	else if (!pmm_find_head(r, pa, &v))
		v.fault = PMM_NOT_ALLOCATED; /* not while the state bytes are sound */
	return v;
}

/* Merge with the buddy for as long as it is free and whole, then list the result. */
static void pmm_free_locked(hpa_t pa, unsigned order)
{
	struct pmm_range *r = pmm_find_range(pa);

	*frame_state(r, pa) = FS_TAIL;
	for (; order < PMM_MAX_ORDER; order++) {
		hpa_t buddy = pa ^ PMM_BLOCK(order);

		if (buddy < r->base || PMM_BLOCK(order) > r->end - buddy)
			break;
		if (*frame_state(r, buddy) != (FS_FREE | order))
			break;
		pmm_unlink(r, buddy, order);
		pa = MIN(pa, buddy);
	}
	pmm_push(r, pa, order);
}

static __noreturn void pmm_bad_free(hpa_t pa, unsigned order, const struct pmm_verdict *v)
{
	unsigned long long a = pa, h = v->head;

	switch (v->fault) {
	case PMM_BAD_ORDER:
		panic("pmm: free of 0x%llx with order %u > %u", a, order, PMM_MAX_ORDER);
	case PMM_MISALIGNED: panic("pmm: free of 0x%llx misaligned for order %u", a, order);
	case PMM_OUTSIDE: panic("pmm: free of 0x%llx order %u outside every range", a, order);
	case PMM_META: panic("pmm: free of 0x%llx, a metadata frame", a);
	case PMM_DOUBLE_FREE:
		panic("pmm: double free of 0x%llx order %u (in free block 0x%llx order %u)", a,
		      order, h, v->order);
	case PMM_WRONG_ORDER:
		panic("pmm: free of 0x%llx as order %u, allocated as order %u", a, order, v->order);
	case PMM_NOT_HEAD:
		panic("pmm: free of 0x%llx order %u not allocated (inside block 0x%llx order %u)",
		      a, order, h, v->order);
	default: panic("pmm: free of 0x%llx order %u not allocated", a, order);
	}
}

void pmm_free(hpa_t pa, unsigned order)
{
	struct pmm_verdict v;

	spin_lock(&pmm.lock);
	v = pmm_check_free(pa, order);
	if (v.fault == PMM_OK)
		pmm_free_locked(pa, order);
	spin_unlock(&pmm.lock);
	/* Panic unlocked: on the host it longjmps back into the test, which goes on. */
	if (v.fault != PMM_OK)
		pmm_bad_free(pa, order, &v);
}

u64 pmm_free_frames(void)
{
	u64 n;

	spin_lock(&pmm.lock);
	n = pmm.free_frames;
	spin_unlock(&pmm.lock);
	return n;
}

u64 pmm_total_frames(void)
{
	u64 n;

	spin_lock(&pmm.lock);
	n = pmm.total_frames;
	spin_unlock(&pmm.lock);
	return n;
}

void pmm_free_blocks(u64 counts[PMM_MAX_ORDER + 1])
{
	spin_lock(&pmm.lock);
	memcpy(counts, pmm.nfree, sizeof(pmm.nfree));
	spin_unlock(&pmm.lock);
}

void pmm_print_summary(void)
{
	u64 counts[PMM_MAX_ORDER + 1], avail, total, big = 0;
	u32 nranges;

	spin_lock(&pmm.lock);
	memcpy(counts, pmm.nfree, sizeof(counts));
	avail = pmm.free_frames;
	total = pmm.total_frames;
	nranges = pmm.nranges;
	spin_unlock(&pmm.lock);
	for (unsigned o = PMM_ORDER_2M; o <= PMM_MAX_ORDER; o++)
		big += counts[o] << (o - PMM_ORDER_2M);
	pr_info("pmm: %llu MiB free of %llu MiB in %u ranges, 2M blocks free: %llu\n",
		(unsigned long long)(avail >> (20 - PAGE_SHIFT)),
		(unsigned long long)(total >> (20 - PAGE_SHIFT)), nranges, (unsigned long long)big);
}
