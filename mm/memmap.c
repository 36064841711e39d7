// SPDX-License-Identifier: MIT
/* Free page ranges from a firmware memory map, computed by one sweep over sorted boundaries. */
#include <hv/errno.h>
#include <hv/memmap.h>

/*
 * Every input interval becomes two events, its start and its end. An event is
 * a u16 naming the input (map[] or reserved[]) and which end it stands for,
 * not a copy of the address: the sweep then needs 2 bytes of stack per event,
 * about 1.2 KiB for the largest maps, and nothing else.
 */
#define EV_END 0x8000u /* the end of the interval, else its start */
#define EV_RES 0x4000u /* an entry of reserved[], else of map[] */
#define EV_IDX 0x3fffu
#define EV_MAX (2 * (BOOT_MMAP_MAX + BOOT_RESERVED_MAX))

struct memmap_sweep {
	const struct mem_region *map;
	const struct mem_range *res;
	size_t nev;
	u16 ev[EV_MAX];
};

/* Clamp a region that runs past 2^64 to the top of the address space. */
static u64 region_end(const struct mem_region *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

/* The interval an event belongs to; usable RAM starts no lower than 1 MiB. */
static void ev_interval(const struct memmap_sweep *s, unsigned ev, u64 *start, u64 *end)
{
	unsigned idx = ev & EV_IDX;

	if (ev & EV_RES) {
		*start = s->res[idx].base;
		*end = s->res[idx].end;
		return;
	}
	*start = s->map[idx].base;
	*end = region_end(&s->map[idx]);
	if (s->map[idx].type == MEM_USABLE)
		*start = MAX(*start, MEMMAP_LOW_LIMIT);
}

static u64 ev_pos(const struct memmap_sweep *s, unsigned ev)
{
	u64 start, end;

	ev_interval(s, ev, &start, &end);
	return (ev & EV_END) ? end : start;
}

/* Anything that is not usable RAM, whatever its type, blocks: firmware maps lie. */
static bool ev_is_usable(const struct memmap_sweep *s, unsigned ev)
{
	return !(ev & EV_RES) && s->map[ev & EV_IDX].type == MEM_USABLE;
}

/* Queue both ends of an input; empty intervals (zero length, all below 1 MiB) add nothing. */
static void sweep_add(struct memmap_sweep *s, unsigned src)
{
	u64 start, end;

	ev_interval(s, src, &start, &end);
	if (start >= end)
		return;
	s->ev[s->nev++] = (u16)src;
	s->ev[s->nev++] = (u16)(src | EV_END);
}

/* Insertion sort by address: at most 608 events, once per boot, no recursion. */
static void sweep_sort(struct memmap_sweep *s)
{
	for (size_t i = 1; i < s->nev; i++) {
		u16 ev = s->ev[i];
		u64 pos = ev_pos(s, ev);
		size_t j = i;

		for (; j > 0 && ev_pos(s, s->ev[j - 1]) > pos; j--)
			s->ev[j] = s->ev[j - 1];
		s->ev[j] = ev;
	}
}

/* Append the whole pages of [start, end); pages cut by a boundary are not free. */
static int sweep_emit(struct mem_range *out, size_t max, size_t *n, u64 start, u64 end)
{
	u64 base = ALIGN_UP(start, PAGE_SIZE);

	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (base < start || base >= end) /* base < start: rounding wrapped past 2^64 */
		return 0;
	if (*n == max)
		return -ENOSPC;
	out[*n].base = base;
	out[*n].end = end;
	(*n)++;
	return 0;
}

/*
 * Walk the boundaries in address order, counting how many usable regions and
 * how many blockers cover the current point. All events at one address are
 * applied before looking at the counts, so adjacent usable regions merge and
 * a blocker that starts where usable RAM starts wins.
 */
static int sweep_run(const struct memmap_sweep *s, struct mem_range *out, size_t max)
{
	int usable = 0, blocked = 0, err;
	bool was_free = false;
	u64 start = 0;
	size_t i = 0, n = 0;

	while (i < s->nev) {
		u64 pos = ev_pos(s, s->ev[i]);

		for (; i < s->nev && ev_pos(s, s->ev[i]) == pos; i++) {
			int delta = (s->ev[i] & EV_END) ? -1 : 1;

			if (ev_is_usable(s, s->ev[i]))
				usable += delta;
			else
				blocked += delta;
		}
		bool is_free = usable > 0 && blocked == 0;

		if (is_free && !was_free)
			start = pos;
		if (!is_free && was_free) {
			err = sweep_emit(out, max, &n, start, pos);
			if (err)
				return err;
		}
		was_free = is_free;
	}
	return (int)n;
}

int memmap_free_ranges(const struct mem_region *map, size_t nmap, const struct mem_range *reserved,
		       size_t nres, struct mem_range *out, size_t max)
{
	struct memmap_sweep s = {.map = map, .res = reserved};

	if (nmap > BOOT_MMAP_MAX || nres > BOOT_RESERVED_MAX)
		return -E2BIG;
	for (size_t i = 0; i < nmap; i++)
		sweep_add(&s, (unsigned)i);
	for (size_t i = 0; i < nres; i++)
		sweep_add(&s, EV_RES | (unsigned)i);
	sweep_sort(&s);
	return sweep_run(&s, out, max);
}

u64 memmap_total(const struct mem_range *r, size_t n)
{
	u64 sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += r[i].end - r[i].base;
	return sum;
}

const char *memmap_type_name(u32 type)
{
	switch (type) {
	case MEM_USABLE: return "usable";
	case MEM_RESERVED: return "reserved";
	case MEM_ACPI_RECLAIM: return "ACPI reclaimable";
	case MEM_ACPI_NVS: return "ACPI NVS";
	case MEM_BAD: return "bad";
	case MEM_LOADER: return "loader";
	default: return "unknown";
	}
}
