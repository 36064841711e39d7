// SPDX-License-Identifier: MIT
/* The machine as a whole: it ends once, with a status decided from the test VM's record. */
#include <arch/power.h>
#include <arch/x86.h>
#include <arch/smp.h>
#include <hv/broker.h>
#include <hv/machine.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <hv/vm.h>

static char test_vm_name[CONFIG_NAME_MAX];

void machine_init(const char *test_vm)
{
	strlcpy(test_vm_name, test_vm, sizeof(test_vm_name));
}

static bool is_test_vm(const struct vm *vm)
{
	return test_vm_name[0] && !strcmp(vm->cfg.name, test_vm_name);
}

static void print_vm_summary(void)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		const struct vm *vm = &vm_table[i];
		enum vm_state s = vm_state(vm);

		if (s != VM_EMPTY)
			pr_info("sprout: vm %s %s%s%s\n", vm->cfg.name, vm_state_name(s),
				s == VM_STOPPED ? ": " : "",
				s == VM_STOPPED ? vm->stop_reason : "");
	}
}

/* End the machine once: another CPU may reach the same conclusion at the same time. */
static __noreturn void machine_finish(int status)
{
	static bool finishing;

	if (__atomic_exchange_n(&finishing, true, __ATOMIC_ACQ_REL))
		cpu_halt_forever();
	print_vm_summary();
	power_off(status, test_vm_name[0] != '\0');
}

/* Test mode: the status from the test VM's stop record, whoever asks. */
static int test_status(void)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		const struct vm *vm = &vm_table[i];
		enum vm_state s = vm_state(vm);

		if (s != VM_EMPTY && is_test_vm(vm))
			return vm_test_status(true, s, vm->stop_kind, vm->exit_status);
	}
	return vm_test_status(false, VM_EMPTY, VM_STOP_NONE, 0);
}

void machine_vm_stopped(struct vm *vm)
{
	int status;

	if (!is_test_vm(vm))
		return;
	status = test_status();
	pr_info("sprout: test VM %s finished (%s); machine status %d\n", vm->cfg.name,
		vm->stop_reason, status);
	machine_finish(status);
}

static bool any_vm_alive(void)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		enum vm_state s = vm_state(&vm_table[i]);

		if (s == VM_RUNNING || s == VM_PAUSED || s == VM_CREATED)
			return true;
	}
	return false;
}

void machine_idle_check(void)
{
	if (any_vm_alive() || broker_restart_due())
		return;
	pr_info("sprout: all VMs have stopped\n");
	machine_finish(test_vm_name[0] ? test_status() : 0);
}
