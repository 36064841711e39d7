/* SPDX-License-Identifier: MIT */
/* The PVH boot ABI seen from the guest: struct hvm_start_info and its tables. */
#ifndef GUEST_PVH_H
#define GUEST_PVH_H

#include <hv/types.h>

#define HVM_START_MAGIC	    0x336ec578u
#define HVM_MEMMAP_TYPE_RAM 1

/* Handed to the 32-bit entry point in EBX (Xen's arch-x86/hvm/start_info.h). */
struct hvm_start_info {
	u32 magic;   /* HVM_START_MAGIC */
	u32 version; /* 0: fields up to rsdp_paddr; 1: adds the memory map */
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr; /* struct hvm_modlist_entry[nr_modules] */
	u64 cmdline_paddr; /* NUL-terminated, 0 if none */
	u64 rsdp_paddr;	   /* 0 if none */
	u64 memmap_paddr;  /* struct hvm_memmap_table_entry[memmap_entries] */
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

/* E820-style types: 1 RAM, 2 reserved, 3 ACPI, ... */
struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
};

#endif
