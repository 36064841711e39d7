/* SPDX-License-Identifier: MIT */
/* Loader test helpers: a fake guest RAM and builders of synthetic ELF and multiboot images. */
#ifndef TEST_LOADER_H
#define TEST_LOADER_H

#include <hv/loader.h>

/*
 * Guest RAM for one test. With buf it stores what the loader writes and
 * marks the touched pages; without (sparse) it only checks and logs writes,
 * for VMs too large to allocate.
 */
struct fake_ram {
	struct loader_mem mem;
	u8 *buf;
	u8 *touched; /* one flag per page of buf */
	u32 nwrites;
	u32 bad_writes;	  /* writes outside guest RAM: must stay 0 */
	u32 fail_at;	  /* fail write number fail_at (1-based) with -EFAULT; 0: never */
	u64 last_gpa[32]; /* the first 32 writes */
	u64 last_len[32];
};

void lt_ram_init(struct fake_ram *r, u64 size, bool sparse);
void lt_ram_free(struct fake_ram *r);
bool lt_ram_touched(const struct fake_ram *r, u64 gpa);
u32 lt_rd32(const struct fake_ram *r, u64 gpa);
u64 lt_rd64(const struct fake_ram *r, u64 gpa);
const char *lt_rdstr(const struct fake_ram *r, u64 gpa);

#define TSEG_MAX 8

/* One program header of a built ELF; vaddr 0 means "same as paddr". */
struct tseg {
	u32 type; /* 0 means PT_LOAD */
	u64 paddr;
	u64 vaddr;
	u64 filesz;
	u64 memsz;
};

/* What to build; file_off[] and note_off are filled in by lt_telf_build(). */
struct telf {
	bool is32;
	u16 machine; /* 0: EM_X86_64 for ELF64, EM_386 for ELF32 */
	u64 entry;   /* e_entry */
	u32 nsegs;
	struct tseg segs[TSEG_MAX];
	u32 note_descsz; /* 0: no PVH note; else its descriptor size (4 and 8 are valid) */
	u64 pvh_entry;
	bool note_as_section; /* reachable only through an SHT_NOTE section */
	bool mb_header;	      /* multiboot header (flags mb_flags) at the start of segment 0 */
	u32 mb_flags;
	u64 file_off[TSEG_MAX];
	u64 note_off;
	u64 phoff;
};

/*
 * File layout: header, program headers, note, section headers, then the
 * segment data, so that every proper prefix of the file is invalid.
 */
size_t lt_telf_build(struct telf *t, u8 *buf, size_t cap);

/* A PVH ELF64: text at 1 MiB (0x3000 bytes), data at 1 MiB + 0x10000 with 0x5000 bss. */
void lt_telf_pvh_default(struct telf *t);

/* An a.out-kludge multiboot image: the file is loaded whole at load_addr. */
struct taout {
	u32 load_addr;
	u32 file_len;
	u32 bss_len;
	u32 hdr_off;   /* 4-byte aligned, < 8192 */
	u32 entry_off; /* from load_addr */
	u32 flags;     /* added to MULTIBOOT_AOUT_KLUDGE */
	bool load_end_zero;
};

size_t lt_taout_build(const struct taout *t, u8 *buf, size_t cap);

/* Recompute the checksum of the multiboot header at off after editing it. */
void lt_tmb_fix(u8 *buf, u64 off);

/* Run loader_load() on the fake RAM; err gets the message. */
int lt_tload(struct fake_ram *r, enum image_kind kind, const void *img, size_t size,
	     const char *cmd, const struct loader_module *mods, u32 nmods,
	     struct loader_result *res, char *err, size_t errlen);

/* err is one line and contains sub. */
bool lt_err_is(const char *err, const char *sub);

/* Bytes [gpa, gpa+len) of RAM equal src. */
bool lt_ram_eq(const struct fake_ram *r, u64 gpa, const void *src, u64 len);

#endif
