/* SPDX-License-Identifier: MIT */
/* sprout.cfg: the VM table and global settings, parsed from a small text format. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <hv/types.h>
#include <public/hypercall.h>

#define CONFIG_MAX_VMS	   SPROUT_VM_MAX
#define CONFIG_NAME_MAX	   32
#define CONFIG_PATH_MAX	   64
#define CONFIG_CMDLINE_MAX 256
#define CONFIG_MAX_VCPUS   64
#define CONFIG_MEM_MIN	   MiB(1)  /* smallest memory or quota a VM may have */
#define CONFIG_MEM_MAX	   GiB(64) /* largest memory or quota a VM may have */
#define CONFIG_LINE_MAX	   511	   /* longest line, without its line ending */
#define CONFIG_TEXT_MAX	   MiB(1)  /* largest config file */

enum image_kind {
	IMAGE_PVH,	 /* ELF with XEN_ELFNOTE_PHYS32_ENTRY */
	IMAGE_MULTIBOOT, /* multiboot v1 ELF kernel */
	IMAGE_BZIMAGE,	 /* Linux bzImage (later) */
};

enum paging_policy {
	PAGING_2M, /* back with 2 MiB pages where possible */
	PAGING_4K, /* 4 KiB pages only */
};

/* What an access to a guest-physical address where nothing is does. */
enum unassigned_policy {
	UNASSIGNED_IGNORE, /* as on a PC: reads return all-ones, writes are dropped */
	UNASSIGNED_STOP,   /* the VM is stopped, naming the access (containment tests) */
};

struct vm_config {
	char name[CONFIG_NAME_MAX];
	char image[CONFIG_PATH_MAX];
	char initrd[CONFIG_PATH_MAX]; /* optional module handed to the guest, "" if none */
	enum image_kind kind;
	u64 memory; /* bytes the guest sees */
	u64 quota;  /* bytes it may commit; defaults to memory */
	u32 vcpus_min;
	u32 vcpus_max;
	bool privileged; /* the broker */
	bool autostart;	 /* start at boot (default yes) */
	enum paging_policy paging;
	enum unassigned_policy unassigned;
	char cmdline[CONFIG_CMDLINE_MAX];
	u32 line; /* line of the [vm] header, for messages */
};

/* Test mode: the VMs whose exits end the machine (test_vm = NAME[, NAME...]). */
#define CONFIG_TEST_VMS 8

/* [sprout] console = ...: where the hypervisor's console shows. */
enum config_console {
	CONFIG_CONSOLE_AUTO,   /* the screen when there is a framebuffer and no serial port */
	CONFIG_CONSOLE_SERIAL, /* never the screen */
	CONFIG_CONSOLE_SCREEN, /* the screen whenever there is a framebuffer; the UART too */
};

struct sprout_config {
	u32 log_level; /* enum log_level */
	u32 console;   /* enum config_console */
	u32 zero_pool; /* 1 (default): idle cores keep 2 MiB blocks zeroed ahead of faults */
	/*
	 * Test mode: once every one of these VMs has stopped, the machine ends
	 * with the first non-zero status among them, in this order (else 0).
	 * test_vm[0][0] == '\0': no test mode.
	 */
	char test_vm[CONFIG_TEST_VMS][CONFIG_NAME_MAX];
	u32 test_vm_count;
	char crash_test[16]; /* "" or a fault on purpose (docs/config.md) */
	u32 vm_count;
	struct vm_config vms[CONFIG_MAX_VMS];
};

struct config_error {
	u32 line; /* 0 when the error is about the whole file */
	char field[CONFIG_NAME_MAX];
	char msg[160];
};

/*
 * Parse len bytes of text (not NUL-terminated necessarily); the format is in
 * docs/config.md. Returns 0 with err cleared, or on the first error a negative
 * code with err filled and cfg zeroed: the config must then not be used at all.
 */
int config_parse(const char *text, size_t len, struct sprout_config *cfg, struct config_error *err);

/* Print the VM table through pr_info: a "vm table: N VMs" header, then one line per VM. */
void config_print(const struct sprout_config *cfg);

const char *config_kind_name(enum image_kind kind);

#endif
