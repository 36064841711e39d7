/* SPDX-License-Identifier: MIT */
/* hostile: misbehaves in one way chosen on the command line, to check that Sprout contains it. */
#include "guest.h"
#include "sprout.h"
#include "x86.h"

/* Exit statuses besides report_summary()'s 0/1 (flood) and GUEST_EXIT_CRASH (ud2). */
#define EXIT_USAGE	 2 /* no known mode on the command line */
#define EXIT_NOT_STOPPED 3 /* the misbehaviour went through unnoticed */
#define EXIT_REJECTED	 4 /* the guest got an exception (#GP, #UD, ...) instead */

/* Sprout's device hole starts at 3 GiB; 0xd0000000 is in it and no device lives there. */
#define HOLE_BASE	      0xc0000000ull
#define HOLE_GPA	      0xd0000000ull
#define OOB_DISTANCE	      MiB(64)

#define FEATURE_CONTROL_LOCK  BIT(0)
#define FEATURE_CONTROL_VMXON BIT(2)

#define FLOOD_CALLS	      100000u

struct mode {
	const char *name;
	const char *help;
	int (*run)(const struct mode *m);
};

static int not_stopped(const struct mode *m)
{
	printf("hostile: %s was NOT stopped\n", m->name);
	return EXIT_NOT_STOPPED;
}

static int rejected(const struct mode *m, int vector)
{
	printf("hostile: %s was rejected with %s (error 0x%llx at RIP 0x%llx)\n", m->name,
	       x86_vector_name((unsigned int)vector), guest_fault.error, guest_fault.rip);
	return EXIT_REJECTED;
}

static void about_to(const struct mode *m)
{
	printf("hostile: about to %s\n", m->name);
}

/* Returns the outcome of a guarded access: rejected if it faulted, else not stopped. */
static int outcome(const struct mode *m)
{
	int vector = guest_fault_taken();

	return vector == GUEST_NO_FAULT ? not_stopped(m) : rejected(m, vector);
}

/* A GPA 64 MiB past the end of RAM, still below the hole; 0 if RAM reaches too high. */
static u64 oob_gpa(void)
{
	u64 gpa = guest_ram_top + OOB_DISTANCE;

	if (guest_ram_top >= HOLE_BASE || gpa + PAGE_SIZE > HOLE_BASE) {
		printf("hostile: RAM top 0x%llx leaves no room below the hole at 0x%llx\n",
		       guest_ram_top, HOLE_BASE);
		return 0;
	}
	return gpa;
}

static int write_at(const struct mode *m, u64 gpa)
{
	printf("hostile: %s: writing 8 bytes at GPA 0x%llx\n", m->name, gpa);
	about_to(m);
	guest_fault_arm();
	asm volatile(ASM_TRY("movq %1, (%0)") : : "r"(gpa), "r"(0x5350524f55544f4full) : "memory");
	return outcome(m);
}

static int mode_oob_write(const struct mode *m)
{
	u64 gpa = oob_gpa();

	return gpa ? write_at(m, gpa) : EXIT_USAGE;
}

static int mode_hole_write(const struct mode *m)
{
	return write_at(m, HOLE_GPA);
}

static int mode_oob_read(const struct mode *m)
{
	u64 gpa = oob_gpa(), v = 0;

	if (!gpa)
		return EXIT_USAGE;
	printf("hostile: %s: reading 8 bytes at GPA 0x%llx\n", m->name, gpa);
	about_to(m);
	guest_fault_arm();
	asm volatile(ASM_TRY("movq (%1), %0") : "+r"(v) : "r"(gpa) : "memory");
	if (guest_fault_taken() == GUEST_NO_FAULT)
		printf("hostile: %s read 0x%llx\n", m->name, v);
	return outcome(m);
}

/* Try to become a hypervisor: VMRUN on AMD, VMXON on Intel; SVM and VMX are hidden. */
static int mode_vmrun(const struct mode *m)
{
	static u8 vmxon_region[PAGE_SIZE] __aligned(PAGE_SIZE);
	u64 region = (u64)vmxon_region;

	guest_fault_arm();
	if (cpu_is_amd()) {
		printf("hostile: %s: VMRUN with RAX=0\n", m->name);
		about_to(m);
		asm volatile(ASM_TRY("vmrun") : : "a"(0ull) : "memory", "cc");
	} else {
		printf("hostile: %s: VMXON with region at 0x%llx\n", m->name, region);
		about_to(m);
		asm volatile(ASM_TRY("vmxon %0") : : "m"(region) : "memory", "cc");
	}
	return outcome(m);
}

/* With an empty IDT, int3 raises #GP, then #DF, then a triple fault (shutdown). */
static int mode_triple_fault(const struct mode *m)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = {0, 0};

	about_to(m);
	asm volatile("lidt %0\n\tint3" : : "m"(idtr) : "memory");
	return not_stopped(m);
}

static int try_wrmsr(const struct mode *m, u32 msr, u64 v)
{
	int vector = wrmsr_safe(msr, v);

	printf("hostile: %s: wrmsr 0x%x <- 0x%llx: %s\n", m->name, msr, v,
	       vector == GUEST_NO_FAULT ? "accepted" : x86_vector_name((unsigned int)vector));
	return vector;
}

/* Turn on VMX through FEATURE_CONTROL, then SVM through EFER.SVME. */
static int mode_msr(const struct mode *m)
{
	u64 efer = 0;
	int fc, svme;

	about_to(m);
	fc = try_wrmsr(m, MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON);
	if (rdmsr_safe(MSR_EFER, &efer) != GUEST_NO_FAULT)
		return rejected(m, guest_fault.vector);
	svme = try_wrmsr(m, MSR_EFER, efer | EFER_SVME);
	if (fc == GUEST_NO_FAULT || svme == GUEST_NO_FAULT)
		return not_stopped(m);
	return rejected(m, svme);
}

static int mode_hlt_forever(const struct mode *m)
{
	about_to(m);
	for (;;)
		asm volatile("cli; hlt");
	return not_stopped(m);
}

static int mode_ud2(const struct mode *m)
{
	about_to(m);
	asm volatile("ud2");
	return not_stopped(m);
}

/* One kind of bad HC_CONSOLE_WRITE argument. */
struct bad_write {
	const char *what;
	u64 buf;
	u64 len;
};

static void flood_report(const struct bad_write *b, unsigned int calls, unsigned int bad,
			 long first)
{
	report(!bad, "HC_CONSOLE_WRITE with %s: %u calls, %u returned >= 0 (first result %ld)",
	       b->what, calls, bad, first);
}

/* Every call must fail cleanly, and the VM must still work after all of them. */
static int mode_flood(const struct mode *m)
{
	static const char ok_msg[] = "hostile: flood: valid HC_CONSOLE_WRITE still works\n";
	u64 image = (u64)__image_start;
	const struct bad_write bad[] = {
		{"a non-canonical GPA", 0xffff000000000000ull, 16},
		{"a GPA 64 MiB past RAM", guest_ram_top + OOB_DISTANCE, 16},
		{"a GPA in the device hole", HOLE_GPA, 16},
		{"a buffer crossing the end of RAM", guest_ram_top - 8, 64},
		{"a huge length", image, 1ull << 40},
		{"a length that wraps", image, ~0ull},
		{"an address that wraps", ~0ull - 15, 32},
	};
	unsigned int calls[ARRAY_SIZE(bad)] = {0}, fails[ARRAY_SIZE(bad)] = {0};
	long first[ARRAY_SIZE(bad)];
	long ret;

	if (!report(sprout_present(), "running under Sprout (CPUID signature)"))
		return report_summary();
	about_to(m);
	for (unsigned int i = 0; i < FLOOD_CALLS; i++) {
		unsigned int k = i % ARRAY_SIZE(bad);

		ret = hypercall(HC_CONSOLE_WRITE, bad[k].buf, bad[k].len, 0, 0);
		if (!calls[k]++)
			first[k] = ret;
		fails[k] += ret >= 0;
	}
	for (unsigned int k = 0; k < ARRAY_SIZE(bad); k++)
		flood_report(&bad[k], calls[k], fails[k], first[k]);
	ret = hypercall(HC_BROKER_LAST + 1000, 0, 0, 0, 0);
	report(ret == -SPROUT_ENOSYS, "unknown hypercall returns %ld (want %d)", ret,
	       -SPROUT_ENOSYS);
	ret = sprout_console_write(ok_msg, sizeof(ok_msg) - 1);
	report(ret == (long)sizeof(ok_msg) - 1,
	       "valid HC_CONSOLE_WRITE after the flood returns %ld", ret);
	return report_summary();
}

static const struct mode modes[] = {
	{"oob-write", "write 64 MiB past the end of RAM", mode_oob_write},
	{"oob-read", "read 64 MiB past the end of RAM", mode_oob_read},
	{"hole-write", "write to 0xd0000000 in the device hole", mode_hole_write},
	{"vmrun", "VMRUN (AMD) or VMXON (Intel)", mode_vmrun},
	{"triple-fault", "int3 with an empty IDT", mode_triple_fault},
	{"msr", "enable VMX in FEATURE_CONTROL and SVM in EFER", mode_msr},
	{"flood", "100000 HC_CONSOLE_WRITE calls with bad arguments", mode_flood},
	{"ud2", "an unexpected #UD (checks the lib's crash report)", mode_ud2},
	{"hlt-forever", "cli; hlt for ever (never ends by itself)", mode_hlt_forever},
};

static int usage(void)
{
	puts("hostile: usage: one of these words on the command line:");
	for (unsigned int i = 0; i < ARRAY_SIZE(modes); i++)
		printf("hostile:   %-12s %s\n", modes[i].name, modes[i].help);
	return EXIT_USAGE;
}

int main(void)
{
	printf("hostile: cmdline \"%s\", RAM top 0x%llx\n", guest_cmdline, guest_ram_top);
	for (unsigned int i = 0; i < ARRAY_SIZE(modes); i++) {
		if (cmdline_has(modes[i].name))
			return modes[i].run(&modes[i]);
	}
	return usage();
}
