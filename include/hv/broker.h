/* SPDX-License-Identifier: MIT */
/* Hypervisor side of the broker: requests and notifications to it, its privileged calls. */
#ifndef HV_BROKER_H
#define HV_BROKER_H

#include <hv/conmux.h>
#include <hv/types.h>

struct vm;
struct vcpu;
struct boot_info;
struct sprout_config;

/* Remember the boot config and modules: the broker may (re)create VMs from them. */
void broker_init(const struct sprout_config *cfg, const struct boot_info *bi);

/* A privileged VM was created (at boot or by a restart): it is the broker. */
void broker_vm_created(struct vm *vm);

/* The privileged VM, or NULL when there is none (or it is down). */
struct vm *broker_vm(void);

/* True once a broker has registered its ring: requests can be decided. */
bool broker_ready(void);

/*
 * A vCPU's stage-2 fault needs a decision (over quota, or host memory short):
 * queue a request for the broker and say whether v must block for it. When
 * no broker VM runs, returns false and the caller pauses the VM; one still
 * booting gets the request when it registers its ring.
 */
bool broker_request_memory(struct vcpu *v, bool host_low, u64 bytes, u64 gpa);

/* A VM started: tell the broker. */
void broker_vm_started(struct vm *vm);

/* A VM stopped: tell the broker; restart the broker itself if it was the one. */
void broker_vm_stopped(struct vm *vm);

/* Periodic work from the scheduler: console input, stats, a broker restart. */
void broker_tick(void);
/*
 * Tell the broker that vm kept CPU cpu: its guest did not eject it within
 * ms, or (ms 0) refused with _OST status ost.
 */
void broker_vcpu_kept(struct vm *vm, u32 cpu, u32 ms, u32 ost);

/* A crashed broker is about to be restarted. */
bool broker_restart_due(void);

/* Event bits for a HC_WAIT_EVENT caller, cleared by reading. */
u32 broker_take_events(struct vm *vm);

/* A VM's table row as the ABI reports it (HC_VM_LIST, HC_VM_INFO, HC_SELF_STATS). */
struct sprout_vm_info;
void broker_fill_info(const struct vm *vm, struct sprout_vm_info *info);

/* How vm's console output is printed now: raw while the host console is attached to it. */
enum conmux_style broker_console_style(const struct vm *vm);

/* Broker-only hypercalls (HC_BROKER_FIRST..HC_BROKER_LAST). */
long broker_hypercall(struct vcpu *v, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3);

#endif
