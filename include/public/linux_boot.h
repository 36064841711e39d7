/* SPDX-License-Identifier: MIT */
/*
 * The x86 Linux boot protocol (Documentation/arch/x86/boot.rst, zero-page.rst):
 * the offsets Sprout's bzImage loader reads in the image's setup header and
 * writes in the zero page (struct boot_params). The setup header sits at the
 * same offset, 0x1f1, in the image's first sector and in the zero page.
 * Offsets rather than a packed struct: the image is untrusted input and is
 * read with bounds-checked copies.
 */
#ifndef SPROUT_PUBLIC_LINUX_BOOT_H
#define SPROUT_PUBLIC_LINUX_BOOT_H

#define LB_ZERO_PAGE_SIZE 0x1000u

/* Zero page fields outside the setup header. */
#define LB_ACPI_RSDP_ADDR     0x070u /* u64 */
#define LB_EXT_RAMDISK_IMAGE  0x0c0u /* u32: bits 63:32 of ramdisk_image */
#define LB_EXT_RAMDISK_SIZE   0x0c4u /* u32 */
#define LB_EXT_CMD_LINE_PTR   0x0c8u /* u32 */
#define LB_E820_ENTRIES	      0x1e8u /* u8 */
#define LB_SETUP_HEADER	      0x1f1u /* the setup header starts here */
#define LB_SETUP_HEADER_LIMIT 0x290u /* and never reaches past here (edd_mbr_sig_buffer) */
#define LB_E820_TABLE	      0x2d0u /* struct { u64 addr, size; u32 type; } packed [128] */
#define LB_E820_ENTRY_SIZE    20u
#define LB_E820_MAX	      128u

/* The setup header (offsets in the image and in the zero page). */
#define LB_SETUP_SECTS \
	0x1f1u /* u8: 512-byte sectors of setup code after the boot sector; 0 means 4 */
#define LB_SYSSIZE	    0x1f4u /* u32: protected-mode code size in 16-byte paragraphs */
#define LB_VID_MODE	    0x1fau /* u16 */
#define LB_BOOT_FLAG	    0x1feu /* u16: 0xaa55 */
#define LB_JUMP		    0x200u /* u16: jmp rel8; the header ends at 0x202 + the rel8 */
#define LB_HEADER	    0x202u /* u32: "HdrS" */
#define LB_VERSION	    0x206u /* u16: protocol version, 0x020f is 2.15 */
#define LB_TYPE_OF_LOADER   0x210u /* u8 */
#define LB_LOADFLAGS	    0x211u /* u8 */
#define LB_CODE32_START	    0x214u /* u32 */
#define LB_RAMDISK_IMAGE    0x218u /* u32 */
#define LB_RAMDISK_SIZE	    0x21cu /* u32 */
#define LB_HEAP_END_PTR	    0x224u /* u16 */
#define LB_CMD_LINE_PTR	    0x228u /* u32 */
#define LB_INITRD_ADDR_MAX  0x22cu /* u32: highest address the initrd may occupy */
#define LB_KERNEL_ALIGNMENT 0x230u /* u32 */
#define LB_RELOCATABLE	    0x234u /* u8 */
#define LB_XLOADFLAGS	    0x236u /* u16 */
#define LB_CMDLINE_SIZE	    0x238u /* u32: longest command line, without its NUL */
#define LB_HARDWARE_SUBARCH 0x23cu /* u32 */
#define LB_SETUP_DATA	    0x250u /* u64 */
#define LB_PREF_ADDRESS	    0x258u /* u64 */
#define LB_INIT_SIZE	    0x260u /* u32: memory the kernel needs from its load address */

#define LB_BOOT_FLAG_MAGIC  0xaa55u
#define LB_HEADER_MAGIC	    0x53726448u /* "HdrS" */

/* loadflags */
#define LB_LOADED_HIGH	 0x01u /* the protected-mode code is loaded at 0x100000 (bzImage) */
#define LB_KASLR_FLAG	 0x02u /* set by the kernel */
#define LB_QUIET_FLAG	 0x20u
#define LB_KEEP_SEGMENTS 0x40u
#define LB_CAN_USE_HEAP	 0x80u

/* xloadflags */
#define LB_XLF_KERNEL_64	      0x01u /* 64-bit entry at the load address + 0x200 */
#define LB_XLF_CAN_BE_LOADED_ABOVE_4G 0x02u
#define LB_XLF_EFI_HANDOVER_32	      0x04u
#define LB_XLF_EFI_HANDOVER_64	      0x08u
#define LB_XLF_EFI_KEXEC	      0x10u
#define LB_XLF_5LEVEL		      0x20u
#define LB_XLF_5LEVEL_ENABLED	      0x40u
#define LB_ENTRY64_OFFSET	      0x200u

#define LB_TYPE_OF_LOADER_UNDEFINED   0xffu /* a boot loader without an assigned id */

/* The GDT selectors the 32- and 64-bit entries require (__BOOT_CS, __BOOT_DS). */
#define LB_BOOT_CS 0x10u
#define LB_BOOT_DS 0x18u

#endif
