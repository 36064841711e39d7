/* SPDX-License-Identifier: MIT */
/* How a test guest was booted: PVH or multiboot v1, and the multiboot info it was handed. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <public/multiboot.h>

/* "pvh" or "multiboot": which entry point of entry.S the loader used. */
extern const char *guest_boot_protocol;

/*
 * The multiboot info as handed over in EBX; NULL after a PVH boot or when EBX
 * did not point to mapped memory. Under multiboot, guest_start_info is NULL
 * and guest_cmdline, guest_ram_size and guest_ram_top come from this block.
 */
extern const struct multiboot_info *guest_multiboot_info;

#endif
