/* SPDX-License-Identifier: MIT */
/* A virtual machine: its config, memory, vCPUs, devices, state and final figures. */
#ifndef HV_VM_H
#define HV_VM_H

#include <hv/boot_info.h>
#include <hv/config.h>
#include <hv/spinlock.h>
#include <hv/demand.h>
#include <hv/vcpu.h>
#include <hv/vdev.h>
#include <hv/vmstate.h>

#define VM_MAX	     SPROUT_VM_MAX
#define VM_MAX_VCPUS 8

struct vm {
	u32 id;
	struct vm_life life; /* state: written only by core/lifecycle.c */
	spinlock_t lock;     /* vCPU slots: hotplug, INIT/SIPI */
	volatile u32 held;   /* sched_hold_vm() nesting: not picked while > 0 */
	struct vm_config cfg;
	struct vm_mem mem;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	u32 nr_vcpus;
	u32 asid;	/* SVM ASID / VMX VPID shared by the VM's vCPUs */
	u32 vcpu_entry; /* HC_VCPU_REGISTER: where secondary vCPUs start, 0 if none */
	u32 vcpu_entry_arg;
	u32 init_pending; /* vCPU ids that got INIT and wait for STARTUP */
	struct vdev_state dev;

	u64 refused_calls; /* broker-only hypercalls it tried */
	/* Accesses to unassigned GPAs let through (unassigned = ignore) and their log. */
	u64 unassigned_hits;
	u64 unassigned_log_tsc; /* start of the current log window */
	u32 unassigned_logged;	/* lines printed in that window */
	u32 unassigned_quiet;	/* accesses not logged since the last line */
	u64 parked_busy_tsc;	/* guest time and exits of vCPUs since parked */
	u64 parked_exits;
	u64 parked_exits_by_reason[EXIT_REASON_COUNT];

	enum vm_stop_kind stop_kind;
	int exit_status;
	char stop_reason[160];
	u64 start_tsc, stop_tsc;
};

extern struct vm vm_table[VM_MAX];

static inline enum vm_state vm_state(const struct vm *vm)
{
	return __atomic_load_n(&vm->life.state, __ATOMIC_ACQUIRE);
}

/* True from the start of a stop until the VM is STOPPED. */
static inline bool vm_stopping(const struct vm *vm)
{
	return __atomic_load_n(&vm->life.stopping, __ATOMIC_ACQUIRE);
}

/* Create, load and start every autostart VM of the config. */
void vm_create_all(const struct sprout_config *cfg, const struct boot_info *bi);

/* Create one VM from its config and boot modules; the VM is RUNNING or STOPPED (load error). */
struct vm *vm_create(const struct vm_config *cfg, const struct boot_info *bi);

/* The same in a given table slot (a stopped VM started again keeps its id). */
struct vm *vm_create_at(struct vm *slot, const struct vm_config *cfg, const struct boot_info *bi);

/* The storage of vCPU slot id of vm. */
struct vcpu *vm_vcpu_storage(struct vm *vm, u32 id);

/* Slot i of the VM table (i < VM_MAX). */
struct vm *vm_at(u32 i);

/*
 * One past the highest VM table slot ever taken: every slot from there up is
 * EMPTY and has been since boot. Scans that run on every host timer interrupt
 * or tick stop there rather than at VM_MAX.
 */
u32 vm_slots(void);

/* The VM with that name in the table, or NULL. */
struct vm *vm_find(const char *name);

/* Print a VM's final accounting line. */
void vm_print_figures(const struct vm *vm);
void vm_print_exit_reasons(const struct vm *vm);

/* Copy between the hypervisor and a VM's RAM; -EFAULT unless all of it is guest RAM. */
int vm_read(struct vm *vm, gpa_t gpa, void *dst, size_t len);
int vm_write(struct vm *vm, gpa_t gpa, const void *src, size_t len);

#endif
