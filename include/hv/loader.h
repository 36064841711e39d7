/* SPDX-License-Identifier: MIT */
/* Guest image loaders (PVH ELF, multiboot v1, Linux bzImage): place an image in guest RAM, build boot info. */
#ifndef HV_LOADER_H
#define HV_LOADER_H

#include <hv/config.h>
#include <hv/types.h>

/*
 * Guest-physical layout every VM sees (docs/guest-layout.md):
 *
 *   0x00000000 - 0x0009fbff  RAM (low, 639 KiB)
 *   0x0009fc00 - 0x0009ffff  reserved (EBDA)
 *   0x000a0000 - 0x000bffff  nothing (legacy video hole; not in the E820)
 *   0x000c0000 - 0x000fffff  reserved (option ROM and BIOS area)
 *   0x00100000 - min(ram, 3 GiB)          RAM
 *   0xc0000000 - 0xffffffff  device hole (no RAM; LAPIC/IOAPIC stubs live here)
 *   0x100000000 - ...        RAM above 3 GiB, if the VM has more than 3 GiB
 *
 * The loader writes boot structures in low RAM below 0x9f000 (LOADER_BOOT_BASE).
 */
#define GUEST_LOW_RAM_END   0x9fc00ULL /* what the E820 calls low RAM */
#define GUEST_HIGH_RAM_BASE 0x100000ULL
#define GUEST_HOLE_BASE	    0xc0000000ULL
#define GUEST_ABOVE_4G	    0x100000000ULL
#define LOADER_BOOT_BASE    0x6000ULL /* boot info, memory map, cmdline, module list */
#define LOADER_BOOT_END	    0x9f000ULL

/*
 * Guest RAM access for the loader; write() commits the pages it touches.
 * The RAM must read as zero where nothing was written: the loader does not
 * write ELF bss or a.out bss, so that a large bss commits no memory.
 */
struct loader_mem {
	u64 ram_size; /* bytes of guest RAM (the configured memory size) */
	gpa_t rsdp;   /* the ACPI RSDP for boot protocols that pass it (PVH), 0 if none */
	/* Copy len bytes to guest RAM at gpa; -EFAULT if any byte is not RAM. */
	int (*write)(void *ctx, gpa_t gpa, const void *src, size_t len);
	void *ctx;
};

/* An extra file handed to the guest (initrd / multiboot module). */
struct loader_module {
	const void *data;
	size_t size;
	const char *cmdline;
};

/*
 * Register state for the first instruction: 32-bit protected mode with
 * paging off, or (long_mode) 64-bit mode on the loader's identity map. The
 * segments are flat either way; cs and ds name the selectors when the boot
 * protocol fixes them (0: Sprout's default, 0x08 and 0x10), and a GDT that
 * holds them is at gdt_base (gdt_limit 0: none written).
 */
struct loader_result {
	u32 entry;
	u32 eax;
	u32 ebx;
	u32 esi;
	bool long_mode;
	u32 cr3; /* long_mode: the root of the identity map */
	u32 gdt_base;
	u16 gdt_limit;
	u16 cs, ds;
	gpa_t image_lo; /* GPA range the image occupies, for logs */
	gpa_t image_hi;
	u32 boot_data_bytes; /* bytes of boot structures written */
};

/* One guest memory-map entry (E820 types: 1 RAM, 2 reserved). */
struct guest_e820 {
	u64 addr;
	u64 size;
	u32 type;
};

/* Guest memory map for ram_size bytes of RAM; returns the entry count (<= max). */
u32 loader_guest_e820(u64 ram_size, struct guest_e820 *out, u32 max);

/* True when [gpa, gpa+len) is entirely guest RAM. */
bool loader_gpa_is_ram(u64 ram_size, gpa_t gpa, u64 len);

/*
 * Load an image of the given kind. On failure returns a negative code and
 * writes a one-line reason (without the VM name) to err.
 *
 * @pre image is size readable bytes (untrusted content); cmdline is NULL or
 *      a string; mods[] holds nmods modules (nmods <= LOADER_MAX_MODULES);
 *      mem->ram_size >= LOADER_MIN_RAM and mem's RAM is still all zero.
 * On success res holds the entry state (docs/guest-layout.md) and every
 * byte written lies in guest RAM; on failure res is all zero. The image is
 * checked completely before the first write, so most failures leave guest
 * RAM untouched.
 */
int loader_load(enum image_kind kind, const void *image, size_t size, const char *cmdline,
		const struct loader_module *mods, u32 nmods, struct loader_mem *mem,
		struct loader_result *res, char *err, size_t errlen);

/* ---- Internals of core/loader/, shared by its files and the unit tests ---- */

#define LOADER_MIN_RAM	       MiB(2)
#define LOADER_MAX_MODULES     16
#define LOADER_CMDLINE_MAX     2048 /* bytes of a command line, including the NUL */
#define LOADER_ELF_MAX_PHNUM   128  /* program headers; real kernels have < 16 */
#define LOADER_E820_MAX	       8    /* entries loader_guest_e820() can produce */
#define LOADER_BOOTLOADER_NAME "Sprout"

/* One load in progress: the arguments of loader_load() and the boot-area cursor. */
struct loader_ctx {
	const u8 *image;
	size_t size;
	const char *cmdline; /* never NULL here: "" when the caller gave none */
	const struct loader_module *mods;
	u32 nmods;
	struct loader_mem *mem;
	struct loader_result *res;
	char *err;
	size_t errlen;
	gpa_t boot_next; /* next free byte in [LOADER_BOOT_BASE, LOADER_BOOT_END) */
	u64 mod_limit;	 /* modules end at or below this GPA (0: no limit of the format's) */
};

/* Format the one-line reason into lc->err; returns code (a negative errno). */
int loader_error(struct loader_ctx *lc, int code, const char *fmt, ...) __printf(3, 4);

/*
 * Check that what ("ELF segment 2", "multiboot image") at [gpa, gpa+size)
 * lies in guest RAM below 4 GiB and outside the boot data area.
 */
int loader_check_range(struct loader_ctx *lc, const char *what, u64 gpa, u64 size);

/* Copy len bytes to guest RAM at gpa; an error names the address. */
int loader_write(struct loader_ctx *lc, gpa_t gpa, const void *src, u64 len);

/* Reserve size bytes (align: a power of two) in the boot area; its GPA goes to *gpa. */
int loader_boot_alloc(struct loader_ctx *lc, u64 size, u64 align, gpa_t *gpa);

/* Copy src into a fresh boot-area block; its GPA goes to *gpa. */
int loader_boot_put(struct loader_ctx *lc, const void *src, u64 len, u64 align, gpa_t *gpa);

/* Copy a NUL-terminated string into the boot area. */
int loader_boot_string(struct loader_ctx *lc, const char *s, gpa_t *gpa);

/*
 * Choose GPAs for the modules: page aligned, packed down from
 * min(ram, GUEST_HOLE_BASE, lc->mod_limit), the first module highest, never
 * below the end of the image (res->image_hi) or 1 MiB. Writes nothing.
 */
int loader_place_modules(struct loader_ctx *lc, gpa_t *gpas);

/* Copy each module to the GPA loader_place_modules() chose for it. */
int loader_write_modules(struct loader_ctx *lc, const gpa_t *gpas);

/* An ELF file whose header and program header table have been checked. */
struct loader_elf {
	bool is64;
	u16 type;
	u16 machine;
	u64 entry;
	u64 phoff;
	u32 phnum;
	u32 phentsize;
	u64 shoff;
	u32 shnum;
	u32 shentsize;
};

/* A program header of either class, widened. */
struct loader_seg {
	u32 type;
	u32 flags;
	u64 offset;
	u64 vaddr;
	u64 paddr;
	u64 filesz;
	u64 memsz;
	u64 align;
};

/* Check the ELF header and locate the program headers of lc->image. */
int loader_elf_open(struct loader_ctx *lc, struct loader_elf *ef);

/* Program header i (< ef->phnum) of a file loader_elf_open() accepted. */
void loader_elf_phdr(const struct loader_ctx *lc, const struct loader_elf *ef, u32 i,
		     struct loader_seg *seg);

/*
 * Check every PT_LOAD: inside the file, filesz <= memsz, placed by p_paddr
 * with loader_check_range(), no two overlapping, at least one. Sets
 * res->image_lo/image_hi.
 */
int loader_elf_check(struct loader_ctx *lc, const struct loader_elf *ef);

/* True when paddr lies inside the memory image of a PT_LOAD. */
bool loader_elf_paddr_loaded(const struct loader_ctx *lc, const struct loader_elf *ef, u64 paddr);

/* Translate a virtual address inside a PT_LOAD to its physical address; false if in none. */
bool loader_elf_vaddr_to_paddr(const struct loader_ctx *lc, const struct loader_elf *ef, u64 vaddr,
			       u64 *paddr);

/* Copy the file bytes of every PT_LOAD to p_paddr; bss is left to zeroed RAM. */
int loader_elf_load(struct loader_ctx *lc, const struct loader_elf *ef);

/*
 * Find the note (name, type) in PT_NOTE segments, then in SHT_NOTE sections.
 * Returns 0 and the descriptor (inside lc->image), -ENOENT without a message
 * when there is none, or another error with a message for a malformed note.
 */
int loader_elf_find_note(struct loader_ctx *lc, const struct loader_elf *ef, const char *name,
			 u32 type, const u8 **desc, u32 *descsz);

/* The per-format loaders behind loader_load(). */
int loader_pvh(struct loader_ctx *lc);
int loader_multiboot(struct loader_ctx *lc);
int loader_bzimage(struct loader_ctx *lc);

#endif
