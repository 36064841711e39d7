/* SPDX-License-Identifier: MIT */
/* hello: checks what every Sprout guest may rely on: CPUID, hypercalls, fw_cfg, ports, RAM. */
#include "guest.h"
#include "util.h"
#include "fw_cfg.h"
#include "multiboot.h"
#include "util.h"
#include "sprout.h"
#include "x86.h"
#include "echo.h"

#define CPUID_1_ECX_VMX	       BIT(5)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_80000001_ECX_SVM BIT(2)

/* Nothing is decoded at this port on a PC, nor under Sprout. */
#define UNASSIGNED_PORT 0x2b0

#define TICKS		5 /* default; ticks=N on the command line */
#define TICK_CYCLES	250000000ull

static void print_boot_info(void)
{
	const struct hvm_start_info *si = guest_start_info;
	const struct hvm_memmap_table_entry *e;

	printf("hello: Sprout test guest, booted via %s, cmdline \"%s\"\n", guest_boot_protocol,
	       guest_cmdline);
	printf("hello: RAM %llu KiB, top 0x%llx\n", guest_ram_size >> 10, guest_ram_top);
	if (!si || si->version < 1)
		return;
	e = (const void *)si->memmap_paddr;
	for (u32 i = 0; i < si->memmap_entries; i++)
		printf("hello: memmap 0x%09llx-0x%09llx type %u\n", e[i].addr,
		       e[i].addr + e[i].size, e[i].type);
}

static void check_cpuid(void)
{
	struct cpuid_regs r = cpuid(SPROUT_CPUID_BASE);
	char sig[13];

	report(cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR, "CPUID.1:ECX hypervisor bit set");
	report(r.eax >= SPROUT_CPUID_VERSION, "CPUID 0x40000000 max leaf 0x%x >= 0x%x", r.eax,
	       SPROUT_CPUID_VERSION);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	report(!strcmp(sig, "SproutSprout"), "CPUID 0x40000000 signature \"%s\"", sig);
	r = cpuid(SPROUT_CPUID_VERSION);
	report(r.eax == SPROUT_ABI_VERSION, "CPUID 0x40000001 ABI version %u == %u", r.eax,
	       SPROUT_ABI_VERSION);
	report(!(cpuid(1).ecx & CPUID_1_ECX_VMX), "CPUID.1:ECX VMX hidden");
	report(!(cpuid(0x80000001).ecx & CPUID_80000001_ECX_SVM), "CPUID.80000001:ECX SVM hidden");
}

static void check_hypercalls(void)
{
	static const char msg[] = "hello: written by HC_CONSOLE_WRITE\n";
	long ret;

	ret = sprout_version();
	report(ret == SPROUT_ABI_VERSION, "HC_VERSION returns %ld (want %u)", ret,
	       SPROUT_ABI_VERSION);
	ret = sprout_console_write(msg, sizeof(msg) - 1);
	report(ret == (long)sizeof(msg) - 1, "HC_CONSOLE_WRITE returns %ld (want %zu)", ret,
	       sizeof(msg) - 1);
}

/* fwcfg-cpus=N, fwcfg-max-cpus=N: the counts the config gives (vcpus = N..M), if known. */
static void check_fw_cfg_cpus(void)
{
	u16 cpus = fw_cfg_read16(FW_CFG_NB_CPUS), max = fw_cfg_read16(FW_CFG_MAX_CPUS);
	u64 want;

	report(cpus >= 1 && cpus <= max, "fw_cfg CPU counts: 1 <= boot %u <= max %u", cpus, max);
	if (opt_u64("fwcfg-cpus", &want) == OPT_SET)
		report(cpus == want, "fw_cfg boot CPUs %u == fwcfg-cpus %llu", cpus, want);
	if (opt_u64("fwcfg-max-cpus", &want) == OPT_SET)
		report(max == want, "fw_cfg max CPUs %u == fwcfg-max-cpus %llu", max, want);
}

static void check_fw_cfg(void)
{
	u64 ram = fw_cfg_read64(FW_CFG_RAM_SIZE);

	report(fw_cfg_present(), "fw_cfg signature \"QEMU\"");
	check_fw_cfg_cpus();
	report(ram == guest_ram_size, "fw_cfg RAM size 0x%llx == memory map RAM 0x%llx", ram,
	       guest_ram_size);
}

static void check_ports(void)
{
	u8 v = inb(UNASSIGNED_PORT);

	report(v == 0xff, "inb(0x%x) from an unassigned port reads 0x%02x (want 0xff)",
	       UNASSIGNED_PORT, v);
}

/* Check that the page at addr reads zero, then that writes read back; leave it zeroed. */
static void check_fresh_page(u64 addr)
{
	volatile u64 *p = (volatile u64 *)addr;
	const unsigned int n = PAGE_SIZE / sizeof(*p);
	bool zero = true, back = true;

	for (unsigned int i = 0; i < n; i++)
		zero &= p[i] == 0;
	report(zero, "fresh page at 0x%llx reads zero", addr);
	for (unsigned int i = 0; i < n; i += 64)
		p[i] = addr ^ i ^ 0x5a5a5a5a5a5a5a5aull;
	for (unsigned int i = 0; i < n; i += 64) {
		back &= p[i] == (addr ^ i ^ 0x5a5a5a5a5a5a5a5aull);
		p[i] = 0;
	}
	report(back, "RAM at 0x%llx reads back what was written", addr);
}

/* 1 MiB holds our own entry code, which never runs again: save, write, restore. */
static void check_image_page(void)
{
	volatile u64 *p = (volatile u64 *)__image_start;
	u64 saved = *p;
	bool back;

	*p = 0x0123456789abcdefull;
	back = *p == 0x0123456789abcdefull;
	*p = saved;
	report(back, "RAM at 0x%llx (image start) reads back what was written", (u64)p);
}

static void check_ram(void)
{
	u64 first = ALIGN_UP((u64)__image_end, PAGE_SIZE);
	u64 last = ALIGN_DOWN(guest_ram_top, PAGE_SIZE) - PAGE_SIZE;
	u64 mid = ALIGN_DOWN(first + (last - first) / 2, PAGE_SIZE);

	check_image_page();
	if (!report(last >= first, "RAM top 0x%llx is above the image end 0x%llx", guest_ram_top,
		    first))
		return;
	check_fresh_page(first);
	if (mid > first && mid < last)
		check_fresh_page(mid);
	if (last > first)
		check_fresh_page(last);
}

static void check_fault_recovery(void)
{
	guest_fault_arm();
	asm volatile(ASM_TRY("ud2") : : : "memory");
	report(guest_fault_taken() == X86_UD, "ud2 is delivered to the guest as #UD");
}

/* idle: the smallest VM that stays: says so, then halts with nothing that would wake it. */
static __noreturn void idle(void)
{
	puts("hello: idle");
	for (;;)
		asm volatile("sti; hlt; cli" : : : "memory");
}

static void ticker(void)
{
	u64 ticks = TICKS;

	if (opt_u64("ticks", &ticks) == OPT_BAD)
		puts("hello: ticks=N wants a number; using 5");
	for (u64 i = 1; i <= ticks; i++) {
		u64 start = rdtsc();

		printf("tick %llu\n", i);
		while (rdtsc() - start < TICK_CYCLES)
			cpu_relax();
	}
}

int main(void)
{
	u64 deliberate;

	print_boot_info();
	if (cmdline_has("idle"))
		idle();
	if (!report(sprout_present(), "running under Sprout (CPUID signature)"))
		puts("hello: not under Sprout");
	check_cpuid();
	check_hypercalls();
	check_fw_cfg();
	check_ports();
	check_ram();
	check_fault_recovery();
	if (cmdline_has("ticker"))
		ticker();
	if (cmdline_has("echo"))
		hello_echo();
	/* fail=N: N checks that fail on purpose, so a harness can prove it notices. */
	if (opt_u64("fail", &deliberate) == OPT_SET)
		for (u64 i = 0; i < deliberate; i++)
			report(false, "deliberate failure %llu of %llu (fail=N)", i + 1,
			       deliberate);
	return report_summary();
}
