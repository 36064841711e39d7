// SPDX-License-Identifier: MIT
/* ELF32/ELF64 images: header and program header checks, PT_LOAD by p_paddr, note lookup. */
#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/string.h>

/*
 * The image is untrusted and may sit at any alignment: every structure is
 * copied out with memcpy() after its bounds were checked, and every sum of
 * two file-supplied values is written as a comparison against a difference.
 */

/* True when [off, off + len) lies inside the image. */
static bool in_file(const struct loader_ctx *lc, u64 off, u64 len)
{
	return off <= lc->size && len <= lc->size - off;
}

/* A bzImage given where an ELF is expected is a common mistake: say so. */
static const char *bzimage_hint(const struct loader_ctx *lc)
{
	if (lc->size >= 0x206 && !memcmp(lc->image + 0x202, "HdrS", 4))
		return " (it looks like a Linux bzImage; give the vmlinux ELF)";
	return "";
}

static int open64(struct loader_ctx *lc, struct loader_elf *ef)
{
	struct elf64_hdr h;

	if (lc->size < sizeof(h))
		return loader_error(lc, -ENOEXEC, "ELF header truncated (%llu bytes)",
				    (u64)lc->size);
	memcpy(&h, lc->image, sizeof(h));
	*ef = (struct loader_elf){.is64 = true,
				  .type = h.e_type,
				  .machine = h.e_machine,
				  .entry = h.e_entry,
				  .phoff = h.e_phoff,
				  .phnum = h.e_phnum,
				  .phentsize = h.e_phentsize,
				  .shoff = h.e_shoff,
				  .shnum = h.e_shnum,
				  .shentsize = h.e_shentsize};
	return 0;
}

static int open32(struct loader_ctx *lc, struct loader_elf *ef)
{
	struct elf32_hdr h;

	if (lc->size < sizeof(h))
		return loader_error(lc, -ENOEXEC, "ELF header truncated (%llu bytes)",
				    (u64)lc->size);
	memcpy(&h, lc->image, sizeof(h));
	*ef = (struct loader_elf){.is64 = false,
				  .type = h.e_type,
				  .machine = h.e_machine,
				  .entry = h.e_entry,
				  .phoff = h.e_phoff,
				  .phnum = h.e_phnum,
				  .phentsize = h.e_phentsize,
				  .shoff = h.e_shoff,
				  .shnum = h.e_shnum,
				  .shentsize = h.e_shentsize};
	return 0;
}

static int check_header(struct loader_ctx *lc, const struct loader_elf *ef)
{
	u32 want = ef->is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);

	if (ef->type != ET_EXEC)
		return loader_error(lc, -ENOEXEC, "ELF type %u is not an executable (ET_EXEC)",
				    ef->type);
	if (ef->machine != EM_X86_64 && ef->machine != EM_386)
		return loader_error(lc, -ENOEXEC, "ELF machine %u is not x86 (EM_386 or EM_X86_64)",
				    ef->machine);
	if (ef->phentsize != want)
		return loader_error(lc, -ENOEXEC, "ELF program header size %u, expected %u",
				    ef->phentsize, want);
	if (!ef->phnum)
		return loader_error(lc, -ENOEXEC, "ELF file has no program headers");
	if (ef->phnum > LOADER_ELF_MAX_PHNUM)
		return loader_error(lc, -ENOEXEC, "ELF file has %u program headers (at most %u)",
				    ef->phnum, LOADER_ELF_MAX_PHNUM);
	if (!in_file(lc, ef->phoff, (u64)ef->phnum * want))
		return loader_error(
			lc, -ENOEXEC,
			"ELF program header table at 0x%llx lies outside the file (0x%llx bytes)",
			ef->phoff, (u64)lc->size);
	return 0;
}

int loader_elf_open(struct loader_ctx *lc, struct loader_elf *ef)
{
	const u8 *p = lc->image;
	int ret;

	if (lc->size < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG))
		return loader_error(lc, -ENOEXEC, "not an ELF file%s", bzimage_hint(lc));
	if (p[EI_DATA] != ELFDATA2LSB)
		return loader_error(lc, -ENOEXEC, "ELF file is not little-endian");
	if (p[EI_VERSION] != EV_CURRENT)
		return loader_error(lc, -ENOEXEC, "ELF version %u is not %u", p[EI_VERSION],
				    EV_CURRENT);
	if (p[EI_CLASS] == ELFCLASS64)
		ret = open64(lc, ef);
	else if (p[EI_CLASS] == ELFCLASS32)
		ret = open32(lc, ef);
	else
		return loader_error(lc, -ENOEXEC, "unknown ELF class %u", p[EI_CLASS]);
	return ret ? ret : check_header(lc, ef);
}

void loader_elf_phdr(const struct loader_ctx *lc, const struct loader_elf *ef, u32 i,
		     struct loader_seg *seg)
{
	if (ef->is64) {
		struct elf64_phdr ph;

		memcpy(&ph, lc->image + ef->phoff + (u64)i * sizeof(ph), sizeof(ph));
		*seg = (struct loader_seg){ph.p_type,  ph.p_flags,  ph.p_offset, ph.p_vaddr,
					   ph.p_paddr, ph.p_filesz, ph.p_memsz,	 ph.p_align};
	} else {
		struct elf32_phdr ph;

		memcpy(&ph, lc->image + ef->phoff + (u64)i * sizeof(ph), sizeof(ph));
		*seg = (struct loader_seg){ph.p_type,  ph.p_flags,  ph.p_offset, ph.p_vaddr,
					   ph.p_paddr, ph.p_filesz, ph.p_memsz,	 ph.p_align};
	}
}

static int check_load(struct loader_ctx *lc, u32 i, const struct loader_seg *seg)
{
	char what[32];

	if (!in_file(lc, seg->offset, seg->filesz))
		return loader_error(
			lc, -ENOEXEC,
			"ELF segment %u (offset 0x%llx size 0x%llx) lies outside the file", i,
			seg->offset, seg->filesz);
	if (seg->filesz > seg->memsz)
		return loader_error(
			lc, -ENOEXEC,
			"ELF segment %u file size 0x%llx exceeds its memory size 0x%llx", i,
			seg->filesz, seg->memsz);
	if (!seg->memsz)
		return 0;
	snprintf(what, sizeof(what), "ELF segment %u", i);
	return loader_check_range(lc, what, seg->paddr, seg->memsz);
}

/*
 * Overlapping segments are refused: each byte of the image then has one
 * source, and bss that is never written is zero because fresh RAM is.
 */
static int check_overlap(struct loader_ctx *lc, const struct loader_elf *ef, u32 i,
			 const struct loader_seg *seg)
{
	struct loader_seg o;

	for (u32 j = 0; j < i; j++) {
		loader_elf_phdr(lc, ef, j, &o);
		if (o.type != PT_LOAD || !o.memsz)
			continue;
		/* Both ranges were checked to lie in RAM: the ends do not wrap. */
		if (seg->paddr < o.paddr + o.memsz && o.paddr < seg->paddr + seg->memsz)
			return loader_error(lc, -ENOEXEC,
					    "ELF segments %u and %u overlap at 0x%llx", j, i,
					    MAX(seg->paddr, o.paddr));
	}
	return 0;
}

int loader_elf_check(struct loader_ctx *lc, const struct loader_elf *ef)
{
	struct loader_seg seg;
	u64 lo = ~0ULL, hi = 0;
	int ret;

	for (u32 i = 0; i < ef->phnum; i++) {
		loader_elf_phdr(lc, ef, i, &seg);
		if (seg.type != PT_LOAD)
			continue;
		ret = check_load(lc, i, &seg);
		if (!ret && seg.memsz)
			ret = check_overlap(lc, ef, i, &seg);
		if (ret)
			return ret;
		if (seg.memsz) {
			lo = MIN(lo, seg.paddr);
			hi = MAX(hi, seg.paddr + seg.memsz);
		}
	}
	if (lo > hi)
		return loader_error(lc, -ENOEXEC, "ELF file has no loadable segment (PT_LOAD)");
	lc->res->image_lo = lo;
	lc->res->image_hi = hi;
	return 0;
}

bool loader_elf_paddr_loaded(const struct loader_ctx *lc, const struct loader_elf *ef, u64 paddr)
{
	struct loader_seg seg;

	for (u32 i = 0; i < ef->phnum; i++) {
		loader_elf_phdr(lc, ef, i, &seg);
		if (seg.type == PT_LOAD && paddr >= seg.paddr && paddr - seg.paddr < seg.memsz)
			return true;
	}
	return false;
}

bool loader_elf_vaddr_to_paddr(const struct loader_ctx *lc, const struct loader_elf *ef, u64 vaddr,
			       u64 *paddr)
{
	struct loader_seg seg;

	for (u32 i = 0; i < ef->phnum; i++) {
		loader_elf_phdr(lc, ef, i, &seg);
		if (seg.type == PT_LOAD && vaddr >= seg.vaddr && vaddr - seg.vaddr < seg.memsz) {
			*paddr = seg.paddr + (vaddr - seg.vaddr);
			return true;
		}
	}
	return false;
}

int loader_elf_load(struct loader_ctx *lc, const struct loader_elf *ef)
{
	struct loader_seg seg;
	int ret;

	for (u32 i = 0; i < ef->phnum; i++) {
		loader_elf_phdr(lc, ef, i, &seg);
		if (seg.type != PT_LOAD || !seg.filesz)
			continue;
		ret = loader_write(lc, seg.paddr, lc->image + seg.offset, seg.filesz);
		if (ret)
			return ret;
	}
	return 0;
}

/* A list of notes in the file and the alignment that pads its entries. */
struct note_area {
	u64 off;
	u64 len;
	u64 align;
};

static u64 note_align(u64 align)
{
	return align == 8 ? 8 : 4;
}

static int scan_notes(struct loader_ctx *lc, const struct note_area *a, const char *name, u32 type,
		      const u8 **desc, u32 *descsz)
{
	u64 nlen = strlen(name) + 1, pos = 0;
	struct elf_note n;

	/* Layout in hv/elf.h: header, name, descriptor, each padded to a->align. */
	while (a->len - pos >= sizeof(n)) {
		const u8 *p = lc->image + a->off + pos;
		u64 left = a->len - pos - sizeof(n);
		u64 npad, dpad;

		memcpy(&n, p, sizeof(n));
		npad = ALIGN_UP((u64)n.n_namesz, a->align);
		dpad = ALIGN_UP((u64)n.n_descsz, a->align);
		if (npad > left || n.n_descsz > left - npad)
			return loader_error(
				lc, -ENOEXEC,
				"ELF note at offset 0x%llx is truncated (name %u, desc %u bytes)",
				a->off + pos, n.n_namesz, n.n_descsz);
		if (n.n_type == type && n.n_namesz == nlen && !memcmp(p + sizeof(n), name, nlen)) {
			*desc = p + sizeof(n) + npad;
			*descsz = n.n_descsz;
			return 0;
		}
		/* The last note may lack its tail padding. */
		if (dpad > left - npad)
			break;
		pos += sizeof(n) + npad + dpad;
	}
	return -ENOENT;
}

static int notes_in_segments(struct loader_ctx *lc, const struct loader_elf *ef, const char *name,
			     u32 type, const u8 **desc, u32 *descsz)
{
	struct loader_seg seg;
	struct note_area a;
	int ret;

	for (u32 i = 0; i < ef->phnum; i++) {
		loader_elf_phdr(lc, ef, i, &seg);
		if (seg.type != PT_NOTE)
			continue;
		if (!in_file(lc, seg.offset, seg.filesz))
			return loader_error(lc, -ENOEXEC,
					    "ELF note segment %u lies outside the file", i);
		a = (struct note_area){seg.offset, seg.filesz, note_align(seg.align)};
		ret = scan_notes(lc, &a, name, type, desc, descsz);
		if (ret != -ENOENT)
			return ret;
	}
	return -ENOENT;
}

/* Section i of a table already checked to lie in the file, reduced to what notes need. */
static void read_shdr(const struct loader_ctx *lc, const struct loader_elf *ef, u32 i, u32 *type,
		      struct note_area *a)
{
	if (ef->is64) {
		struct elf64_shdr sh;

		memcpy(&sh, lc->image + ef->shoff + (u64)i * sizeof(sh), sizeof(sh));
		*type = sh.sh_type;
		*a = (struct note_area){sh.sh_offset, sh.sh_size, note_align(sh.sh_addralign)};
	} else {
		struct elf32_shdr sh;

		memcpy(&sh, lc->image + ef->shoff + (u64)i * sizeof(sh), sizeof(sh));
		*type = sh.sh_type;
		*a = (struct note_area){sh.sh_offset, sh.sh_size, note_align(sh.sh_addralign)};
	}
}

static int notes_in_sections(struct loader_ctx *lc, const struct loader_elf *ef, const char *name,
			     u32 type, const u8 **desc, u32 *descsz)
{
	u32 want = ef->is64 ? sizeof(struct elf64_shdr) : sizeof(struct elf32_shdr), sh_type;
	struct note_area a;
	int ret;

	if (!ef->shoff || !ef->shnum)
		return -ENOENT;
	if (ef->shentsize != want)
		return loader_error(lc, -ENOEXEC, "ELF section header size %u, expected %u",
				    ef->shentsize, want);
	if (!in_file(lc, ef->shoff, (u64)ef->shnum * want))
		return loader_error(lc, -ENOEXEC,
				    "ELF section header table at 0x%llx lies outside the file",
				    ef->shoff);
	for (u32 i = 0; i < ef->shnum; i++) {
		read_shdr(lc, ef, i, &sh_type, &a);
		if (sh_type != SHT_NOTE)
			continue;
		if (!in_file(lc, a.off, a.len))
			return loader_error(lc, -ENOEXEC,
					    "ELF note section %u lies outside the file", i);
		ret = scan_notes(lc, &a, name, type, desc, descsz);
		if (ret != -ENOENT)
			return ret;
	}
	return -ENOENT;
}

int loader_elf_find_note(struct loader_ctx *lc, const struct loader_elf *ef, const char *name,
			 u32 type, const u8 **desc, u32 *descsz)
{
	int ret = notes_in_segments(lc, ef, name, type, desc, descsz);

	if (ret != -ENOENT)
		return ret;
	return notes_in_sections(lc, ef, name, type, desc, descsz);
}
