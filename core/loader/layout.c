// SPDX-License-Identifier: MIT
/* Guest-physical layout: the guest memory map, RAM checks, boot area, module placement. */
#include <hv/errno.h>
#include <hv/gpmap.h>
#include <hv/loader.h>
#include <hv/string.h>

/* The guest's memory map is the VM's guest-physical map (core/gpmap.c): one layout for all. */
u32 loader_guest_e820(u64 ram_size, struct guest_e820 *out, u32 max)
{
	struct gpmap m;

	return gpmap_build(&m, ram_size) ? 0 : gpmap_e820(&m, out, max);
}

bool loader_gpa_is_ram(u64 ram_size, gpa_t gpa, u64 len)
{
	struct gpmap m;

	return !gpmap_build(&m, ram_size) && gpmap_is_ram(&m, gpa, len);
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
	u64 top = MIN(lc->mem->ram_size, GUEST_HOLE_BASE);

	if (lc->mod_limit)
		top = MIN(top, lc->mod_limit);
	top = ALIGN_DOWN(top, PAGE_SIZE);
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
