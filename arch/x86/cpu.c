// SPDX-License-Identifier: MIT
/* CPU vendor, model and virtualization feature detection. */
#include <arch/cpu.h>
#include <arch/x86.h>
#include <hv/printk.h>
#include <hv/string.h>

struct cpu_caps cpu_caps;

#define MSR_VM_CR		     0xc0010114
#define VM_CR_SVMDIS		     BIT(4)
#define MSR_IA32_VMX_BASIC	     0x480
#define MSR_IA32_VMX_PROCBASED_CTLS  0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP    0x48c
#define FC_LOCKED		     BIT(0)
#define FC_VMXON_OUTSIDE_SMX	     BIT(2)

static void detect_svm(struct cpu_caps *c)
{
	struct cpuid_regs r = cpuid(0x80000001, 0);

	c->svm = r.ecx & BIT(2);
	if (!c->svm)
		return;
	c->svm_disabled_by_bios = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;
	r = cpuid(0x8000000a, 0);
	c->svm_rev = r.eax & 0xff;
	c->nasid = r.ebx;
	c->npt = r.edx & BIT(0);
	c->nrips = r.edx & BIT(3);
	c->vmcb_clean = r.edx & BIT(5);
	c->flush_by_asid = r.edx & BIT(6);
	c->decode_assists = r.edx & BIT(7);
	c->pause_filter = r.edx & BIT(10);
}

static void detect_vmx(struct cpu_caps *c)
{
	u64 fc, procbased, procbased2, eptcap;

	c->vmx = cpuid(1, 0).ecx & BIT(5);
	if (!c->vmx)
		return;
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	c->vmx_locked_off = (fc & FC_LOCKED) && !(fc & FC_VMXON_OUTSIDE_SMX);
	c->vmx_basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->vmx_true_ctls = c->vmx_basic & BIT(55);
	procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	if (!(procbased & BIT(63))) /* allowed-1 of "activate secondary controls" */
		return;
	procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	c->ept = procbased2 & BIT(32 + 1);
	c->vpid = procbased2 & BIT(32 + 5);
	c->unrestricted = procbased2 & BIT(32 + 7);
	if (c->ept) {
		eptcap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
		c->ept_2m = eptcap & BIT(16);
		c->ept_invept = eptcap & BIT(20);
	}
}

static void detect_brand(struct cpu_caps *c)
{
	u32 *b = (u32 *)(void *)c->brand;

	if (cpuid(0x80000000, 0).eax < 0x80000004)
		return;
	for (u32 i = 0; i < 3; i++) {
		struct cpuid_regs r = cpuid(0x80000002 + i, 0);

		b[i * 4 + 0] = r.eax;
		b[i * 4 + 1] = r.ebx;
		b[i * 4 + 2] = r.ecx;
		b[i * 4 + 3] = r.edx;
	}
	c->brand[48] = '\0';
}

void cpu_detect(void)
{
	struct cpu_caps *c = &cpu_caps;
	struct cpuid_regs r = cpuid(0, 0);
	u32 sig;

	memcpy(c->vendor_str + 0, &r.ebx, 4);
	memcpy(c->vendor_str + 4, &r.edx, 4);
	memcpy(c->vendor_str + 8, &r.ecx, 4);
	c->vendor_str[12] = '\0';
	if (!strcmp(c->vendor_str, "GenuineIntel"))
		c->vendor = VENDOR_INTEL;
	else if (!strcmp(c->vendor_str, "AuthenticAMD"))
		c->vendor = VENDOR_AMD;
	r = cpuid(1, 0);
	sig = r.eax;
	c->family = ((sig >> 8) & 0xf) + (((sig >> 8) & 0xf) == 0xf ? (sig >> 20) & 0xff : 0);
	c->model = ((sig >> 4) & 0xf) | (((sig >> 16) & 0xf) << 4);
	c->stepping = sig & 0xf;
	c->x2apic = r.ecx & BIT(21);
	c->pdpe1gb = cpuid(0x80000001, 0).edx & BIT(26);
	c->invariant_tsc = cpuid(0x80000007, 0).edx & BIT(8);
	detect_brand(c);
	if (c->vendor == VENDOR_AMD)
		detect_svm(c);
	else if (c->vendor == VENDOR_INTEL)
		detect_vmx(c);
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

bool cpu_print_virt(void)
{
	const struct cpu_caps *c = &cpu_caps;

	pr_info("cpu: %s family 0x%x model 0x%x stepping %u \"%s\"\n", c->vendor_str, c->family,
		c->model, c->stepping, c->brand);
	if (c->vendor == VENDOR_AMD && c->svm) {
		pr_info("virt: AMD SVM rev %u: NPT %s, NRIP-save %s, flush-by-ASID %s, "
			"VMCB-clean %s, decode-assists %s, %u ASIDs%s\n",
			c->svm_rev, yn(c->npt), yn(c->nrips), yn(c->flush_by_asid),
			yn(c->vmcb_clean), yn(c->decode_assists), c->nasid,
			c->svm_disabled_by_bios ? ", DISABLED by firmware (VM_CR.SVMDIS)" : "");
		return c->npt && !c->svm_disabled_by_bios;
	}
	if (c->vendor == VENDOR_INTEL && c->vmx) {
		pr_info("virt: Intel VMX: EPT %s (2M %s, INVEPT %s), VPID %s, unrestricted guest "
			"%s, "
			"true controls %s%s\n",
			yn(c->ept), yn(c->ept_2m), yn(c->ept_invept), yn(c->vpid),
			yn(c->unrestricted), yn(c->vmx_true_ctls),
			c->vmx_locked_off ? ", DISABLED by firmware (FEATURE_CONTROL)" : "");
		return c->ept && c->unrestricted && !c->vmx_locked_off;
	}
	pr_info("virt: no usable virtualization: CPU has neither SVM nor VMX\n");
	return false;
}
