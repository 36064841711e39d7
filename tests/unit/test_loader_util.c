// SPDX-License-Identifier: MIT
/* Loader test helpers: fake guest RAM, synthetic ELF32/ELF64 and a.out-kludge multiboot images. */
#include <stdlib.h>
#include <string.h>

#include <public/multiboot.h>
#include <public/pvh.h>

#include <hv/elf.h>
#include <hv/errno.h>

#include "test_loader.h"

/* The RAM model written out again, independent of loader_gpa_is_ram(). */
static bool model_is_ram(u64 ram, u64 gpa, u64 len)
{
	u64 hi = ram < 0xc0000000ULL ? ram : 0xc0000000ULL;

	if (gpa < 0xa0000 && len <= 0xa0000 - gpa && gpa + len <= ram)
		return true;
	if (gpa >= 0x100000 && gpa < hi && len <= hi - gpa)
		return true;
	if (ram > 0xc0000000ULL && gpa >= (1ULL << 32) &&
	    gpa - (1ULL << 32) < ram - 0xc0000000ULL &&
	    len <= ram - 0xc0000000ULL - (gpa - (1ULL << 32)))
		return true;
	return false;
}

static int fake_write(void *ctx, gpa_t gpa, const void *src, size_t len)
{
	struct fake_ram *r = ctx;
	u32 n = r->nwrites++;

	if (n < 32) {
		r->last_gpa[n] = gpa;
		r->last_len[n] = len;
	}
	if (r->fail_at && r->nwrites == r->fail_at)
		return -EFAULT;
	if (!model_is_ram(r->mem.ram_size, gpa, len)) {
		r->bad_writes++;
		return -EFAULT;
	}
	if (!r->buf)
		return 0;
	memcpy(r->buf + gpa, src, len);
	for (u64 p = gpa >> 12; len && p <= (gpa + len - 1) >> 12; p++)
		r->touched[p] = 1;
	return 0;
}

void lt_ram_init(struct fake_ram *r, u64 size, bool sparse)
{
	memset(r, 0, sizeof(*r));
	r->mem.ram_size = size;
	r->mem.write = fake_write;
	r->mem.ctx = r;
	if (!sparse) {
		r->buf = calloc(1, size);
		r->touched = calloc(1, (size >> 12) + 1);
	}
}

void lt_ram_free(struct fake_ram *r)
{
	free(r->buf);
	free(r->touched);
	r->buf = r->touched = NULL;
}

bool lt_ram_touched(const struct fake_ram *r, u64 gpa)
{
	return r->touched[gpa >> 12];
}

u32 lt_rd32(const struct fake_ram *r, u64 gpa)
{
	u32 v;

	memcpy(&v, r->buf + gpa, sizeof(v));
	return v;
}

u64 lt_rd64(const struct fake_ram *r, u64 gpa)
{
	u64 v;

	memcpy(&v, r->buf + gpa, sizeof(v));
	return v;
}

const char *lt_rdstr(const struct fake_ram *r, u64 gpa)
{
	return (const char *)r->buf + gpa;
}

bool lt_ram_eq(const struct fake_ram *r, u64 gpa, const void *src, u64 len)
{
	return gpa + len <= r->mem.ram_size && !memcmp(r->buf + gpa, src, len);
}

int lt_tload(struct fake_ram *r, enum image_kind kind, const void *img, size_t size,
	     const char *cmd, const struct loader_module *mods, u32 nmods,
	     struct loader_result *res, char *err, size_t errlen)
{
	return loader_load(kind, img, size, cmd, mods, nmods, &r->mem, res, err, errlen);
}

bool lt_err_is(const char *err, const char *sub)
{
	return err[0] && !strchr(err, '\n') && strstr(err, sub);
}

/* Segment i's file bytes: a pattern that differs per segment and per offset. */
static u8 pattern(u32 i, u64 off)
{
	return (u8)(i * 37 + off * 7 + 1);
}

static void put(u8 *buf, size_t cap, u64 off, const void *src, size_t len)
{
	if (off + len <= cap)
		memcpy(buf + off, src, len);
}

static void put_ehdr(const struct telf *t, u8 *buf, size_t cap, u32 phnum, u64 shoff, u32 shnum)
{
	u16 machine = t->machine ? t->machine : (t->is32 ? EM_386 : EM_X86_64);

	if (t->is32) {
		struct elf32_hdr h = {.e_type = ET_EXEC,
				      .e_machine = machine,
				      .e_version = 1,
				      .e_entry = (u32)t->entry,
				      .e_phoff = (u32)t->phoff,
				      .e_shoff = (u32)shoff,
				      .e_ehsize = sizeof(h),
				      .e_phentsize = sizeof(struct elf32_phdr),
				      .e_phnum = (u16)phnum,
				      .e_shentsize = sizeof(struct elf32_shdr),
				      .e_shnum = (u16)shnum};

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = ELFCLASS32;
		h.e_ident[EI_DATA] = ELFDATA2LSB;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		put(buf, cap, 0, &h, sizeof(h));
	} else {
		struct elf64_hdr h = {.e_type = ET_EXEC,
				      .e_machine = machine,
				      .e_version = 1,
				      .e_entry = t->entry,
				      .e_phoff = t->phoff,
				      .e_shoff = shoff,
				      .e_ehsize = sizeof(h),
				      .e_phentsize = sizeof(struct elf64_phdr),
				      .e_phnum = (u16)phnum,
				      .e_shentsize = sizeof(struct elf64_shdr),
				      .e_shnum = (u16)shnum};

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = ELFCLASS64;
		h.e_ident[EI_DATA] = ELFDATA2LSB;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		put(buf, cap, 0, &h, sizeof(h));
	}
}

static void put_phdr(const struct telf *t, u8 *buf, size_t cap, u32 n, u32 type, u64 off,
		     const struct tseg *s, u64 align)
{
	u64 vaddr = s->vaddr ? s->vaddr : s->paddr;

	if (t->is32) {
		struct elf32_phdr p = {type,	       (u32)off,      (u32)vaddr,  (u32)s->paddr,
				       (u32)s->filesz, (u32)s->memsz, PF_R | PF_X, (u32)align};

		put(buf, cap, t->phoff + n * sizeof(p), &p, sizeof(p));
	} else {
		struct elf64_phdr p = {type,	 PF_R | PF_X, off,	vaddr,
				       s->paddr, s->filesz,   s->memsz, align};

		put(buf, cap, t->phoff + n * sizeof(p), &p, sizeof(p));
	}
}

/* "Xen" note with the PVH entry; returns its size. */
static u64 put_note(const struct telf *t, u8 *buf, size_t cap)
{
	struct elf_note n = {4, t->note_descsz, XEN_ELFNOTE_PHYS32_ENTRY};
	u8 desc[64] = {0};
	u64 dlen = (t->note_descsz + 3) & ~3ULL;

	if (dlen > sizeof(desc))
		dlen = sizeof(desc);
	memcpy(desc, &t->pvh_entry, t->note_descsz >= 8 ? 8 : 4);
	put(buf, cap, t->note_off, &n, sizeof(n));
	put(buf, cap, t->note_off + 12, "Xen", 4);
	put(buf, cap, t->note_off + 16, desc, dlen);
	return 16 + dlen;
}

static void put_shdrs(const struct telf *t, u8 *buf, size_t cap, u64 shoff, u64 note_len)
{
	if (t->is32) {
		struct elf32_shdr sh[2] = {{0}};

		sh[1] = (struct elf32_shdr){.sh_type = SHT_NOTE,
					    .sh_offset = (u32)t->note_off,
					    .sh_size = (u32)note_len,
					    .sh_addralign = 4};
		put(buf, cap, shoff, sh, sizeof(sh));
	} else {
		struct elf64_shdr sh[2] = {{0}};

		sh[1] = (struct elf64_shdr){.sh_type = SHT_NOTE,
					    .sh_offset = t->note_off,
					    .sh_size = note_len,
					    .sh_addralign = 4};
		put(buf, cap, shoff, sh, sizeof(sh));
	}
}

static void put_mb_header(const struct telf *t, u8 *buf, size_t cap)
{
	u32 h[3] = {MULTIBOOT_HEADER_MAGIC, t->mb_flags, -(MULTIBOOT_HEADER_MAGIC + t->mb_flags)};

	put(buf, cap, t->file_off[0], h, sizeof(h));
}

size_t lt_telf_build(struct telf *t, u8 *buf, size_t cap)
{
	u64 phsz = t->is32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr);
	u64 shsz = t->is32 ? sizeof(struct elf32_shdr) : sizeof(struct elf64_shdr);
	bool pt_note = t->note_descsz && !t->note_as_section;
	u32 nph = t->nsegs + (pt_note ? 1 : 0);
	u64 off, note_len = 0, shoff = 0;

	memset(buf, 0, cap);
	t->phoff = t->is32 ? sizeof(struct elf32_hdr) : sizeof(struct elf64_hdr);
	t->note_off = t->phoff + nph * phsz;
	if (t->note_descsz)
		note_len = put_note(t, buf, cap);
	off = (t->note_off + note_len + 7) & ~7ULL;
	if (t->note_as_section) {
		shoff = off;
		put_shdrs(t, buf, cap, shoff, note_len);
		off += 2 * shsz;
	}
	for (u32 i = 0; i < t->nsegs; i++) {
		const struct tseg *s = &t->segs[i];

		off = (off + 15) & ~15ULL;
		t->file_off[i] = off;
		put_phdr(t, buf, cap, i, s->type ? s->type : PT_LOAD, off, s, 0x1000);
		for (u64 b = 0; b < s->filesz && off + b < cap; b++)
			buf[off + b] = pattern(i, b);
		off += s->filesz;
	}
	if (pt_note) {
		struct tseg ns = {.filesz = note_len, .memsz = 0};

		put_phdr(t, buf, cap, t->nsegs, PT_NOTE, t->note_off, &ns, 4);
	}
	if (t->mb_header && t->nsegs)
		put_mb_header(t, buf, cap);
	put_ehdr(t, buf, cap, nph, shoff, t->note_as_section ? 2 : 0);
	return off <= cap ? off : cap;
}

void lt_telf_pvh_default(struct telf *t)
{
	memset(t, 0, sizeof(*t));
	t->entry = 0xffffffff81000000ULL; /* a virtual e_entry, as in vmlinux: PVH ignores it */
	t->nsegs = 2;
	t->segs[0] = (struct tseg){.paddr = 0x100000,
				   .vaddr = 0xffffffff81000000ULL,
				   .filesz = 0x3000,
				   .memsz = 0x3000};
	t->segs[1] = (struct tseg){.paddr = 0x110000,
				   .vaddr = 0xffffffff81010000ULL,
				   .filesz = 0x1234,
				   .memsz = 0x6234};
	t->note_descsz = 8;
	t->pvh_entry = 0x100040;
}

void lt_tmb_fix(u8 *buf, u64 off)
{
	u32 h[3];

	memcpy(h, buf + off, sizeof(h));
	h[2] = -(h[0] + h[1]);
	memcpy(buf + off, h, sizeof(h));
}

size_t lt_taout_build(const struct taout *t, u8 *buf, size_t cap)
{
	struct multiboot_header h = {
		.magic = MULTIBOOT_HEADER_MAGIC,
		.flags = MULTIBOOT_AOUT_KLUDGE | t->flags,
		.header_addr = t->load_addr + t->hdr_off,
		.load_addr = t->load_addr,
		.load_end_addr = t->load_end_zero ? 0 : t->load_addr + t->file_len,
		.bss_end_addr = t->bss_len ? t->load_addr + t->file_len + t->bss_len : 0,
		.entry_addr = t->load_addr + t->entry_off,
	};

	h.checksum = -(h.magic + h.flags);
	memset(buf, 0, cap);
	for (u32 b = 0; b < t->file_len && b < cap; b++)
		buf[b] = pattern(9, b);
	put(buf, cap, t->hdr_off, &h, MULTIBOOT_HEADER_AOUT);
	return t->file_len <= cap ? t->file_len : cap;
}
