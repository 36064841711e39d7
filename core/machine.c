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

static char test_vm_names[CONFIG_TEST_VMS][CONFIG_NAME_MAX];
static u32 test_vm_count;

void machine_init(const struct sprout_config *cfg)
{
	test_vm_count = cfg->test_vm_count;
	for (u32 i = 0; i < test_vm_count; i++)
		strlcpy(test_vm_names[i], cfg->test_vm[i], sizeof(test_vm_names[i]));
}

static bool is_test_vm(const struct vm *vm)
{
	for (u32 i = 0; i < test_vm_count; i++) {
		if (!strcmp(vm->cfg.name, test_vm_names[i]))
			return true;
	}
	return false;
}

/* The VM table's entry named name, or NULL. */
static const struct vm *vm_named(const char *name)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		const struct vm *vm = &vm_table[i];

		if (vm_state(vm) != VM_EMPTY && !strcmp(vm->cfg.name, name))
			return vm;
	}
	return NULL;
}

static bool vm_alive(const struct vm *vm)
{
	enum vm_state s = vm_state(vm);

	return s == VM_RUNNING || s == VM_PAUSED || s == VM_CREATED;
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
	power_off(status, test_vm_count != 0);
}

/* Test mode: the first non-zero status of the test VMs' stop records, in config order. */
static int test_status(void)
{
	for (u32 i = 0; i < test_vm_count; i++) {
		const struct vm *vm = vm_named(test_vm_names[i]);
		int status = vm ? vm_test_status(true, vm_state(vm), vm->stop_kind, vm->exit_status)
				: vm_test_status(false, VM_EMPTY, VM_STOP_NONE, 0);

		if (status)
			return status;
	}
	return 0;
}

/* Test VMs still to stop (one never loaded counts as stopped). */
static u32 test_vms_alive(void)
{
	u32 n = 0;

	for (u32 i = 0; i < test_vm_count; i++) {
		const struct vm *vm = vm_named(test_vm_names[i]);

		n += vm && vm_alive(vm);
	}
	return n;
}

void machine_vm_stopped(struct vm *vm)
{
	u32 alive;
	int status;

	if (!is_test_vm(vm))
		return;
	/*
	 * Two test VMs may stop at once on two CPUs: each wrote its own state
	 * before this; the fence makes at least one of them see both stopped.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	alive = test_vms_alive();
	if (alive) {
		pr_info("sprout: test VM %s finished (%s); %u more to finish\n", vm->cfg.name,
			vm->stop_reason, alive);
		return;
	}
	status = test_status();
	pr_info("sprout: test VM %s finished (%s); machine status %d\n", vm->cfg.name,
		vm->stop_reason, status);
	machine_finish(status);
}

static bool any_vm_alive(void)
{
	for (u32 i = 0; i < vm_slots(); i++) {
		if (vm_alive(&vm_table[i]))
			return true;
	}
	return false;
}

void machine_idle_check(void)
{
	if (any_vm_alive() || broker_restart_due())
		return;
	pr_info("sprout: all VMs have stopped\n");
	machine_finish(test_vm_count ? test_status() : 0);
}
