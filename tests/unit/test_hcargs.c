// SPDX-License-Identifier: MIT
/* Host tests of the hypercall argument checks: every bad pointer, length and id is refused. */
#include <hv/errno.h>
#include <hv/hcargs.h>
#include <public/hypercall.h>

#include "utest.h"

#define RAM MiB(32)

UTEST(hcargs_buffer_inside_ram)
{
	CHECK_EQ(hcargs_buffer(RAM, 0x100000, 16, 0), 0);
	CHECK_EQ(hcargs_buffer(RAM, 0, 1, 0), 0);
	CHECK_EQ(hcargs_buffer(RAM, RAM - 4096, 4096, 4096), 0);
	CHECK_EQ(hcargs_buffer(RAM, 0x9f000, 0x1000, 0), 0); /* last low-RAM page (EBDA) */
}

UTEST(hcargs_buffer_refuses_bad_places)
{
	CHECK_EQ(hcargs_buffer(RAM, RAM, 1, 0), -EFAULT);	   /* just past RAM */
	CHECK_EQ(hcargs_buffer(RAM, RAM - 8, 16, 0), -EFAULT);	   /* straddles the end */
	CHECK_EQ(hcargs_buffer(RAM, 0xa0000, 1, 0), -EFAULT);	   /* VGA hole */
	CHECK_EQ(hcargs_buffer(RAM, 0x9f800, 0x1000, 0), -EFAULT); /* runs into it */
	CHECK_EQ(hcargs_buffer(RAM, 0xd0000000ULL, 8, 0), -EFAULT);
	CHECK_EQ(hcargs_buffer(RAM, GiB(4), 8, 0), -EFAULT);
	CHECK_EQ(hcargs_buffer(RAM, 0xffff800000000000ULL, 8, 0), -EFAULT);
	CHECK_EQ(hcargs_buffer(RAM, ~0ULL - 3, 16, 0), -EFAULT); /* wraps around */
	CHECK_EQ(hcargs_buffer(RAM, 0x100000, ~0ULL, 0), -EFAULT);
}

UTEST(hcargs_buffer_refuses_bad_lengths)
{
	CHECK_EQ(hcargs_buffer(RAM, 0x100000, 0, 0), -EINVAL);
	CHECK_EQ(hcargs_buffer(RAM, 0x100000, 4097, 4096), -EINVAL);
	CHECK_EQ(hcargs_buffer(RAM, 0x100000, 4096, 4096), 0);
}

UTEST(hcargs_buffer_above_4g)
{
	u64 big = GiB(5); /* RAM 0..3G, then 4G..6G */

	CHECK_EQ(hcargs_buffer(big, GiB(4) + 4096, 4096, 0), 0);
	CHECK_EQ(hcargs_buffer(big, GiB(3), 8, 0), -EFAULT);
	CHECK_EQ(hcargs_buffer(big, GiB(3) - 4, 8, 0), -EFAULT); /* into the device hole */
	CHECK_EQ(hcargs_buffer(big, GiB(6), 8, 0), -EFAULT);
}

UTEST(hcargs_release_ranges)
{
	CHECK_EQ(hcargs_release(RAM, 0x200000, 0x200000), 0);
	CHECK_EQ(hcargs_release(RAM, 0x200001, 0x1000), -EINVAL);
	CHECK_EQ(hcargs_release(RAM, 0x200000, 0x1001), -EINVAL);
	CHECK_EQ(hcargs_release(RAM, 0x200000, 0), -EINVAL);
	CHECK_EQ(hcargs_release(RAM, RAM - 0x1000, 0x2000), -EINVAL);
	CHECK_EQ(hcargs_release(RAM, ~0ULL & PAGE_MASK, 0x2000), -EINVAL);
	CHECK_EQ(hcargs_release(RAM, 0xa0000, 0x1000), -EINVAL);
}

UTEST(hcargs_vcpu_entry_below_4g)
{
	CHECK_EQ(hcargs_vcpu_entry(RAM, 0x100000), 0);
	CHECK_EQ(hcargs_vcpu_entry(RAM, RAM - 8), -EFAULT); /* no room for code */
	CHECK_EQ(hcargs_vcpu_entry(GiB(5), GiB(4) + 0x1000), -EFAULT);
	CHECK_EQ(hcargs_vcpu_entry(GiB(5), GiB(4) - 8), -EFAULT);
	CHECK_EQ(hcargs_vcpu_entry(RAM, 0x17ffffff9ULL), -EFAULT);
}

UTEST(hcargs_ring_page)
{
	CHECK_EQ(hcargs_ring(RAM, 0x10c000), 0);
	CHECK_EQ(hcargs_ring(RAM, 0x10c008), -EINVAL);
	CHECK_EQ(hcargs_ring(RAM, RAM), -EFAULT);
	CHECK_EQ(hcargs_ring(RAM, 0xa0000), -EFAULT);
}

UTEST(hcargs_ids_ops_answers_names)
{
	CHECK_EQ(hcargs_vm_id(0, 16), 0);
	CHECK_EQ(hcargs_vm_id(15, 16), 0);
	CHECK_EQ(hcargs_vm_id(16, 16), -ENOENT);
	CHECK_EQ(hcargs_vm_id(~0ULL, 16), -ENOENT);
	CHECK_EQ(hcargs_vm_op(SPROUT_VM_OP_START), 0);
	CHECK_EQ(hcargs_vm_op(SPROUT_VM_OP_DESTROY), 0);
	CHECK_EQ(hcargs_vm_op(0), -EINVAL);
	CHECK_EQ(hcargs_vm_op(SPROUT_VM_OP_DESTROY + 1), -EINVAL);
	CHECK_EQ(hcargs_answer(SPROUT_ANSWER_GRANT), 0);
	CHECK_EQ(hcargs_answer(SPROUT_ANSWER_DENY), 0);
	CHECK_EQ(hcargs_answer(0), -EINVAL);
	CHECK_EQ(hcargs_answer(3), -EINVAL);
	CHECK_EQ(hcargs_name_len(0), -EINVAL);
	CHECK_EQ(hcargs_name_len(1), 0);
	CHECK_EQ(hcargs_name_len(HC_VM_NAME_MAX), 0);
	CHECK_EQ(hcargs_name_len(HC_VM_NAME_MAX + 1), -EINVAL);
}

UTEST(hcargs_quota_bounds)
{
	CHECK_EQ(hcargs_quota(MiB(1)), 0);
	CHECK_EQ(hcargs_quota(MiB(1) - 4096), -EINVAL);
	CHECK_EQ(hcargs_quota(MiB(16) + 1), -EINVAL);
	CHECK_EQ(hcargs_quota(0), -EINVAL);
}

UTEST(hcargs_caller_kernel_only)
{
	CHECK_EQ(hcargs_caller(0, 0x2), 0);
	CHECK_EQ(hcargs_caller(0, 0x202), 0);
	CHECK_EQ(hcargs_caller(3, 0x202), -EPERM);
	CHECK_EQ(hcargs_caller(1, 0x2), -EPERM);
	CHECK_EQ(hcargs_caller(2, 0x2), -EPERM);
	/* Virtual-8086 mode: refused even if the CPL field reads 0. */
	CHECK_EQ(hcargs_caller(0, 0x20202), -EPERM);
	CHECK_EQ(hcargs_caller(3, 0x20202), -EPERM);
}

UTEST(hcargs_reg_masked_outside_64bit_mode)
{
	CHECK_EQ(hcargs_reg(0xdeadbeef00001234ULL, true), 0xdeadbeef00001234ULL);
	CHECK_EQ(hcargs_reg(0xdeadbeef00001234ULL, false), 0x1234);
	CHECK_EQ(hcargs_reg(0xffffffffULL, false), 0xffffffffULL);
}
