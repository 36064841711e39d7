/* SPDX-License-Identifier: MIT */
/* Hypercall argument checks: pure functions of the arguments and the caller's RAM size. */
#ifndef HV_HCARGS_H
#define HV_HCARGS_H

#include <hv/errno.h>
#include <hv/types.h>

#define HC_CONSOLE_WRITE_MAX 4096
#define HC_CONSOLE_READ_MAX  4096
#define HC_VM_NAME_MAX	     31
#define HC_QUOTA_MIN	     MiB(1)

/*
 * A buffer [gpa, gpa + len) the hypervisor will read or write for the caller:
 * 0 when it is non-empty, no longer than max_len (0: no limit) and entirely
 * the caller's RAM; -EINVAL for a bad length, -EFAULT for a bad place.
 */
int hcargs_buffer(u64 ram_size, u64 gpa, u64 len, u64 max_len);

/* A range the guest releases: page-aligned, non-empty, all RAM. 0 or -EINVAL. */
int hcargs_release(u64 ram_size, u64 gpa, u64 len);

/* A vCPU entry: 32-bit code, so RAM below 4 GiB with room for a few instructions. */
int hcargs_vcpu_entry(u64 ram_size, u64 entry);

/* The broker ring: one page-aligned page of the broker's RAM. 0, -EINVAL or -EFAULT. */
int hcargs_ring(u64 ram_size, u64 gpa);

/* A VM id below max. 0 or -ENOENT. */
int hcargs_vm_id(u64 id, u32 max);

/* A quota: at least HC_QUOTA_MIN and page-aligned. 0 or -EINVAL. */
int hcargs_quota(u64 bytes);

/* An HC_VM_CONTROL operation / HC_REQUEST_ANSWER answer. 0 or -EINVAL. */
int hcargs_vm_op(u64 op);
int hcargs_answer(u64 answer);

/* A VM name for HC_VM_CREATE: 1..HC_VM_NAME_MAX bytes. 0 or -EINVAL. */
int hcargs_name_len(u64 len);

/*
 * The caller's privilege: hypercalls are for the guest kernel only. 0 from
 * CPL 0 outside virtual-8086 mode; -EPERM from CPL 1-3 or with RFLAGS.VM set
 * (a V86 task runs at CPL 3 whatever SS.DPL says).
 */
static inline int hcargs_caller(u64 cpl, u64 rflags)
{
	return cpl == 0 && !(rflags & BIT(17)) ? 0 : -EPERM; /* RFLAGS.VM: virtual-8086 mode */
}

/*
 * A register argument as the caller wrote it: all 64 bits from 64-bit code
 * (EFER.LMA and CS.L), the low 32 bits otherwise, since the upper halves of
 * registers are not architecturally visible outside 64-bit mode and may hold
 * anything left from before a mode switch.
 */
static inline u64 hcargs_reg(u64 val, bool mode64)
{
	return mode64 ? val : (u32)val;
}

#endif
