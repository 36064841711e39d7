// SPDX-License-Identifier: MIT
/* Helpers over struct boot_info shared by both boot paths. */
#include <hv/boot_info.h>
#include <hv/string.h>

void boot_info_reserve(struct boot_info *bi, u64 base, u64 end)
{
	if (end <= base || bi->reserved_count >= BOOT_RESERVED_MAX)
		return;
	bi->reserved[bi->reserved_count++] = (struct mem_range){base, end};
}

const struct boot_module *boot_info_module(const struct boot_info *bi, const char *name)
{
	for (u32 i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}
