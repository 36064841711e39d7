// SPDX-License-Identifier: MIT
/* Hypercall argument checks, shared by every call and unit-tested on the host. */
#include <hv/errno.h>
#include <hv/hcargs.h>
#include <hv/loader.h>
#include <public/hypercall.h>

int hcargs_buffer(u64 ram_size, u64 gpa, u64 len, u64 max_len)
{
	if (!len || (max_len && len > max_len))
		return -EINVAL;
	/* Overflow first: a wrapping range must never look like RAM. */
	if (gpa + len < gpa || !loader_gpa_is_ram(ram_size, gpa, len))
		return -EFAULT;
	return 0;
}

int hcargs_release(u64 ram_size, u64 gpa, u64 len)
{
	if (!len || gpa + len < gpa || !IS_ALIGNED(gpa | len, PAGE_SIZE) ||
	    !loader_gpa_is_ram(ram_size, gpa, len))
		return -EINVAL;
	return 0;
}

int hcargs_vcpu_entry(u64 ram_size, u64 entry)
{
	if (entry >= GiB(4) - 16 || !loader_gpa_is_ram(ram_size, entry, 16))
		return -EFAULT;
	return 0;
}

int hcargs_ring(u64 ram_size, u64 gpa)
{
	if (!IS_ALIGNED(gpa, PAGE_SIZE))
		return -EINVAL;
	return hcargs_buffer(ram_size, gpa, PAGE_SIZE, 0);
}

int hcargs_vm_id(u64 id, u32 max)
{
	return id < max ? 0 : -ENOENT;
}

int hcargs_quota(u64 bytes)
{
	return bytes >= HC_QUOTA_MIN && IS_ALIGNED(bytes, PAGE_SIZE) ? 0 : -EINVAL;
}

int hcargs_vm_op(u64 op)
{
	return op >= SPROUT_VM_OP_START && op <= SPROUT_VM_OP_DESTROY ? 0 : -EINVAL;
}

int hcargs_answer(u64 answer)
{
	return answer == SPROUT_ANSWER_GRANT || answer == SPROUT_ANSWER_DENY ? 0 : -EINVAL;
}

int hcargs_name_len(u64 len)
{
	return len && len <= HC_VM_NAME_MAX ? 0 : -EINVAL;
}
