/* SPDX-License-Identifier: MIT */
/* Multiboot v1 (spec 0.6.96): the OS image header and the boot information for the kernel. */
#ifndef SPROUT_PUBLIC_MULTIBOOT_H
#define SPROUT_PUBLIC_MULTIBOOT_H

#include <stdint.h>

/* The header must lie 4-byte aligned within the first 8192 bytes of the image. */
#define MULTIBOOT_SEARCH	   8192
#define MULTIBOOT_HEADER_ALIGN	   4
#define MULTIBOOT_HEADER_MAGIC	   0x1badb002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u /* in EAX at entry */

/*
 * Header flags. Bits 0-15 are requirements: a loader that does not know one
 * must refuse the image. Bits 16-31 are optional features.
 */
#define MULTIBOOT_PAGE_ALIGN  0x00000001u /* modules page aligned */
#define MULTIBOOT_MEMORY_INFO 0x00000002u /* mem_* (and mmap_*) wanted */
#define MULTIBOOT_VIDEO_MODE  0x00000004u /* video mode fields are valid */
#define MULTIBOOT_REQUIRED    0x0000ffffu
#define MULTIBOOT_AOUT_KLUDGE 0x00010000u /* address fields are valid */

/*
 * OS image header. The address fields are only present (and only read) with
 * MULTIBOOT_AOUT_KLUDGE; the video fields only with MULTIBOOT_VIDEO_MODE.
 *
 *   0x00 magic        0x04 flags          0x08 checksum (magic + flags + checksum == 0)
 *   0x0c header_addr  0x10 load_addr      0x14 load_end_addr
 *   0x18 bss_end_addr 0x1c entry_addr
 *   0x20 mode_type    0x24 width          0x28 height       0x2c depth
 */
struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	uint32_t header_addr;	/* physical address of this header */
	uint32_t load_addr;	/* physical address of the start of text */
	uint32_t load_end_addr; /* end of data; 0: load to the end of the file */
	uint32_t bss_end_addr;	/* end of bss; 0: no bss */
	uint32_t entry_addr;
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
};

#define MULTIBOOT_HEADER_MIN  12 /* magic, flags, checksum */
#define MULTIBOOT_HEADER_AOUT 32 /* ... through entry_addr */

/* multiboot_info.flags: which fields are valid. */
#define MULTIBOOT_INFO_MEMORY		0x00000001u
#define MULTIBOOT_INFO_BOOTDEV		0x00000002u
#define MULTIBOOT_INFO_CMDLINE		0x00000004u
#define MULTIBOOT_INFO_MODS		0x00000008u
#define MULTIBOOT_INFO_AOUT_SYMS	0x00000010u
#define MULTIBOOT_INFO_ELF_SHDR		0x00000020u
#define MULTIBOOT_INFO_MEM_MAP		0x00000040u
#define MULTIBOOT_INFO_DRIVE_INFO	0x00000080u
#define MULTIBOOT_INFO_CONFIG_TABLE	0x00000100u
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200u
#define MULTIBOOT_INFO_APM_TABLE	0x00000400u
#define MULTIBOOT_INFO_VBE_INFO		0x00000800u
#define MULTIBOOT_INFO_FRAMEBUFFER_INFO 0x00001000u

/*
 * Boot information, 116 bytes, found at EBX:
 *
 *   0x00 flags        0x04 mem_lower    0x08 mem_upper     0x0c boot_device
 *   0x10 cmdline      0x14 mods_count   0x18 mods_addr     0x1c syms[4]
 *   0x2c mmap_length  0x30 mmap_addr    0x34 drives_length 0x38 drives_addr
 *   0x3c config_table 0x40 boot_loader_name  0x44 apm_table
 *   0x48 vbe_control_info  0x4c vbe_mode_info  0x50 vbe_mode, interface seg/off/len (u16 each)
 *   0x58 framebuffer_addr (u64)  0x60 pitch  0x64 width  0x68 height
 *   0x6c bpp (u8)  0x6d type (u8)  0x6e color_info[6]
 */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of RAM from 0 */
	uint32_t mem_upper; /* KiB of RAM from 1 MiB up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;   /* array of struct multiboot_mod_list */
	uint32_t syms[4];     /* a.out symbol table or ELF section headers */
	uint32_t mmap_length; /* bytes of struct multiboot_mmap_entry */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));

/* One module, 16 bytes: [mod_start, mod_end) and its string. */
struct multiboot_mod_list {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t cmdline;
	uint32_t pad;
};

/*
 * One memory-map entry, 24 bytes. size counts the bytes after itself (20),
 * so a reader steps by size + 4; mmap_addr points at the size field.
 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type; /* 1 available RAM, 2 reserved, as in E820 */
} __attribute__((packed));

#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED  2

_Static_assert(sizeof(struct multiboot_header) == 48, "multiboot_header layout");
_Static_assert(sizeof(struct multiboot_info) == 116, "multiboot_info layout");
_Static_assert(sizeof(struct multiboot_mod_list) == 16, "multiboot_mod_list layout");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "multiboot_mmap_entry layout");

#endif
