/* SPDX-License-Identifier: MIT */
/* What a boot path hands to hv_main(): memory map, modules, ACPI root, command line. */
#ifndef HV_BOOT_INFO_H
#define HV_BOOT_INFO_H

#include <hv/types.h>

/* Firmware memory types, reduced to what the hypervisor cares about. */
enum mem_type {
	MEM_USABLE = 1,	  /* free RAM, ours after boot services are gone */
	MEM_RESERVED = 2, /* firmware, MMIO, anything we must not touch */
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
	MEM_LOADER = 6, /* boot loader data: our image, modules, boot structures */
};

struct mem_region {
	u64 base;
	u64 len;
	u32 type; /* enum mem_type */
};

/* A file handed over by the boot loader: the config or a guest image. */
struct boot_module {
	char name[64]; /* file name as the config refers to it ("hello.elf") */
	hpa_t base;
	u64 size;
};

/* A physical range the frame allocator must never hand out. */
struct mem_range {
	u64 base;
	u64 end; /* exclusive */
};

/* A linear framebuffer the firmware left on (UEFI GOP, or multiboot2's framebuffer tag). */
struct boot_fb {
	hpa_t base; /* 0: none */
	u64 size;
	u32 width, height; /* pixels */
	u32 pitch;	   /* bytes from one scan line to the next */
	u8 bpp;		   /* bits per pixel; the console draws on 32 and 24 */
	u8 red_pos, red_bits, green_pos, green_bits, blue_pos, blue_bits;
};

#define BOOT_MMAP_MAX	  256
#define BOOT_MODULES_MAX  32
#define BOOT_RESERVED_MAX 48

struct boot_info {
	const char *loader; /* "uefi" or "multiboot2" */
	struct mem_region mmap[BOOT_MMAP_MAX];
	u32 mmap_count;
	struct boot_module modules[BOOT_MODULES_MAX];
	u32 module_count;
	struct mem_range reserved[BOOT_RESERVED_MAX];
	u32 reserved_count;
	hpa_t rsdp;	 /* ACPI RSDP, or 0 when the firmware gave none */
	u64 image_bytes; /* Sprout's image as loaded: code, data and bss */
	struct boot_fb fb;
	char cmdline[256];
	char config_name[64]; /* module that holds the config ("sprout.cfg") */
};

/* Common entry after either boot path; bi lives in hypervisor memory. */
__noreturn void hv_main(struct boot_info *bi);

/* Add a range the allocator must keep out of; silently ignores overflow of the table. */
void boot_info_reserve(struct boot_info *bi, u64 base, u64 end);

/* Module by name, or NULL. */
const struct boot_module *boot_info_module(const struct boot_info *bi, const char *name);

#endif
