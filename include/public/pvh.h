/* SPDX-License-Identifier: MIT */
/* The PVH boot ABI (Xen's x86 HVM direct boot): start-of-day structures and the entry note. */
#ifndef SPROUT_PUBLIC_PVH_H
#define SPROUT_PUBLIC_PVH_H

/*
 * Layouts follow Xen's public/arch-x86/hvm/start_info.h (version 1), which
 * Linux, FreeBSD and the Xen/QEMU/Firecracker loaders all agree on. A PVH
 * kernel is entered in 32-bit protected mode, paging off, with EBX holding
 * the physical address of struct hvm_start_info (docs/guest-layout.md).
 */

#include <stdint.h>

/* ELF note (name "Xen") whose descriptor is the 32-bit physical entry point. */
#define XEN_ELFNOTE_NAME	  "Xen"
#define XEN_ELFNOTE_PHYS32_ENTRY  18

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u

/* hvm_memmap_table_entry.type: the E820 numbering. */
#define XEN_HVM_MEMMAP_TYPE_RAM	     1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI     3
#define XEN_HVM_MEMMAP_TYPE_NVS	     4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM     7

/*
 * Start of day information, 56 bytes, 8-byte aligned:
 *
 *   0x00 magic          0x04 version        0x08 flags     0x0c nr_modules
 *   0x10 modlist_paddr  0x18 cmdline_paddr  0x20 rsdp_paddr
 *   0x28 memmap_paddr   0x30 memmap_entries 0x34 reserved           (version >= 1)
 */
struct hvm_start_info {
	uint32_t magic;		 /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;	 /* 1: the memmap fields are valid */
	uint32_t flags;		 /* SIF_xxx; 0 for an unprivileged domain */
	uint32_t nr_modules;	 /* entries at modlist_paddr */
	uint64_t modlist_paddr;	 /* array of struct hvm_modlist_entry */
	uint64_t cmdline_paddr;	 /* NUL-terminated ASCII, 0 if none */
	uint64_t rsdp_paddr;	 /* ACPI RSDP, 0 if the guest must search for it */
	uint64_t memmap_paddr;	 /* array of struct hvm_memmap_table_entry */
	uint32_t memmap_entries; /* entries at memmap_paddr */
	uint32_t reserved;	 /* must be zero */
};

/* One module (initrd), 32 bytes. */
struct hvm_modlist_entry {
	uint64_t paddr;		/* start of the module */
	uint64_t size;		/* bytes */
	uint64_t cmdline_paddr; /* NUL-terminated ASCII, 0 if none */
	uint64_t reserved;
};

/* One memory-map entry, 24 bytes. */
struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry layout");

#endif
