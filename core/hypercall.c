// SPDX-License-Identifier: MIT
/* Hypercall dispatch: check the caller's rights and every argument, then act. */
#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/printk.h>
#include <hv/vdev.h>
#include <hv/vm.h>
#include <public/hypercall.h>

#include "handlers.h"

#define CONSOLE_WRITE_MAX 4096

/* True when [gpa, gpa + len) is a non-empty range of the caller's own RAM. */
static bool guest_range_ok(const struct vm *vm, u64 gpa, u64 len)
{
	return len && gpa + len > gpa && loader_gpa_is_ram(vm->mem.ram_size, gpa, len);
}

static long hc_console_write(struct vcpu *v, u64 gpa, u64 len)
{
	char buf[256];
	u64 done = 0;

	if (len > CONSOLE_WRITE_MAX)
		return -EINVAL;
	if (!guest_range_ok(v->vm, gpa, len))
		return -EFAULT;
	while (done < len) {
		u64 chunk = MIN(len - done, sizeof(buf));

		if (vm_read(v->vm, gpa + done, buf, chunk))
			return -EFAULT;
		for (u64 i = 0; i < chunk; i++)
			vdev_console_putc(v->vm, buf[i]);
		done += chunk;
	}
	return (long)len;
}

static long hypercall(struct vcpu *v, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	switch (nr) {
	case HC_VERSION: return SPROUT_ABI_VERSION;
	case HC_CONSOLE_WRITE: return hc_console_write(v, a0, a1);
	case HC_YIELD: return 0;
	default: return -ENOSYS;
	}
}

enum exit_action handle_hypercall(struct vcpu *v, struct vm_exit *e)
{
	struct gprs *r = &v->regs;
	u64 nr = r->rax;

	r->rax = (u64)hypercall(v, nr, r->rdi, r->rsi, r->rdx, r->r10);
	if (exit_resume_after(v, e) != EXIT_RESUME)
		return EXIT_STOP_VM;
	return nr == HC_YIELD ? EXIT_YIELD : EXIT_RESUME;
}
