// SPDX-License-Identifier: MIT
/* Choose the virtualization backend from CPUID and enable it on the boot CPU. */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/printk.h>
#include <hv/s2pt.h>

const struct hvm_ops *hvm;

int hvm_init(void)
{
	int err;

	if (cpu_caps.vendor == VENDOR_AMD && cpu_caps.svm && cpu_caps.npt)
		hvm = &svm_ops;
	else if (cpu_caps.vendor == VENDOR_INTEL && cpu_caps.vmx)
		hvm = &vmx_ops;
	if (!hvm) {
		pr_err("virt: no usable virtualization backend on this CPU\n");
		return -ENODEV;
	}
	err = hvm->cpu_enable();
	if (err) {
		pr_err("virt: enabling %s failed: %s\n", hvm->name, strerror_hv(err));
		hvm = NULL;
		return err;
	}
	pr_info("virt: using %s backend, stage-2 format %s\n", hvm->name, hvm->s2_format->name);
	return 0;
}
