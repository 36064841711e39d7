/* SPDX-License-Identifier: MIT */
/* hostile: misbehaves in one way chosen on the command line, to check that Sprout contains it. */
#include "badstate.h"
#include "guest.h"
#include "sprout.h"
#include "user.h"
#include "x86.h"

/* Exit statuses besides report_summary()'s 0/1 (flood, broker-calls, user-calls) and GUEST_EXIT_CRASH (ud2). */
#define EXIT_USAGE	 2 /* no known mode on the command line */
#define EXIT_NOT_STOPPED 3 /* the misbehaviour went through unnoticed */
#define EXIT_REJECTED	 4 /* the guest got an exception (#GP, #UD, ...) instead */

/* Sprout's device hole starts at 3 GiB; 0xd0000000 is in it and no device lives there. */
#define HOLE_BASE	      0xc0000000ull
#define HOLE_GPA	      0xd0000000ull
#define OOB_DISTANCE	      MiB(64)
#define LAPIC_GPA	      0xfee00000ull
#define LEGACY_HOLE_GPA	      0xa0000ull /* VGA memory: not RAM, not a device under Sprout */

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

/* A GPA outside RAM that is not in the device hole: past RAM below 3 GiB, else above 4 GiB. */
static u64 far_gpa(void)
{
	if (guest_ram_top < HOLE_BASE && HOLE_BASE - guest_ram_top > OOB_DISTANCE + PAGE_SIZE)
		return guest_ram_top + OOB_DISTANCE;
	return MAX(guest_ram_top, GiB(4)) + OOB_DISTANCE;
}

/* Output buffers of the calls below: RAM inside the image, never a pointer into code. */
static u8 hc_buf[PAGE_SIZE] __aligned(PAGE_SIZE);

/* The caller's VM id from HC_SELF_STATS, so that calls name a VM that exists. */
static u64 self_id(void)
{
	struct sprout_vm_info *info = (struct sprout_vm_info *)hc_buf;

	return hypercall(HC_SELF_STATS, (u64)info, 0, 0, 0) < 0 ? 1 : info->id;
}

/* One hypercall with the arguments a broker would pass. */
struct hc {
	const char *name;
	u64 nr;
	u64 a[4];
};

static void expect_eperm(const char *name, u64 nr, const u64 *a)
{
	long ret = hypercall(nr, a[0], a[1], a[2], a[3]);

	report(ret == -SPROUT_EPERM, "%s (%llu) from an unprivileged VM returns %ld (want %d)",
	       name, nr, ret, -SPROUT_EPERM);
}

/*
 * The arguments a broker would pass to broker-only call nr, naming this VM
 * (self); "broker call" with no arguments for a number not listed here.
 */
static struct hc broker_call(u64 nr, u64 self)
{
	static const char vm_name[] = "hostile";
	const u64 buf = (u64)hc_buf;
	const struct hc calls[] = {
		{"HC_BROKER_RING_SETUP", HC_BROKER_RING_SETUP, {buf}},
		{"HC_VM_LIST", HC_VM_LIST, {buf, PAGE_SIZE / sizeof(struct sprout_vm_info)}},
		{"HC_VM_INFO", HC_VM_INFO, {self, buf}},
		{"HC_VM_CREATE", HC_VM_CREATE, {(u64)vm_name, sizeof(vm_name) - 1}},
		{"HC_VM_CONTROL", HC_VM_CONTROL, {self, SPROUT_VM_OP_RESUME}},
		{"HC_VM_SET_QUOTA", HC_VM_SET_QUOTA, {self, GiB(64)}},
		{"HC_REQUEST_ANSWER", HC_REQUEST_ANSWER, {1, SPROUT_ANSWER_GRANT}},
		{"HC_VM_RECLAIM", HC_VM_RECLAIM, {0}},
		{"HC_VM_CONSOLE_READ", HC_VM_CONSOLE_READ, {0, buf, 256, 0}},
		{"HC_VCPU_ADD", HC_VCPU_ADD, {self}},
		{"HC_VCPU_PARK", HC_VCPU_PARK, {self}},
		{"HC_HOST_STATS", HC_HOST_STATS, {buf}},
		{"HC_CONSOLE_ATTACH", HC_CONSOLE_ATTACH, {self}},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(calls); i++) {
		if (calls[i].nr == nr)
			return calls[i];
	}
	return (struct hc){"broker call", nr, {0}};
}

/* Every number from HC_BROKER_FIRST to HC_BROKER_LAST, also ones missing from the table. */
static void check_broker_calls(void)
{
	const u64 self = self_id();

	printf("hostile: broker-calls: own VM id %llu\n", self);
	for (u64 nr = HC_BROKER_FIRST; nr <= HC_BROKER_LAST; nr++) {
		struct hc c = broker_call(nr, self);

		expect_eperm(c.name, nr, c.a);
	}
}

/* A bad buffer for a public call: it must fail, whatever the error. */
static void expect_error(const char *call, const char *what, u64 nr, u64 gpa, u64 len)
{
	long ret = hypercall(nr, gpa, len, 0, 0);

	report(ret < 0, "%s with %s (0x%llx, 0x%llx) returns %ld (want < 0)", call, what, gpa, len,
	       ret);
}

static void check_bad_console_writes(void)
{
	const u64 image = (u64)__image_start, top = guest_ram_top;
	const struct bad_write bad[] = {
		{"a GPA past RAM", far_gpa(), 16},
		{"a buffer straddling the end of RAM", top - 8, 64},
		{"a GPA in the device hole", HOLE_GPA, 16},
		{"the LAPIC page", LAPIC_GPA, 16},
		{"a GPA in the legacy hole", LEGACY_HOLE_GPA, 16},
		{"a non-canonical GPA", 0xffff000000000000ull, 16},
		{"a non-canonical GPA", 0x0000800000000000ull, 16},
		{"length 0", image, 0},
		{"length 4097 (limit 4096)", image, PAGE_SIZE + 1},
		{"a huge length", image, 1ull << 40},
		{"a length that wraps", image, ~0ull},
		{"an address that wraps", ~0ull - 15, 32},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		expect_error("HC_CONSOLE_WRITE", bad[i].what, HC_CONSOLE_WRITE, bad[i].buf,
			     bad[i].len);
}

/* The struct is 256 bytes: these all end outside RAM. */
static void check_bad_self_stats(void)
{
	const u64 top = guest_ram_top;
	const struct bad_write bad[] = {
		{"a GPA past RAM", far_gpa(), 0},
		{"a struct straddling the end of RAM", top - 128, 0},
		{"a GPA in the device hole", HOLE_GPA, 0},
		{"the LAPIC page", LAPIC_GPA, 0},
		{"a GPA in the legacy hole", LEGACY_HOLE_GPA, 0},
		{"a struct straddling the legacy hole", LEGACY_HOLE_GPA - 128, 0},
		{"a non-canonical GPA", 0xffff000000000000ull, 0},
		{"an address that wraps", ~0ull - 127, 0},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		expect_error("HC_SELF_STATS", bad[i].what, HC_SELF_STATS, bad[i].buf, 0);
}

/*
 * base is unused RAM above the image: if a bad range were accepted after all,
 * what goes is RAM this guest never needed, not its own code.
 */
static void check_bad_releases(void)
{
	const u64 base = ALIGN_UP((u64)__image_end, LARGE_PAGE_SIZE), top = guest_ram_top;
	const struct bad_write bad[] = {
		{"a GPA past RAM", far_gpa(), PAGE_SIZE},
		{"a range straddling the end of RAM", top - PAGE_SIZE, 2 * PAGE_SIZE},
		{"a GPA in the device hole", HOLE_GPA, PAGE_SIZE},
		{"the LAPIC page", LAPIC_GPA, PAGE_SIZE},
		{"a GPA in the legacy hole", LEGACY_HOLE_GPA, PAGE_SIZE},
		{"a non-canonical GPA", 0xffff000000000000ull, PAGE_SIZE},
		{"length 0", base, 0},
		{"a huge length", base, 1ull << 40},
		{"a length that wraps", base, ~0ull & PAGE_MASK},
		{"an unaligned GPA", base + 1, PAGE_SIZE},
		{"an unaligned length", base, 100},
		{"an unaligned GPA and length", base + 8, PAGE_SIZE - 1},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		expect_error("HC_MEM_RELEASE", bad[i].what, HC_MEM_RELEASE, bad[i].buf, bad[i].len);
}

/* The same calls with good arguments work: the errors above were about the arguments. */
static void check_good_calls(void)
{
	static const char msg[] = "hostile: broker-calls: a valid HC_CONSOLE_WRITE\n";
	const u64 base = ALIGN_UP((u64)__image_end, LARGE_PAGE_SIZE);
	long ret;

	ret = hypercall(HC_CONSOLE_WRITE, (u64)msg, sizeof(msg) - 1, 0, 0);
	report(ret == (long)sizeof(msg) - 1, "valid HC_CONSOLE_WRITE returns %ld", ret);
	ret = hypercall(HC_SELF_STATS, (u64)hc_buf, 0, 0, 0);
	report(ret == 0, "valid HC_SELF_STATS returns %ld", ret);
	if (base + LARGE_PAGE_SIZE > guest_ram_top)
		return;
	/* A whole 2 MiB: released alike whether Sprout backed it with 4 KiB or 2 MiB pages. */
	*(volatile u64 *)base = 1;
	ret = hypercall(HC_MEM_RELEASE, base, LARGE_PAGE_SIZE, 0, 0);
	report(ret >= 0, "valid HC_MEM_RELEASE of 2 MiB at 0x%llx returns %ld", base, ret);
	report(*(volatile u64 *)base == 0, "the released RAM reads zero");
}

static int mode_broker_calls(const struct mode *m)
{
	if (!report(sprout_present(), "running under Sprout (CPUID signature)"))
		return report_summary();
	about_to(m);
	check_broker_calls();
	check_bad_console_writes();
	check_bad_self_stats();
	check_bad_releases();
	check_good_calls();
	return report_summary();
}

/* The lib's 32-bit vCPU entry (smp_entry.S): a harmless HC_VCPU_REGISTER argument. */
extern const char smp_ap_start32[];

/*
 * The arguments a well-behaved caller passes to public call nr, so that a
 * refusal cannot come from the arguments. None harms the VM should it go
 * through: the console line says so, the release is of RAM above the image
 * that was never touched, the vCPU entry is the lib's own and nobody adds a
 * vCPU, and HC_VCPU_OFFLINE_ACK on vCPU 0 returns -EINVAL.
 */
static struct hc public_call(u64 nr)
{
	static const char msg[] = "hostile: user-calls: HC_CONSOLE_WRITE from ring 3 got through\n";
	const u64 base = ALIGN_UP((u64)__image_end, LARGE_PAGE_SIZE);
	const struct hc calls[] = {
		{"HC_VERSION", HC_VERSION, {0}},
		{"HC_CONSOLE_WRITE", HC_CONSOLE_WRITE, {(u64)msg, sizeof(msg) - 1}},
		{"HC_YIELD", HC_YIELD, {0}},
		{"HC_WAIT_EVENT", HC_WAIT_EVENT, {1000}},
		{"HC_SELF_STATS", HC_SELF_STATS, {(u64)hc_buf}},
		{"HC_MEM_RELEASE", HC_MEM_RELEASE, {base, PAGE_SIZE}},
		{"HC_VCPU_ONLINE_ACK", HC_VCPU_ONLINE_ACK, {0}},
		{"HC_VCPU_REGISTER", HC_VCPU_REGISTER, {(u64)smp_ap_start32, 0}},
		{"HC_VCPU_OFFLINE_ACK", HC_VCPU_OFFLINE_ACK, {0}},
		{"HC_VCPU_POLL", HC_VCPU_POLL, {0}},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(calls); i++) {
		if (calls[i].nr == nr)
			return calls[i];
	}
	return (struct hc){"public call", nr, {0}};
}

static void expect_user_eperm(const struct hc *c)
{
	long ret = user_hypercall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3]);

	report(ret == -SPROUT_EPERM, "%s (%llu) from ring 3 returns %ld (want -EPERM, %d)", c->name,
	       c->nr, ret, -SPROUT_EPERM);
}

/*
 * Every call number of the ABI, public and broker-only, and numbers it does
 * not define, made at CPL 3: Sprout refuses each before looking at it. Then
 * the same VM's calls from ring 0 still work.
 */
static int mode_user_calls(const struct mode *m)
{
	static const char msg[] = "hostile: user-calls: HC_CONSOLE_WRITE from ring 0 works\n";
	static const u64 undefined[] = {
		HC_COUNT_PUBLIC,
		HC_BROKER_FIRST - 1,
		HC_BROKER_LAST + 1,
		1000,
		0xffffffffull,
		BIT(32) | HC_VERSION,
		~0ull,
	};
	unsigned int cpl;
	u64 self;
	long ret;

	/* Ring 3 itself needs no hypervisor: this check also runs under plain QEMU. */
	cpl = user_cpl();
	if (!report(cpl == 3, "code run by user_call() sees CPL %u (want 3)", cpl) ||
	    !report(sprout_present(), "running under Sprout (CPUID signature)"))
		return report_summary();
	self = self_id();
	about_to(m);
	for (u64 nr = 0; nr < HC_COUNT_PUBLIC; nr++) {
		struct hc c = public_call(nr);

		expect_user_eperm(&c);
	}
	for (u64 nr = HC_BROKER_FIRST; nr <= HC_BROKER_LAST; nr++) {
		struct hc c = broker_call(nr, self);

		expect_user_eperm(&c);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(undefined); i++) {
		struct hc c = {"undefined call", undefined[i], {0}};

		expect_user_eperm(&c);
	}
	ret = sprout_version();
	report(ret == SPROUT_ABI_VERSION, "HC_VERSION from ring 0 afterwards returns %ld (want %u)",
	       ret, SPROUT_ABI_VERSION);
	ret = sprout_console_write(msg, sizeof(msg) - 1);
	report(ret == (long)sizeof(msg) - 1, "HC_CONSOLE_WRITE from ring 0 afterwards returns %ld",
	       ret);
	return report_summary();
}

static int mode_badstate(const struct mode *m)
{
	about_to(m);
	return badstate_run();
}

static const struct mode modes[] = {
	{"oob-write", "write 64 MiB past the end of RAM", mode_oob_write},
	{"oob-read", "read 64 MiB past the end of RAM", mode_oob_read},
	{"hole-write", "write to 0xd0000000 in the device hole", mode_hole_write},
	{"vmrun", "VMRUN (AMD) or VMXON (Intel)", mode_vmrun},
	{"triple-fault", "int3 with an empty IDT", mode_triple_fault},
	{"msr", "enable VMX in FEATURE_CONTROL and SVM in EFER", mode_msr},
	{"flood", "100000 HC_CONSOLE_WRITE calls with bad arguments", mode_flood},
	{"broker-calls", "every broker-only call, bad pointers to public calls", mode_broker_calls},
	{"user-calls", "every hypercall number from ring 3 (CPL 3)", mode_user_calls},
	{"badstate", "invalid CR0/CR4/EFER/XCR0/MSR loads, each must fault", mode_badstate},
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
