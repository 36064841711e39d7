/* SPDX-License-Identifier: MIT */
/* A virtual CPU: general registers, vendor state, run state and statistics. */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <hv/exit.h>
#include <hv/msr_policy.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <hv/vlapic.h>

struct vm;
struct vm_exit;
struct gstate;
struct gstate_caps;

/* Guest general-purpose registers saved by the vendor entry code; order fixed by the asm. */
struct gprs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* The last exits of a vCPU, kept for the report of a triple fault. */
#define VCPU_EXIT_LOG 16

struct vcpu_exit_rec {
	u64 tsc;
	u64 rip;
	u64 detail; /* port, MSR, GPA or hypercall number; else the vendor code */
	u8 reason;  /* enum exit_reason */
	u8 cpu;	    /* physical CPU the vCPU ran on */
};

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_BLOCKED, /* halted, or waiting for the broker */
	VCPU_STOPPED, /* its VM stopped, or it was parked */
	VCPU_NEW,     /* being launched on its core (hotplug) */
};

struct vcpu {
	struct vm *vm;
	u32 id;
	enum vcpu_state state;
	struct gprs regs;
	void *vendor;		   /* struct svm_vcpu / struct vmx_vcpu */
	u8 fpu[512] __aligned(16); /* FXSAVE image, switched when another vCPU runs here */
	bool fpu_loaded;

	/* Scheduling: home queue, claimed by a CPU, last CPU it ran on. */
	u32 cpu;
	volatile bool on_cpu;	/* claimed by a CPU's run loop */
	volatile bool in_guest; /* from before its events are looked at to the end of the entry */
	s32 last_cpu;
	u32 run_cpu; /* the CPU running it while on_cpu */
	bool halted; /* executed HLT: waits for an interrupt (core/vdev/irq.c) */
	/*
	 * The entry fast path (core/vdev/irq.c): the last full look at v's
	 * events found none, so later entries may skip the look while nothing
	 * changed. plat_dirty is set by whoever may have changed that: an
	 * exit other than the pure ones, an interrupt routed to v, a device
	 * deadline moved earlier. Read after in_guest is set (both seq_cst).
	 */
	volatile bool plat_dirty;
	struct {
		u32 cpu;       /* the CPU whose host timer is armed for it */
		u64 fired;     /* that CPU's timer_fired then: a firing re-arms it later */
		u64 until_tsc; /* v's next timer event or its slice's end; 0: not quiet */
	} quiet;

	/* Hotplug: launch state for a secondary vCPU; park request. */
	u32 boot_entry, boot_eax, boot_ebx, boot_ecx, boot_edx, boot_esi;
	bool park_requested;
	u64 park_deadline_tsc;
	u64 park_run_mark; /* busy_tsc when the park was asked for */
	bool park_ejected; /* the guest ejected its CPU (ACPI): park it once off its core */
	bool online_acked;
	/*
	 * Launch timing, reported once after the first entry: the TSC of the
	 * request (0 once reported), of the core picking it up, of the entry.
	 */
	u64 launch_tsc, pickup_tsc, entry_tsc;

	/* Blocking (sched/sched.c): state changes under sched_lock. */
	spinlock_t sched_lock;
	bool block_pending; /* an exit handler announced a block; a wake cancels it */
	bool block_ended;   /* woken, or the block was cancelled: the core finishes the wait */
	u64 wake_tsc;	    /* deadline of the block, 0: none */
	/* What it waits for (core): HC_WAIT_EVENT's events, or a broker decision. */
	bool waiting_event;
	u64 pending_request; /* broker request id, 0 if none */

	u64 exits;
	u64 exits_by_reason[EXIT_REASON_COUNT];
	struct vcpu_exit_rec exit_log[VCPU_EXIT_LOG];
	u32 exit_log_next;   /* exits recorded so far; the ring index is this modulo its size */
	u64 busy_tsc;	     /* TSC ticks spent in the guest */
	struct vlapic lapic; /* its local APIC, under the VM's platform lock */
	u64 msr_kept[MSR_KEPT_SLOTS]; /* AMD HWCR and DE_CFG as the guest wrote them (core/msr.c) */
	/*
	 * Its last CPUID answers (core/cpuid.c): the policy's answer for a
	 * leaf and subleaf depends on nothing else but the VM's vCPU count.
	 */
	struct vcpu_cpuid_hit {
		u32 leaf, sub, nr_vcpus;
		u32 r[4]; /* EAX, EBX, ECX, EDX */
		bool valid;
	} cpuid_cache[4];
	s16 sipi_vector; /* >= 0: start in real mode there (INIT/SIPI), else at boot_entry */
	s64 tsc_offset;	 /* guest TSC - host TSC: what the guest's IA32_TSC writes set */
};

/*
 * A vCPU slot's storage is one frame (core/vm.c, vm_vcpu_storage()): struct
 * vcpu, then the vendor's per-vCPU state (struct svm_vcpu / vmx_vcpu), which
 * each backend checks fits in VCPU_VENDOR_BYTES.
 */
#define VCPU_VENDOR_OFFSET ALIGN_UP(sizeof(struct vcpu), 64)
#define VCPU_VENDOR_BYTES  (PAGE_SIZE - VCPU_VENDOR_OFFSET)

static inline void *vcpu_vendor_area(struct vcpu *v)
{
	return (u8 *)v + VCPU_VENDOR_OFFSET;
}

/*
 * Whether v's next entry on CPU cpu may skip the look at its events (see
 * quiet above): nothing marked v, no timer of v is due by now, and the host
 * timer armed for v's next event on this CPU has not fired since.
 */
static inline bool vcpu_entry_quiet(const struct vcpu *v, u32 cpu, u64 fired, u64 now)
{
	return now < v->quiet.until_tsc && !__atomic_load_n(&v->plat_dirty, __ATOMIC_SEQ_CST) &&
	       v->quiet.cpu == cpu && v->quiet.fired == fired;
}

/* Zero v and attach it to vm as vCPU id. */
void vcpu_reset(struct vcpu *v, struct vm *vm, u32 id);

/* Platform state of a fresh vCPU: APIC base MSR, FNINIT FPU image. */
void vcpu_init_platform(struct vcpu *v);

/* The TSC as v reads it now (RDTSC in the guest: the host's plus its offset). */
u64 vcpu_guest_tsc(const struct vcpu *v);

/* IA32_TSC written by the guest: from now on v reads val + the time since. */
void vcpu_write_tsc(struct vcpu *v, u64 val);

/* General register by x86 encoding number (0 = RAX ... 15 = R15). */
u64 *vcpu_gpr(struct vcpu *v, unsigned index);

/* Copy up to n bytes of guest code at CS:RIP into buf; returns how many were read. */
u32 vcpu_fetch_insn(struct vcpu *v, u8 *buf, u32 n);
void vcpu_dump_code_stack(struct vcpu *v);
void vcpu_dump_walk(struct vcpu *v, u64 la);

/* Advance the guest RIP past the exiting instruction (decoding its length if needed). */
int vcpu_skip_insn(struct vcpu *v, const struct vm_exit *e);

/* Inject #GP(0) / #UD into the guest. */
void vcpu_inject_gp(struct vcpu *v);
void vcpu_inject_ud(struct vcpu *v);

/* Inject a vector from the gstate_*_check() functions (GSTATE_GP or GSTATE_UD). */
void vcpu_inject_fault(struct vcpu *v, int vector);

/* The guest's CR0/CR3/CR4/EFER, CS.L and CPL, for the gstate_*_check() functions. */
void vcpu_gstate(struct vcpu *v, struct gstate *s);

/*
 * What the guest's CPUID lets it load into CR4, EFER and XCR0 (see
 * core/cpuid.c); the same for every guest, computed once.
 */
const struct gstate_caps *cpuid_guest_caps(void);

#endif
