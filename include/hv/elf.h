/* SPDX-License-Identifier: MIT */
/* ELF32 and ELF64 file structures (little-endian x86), as far as the guest loaders need them. */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <hv/types.h>

/* e_ident[] */
#define EI_NIDENT   16
#define EI_MAG0	    0
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_VERSION  6
#define ELFMAG	    "\177ELF"
#define SELFMAG	    4
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1

/* e_type */
#define ET_EXEC 2
#define ET_DYN	3

/* e_machine */
#define EM_386	  3
#define EM_X86_64 62

/* p_type */
#define PT_NULL 0
#define PT_LOAD 1
#define PT_NOTE 4
#define PT_PHDR 6

/* p_flags */
#define PF_X 1
#define PF_W 2
#define PF_R 4

/* sh_type */
#define SHT_NOTE   7
#define SHT_NOBITS 8

/*
 * ELF64 file header, 64 bytes:
 *
 *   0x00 e_ident[16]   0x10 e_type   0x12 e_machine  0x14 e_version
 *   0x18 e_entry       0x20 e_phoff  0x28 e_shoff    0x30 e_flags
 *   0x34 e_ehsize      0x36 e_phentsize  0x38 e_phnum
 *   0x3a e_shentsize   0x3c e_shnum      0x3e e_shstrndx
 */
struct elf64_hdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

/* ELF64 program header, 56 bytes; p_flags comes second, unlike ELF32. */
struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

/* ELF64 section header, 64 bytes. */
struct elf64_shdr {
	u32 sh_name;
	u32 sh_type;
	u64 sh_flags;
	u64 sh_addr;
	u64 sh_offset;
	u64 sh_size;
	u32 sh_link;
	u32 sh_info;
	u64 sh_addralign;
	u64 sh_entsize;
};

/* ELF32 file header, 52 bytes: the same fields with 32-bit addresses and offsets. */
struct elf32_hdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u32 e_entry;
	u32 e_phoff;
	u32 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

/* ELF32 program header, 32 bytes. */
struct elf32_phdr {
	u32 p_type;
	u32 p_offset;
	u32 p_vaddr;
	u32 p_paddr;
	u32 p_filesz;
	u32 p_memsz;
	u32 p_flags;
	u32 p_align;
};

/* ELF32 section header, 40 bytes. */
struct elf32_shdr {
	u32 sh_name;
	u32 sh_type;
	u32 sh_flags;
	u32 sh_addr;
	u32 sh_offset;
	u32 sh_size;
	u32 sh_link;
	u32 sh_info;
	u32 sh_addralign;
	u32 sh_entsize;
};

/*
 * Note header, the same in ELF32 and ELF64 files (x86-64 producers keep
 * 4-byte words here too). Name and descriptor follow, each padded to the
 * alignment of the segment or section (4, or 8 for 8-aligned note sections):
 *
 *   +0  n_namesz   bytes of name, including its NUL
 *   +4  n_descsz   bytes of descriptor
 *   +8  n_type
 *   +12 name[n_namesz], padding
 *       desc[n_descsz], padding
 */
struct elf_note {
	u32 n_namesz;
	u32 n_descsz;
	u32 n_type;
};

_Static_assert(sizeof(struct elf64_hdr) == 64, "elf64_hdr layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "elf64_phdr layout");
_Static_assert(sizeof(struct elf64_shdr) == 64, "elf64_shdr layout");
_Static_assert(sizeof(struct elf32_hdr) == 52, "elf32_hdr layout");
_Static_assert(sizeof(struct elf32_phdr) == 32, "elf32_phdr layout");
_Static_assert(sizeof(struct elf32_shdr) == 40, "elf32_shdr layout");
_Static_assert(sizeof(struct elf_note) == 12, "elf_note layout");

#endif
