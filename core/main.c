// SPDX-License-Identifier: MIT
/* hv_main(): bring up the hypervisor after either boot path, then run the VMs. */
#include <arch/apic.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/power.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/traps.h>
#include <arch/x86.h>
#include <hv/acpi.h>
#include <hv/boot_info.h>
#include <hv/broker.h>
#include <hv/config.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lifecycle.h>
#include <hv/memmap.h>
#include <hv/pmm.h>
#include <hv/percpu.h>
#include <hv/machine.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/version.h>
#include <hv/demand.h>
#include <hv/vm.h>
#include <hv/vplat.h>
#include <hv/zeropool.h>

#include "handlers.h"

extern const char ImageBase[], _etext[]; /* linker.ld, or gnu-efi's elf_x86_64_efi.lds */

static struct sprout_config config;
static struct acpi_info acpi;
static struct mem_range free_ranges[BOOT_MMAP_MAX + BOOT_RESERVED_MAX];

static u64 memory_top(const struct boot_info *bi)
{
	u64 top = 0;

	for (u32 i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type != MEM_RESERVED)
			top = MAX(top, bi->mmap[i].base + bi->mmap[i].len);
	return top;
}

static void memory_init(const struct boot_info *bi)
{
	u64 usable = 0;
	int n;

	for (u32 i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type == MEM_USABLE)
			usable += bi->mmap[i].len;
	pr_info("mem: %u firmware regions, %llu MiB usable, %u reserved ranges (image, modules)\n",
		bi->mmap_count, usable >> 20, bi->reserved_count);
	for (u32 i = 0; i < bi->mmap_count; i++)
		pr_debug("mem:   0x%012llx-0x%012llx %s\n", bi->mmap[i].base,
			 bi->mmap[i].base + bi->mmap[i].len, memmap_type_name(bi->mmap[i].type));
	n = memmap_free_ranges(bi->mmap, bi->mmap_count, bi->reserved, bi->reserved_count,
			       free_ranges, ARRAY_SIZE(free_ranges));
	if (n < 0)
		panic("mem: cannot compute free memory: %s", strerror_hv(n));
	if (pmm_init(free_ranges, (size_t)n))
		panic("mem: frame allocator initialisation failed");
	pmm_print_summary();
}

static const void *acpi_map_identity(u64 pa, size_t len, void *ctx)
{
	if (pa + len < pa || pa + len > PAGING_IDENTITY_LIMIT)
		return NULL;
	if (pa < PAGE_SIZE) /* page 0 is not mapped where it is */
		return pa + len <= PAGE_SIZE ? (const void *)(uintptr_t)(PAGING_PAGE0_ALIAS + pa)
					     : NULL;
	return (const void *)(uintptr_t)pa;
}

static void platform_init(struct boot_info *bi)
{
	int err;

	if (!bi->rsdp)
		bi->rsdp = acpi_find_rsdp_legacy(acpi_map_identity, NULL);
	err = bi->rsdp ? acpi_parse(bi->rsdp, acpi_map_identity, NULL, &acpi) : -ENOENT;
	if (err) {
		pr_warn("acpi: no usable tables (%s); assuming one CPU\n", strerror_hv(err));
		acpi.cpu_count = 1;
		acpi.cpus[0].enabled = true;
	}
	acpi_print(&acpi);
	vplat_host_pm_timer = acpi.pm_tmr_port;
	vplat_host_pm_timer_24bit = !acpi.pm_tmr_32;
	power_init(&acpi);
	tsc_calibrate(acpi.pm_tmr_port, acpi.pm_tmr_32);
	rtc_read_host_clock();
}

/* Parse the config module; false (after saying why) when no VM may be started. */
static bool config_load(const struct boot_info *bi)
{
	const struct boot_module *m = boot_info_module(bi, bi->config_name);
	struct config_error err;
	int ret;

	if (!m) {
		pr_err("config: %s not found (%s)\n", bi->config_name,
		       !strcmp(bi->loader, "uefi") ? "put it next to EFI/BOOT on the ESP"
						   : "add it as a module2 with that name");
		return false;
	}
	ret = config_parse((const char *)(uintptr_t)m->base, m->size, &config, &err);
	if (ret) {
		if (err.line)
			pr_err("%s:%u: %s: %s\n", bi->config_name, err.line, err.field, err.msg);
		else
			pr_err("%s: %s\n", bi->config_name, err.msg);
		return false;
	}
	log_threshold = (enum log_level)config.log_level;
	pr_info("config: %s: %u VMs\n", bi->config_name, config.vm_count);
	config_print(&config);
	return true;
}

/*
 * Guests own the FPU/SSE registers; FXSAVE/FXRSTOR need CR4.OSFXSR. Caching
 * must be on (some BIOS boots leave CR0.CD/NW set, and guests would inherit it).
 */
static void fpu_init(void)
{
	write_cr0((read_cr0() & ~(X86_CR0_EM | X86_CR0_TS | X86_CR0_CD | X86_CR0_NW)) | X86_CR0_MP |
		  X86_CR0_NE);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	__asm__ volatile("fninit");
}

static void crash_test(const char *what)
{
	pr_info("crash test: %s in the hypervisor, as the config asks\n", what);
	if (!strcmp(what, "pagefault"))
		/* Canonical, but far above the identity map: a not-present #PF. */
		(void)*(volatile u64 *)(uintptr_t)0x00007dead0000000ULL;
	if (!strcmp(what, "lose-timer"))
		apic_timer_lose_once();
	if (!strcmp(what, "null")) {
		uintptr_t near_null = 8; /* page 0 is not mapped */

		__asm__("" : "+r"(near_null)); /* a real dereference, not a known-bad constant */
		(void)*(volatile u64 *)near_null;
	}
}

/* Periodic work: CPU 0 runs the broker link (console input, stats, restarts). */
static void core_tick(u32 cpu)
{
	if (cpu != 0)
		return;
	broker_tick();
	for (u32 i = 0; i < vm_slots(); i++)
		if (vm_state(&vm_table[i]) == VM_RUNNING)
			vplat_cpuhp_tick(&vm_table[i]);
}

/* CPU 0 decides when the machine is done; the others just wait for work. */
static void core_idle(u32 cpu)
{
	if (cpu == 0)
		machine_idle_check();
}

static const struct sched_hooks core_sched_hooks = {
	.tick = core_tick,
	.idle = core_idle,
	.vcpu_unblocked = hypercall_wait_done,
	.vcpu_entry = vplat_vcpu_entry,
	.vm_at = vm_at,
	.vm_slots = vm_slots,
	.vcpu_slot = vm_vcpu_storage,
	.vcpu_created = vcpu_init_platform,
};

/*
 * Sprout's fixed RAM before the first VM: its image (the VM table is in its
 * bss, sized by VM_MAX; a vCPU's frame is allocated with it) and what the boot
 * allocated (the APs' stacks, the vendor's bitmaps and per-CPU pages). The
 * zero pool is free memory kept zeroed, shown apart (docs/bench.md, "footprint").
 */
static void footprint_report(const struct boot_info *bi)
{
	u64 code = (u64)(uintptr_t)_etext - (u64)(uintptr_t)ImageBase, pool, free;
	u64 boot, slots;

	/*
	 * The APs fill the pool meanwhile: a block leaves the allocator for a
	 * CPU's block under way, joins the pool, or goes back to the allocator
	 * when the pool filled first. Read until two rounds agree, or a block in
	 * flight is counted both as free and as held (boot allocations below 0).
	 */
	do {
		free = pmm_free_frames();
		pool = zeropool_held_bytes();
		cpu_relax();
	} while (free != pmm_free_frames() || pool != zeropool_held_bytes());
	boot = (pmm_total_frames() - free) * PAGE_SIZE - pool;
	slots = VM_MAX * sizeof(struct vm) + VM_MAX * VM_MAX_VCPUS * sizeof(struct vcpu *);

	pr_info("memory: fixed %llu KiB: image %llu KiB (code %llu KiB, VM table %llu KiB for %u "
		"VMs of up to %u vCPUs), boot allocations %llu KiB; zero pool %llu KiB\n",
		(bi->image_bytes + boot) >> 10, bi->image_bytes >> 10, code >> 10, slots >> 10,
		VM_MAX, VM_MAX_VCPUS, boot >> 10, pool >> 10);
}

void hv_main(struct boot_info *bi)
{
	char banner[64];

	console_init();
	snprintf(banner, sizeof(banner), "Sprout %s booting via %s", SPROUT_VERSION, bi->loader);
	pr_info("%s\n", banner);
	traps_init_cpu(0, NULL);
	percpu_init(0, 0);
	paging_init(memory_top(bi));
	console_screen_probe(&bi->fb, banner);
	fpu_init();
	smp_reserve_trampoline(bi);
	memory_init(bi);
	platform_init(bi);
	cpu_detect();
	cpu_print_virt();
	if (!config_load(bi)) {
		pr_err("config: refusing to start any VM\n");
		power_off(1, true);
	}
	console_screen_mode(config.console);
	zeropool_set_enabled(config.zero_pool);
	if (!config.zero_pool)
		pr_info("memory: no zero pool (config): each 2 MiB fault zeroes its block\n");
	if (console_screen_desc()[0])
		pr_info("console: on the screen too: %s\n", console_screen_desc());
	if (config.crash_test[0])
		crash_test(config.crash_test);
	machine_init(&config);
	sched_init(&core_sched_hooks, acpi.cpu_count);
	broker_init(&config, bi);
	if (!config.vm_count)
		power_off(0, config.test_vm_count != 0);
	if (hvm_init()) {
		pr_err("sprout: cannot run VMs on this machine\n");
		power_off(1, config.test_vm_count != 0);
	}
	if (!strcmp(config.crash_test, "stray-vmexit")) {
		if (!hvm->crash_test_stray_exit)
			panic("crash test: stray-vmexit: the %s backend has no such test",
			      hvm->name);
		hvm->crash_test_stray_exit();
	}
	(void)cpuid_guest_caps(); /* built once here, before any two guests race for it */
	apic_init_cpu(true);
	apic_timer_start(SCHED_SLICE_US);
	smp_boot_aps(&acpi);
	while (zeropool_refill_one(DEMAND_HOST_RESERVE / PAGE_SIZE))
		;
	footprint_report(bi);
	vm_create_all(&config, bi);
	sched_run();
}

void ap_main(u32 cpu)
{
	int err;

	percpu_init(cpu, percpu[cpu].apic_id);
	fpu_init();
	apic_init_cpu(false);
	err = hvm->cpu_enable();
	if (err) {
		pr_err("cpu %u: enabling %s failed (%s); it stays offline\n", cpu, hvm->name,
		       strerror_hv(err));
		cpu_halt_forever();
	}
	apic_timer_start(SCHED_SLICE_US);
	__atomic_fetch_add(&smp_cpus_online, 1, __ATOMIC_RELEASE);
	sched_run();
}
