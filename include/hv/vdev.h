/* SPDX-License-Identifier: MIT */
/* Per-VM virtual platform devices: UART, debug ports, fw_cfg, PIC, LAPIC stub. */
#ifndef HV_VDEV_H
#define HV_VDEV_H

#include <hv/exit.h>
#include <hv/fwcfg.h>
#include <hv/types.h>
#include <hv/vplat.h>

#define VDEV_CONSOLE_RING 4096

struct vdev_state {
	struct {
		char line[160]; /* output collected until newline */
		u32 len;
		bool partial; /* the line being flushed has no newline yet (a prompt) */
		/* Typed input (for the broker, or the attached VM) waiting for room in the FIFO. */
		u8 rx[64];
		u32 rx_head, rx_tail; /* under the platform lock, as the UART */
		s16 tx;		      /* byte COM1 sent during this access, or -1 */
	} uart;
	struct {
		char buf[VDEV_CONSOLE_RING]; /* everything the guest printed, last 4 KiB */
		u64 head;		     /* total bytes ever written */
	} ring;
	struct fwcfg fwcfg;
	struct vplat plat; /* timers, interrupt controllers, ACPI hardware, ROM */
	bool stats_mapped; /* the broker's read-only load area is mapped */
};

struct vm;
struct vcpu;

void vdev_init(struct vm *vm);
void vdev_release(struct vm *vm);

/*
 * Emulate one port access of size 1, 2 or 4 bytes. For IN, *val receives the
 * value. Unassigned ports read all-ones and drop writes.
 */
enum exit_action vdev_port_io(struct vcpu *v, u16 port, u8 size, bool in, u32 *val);

/*
 * Console output of a VM: collected per line, printed with a "[name] " prefix;
 * as it comes while the host console is attached to the VM (HC_CONSOLE_ATTACH).
 */
void vdev_console_putc(struct vm *vm, char c);

/*
 * Queue a byte typed by the operator for the VM's COM1, which takes it into its
 * FIFO (and raises its RX interrupt) as soon as there is room; false when the
 * queue is full.
 */
bool vdev_uart_rx(struct vm *vm, u8 c);

/* Flush a partial console line (at VM stop). */
void vdev_console_flush(struct vm *vm);

/* Show a line without its newline yet: the broker's prompt, before it waits for input. */
void vdev_console_flush_partial(struct vm *vm);

/* Map the shared load area read-only into the broker; rewrite it (CPU 0, every tick). */
bool vdev_stats_map(struct vm *vm);
void vdev_stats_unmap(struct vm *vm);
void vdev_stats_update(void);

/* x2APIC register access by MSR; false when msr is not one (or x2APIC mode is off). */
/* Set up v's local APIC as after reset (BSP for vCPU 0). */
void vdev_lapic_init(struct vcpu *v);

/*
 * IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE: false when msr is
 * none of them; else done, with *fault set when the guest gets #GP.
 */
bool vdev_lapic_msr(struct vcpu *v, u32 msr, bool write, u64 *val, bool *fault);
/*
 * The exit fast path's x2APIC EOI (a WRMSR of 0 to VLAPIC_MSR_EOI): done when
 * it changes only v's ISR (vlapic_eoi_quiet()), under the platform lock but
 * with no kick, no routing; false leaves it to vdev_lapic_msr().
 */
bool vdev_lapic_eoi_hot(struct vcpu *v);
/*
 * The exit fast path's timer programming (IA32_TSC_DEADLINE, the x2APIC
 * initial count): done when it moves only v's next deadline
 * (vlapic_timer_write_quiet()), the host timer and the entry fast path's bound
 * following it; false leaves it to vdev_lapic_msr().
 */
bool vdev_lapic_timer_hot(struct vcpu *v, u32 msr, u64 val);
/* Whether msr is one of the local APIC's (its base, TSC deadline, the x2APIC range). */
bool vdev_msr_is_lapic(u32 msr);

/*
 * CR8, the 64-bit alias of the local APIC's TPR bits 7:4 (SDM Vol. 3A,
 * 10.8.6.1): read it, or write it (false: reserved bits set, #GP).
 */
u64 vdev_lapic_get_cr8(struct vcpu *v);
bool vdev_lapic_set_cr8(struct vcpu *v, u64 val);

/* An access to a device page (xAPIC, IOAPIC): an EPT violation / NPF there. */
struct vm_exit;
enum exit_action vdev_mmio(struct vcpu *v, struct vm_exit *e, unsigned dev);

#endif
