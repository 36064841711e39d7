// SPDX-License-Identifier: MIT
/* Intel VMX backend: enable VMX, build VMCSs, run guests, guest register access. */
#include <arch/cpu.h>
#include <arch/time.h>
#include <arch/traps.h>
#include <arch/x86.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/s2pt.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vplat.h>

#include "vmx.h"

/* vmx_entry.S hard-codes these offsets. */
_Static_assert(offsetof(struct gprs, rax) == 0 && offsetof(struct gprs, rdi) == 40 &&
		       offsetof(struct gprs, rbp) == 48 && offsetof(struct gprs, r15) == 112,
	       "struct gprs layout changed: update vmx_entry.S");

#define GUEST_PAT_DEFAULT 0x0007040600070406ULL

struct vmx_config vmx_cfg;

static hpa_t io_bitmap_a = INVALID_HPA, io_bitmap_b = INVALID_HPA, msr_bitmap = INVALID_HPA;

/* The vCPU whose lazily switched MSRs and CR2 are in each CPU's registers. */
static struct vmx_vcpu *lazy_owner[MAX_CPUS];

static const u32 lazy_msrs[LAZY_COUNT] = {
	[LAZY_STAR] = MSR_STAR,
	[LAZY_LSTAR] = MSR_LSTAR,
	[LAZY_CSTAR] = MSR_CSTAR,
	[LAZY_SFMASK] = MSR_SFMASK,
	[LAZY_KGS_BASE] = MSR_KERNEL_GS_BASE,
};

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->vendor;
}

static u32 vmx_revision(void)
{
	return (u32)(cpu_caps.vmx_basic & VMX_BASIC_REVISION_MASK);
}

/* VMXON, VMCLEAR and VMPTRLD take the physical address in memory; false on VMfail. */
static bool vmx_on(hpa_t region)
{
	bool fail;

	__asm__ volatile("vmxon %1\n\tsetna %0" : "=qm"(fail) : "m"(region) : "cc", "memory");
	return !fail;
}

static bool vmx_clear(void *vmcs)
{
	hpa_t pa = (hpa_t)(uintptr_t)vmcs;
	bool fail;

	__asm__ volatile("vmclear %1\n\tsetna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static bool vmx_ptrld(void *vmcs)
{
	hpa_t pa = (hpa_t)(uintptr_t)vmcs;
	bool fail;

	__asm__ volatile("vmptrld %1\n\tsetna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static void vmx_invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = {eptp, 0};

	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void vmx_invvpid(u64 type, u16 vpid)
{
	struct {
		u64 vpid, gva;
	} desc = {vpid, 0};

	__asm__ volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/*
 * VMXON needs IA32_FEATURE_CONTROL locked with "VMXON outside SMX" set (SDM
 * Vol. 3C, 24.7 "Enabling and Entering VMX Operation"). Firmware usually
 * locks it; if it did not, set and lock it ourselves.
 */
static int vmx_feature_control(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		return 0;
	}
	if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		pr_err("vmx: disabled by firmware (IA32_FEATURE_CONTROL locked without VMXON "
		       "outside SMX); enable VT-x in the firmware setup\n");
		return -ENODEV;
	}
	return 0;
}

struct vmx_want {
	u8 ctl;
	bool required;
	u32 bits;
	const char *name;
};

/* Every control bit Sprout sets; the rest stay at their default (must-be) values. */
static const struct vmx_want vmx_wanted[] = {
	{CTL_PIN, true, PIN_EXT_INTR_EXITING, "external-interrupt exiting"},
	{CTL_PIN, true, PIN_NMI_EXITING, "NMI exiting"},
	/* Blocking of injected NMIs tracked by the CPU, and NMI-window exits (25.3). */
	{CTL_PIN, false, PIN_VIRTUAL_NMIS, "virtual NMIs"},
	{CTL_PIN, false, PIN_PREEMPTION_TIMER, "VMX-preemption timer"},
	{CTL_PROC, true, PROC_HLT_EXITING, "HLT exiting"},
	{CTL_PROC, true, PROC_USE_TSC_OFFSETTING, "TSC offsetting"},
	/*
	 * Without a TPR shadow, MOV to CR8 in the guest would write the host
	 * local APIC's TPR and could hold off the host's own interrupts: CR8 is
	 * the vlapic's (vmx_cr_access()).
	 */
	{CTL_PROC, true, PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING, "CR8-load/store exiting"},
	{CTL_PROC, true, PROC_USE_IO_BITMAPS, "I/O bitmaps"},
	{CTL_PROC, true, PROC_USE_MSR_BITMAPS, "MSR bitmaps"},
	{CTL_PROC, true, PROC_SECONDARY_CONTROLS, "secondary controls"},
	{CTL_PROC2, true, PROC2_ENABLE_EPT, "EPT"},
	{CTL_PROC2, true, PROC2_UNRESTRICTED_GUEST, "unrestricted guest"},
	{CTL_PROC2, false, PROC2_ENABLE_VPID, "VPID"},
	/* CPUID shows RDTSCP and INVPCID to guests; without these they would #UD. */
	{CTL_PROC2, false, PROC2_ENABLE_RDTSCP, "RDTSCP"},
	{CTL_PROC2, false, PROC2_ENABLE_INVPCID, "INVPCID"},
	{CTL_EXIT, true, EXIT_HOST_ADDR_SPACE_SIZE, "64-bit host"},
	{CTL_EXIT, true, EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER, "IA32_EFER switch at exit"},
	{CTL_EXIT, false, EXIT_LOAD_IA32_PAT, "IA32_PAT load at exit"},
	{CTL_ENTRY, true, ENTRY_LOAD_IA32_EFER, "IA32_EFER load at entry"},
	{CTL_ENTRY, false, ENTRY_LOAD_IA32_PAT, "IA32_PAT load at entry"},
};

/* The capability MSR of a control: the TRUE one when IA32_VMX_BASIC bit 55 says so (A.2). */
u32 vmx_ctl_msr(enum vmx_ctl ctl)
{
	static const u32 plain[CTL_COUNT] = {
		MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_PROCBASED_CTLS,
		MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_ENTRY_CTLS};
	static const u32 true_ctls[CTL_COUNT] = {
		MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_TRUE_EXIT_CTLS,
		MSR_IA32_VMX_TRUE_ENTRY_CTLS};

	return cpu_caps.vmx_true_ctls ? true_ctls[ctl] : plain[ctl];
}

/*
 * Fit one control to the CPU (SDM Vol. 3C, A.3-A.5): the low dword of its
 * capability MSR holds the bits that must be 1, the high dword those that may
 * be 1. A missing required feature is named here rather than left to fail
 * VM entry with "invalid control field".
 */
static int vmx_adjust(enum vmx_ctl ctl, u32 *out)
{
	u64 cap = rdmsr(vmx_ctl_msr(ctl));
	u32 must = (u32)cap, may = (u32)(cap >> 32), want = 0;

	for (size_t i = 0; i < ARRAY_SIZE(vmx_wanted); i++) {
		const struct vmx_want *w = &vmx_wanted[i];

		if (w->ctl != ctl)
			continue;
		if ((w->bits & may) != w->bits && w->required) {
			pr_err("vmx: this CPU lacks %s, which Sprout requires\n", w->name);
			return -ENODEV;
		}
		if ((w->bits & may) != w->bits)
			pr_info("vmx: no %s on this CPU; going without\n", w->name);
		want |= w->bits & may;
	}
	*out = want | must;
	return 0;
}

static int vmx_check_ept_caps(void)
{
	u64 cap = vmx_cfg.ept_vpid_cap;

	if (!(cap & EPT_CAP_WALK_4) || !(cap & EPT_CAP_INVEPT) ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		pr_err("vmx: EPT lacks 4-level walks or INVEPT (IA32_VMX_EPT_VPID_CAP 0x%llx)\n",
		       cap);
		return -ENODEV;
	}
	/* Without INVVPID a reused VPID could see stale translations: go without VPIDs. */
	if (!(cap & VPID_CAP_INVVPID) || !(cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		vmx_cfg.proc2 &= ~(u32)PROC2_ENABLE_VPID;
	return 0;
}

/*
 * A guest that runs with RFLAGS.IF clear is never interrupted by host timer
 * exits under Bochs 2.7 (it re-evaluates interrupt masking only when IF
 * changes, and VM entry from IF=0 to IF=0 changes nothing). The VMX-preemption
 * timer (SDM Vol. 3C, 26.5.1) ends a guest's run after one scheduler slice
 * anyway; on hardware it is a backstop that rarely fires.
 */
static void vmx_setup_preemption_timer(void)
{
	u64 ticks = tsc_khz * SCHED_SLICE_US / 1000;

	ticks >>= VMX_MISC_TIMER_RATE(rdmsr(MSR_IA32_VMX_MISC));
	if (!ticks)
		vmx_cfg.pin &= ~(u32)PIN_PREEMPTION_TIMER;
	vmx_cfg.preempt_ticks = (u32)MIN(ticks, 0xffffffffULL);
}

/* Compute the controls once, on the first CPU; the others are assumed identical. */
static int vmx_setup_config(void)
{
	u32 *vals[CTL_COUNT] = {&vmx_cfg.pin, &vmx_cfg.proc, &vmx_cfg.proc2, &vmx_cfg.exit,
				&vmx_cfg.entry};
	int err;

	/* In this order: PROCBASED_CTLS2 exists only if secondary controls do. */
	for (int c = 0; c < CTL_COUNT; c++) {
		err = vmx_adjust((enum vmx_ctl)c, vals[c]);
		if (err)
			return err;
	}
	/* Switch PAT only both ways; the guest otherwise keeps the host's (default) PAT. */
	if (!(vmx_cfg.exit & EXIT_LOAD_IA32_PAT) || !(vmx_cfg.entry & ENTRY_LOAD_IA32_PAT)) {
		vmx_cfg.exit &= ~(u32)EXIT_LOAD_IA32_PAT;
		vmx_cfg.entry &= ~(u32)ENTRY_LOAD_IA32_PAT;
	}
	/* The guest turns long mode on by itself: see vmx_write_efer(). */
	if (!(rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_STORE_LMA)) {
		pr_err("vmx: VM exits do not save EFER.LMA (IA32_VMX_MISC bit 5)\n");
		return -ENODEV;
	}
	vmx_cfg.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_cfg.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_cfg.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_cfg.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_cfg.ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	vmx_setup_preemption_timer();
	return vmx_check_ept_caps();
}

/*
 * MSR bitmap (SDM Vol. 3C, 25.6.9): read bits for MSRs 0-1fff and
 * c0000000-c0001fff in the first two 1 KiB quarters, write bits in the last
 * two. Only state the guest may own outright passes through: FS/GS base and
 * SYSENTER (switched by the VMCS), and the SYSCALL MSRs and KERNEL_GS_BASE,
 * which VMX does not switch (vmx_switch_lazy() does, as VMLOAD does for SVM).
 */
static void msr_bitmap_allow(u8 *bm, u32 msr)
{
	u32 base = 0;

	if (msr >= 0xc0000000u && msr < 0xc0002000u) {
		base = 1024;
		msr -= 0xc0000000u;
	} else if (msr >= 0x2000) {
		return;
	}
	bm[base + msr / 8] &= (u8) ~(1u << (msr % 8));
	bm[base + 2048 + msr / 8] &= (u8) ~(1u << (msr % 8));
}

static int vmx_setup_bitmaps(void)
{
	static const u32 passthrough[] = {MSR_FS_BASE,
					  MSR_GS_BASE,
					  MSR_KERNEL_GS_BASE,
					  MSR_STAR,
					  MSR_LSTAR,
					  MSR_CSTAR,
					  MSR_SFMASK,
					  MSR_IA32_SYSENTER_CS,
					  MSR_IA32_SYSENTER_ESP,
					  MSR_IA32_SYSENTER_EIP};

	if (msr_bitmap != INVALID_HPA)
		return 0;
	io_bitmap_a = pmm_alloc(0);
	io_bitmap_b = pmm_alloc(0);
	msr_bitmap = pmm_alloc(0);
	if (io_bitmap_a == INVALID_HPA || io_bitmap_b == INVALID_HPA || msr_bitmap == INVALID_HPA)
		return -ENOMEM;
	/* Every port exits, A for 0-7fff and B for 8000-ffff (SDM Vol. 3C, 25.6.4). */
	memset((void *)(uintptr_t)io_bitmap_a, 0xff, PAGE_SIZE);
	memset((void *)(uintptr_t)io_bitmap_b, 0xff, PAGE_SIZE);
	/* The host's PM timer is read directly (include/hv/vplat.h). */
	for (u32 port = vplat_host_pm_timer; vplat_host_pm_timer && port < vplat_host_pm_timer + 4u;
	     port++)
		((u8 *)(uintptr_t)(port < 0x8000 ? io_bitmap_a
						 : io_bitmap_b))[(port & 0x7fff) / 8] &=
			(u8)~BIT(port % 8);
	memset((void *)(uintptr_t)msr_bitmap, 0xff, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough); i++)
		msr_bitmap_allow((u8 *)(uintptr_t)msr_bitmap, passthrough[i]);
	return 0;
}

/* Apply the VMX fixed bits to CR0/CR4 (A.7, A.8), set CR4.VMXE and enter VMX root operation. */
static int vmx_enter_root(struct percpu *cpu)
{
	hpa_t region;

	if (cpu->vmxon_region != INVALID_HPA)
		return 0;
	region = pmm_alloc_zeroed(0);
	if (region == INVALID_HPA)
		return -ENOMEM;
	*(u32 *)(uintptr_t)region = vmx_revision();
	write_cr0((read_cr0() | vmx_cfg.cr0_fixed0) & vmx_cfg.cr0_fixed1);
	write_cr4((read_cr4() | vmx_cfg.cr4_fixed0 | X86_CR4_VMXE) & vmx_cfg.cr4_fixed1);
	if (!vmx_on(region)) {
		pr_err("vmx: VMXON failed on CPU %u\n", cpu->cpu_id);
		pmm_free(region, 0);
		return -EIO;
	}
	cpu->vmxon_region = region;
	cpu->vmcs_current = NULL;
	return 0;
}

static int vmx_cpu_enable(void)
{
	static bool configured;
	int err;

	if (!cpu_caps.vmx)
		return -ENODEV;
	err = vmx_feature_control();
	if (err)
		return err;
	if (!configured) {
		err = vmx_setup_config();
		if (err)
			return err;
		configured = true;
	}
	err = vmx_setup_bitmaps();
	if (err)
		return err;
	return vmx_enter_root(this_cpu());
}

_Static_assert(sizeof(struct vmx_vcpu) <= VCPU_VENDOR_BYTES, "vmx_vcpu fits its vCPU's frame");

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vmx_vcpu *x = vcpu_vendor_area(v);
	hpa_t page = pmm_alloc_zeroed(0);

	if (page == INVALID_HPA)
		return -ENOMEM;
	*(u32 *)(uintptr_t)page = vmx_revision();
	/* VMCLEAR puts a new VMCS in the "clear" launch state (SDM Vol. 3C, 25.11.3). */
	if (!vmx_clear((void *)(uintptr_t)page)) {
		pmm_free(page, 0);
		return -EIO;
	}
	*x = (struct vmx_vcpu){.vmcs = (void *)(uintptr_t)page};
	v->vendor = x;
	return 0;
}

/* Forget x wherever it owns the lazily switched registers; its values are not needed. */
static void vmx_drop_lazy(const struct vmx_vcpu *x)
{
	for (size_t i = 0; i < ARRAY_SIZE(lazy_owner); i++)
		if (lazy_owner[i] == x)
			lazy_owner[i] = NULL;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	struct percpu *cpu = this_cpu();

	if (!x)
		return;
	vmx_drop_lazy(x);
	if (x->cpu == cpu)
		vmx_clear(x->vmcs);
	for (size_t c = 0; c < MAX_CPUS; c++)
		if (percpu[c].vmcs_current == x)
			percpu[c].vmcs_current = NULL;
	/*
	 * A VMCS still active on another CPU may be written back by it at any
	 * time (SDM Vol. 3C, 25.11.1): leak the page rather than reuse it.
	 */
	if (x->cpu && x->cpu != cpu)
		pr_warn("vmx: vCPU %u's VMCS is active on CPU %u; page not freed\n", v->id,
			x->cpu->cpu_id);
	else
		pmm_free((hpa_t)(uintptr_t)x->vmcs, 0);
	*x = (struct vmx_vcpu){0};
	v->vendor = NULL;
}

/* Base of the TSS that TR selects, from its 16-byte GDT descriptor (SDM Vol. 3A, 8.2.3). */
static u64 vmx_tss_base(u64 gdt, u16 tr)
{
	const u64 *d = (const u64 *)(uintptr_t)(gdt + (tr & ~7u));

	return ((d[0] >> 16) & 0xffffff) | (((d[0] >> 56) & 0xff) << 24) | (d[1] << 32);
}

/* Host state for VM exits on this CPU (SDM Vol. 3C, 25.5 "Host-State Area"). */
static void vmx_write_host_state(void)
{
	struct desc_ptr gdtr, idtr;
	u16 tr;

	__asm__ volatile("sgdt %0\n\tsidt %1\n\tstr %2" : "=m"(gdtr), "=m"(idtr), "=r"(tr));
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_CS_SELECTOR, GDT_CODE64);
	vmcs_write(HOST_SS_SELECTOR, GDT_DATA);
	vmcs_write(HOST_DS_SELECTOR, GDT_DATA);
	vmcs_write(HOST_ES_SELECTOR, GDT_DATA);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, tr);
	vmcs_write(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(HOST_GS_BASE, rdmsr(MSR_GS_BASE)); /* this_cpu() */
	vmcs_write(HOST_TR_BASE, vmx_tss_base(gdtr.base, tr));
	vmcs_write(HOST_GDTR_BASE, gdtr.base);
	vmcs_write(HOST_IDTR_BASE, idtr.base);
	vmcs_write(HOST_IA32_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
	if (vmx_cfg.exit & EXIT_LOAD_IA32_PAT)
		vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(HOST_RIP, (u64)(uintptr_t)vmx_exit_point);
}

/*
 * Make x's VMCS current on this CPU. Several VMCSs may be active on one CPU,
 * but one active on another CPU must first be VMCLEARed there (SDM Vol. 3C,
 * 25.11.1): vmx_vcpu_put() does that at the end of every slice.
 */
static int vmx_vcpu_load(struct vmx_vcpu *x)
{
	struct percpu *cpu = this_cpu();

	if (cpu->vmcs_current == x)
		return 0;
	if (x->cpu && x->cpu != cpu) {
		pr_err("vmx: VMCS active on CPU %u, wanted on CPU %u: migration needs a VMCLEAR "
		       "there first\n",
		       x->cpu->cpu_id, cpu->cpu_id);
		return -EBUSY;
	}
	if (!vmx_ptrld(x->vmcs)) {
		pr_err("vmx: VMPTRLD of 0x%llx failed\n", (u64)(uintptr_t)x->vmcs);
		return -EIO;
	}
	cpu->vmcs_current = x;
	x->cpu = cpu;
	if (x->last_cpu != cpu) {
		x->last_cpu = cpu;
		vmx_write_host_state();
		/* This CPU may hold stale translations for the EPTP or VPID. */
		x->flush_pending = true;
	}
	return 0;
}

/* Take x's lazily switched registers back from this CPU. */
static void vmx_save_lazy(struct vmx_vcpu *x)
{
	struct vmx_vcpu **owner = &lazy_owner[this_cpu()->cpu_id];

	if (*owner != x)
		return;
	for (int i = 0; i < LAZY_COUNT; i++)
		x->lazy[i] = rdmsr(lazy_msrs[i]);
	x->cr2 = read_cr2();
	*owner = NULL;
}

/* Give up x's VMCS and registers on this CPU, so that any CPU may load it next. */
static void vmx_vcpu_put(struct vmx_vcpu *x)
{
	struct percpu *cpu = this_cpu();

	vmx_save_lazy(x);
	if (x->cpu != cpu)
		return;
	vmx_clear(x->vmcs);
	if (cpu->vmcs_current == x)
		cpu->vmcs_current = NULL;
	x->cpu = NULL;
	x->launched = false;
}

static u16 vmx_vpid(struct vcpu *v)
{
	u32 asid = v->vm->asid;

	if (!(vmx_cfg.proc2 & PROC2_ENABLE_VPID) || !asid || asid > 0xffff)
		return 0;
	return (u16)asid;
}

static u64 vmx_eptp(struct vcpu *v)
{
	u64 mt = (vmx_cfg.ept_vpid_cap & EPT_CAP_WB) ? EPTP_MT_WB : EPTP_MT_UC;

	/* Accessed/dirty flags (bit 6) stay off: ept_format does not use them. */
	return v->vm->mem.s2.root | EPTP_WALK_4 | mt;
}

/*
 * Bits of CR0/CR4 the guest may not change for real: the ones VMX operation
 * fixes to 1 (A.7, A.8), except PE and PG, which unrestricted guest frees.
 * The guest reads and writes its own value of them in the read shadow.
 */
static u64 vmx_cr0_mask(void)
{
	return vmx_cfg.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);
}

/*
 * CR4 bits that exit when the guest writes them: every bit it may not set,
 * so that a write of one faults as on a CPU without the feature instead of
 * reaching hardware that has it (PKE, LA57, ...) or failing VM entry.
 */
static u64 vmx_cr4_mask(void)
{
	return ~vmx_cr4_allowed() | vmx_cfg.cr4_fixed0;
}

static void vmx_write_controls(struct vcpu *v)
{
	u32 proc2 = vmx_cfg.proc2;
	u16 vpid = vmx_vpid(v);

	if (!vpid)
		proc2 &= ~(u32)PROC2_ENABLE_VPID;
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_cfg.proc);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_cfg.entry & ~(u32)ENTRY_IA32E_MODE_GUEST);
	/* #MC belongs to the host, as with SVM; every other exception is the guest's. */
	vmcs_write(EXCEPTION_BITMAP, BIT(18));
	if (vmx_cfg.pin & PIN_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.preempt_ticks);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO, 0);
	vmcs_write(IO_BITMAP_A, io_bitmap_a);
	vmcs_write(IO_BITMAP_B, io_bitmap_b);
	vmcs_write(MSR_BITMAP, msr_bitmap);
	vmcs_write(EPT_POINTER, vmx_eptp(v));
	if (vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vpid);
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_mask());
	vmcs_write(CR4_GUEST_HOST_MASK, vmx_cr4_mask());
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
}

enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* The guest segment fields of one register lie 2 apart in each group (App. B). */
static void vmx_write_seg(enum vmx_seg s, u16 sel, u32 ar, u32 limit)
{
	vmcs_write(GUEST_ES_SELECTOR + 2 * s, sel);
	vmcs_write(GUEST_ES_AR_BYTES + 2 * s, ar);
	vmcs_write(GUEST_ES_LIMIT + 2 * s, limit);
	vmcs_write(GUEST_ES_BASE + 2 * s, 0);
}

/* Flat segments, 32-bit protected mode with paging off or 64-bit mode (struct vcpu_boot). */
static void vmx_write_guest_state(const struct vcpu_boot *b)
{
	u16 cs = b->cs ? b->cs : 0x08, ds = b->ds ? b->ds : 0x10;

	/* 32-bit code (G, D), or 64-bit code (G, L) in long mode. */
	vmx_write_seg(SEG_CS, cs, b->long_mode ? 0xa09b : 0xc09b, 0xffffffff);
	vmx_write_seg(SEG_SS, ds, 0xc093, 0xffffffff);
	vmx_write_seg(SEG_DS, ds, 0xc093, 0xffffffff);
	vmx_write_seg(SEG_ES, ds, 0xc093, 0xffffffff);
	vmx_write_seg(SEG_FS, ds, 0xc093, 0xffffffff);
	vmx_write_seg(SEG_GS, ds, 0xc093, 0xffffffff);
	vmx_write_seg(SEG_TR, 0, 0x8b, 0x67); /* busy TSS: VM entry checks the type */
	vmx_write_seg(SEG_LDTR, 0, AR_UNUSABLE, 0);
	vmcs_write(GUEST_GDTR_BASE, b->gdt_base);
	vmcs_write(GUEST_GDTR_LIMIT, b->gdt_limit ? b->gdt_limit : 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	/* EFER first: the CR0 write derives LMA and the IA-32e entry control from it. */
	vmcs_write(GUEST_IA32_EFER, b->long_mode ? EFER_LME : 0);
	vmx_write_cr4(b->long_mode ? X86_CR4_PAE : 0);
	vmcs_write(GUEST_CR3, b->long_mode ? b->cr3 : 0);
	vmx_write_cr0(NULL, X86_CR0_PE | X86_CR0_ET | (b->long_mode ? X86_CR0_PG : 0));
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, b->rip);
	vmcs_write(GUEST_RFLAGS, X86_RFLAGS_FIXED);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	if (vmx_cfg.entry & ENTRY_LOAD_IA32_PAT)
		vmcs_write(GUEST_IA32_PAT, GUEST_PAT_DEFAULT);
}

static void vmx_vcpu_set_boot_state(struct vcpu *v, const struct vcpu_boot *b)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (vmx_vcpu_load(x))
		return;
	vmx_write_controls(v);
	vmx_write_guest_state(b);
	/* Leave the VMCS clear so that whichever CPU runs v first can load it. */
	vmx_vcpu_put(x);
	vmx_drop_lazy(x);
	memset(x->lazy, 0, sizeof(x->lazy));
	x->cr2 = 0;
	x->event = (struct vmx_event){0};
	x->irq_window = x->nmi_window = false;
	x->tsc_offset = v->tsc_offset; /* INIT leaves the TSC alone */
	v->regs.rax = b->eax;
	v->regs.rbx = b->ebx;
	v->regs.rcx = b->ecx;
	v->regs.rdx = b->edx;
	v->regs.rsi = b->esi;
}

/*
 * The state a STARTUP IPI leaves (SDM Vol. 3A, 9.4.4): real mode at
 * vector:0000, 64 KiB segments; unrestricted guest runs it as it is.
 */
static void vmx_vcpu_set_sipi_state(struct vcpu *v, u8 vector)
{
	vmx_vcpu_set_boot_state(v, &(struct vcpu_boot){0});
	if (vmx_vcpu_load(to_vmx(v)))
		return;
	for (enum vmx_seg s = SEG_ES; s <= SEG_GS; s++)
		vmx_write_seg(s, 0, 0x93, 0xffff);
	vmx_write_seg(SEG_CS, (u16)(vector << 8), 0x9b, 0xffff);
	vmcs_write(GUEST_CS_BASE, (u64)vector << 12);
	vmx_write_seg(SEG_LDTR, 0, 0x82, 0xffff);
	vmx_write_cr0(NULL, X86_CR0_ET);
	vmcs_write(GUEST_RIP, 0);
	vmx_vcpu_put(to_vmx(v));
}

/*
 * STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE and CR2 are neither switched by
 * VM entry/exit nor used by the host, so they keep the guest's values across
 * its exits; load them once per slice, vmx_vcpu_put() takes them back.
 */
static void vmx_switch_lazy(struct vmx_vcpu *x)
{
	struct vmx_vcpu **owner = &lazy_owner[this_cpu()->cpu_id];

	if (*owner == x)
		return;
	if (*owner)
		vmx_save_lazy(*owner);
	for (int i = 0; i < LAZY_COUNT; i++)
		wrmsr(lazy_msrs[i], x->lazy[i]);
	write_cr2(x->cr2);
	*owner = x;
}

/*
 * INVEPT drops guest-physical and combined mappings of this EPTP for every
 * VPID; INVVPID drops the linear ones of a reused VPID (SDM Vol. 3C, 29.4.3).
 */
static void vmx_flush(struct vcpu *v)
{
	u64 cap = vmx_cfg.ept_vpid_cap;
	u16 vpid = vmx_vpid(v);

	vmx_invept((cap & EPT_CAP_INVEPT_SINGLE) ? INVEPT_SINGLE : INVEPT_ALL, vmx_eptp(v));
	if (vpid)
		vmx_invvpid((cap & VPID_CAP_INVVPID_SINGLE) ? INVVPID_SINGLE : INVVPID_ALL, vpid);
	to_vmx(v)->flush_pending = false;
}

/*
 * Write the queued event and the window exits the core asked for. The core
 * injects an interrupt only when vmx_irq_allowed() said the guest can take it:
 * VM entry fails on one injected while RFLAGS.IF is 0 or STI/MOV SS blocking
 * is on (SDM Vol. 3C, 27.3.1.4 and 27.3.1.5).
 */
static void vmx_write_events(struct vmx_vcpu *x)
{
	u32 proc = vmx_cfg.proc;

	if (x->event.info & INTR_INFO_VALID) {
		vmcs_write(VM_ENTRY_INTR_INFO, x->event.info);
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, x->event.error);
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, x->event.len);
		x->event.info = 0;
	}
	if (x->irq_window)
		proc |= PROC_INTR_WINDOW_EXITING;
	/* Without virtual NMIs the next interrupt window is the best there is. */
	if (x->nmi_window)
		proc |= (vmx_cfg.pin & PIN_VIRTUAL_NMIS) ? PROC_NMI_WINDOW_EXITING
							 : PROC_INTR_WINDOW_EXITING;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write(TSC_OFFSET, (u64)x->tsc_offset);
}

/*
 * Called by vmx_enter() after each VM exit: a CPUID, VMCALL, x2APIC EOI or
 * LAPIC timer write (WRMSR) answered by exit_hot(), RIP stepped over it, for vmx_enter() to
 * resume the guest at once. Only on a launched VMCS (an exit after VMLAUNCH
 * leaves the common path to mark it) with no flush due. None of these
 * instructions exits during event delivery, so IDT-vectoring information is not valid for them (SDM Vol.
 * 3C, 28.2.4) and is not read.
 */
bool vmx_exit_hot(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	u32 raw = (u32)vmcs_read(VM_EXIT_REASON); /* an entry failure has bit 31 set */
	struct vm_exit e;

	if (!x->launched || x->flush_pending)
		return false;
	if (raw == VMX_EXIT_CPUID) {
		e.reason = EXIT_CPUID;
	} else if (raw == VMX_EXIT_VMCALL) {
		e.reason = EXIT_HYPERCALL;
		vmx_decode_caller(&e);
	} else if (raw == VMX_EXIT_WRMSR && vlapic_msr_write_hot((u32)v->regs.rcx)) {
		e.reason = EXIT_MSR_WRITE;
		e.msr.index = (u32)v->regs.rcx;
	} else {
		return false;
	}
	e.vendor_code = raw;
	e.rip = vmcs_read(GUEST_RIP);
	e.insn_len = (u32)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	if (!exit_hot(v, &e))
		return false;
	vmx_skip_insn(e.rip + e.insn_len);
	return true;
}

static void vmx_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *x = to_vmx(v);
	int ret;

	ret = vmx_vcpu_load(x);
	if (ret) {
		vmx_entry_failed(v, ret, e);
		return;
	}
	vmx_switch_lazy(x);
	if (x->flush_pending)
		vmx_flush(v);
	vmx_write_events(x);
	/* Exits answered in place (vmx_exit_hot()) do not come back here. */
	ret = vmx_enter(&v->regs, x->launched, v);
	if (ret) {
		vmx_entry_failed(v, ret, e);
		return;
	}
	/* A VM entry that fails while loading guest state leaves the VMCS unlaunched. */
	if (!(vmx_decode_exit(v, e) & VMX_EXIT_REASON_ENTRY_FAIL))
		x->launched = true;
}

/*
 * Make x's VMCS current for a register access. One that is not active on any
 * CPU (x between slices) is borrowed and cleared again by vmx_give_back(),
 * so that whichever CPU runs x next can load it.
 */
static bool vmx_borrow(struct vmx_vcpu *x, bool *borrowed)
{
	*borrowed = !x->cpu;
	return !vmx_vcpu_load(x);
}

static void vmx_give_back(struct vmx_vcpu *x, bool borrowed)
{
	if (borrowed)
		vmx_vcpu_put(x);
}

static u64 vmx_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct vmx_vcpu *x = to_vmx(v);
	bool borrowed;
	u64 val;

	if (!vmx_borrow(x, &borrowed))
		return 0;
	val = vmx_read_reg(r);
	vmx_give_back(x, borrowed);
	return val;
}

static void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	struct vmx_vcpu *x = to_vmx(v);
	bool borrowed;

	if (!vmx_borrow(x, &borrowed))
		return;
	vmx_write_reg(v, r, val);
	vmx_give_back(x, borrowed);
}

/* Exceptions that push an error code in protected mode (SDM Vol. 3A, 6.13). */
static bool vmx_vector_has_error(u8 vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

/*
 * Queue an event for the next entry (SDM Vol. 3C, 25.8.3 "VM-Entry Controls
 * for Event Injection"). It is written to the VMCS just before entry, so this
 * may be called for a vCPU whose VMCS is not current.
 */
static void vmx_inject_event(struct vcpu *v, u8 vector, enum event_type type, bool has_error,
			     u32 error)
{
	struct vmx_vcpu *x = to_vmx(v);
	u32 info = vector | (u32)type << INTR_INFO_TYPE_SHIFT | INTR_INFO_VALID;
	bool borrowed;

	if (!vmx_borrow(x, &borrowed))
		return;
	/*
	 * VM entry insists that the error-code flag matches the vector and mode
	 * (27.2.1.3): none in real mode, always for #DF, #TS, #NP, #SS, #GP, #PF,
	 * #AC, #CP in protected mode.
	 */
	if (type == EVENT_EXCEPTION)
		has_error = (vmx_guest_cr0() & X86_CR0_PE) && vmx_vector_has_error(vector);
	x->event = (struct vmx_event){
		.info = info | (has_error ? INTR_INFO_ERROR_VALID : 0),
		.error = has_error ? error : 0,
		/* A software interrupt is taken as raised by the instruction that exited. */
		.len = type == EVENT_SOFTINT ? (u32)MAX(vmcs_read(VM_EXIT_INSTRUCTION_LEN), 1) : 0,
	};
	vmx_give_back(x, borrowed);
}

/* Guest interruptibility and RFLAGS, with the VMCS borrowed if it is not current. */
static bool vmx_read_blocking(struct vmx_vcpu *x, u64 *rflags, u64 *intr)
{
	bool borrowed;

	if (!vmx_borrow(x, &borrowed))
		return false;
	*rflags = vmcs_read(GUEST_RFLAGS);
	*intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	vmx_give_back(x, borrowed);
	return true;
}

static bool vmx_irq_allowed(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	u64 rflags, intr;

	return !(x->event.info & INTR_INFO_VALID) && vmx_read_blocking(x, &rflags, &intr) &&
	       (rflags & X86_RFLAGS_IF) &&
	       !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/*
 * Blocking by NMI (interruptibility bit 3) is set by the delivery of an
 * injected NMI and cleared by the guest's IRET; with virtual NMIs the CPU
 * keeps it across exits (SDM Vol. 3C, 25.4.2, 26.7.1.2).
 */
static bool vmx_nmi_allowed(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	u64 rflags, intr;

	return !(x->event.info & INTR_INFO_VALID) && vmx_read_blocking(x, &rflags, &intr) &&
	       !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI));
}

static void vmx_set_tsc_offset(struct vcpu *v, s64 offset)
{
	to_vmx(v)->tsc_offset = offset;
}

static void vmx_set_windows(struct vcpu *v, bool irq, bool nmi)
{
	to_vmx(v)->irq_window = irq;
	to_vmx(v)->nmi_window = nmi;
}

static void vmx_vcpu_put_hook(struct vcpu *v)
{
	if (v->vendor)
		vmx_vcpu_put(to_vmx(v));
}

static void vmx_s2_flush(struct vcpu *v)
{
	to_vmx(v)->flush_pending = true;
}

const struct hvm_ops vmx_ops = {
	.name = "vmx",
	.s2_format = &ept_format,
	.vcpu_bytes = PAGE_SIZE,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_set_boot_state = vmx_vcpu_set_boot_state,
	.vcpu_set_sipi_state = vmx_vcpu_set_sipi_state,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_put = vmx_vcpu_put_hook,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.inject_event = vmx_inject_event,
	.irq_allowed = vmx_irq_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.set_windows = vmx_set_windows,
	.set_tsc_offset = vmx_set_tsc_offset,
	.s2_flush = vmx_s2_flush,
};
