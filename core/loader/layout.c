// SPDX-License-Identifier: MIT
/* Guest-physical layout: the guest memory map, RAM checks, boot area, module placement. */
#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/string.h>

/*
 * The map follows the layout in hv/loader.h. ram_size counts addresses from
 * zero, so the 384 KiB legacy hole below 1 MiB is simply not RAM, and RAM
 * that would fall into the device hole is moved above 4 GiB.
 */
u32 loader_guest_e820(u64 ram_size, struct guest_e820 *out, u32 max)
{
	struct guest_e820 map[LOADER_E820_MAX];
	u32 n = 0;

	map[n++] = (struct guest_e820){0, MIN(ram_size, GUEST_LOW_RAM_END), 1};
	map[n++] =
		(struct guest_e820){GUEST_LOW_RAM_END, GUEST_HIGH_RAM_BASE - GUEST_LOW_RAM_END, 2};
	if (ram_size > GUEST_HIGH_RAM_BASE)
		map[n++] = (struct guest_e820){GUEST_HIGH_RAM_BASE,
					       MIN(ram_size, GUEST_HOLE_BASE) - GUEST_HIGH_RAM_BASE,
					       1};
	if (ram_size > GUEST_HOLE_BASE) {
		/* Clamp so that the end of the entry cannot wrap. */
		u64 above = MIN(ram_size - GUEST_HOLE_BASE, ~0ULL - GUEST_ABOVE_4G);

		map[n++] = (struct guest_e820){GUEST_ABOVE_4G, above, 1};
	}
	n = MIN(n, max);
	if (n)
		memcpy(out, map, n * sizeof(map[0]));
	return n;
}

bool loader_gpa_is_ram(u64 ram_size, gpa_t gpa, u64 len)
{
	struct guest_e820 map[LOADER_E820_MAX];
	u32 n = loader_guest_e820(ram_size, map, LOADER_E820_MAX);

	for (u32 i = 0; i < n; i++) {
		if (map[i].type != 1 || gpa < map[i].addr)
			continue;
		/* Written as differences so that no sum can overflow. */
		if (gpa - map[i].addr <= map[i].size && len <= map[i].size - (gpa - map[i].addr))
			return true;
	}
	return false;
}

/* RAM size for messages: "32 MiB", or KiB when it is not a whole MiB. */
static u64 ram_amount(u64 ram, const char **unit)
{
	if (IS_ALIGNED(ram, MiB(1))) {
		*unit = "MiB";
		return (ram >> 20);
	}
	*unit = "KiB";
	return (ram >> 10);
}

int loader_check_range(struct loader_ctx *lc, const char *what, u64 gpa, u64 size)
{
	u64 ram = lc->mem->ram_size;
	const char *unit;
	u64 amount = ram_amount(ram, &unit);

	if (!loader_gpa_is_ram(ram, gpa, size))
		return loader_error(lc, -ERANGE,
				    "%s at 0x%llx size 0x%llx lies outside guest RAM (%llu %s)",
				    what, gpa, size, amount, unit);
	/* In RAM, so gpa + size does not wrap. */
	if (gpa + size > GUEST_ABOVE_4G)
		return loader_error(
			lc, -ERANGE,
			"%s at 0x%llx size 0x%llx lies above 4 GiB, beyond a 32-bit entry", what,
			gpa, size);
	if (gpa < LOADER_BOOT_END && gpa + size > LOADER_BOOT_BASE)
		return loader_error(
			lc, -ERANGE,
			"%s at 0x%llx size 0x%llx overlaps the boot data area 0x%llx-0x%llx", what,
			gpa, size, LOADER_BOOT_BASE, LOADER_BOOT_END - 1);
	return 0;
}

int loader_boot_alloc(struct loader_ctx *lc, u64 size, u64 align, gpa_t *gpa)
{
	gpa_t at = ALIGN_UP(lc->boot_next, align);

	if (at > LOADER_BOOT_END || size > LOADER_BOOT_END - at)
		return loader_error(lc, -ENOSPC,
				    "boot data does not fit in the boot area 0x%llx-0x%llx",
				    LOADER_BOOT_BASE, LOADER_BOOT_END - 1);
	lc->boot_next = at + size;
	*gpa = at;
	return 0;
}

int loader_boot_put(struct loader_ctx *lc, const void *src, u64 len, u64 align, gpa_t *gpa)
{
	int ret = loader_boot_alloc(lc, len, align, gpa);

	return ret ? ret : loader_write(lc, *gpa, src, len);
}

int loader_boot_string(struct loader_ctx *lc, const char *s, gpa_t *gpa)
{
	size_t len = strnlen(s, LOADER_CMDLINE_MAX);

	/* loader_load() checked every string; this is only a backstop. */
	if (len >= LOADER_CMDLINE_MAX)
		return loader_error(lc, -E2BIG, "string for the boot data is too long");
	return loader_boot_put(lc, s, len + 1, 1, gpa);
}

static int module_too_big(struct loader_ctx *lc, u32 i, u64 size, u64 room)
{
	return loader_error(
		lc, -ENOMEM,
		"module %u (%llu KiB) does not fit in guest RAM: %llu KiB free above the image", i,
		(size >> 10) + !IS_ALIGNED(size, KiB(1)), room >> 10);
}

int loader_place_modules(struct loader_ctx *lc, gpa_t *gpas)
{
	u64 floor = MAX(ALIGN_UP(lc->res->image_hi, PAGE_SIZE), GUEST_HIGH_RAM_BASE);
	u64 top = ALIGN_DOWN(MIN(lc->mem->ram_size, GUEST_HOLE_BASE), PAGE_SIZE);

	for (u32 i = 0; i < lc->nmods; i++) {
		u64 size = lc->mods[i].size;

		if (top < floor || size > top - floor)
			return module_too_big(lc, i, size, top > floor ? top - floor : 0);
		/* Both ends are page aligned, so the rounded size still fits. */
		top -= ALIGN_UP(size, PAGE_SIZE);
		gpas[i] = top;
	}
	return 0;
}

int loader_write_modules(struct loader_ctx *lc, const gpa_t *gpas)
{
	for (u32 i = 0; i < lc->nmods; i++) {
		int ret = loader_write(lc, gpas[i], lc->mods[i].data, lc->mods[i].size);

		if (ret)
			return ret;
	}
	return 0;
}
