// SPDX-License-Identifier: MIT
/* Common VM-exit dispatch: one table from enum exit_reason to its handler. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/demand.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/gpmap.h>
#include <hv/hvm.h>
#include <hv/mmio_insn.h>
#include <hv/lifecycle.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "handlers.h"

typedef enum exit_action (*exit_handler_t)(struct vcpu *v, struct vm_exit *e);

static const char *const reason_names[EXIT_REASON_COUNT] = {
	[EXIT_NONE] = "backend-only", /* windows, IRET, emulated in the vendor code */
	[EXIT_CPUID] = "cpuid",
	[EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr",
	[EXIT_MSR_WRITE] = "wrmsr",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_S2_FAULT] = "stage-2 fault",
	[EXIT_HLT] = "hlt",
	[EXIT_EXTINT] = "external interrupt",
	[EXIT_SHUTDOWN] = "triple fault",
	[EXIT_EXCEPTION] = "exception",
	[EXIT_VIRT_INSN] = "virtualization instruction",
	[EXIT_INVALID] = "invalid guest state",
	[EXIT_S2_MISCONFIG] = "stage-2 misconfiguration",
	[EXIT_PAUSE] = "pause",
	[EXIT_XSETBV] = "xsetbv",
	[EXIT_INIT_SIPI] = "init/sipi",
	[EXIT_UNKNOWN] = "unknown",
};

const char *exit_reason_name(enum exit_reason r)
{
	return r < EXIT_REASON_COUNT && reason_names[r] ? reason_names[r] : "?";
}

static const char *access_name(u8 access)
{
	return access & S2_ACCESS_EXEC ? "fetch" : access & S2_ACCESS_WRITE ? "write" : "read";
}

static enum exit_action handle_io(struct vcpu *v, struct vm_exit *e)
{
	u32 val = (u32)v->regs.rax;
	enum exit_action act;

	if (e->io.string || (e->io.size != 1 && e->io.size != 2 && e->io.size != 4)) {
		vm_stop(v->vm, VM_STOP_CRASH, -1,
			"string or malformed port I/O (port 0x%x) is not supported, rip 0x%llx",
			e->io.port, e->rip);
		return EXIT_STOP_VM;
	}
	act = vdev_port_io(v, e->io.port, e->io.size, e->io.in, &val);
	if (act != EXIT_RESUME)
		return act;
	if (e->io.in) {
		u64 mask = e->io.size == 4 ? 0xffffffffULL : (1ULL << (e->io.size * 8)) - 1;

		/* IN to AL/AX keeps the other bits of RAX; IN to EAX zero-extends. */
		v->regs.rax = e->io.size == 4 ? val : (v->regs.rax & ~mask) | (val & mask);
	}
	return exit_resume_after(v, e);
}

int exit_decode_mmio(struct vcpu *v, struct mmio_insn *d)
{
	u8 code[15];
	u32 n = vcpu_fetch_insn(v, code, sizeof(code));
	int mode = hvm->get_reg(v, VCPU_REG_MODE64)		  ? 64
		   : (hvm->get_reg(v, VCPU_REG_CR0) & X86_CR0_PE) ? 32
								  : 16;

	return mmio_insn_decode(code, n, mode, d);
}

/*
 * A write to the firmware ROM (mapped read-only): dropped, as a PC's ROM
 * drops it. The instruction is decoded only for its length.
 */
static enum exit_action rom_write(struct vcpu *v, struct vm_exit *e)
{
	struct mmio_insn d;

	if (exit_decode_mmio(v, &d) || !d.mem_write) {
		vm_stop(v->vm, VM_STOP_CRASH, -1,
			"write to the firmware ROM at GPA 0x%llx by an instruction Sprout cannot "
			"decode, at rip 0x%llx",
			e->s2.gpa, e->rip);
		return EXIT_STOP_VM;
	}
	e->insn_len = d.len;
	return exit_resume_after(v, e);
}

/* A general register by number; RSP lives in the VMCB/VMCS. */
static u64 gpr_get(struct vcpu *v, unsigned reg)
{
	u64 *p = vcpu_gpr(v, reg);

	return p ? *p : hvm->get_reg(v, VCPU_REG_RSP);
}

static void gpr_set(struct vcpu *v, unsigned reg, u64 val)
{
	u64 *p = vcpu_gpr(v, reg);

	if (p)
		*p = val;
	else
		hvm->set_reg(v, VCPU_REG_RSP, val);
}

/*
 * Log an access let through to nothing: at most UNASSIGNED_LOG_BURST lines
 * per VM and second, the next line counting those left out. vCPUs of one VM
 * race here without a lock; the worst case is a line more or less.
 */
#define UNASSIGNED_LOG_BURST 4

static void unassigned_log(struct vcpu *v, const struct vm_exit *e, const char *what)
{
	struct vm *vm = v->vm;
	u64 now = rdtsc();
	u32 quiet;

	vm->unassigned_hits++;
	if (now - vm->unassigned_log_tsc >= tsc_khz * 1000) {
		vm->unassigned_log_tsc = now;
		vm->unassigned_logged = 0;
	}
	if (vm->unassigned_logged >= UNASSIGNED_LOG_BURST) {
		vm->unassigned_quiet++;
		return;
	}
	vm->unassigned_logged++;
	quiet = vm->unassigned_quiet;
	vm->unassigned_quiet = 0;
	if (quiet)
		pr_warn("vm %s: %s of unassigned GPA 0x%llx at rip 0x%llx: %s (and %u accesses "
			"not logged before it)\n",
			vm->cfg.name, access_name(e->s2.access), e->s2.gpa, e->rip, what, quiet);
	else
		pr_warn("vm %s: %s of unassigned GPA 0x%llx at rip 0x%llx: %s\n", vm->cfg.name,
			access_name(e->s2.access), e->s2.gpa, e->rip, what);
}

/*
 * A read or write where nothing is (a gap of the map, RAM beyond the VM's
 * size) with unassigned = ignore: as on a PC, a load gets all-ones of its
 * size (extended as the instruction extends it), a store is dropped, an ALU
 * op computes with all-ones and sets RFLAGS; then RIP steps over it.
 */
static enum exit_action unassigned_access(struct vcpu *v, struct vm_exit *e)
{
	u64 ones, rflags;
	struct mmio_insn d;

	if (exit_decode_mmio(v, &d) || d.op == MMIO_OP_MOVS || d.op == MMIO_OP_STOS) {
		vm_stop(v->vm, VM_STOP_CRASH, -1,
			"%s of unassigned GPA 0x%llx by an instruction Sprout does not emulate, at "
			"rip 0x%llx",
			access_name(e->s2.access), e->s2.gpa, e->rip);
		return EXIT_STOP_VM;
	}
	ones = d.size == 8 ? ~0ULL : (1ULL << (d.size * 8)) - 1;
	if (d.sets_flags) {
		rflags = hvm->get_reg(v, VCPU_REG_RFLAGS);
		ones = mmio_insn_alu(&d, ones, mmio_insn_operand(&d, gpr_get(v, d.reg)), &rflags);
		hvm->set_reg(v, VCPU_REG_RFLAGS, rflags);
	}
	if (d.reg_write && d.has_reg)
		gpr_set(v, d.reg, mmio_insn_merge(&d, gpr_get(v, d.reg), ones));
	unassigned_log(v, e, d.mem_read ? "read as all-ones" : "write dropped");
	e->insn_len = d.len;
	return exit_resume_after(v, e);
}

static enum exit_action handle_s2_fault(struct vcpu *v, struct vm_exit *e)
{
	struct vm *vm = v->vm;
	gpa_t gpa = e->s2.gpa;
	enum demand_result r = demand_fault(&vm->mem, gpa);

	switch (r) {
	case DEMAND_MAPPED:
	case DEMAND_PRESENT: return EXIT_RESUME;
	case DEMAND_NOT_RAM:
		if (gpmap_find(&vm->mem.map, gpa)->kind == GPMAP_MMIO)
			return vdev_mmio(v, e, gpmap_find(&vm->mem.map, gpa)->dev);
		if (gpmap_find(&vm->mem.map, gpa)->kind == GPMAP_ROM &&
		    (e->s2.access & S2_ACCESS_WRITE))
			return rom_write(v, e);
		/* Running from nothing would run 0xff bytes on a PC: no use to anyone. */
		if (gpmap_find(&vm->mem.map, gpa)->kind == GPMAP_UNASSIGNED &&
		    vm->cfg.unassigned == UNASSIGNED_IGNORE && !(e->s2.access & S2_ACCESS_EXEC))
			return unassigned_access(v, e);
		vm_stop(vm, VM_STOP_CRASH, -1,
			"%s of GPA 0x%llx outside guest RAM (%llu MiB) at rip 0x%llx",
			access_name(e->s2.access), gpa, vm->mem.ram_size >> 20, e->rip);
		return EXIT_STOP_VM;
	case DEMAND_OVER_QUOTA:
	case DEMAND_NO_MEMORY:
		return vm_wait_for_memory(v, r == DEMAND_NO_MEMORY,
					  demand_fault_need(&vm->mem, gpa), gpa, e->rip,
					  access_name(e->s2.access));
	case DEMAND_UNBACKED: break; /* only demand_gpa_to_hpa() without commit says this */
	}
	vm_stop(vm, VM_STOP_CRASH, -1, "BUG: unexpected demand result for GPA 0x%llx", gpa);
	return EXIT_STOP_VM;
}

enum exit_action exit_resume_after(struct vcpu *v, struct vm_exit *e)
{
	if (!vcpu_skip_insn(v, e))
		return EXIT_RESUME;
	vm_stop(v->vm, VM_STOP_CRASH, -1, "cannot decode the %s instruction at rip 0x%llx",
		exit_reason_name(e->reason), e->rip);
	return EXIT_STOP_VM;
}

static enum exit_action handle_hlt(struct vcpu *v, struct vm_exit *e)
{
	if (exit_resume_after(v, e) != EXIT_RESUME)
		return EXIT_STOP_VM;
	/* The next entry (vplat_vcpu_entry()) blocks v until an interrupt can wake it. */
	v->halted = true;
	if (!(hvm->get_reg(v, VCPU_REG_RFLAGS) & X86_RFLAGS_IF))
		pr_info("vm %s: vCPU %u halted with interrupts off at rip 0x%llx (only an NMI "
			"wakes it)\n",
			v->vm->cfg.name, v->id, e->rip);
	return EXIT_RESUME;
}

static enum exit_action handle_resume(struct vcpu *v, struct vm_exit *e)
{
	return EXIT_RESUME;
}

static enum exit_action handle_skip(struct vcpu *v, struct vm_exit *e)
{
	return exit_resume_after(v, e);
}

/*
 * XSAVE is hidden from guests (core/cpuid.c), so XSETBV raises #UD as on a CPU
 * without it; should a guest ever pass the checks, it still gets #UD, since
 * guest XCR0 is not switched.
 */
static enum exit_action handle_xsetbv(struct vcpu *v, struct vm_exit *e)
{
	struct gstate s;
	int vector;

	vcpu_gstate(v, &s);
	vector = gstate_xsetbv_check(&s, cpuid_guest_caps(), (u32)v->regs.rcx,
				     (v->regs.rdx << 32) | (u32)v->regs.rax);
	vcpu_inject_fault(v, vector == GSTATE_OK ? GSTATE_UD : vector);
	return EXIT_RESUME;
}

static u64 exit_detail(const struct vcpu *v, const struct vm_exit *e)
{
	switch (e->reason) {
	case EXIT_IO: return e->io.port | (e->io.in ? BIT(16) : 0);
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE: return e->msr.index;
	case EXIT_S2_FAULT: return e->s2.gpa;
	case EXIT_HYPERCALL: return v->regs.rax;
	default: return e->vendor_code;
	}
}

static inline void exit_log_record(struct vcpu *v, const struct vm_exit *e, u64 now)
{
	struct vcpu_exit_rec *r = &v->exit_log[v->exit_log_next++ % VCPU_EXIT_LOG];

	*r = (struct vcpu_exit_rec){.tsc = now,
				    .rip = e->rip,
				    .detail = exit_detail(v, e),
				    .reason = (u8)e->reason,
				    .cpu = (u8)v->run_cpu};
}

/* The exits that led to a crash, oldest first, with the CPU each one ran on. */
static void exit_log_print(struct vcpu *v)
{
	u32 n = MIN(v->exit_log_next, (u32)VCPU_EXIT_LOG);
	const struct vcpu_exit_rec *last = &v->exit_log[(v->exit_log_next - 1) % VCPU_EXIT_LOG];

	pr_err("vm %s: vCPU %u: its last %u exits, oldest first (CPU, microseconds before the "
	       "last):\n",
	       v->vm->cfg.name, v->id, n);
	for (u32 i = v->exit_log_next - n; i != v->exit_log_next; i++) {
		const struct vcpu_exit_rec *r = &v->exit_log[i % VCPU_EXIT_LOG];

		pr_err("  cpu %u -%llu us: %s at rip 0x%llx (0x%llx)\n", r->cpu,
		       tsc_khz ? (last->tsc - r->tsc) * 1000 / tsc_khz : 0,
		       exit_reason_name((enum exit_reason)r->reason), r->rip, r->detail);
	}
	pr_err("vm %s: vCPU %u: cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx rsp 0x%llx "
	       "rflags 0x%llx\n",
	       v->vm->cfg.name, v->id, hvm->get_reg(v, VCPU_REG_CR0), hvm->get_reg(v, VCPU_REG_CR3),
	       hvm->get_reg(v, VCPU_REG_CR4), hvm->get_reg(v, VCPU_REG_EFER),
	       hvm->get_reg(v, VCPU_REG_RSP), hvm->get_reg(v, VCPU_REG_RFLAGS));
	vcpu_dump_code_stack(v);
}

static enum exit_action handle_fatal(struct vcpu *v, struct vm_exit *e)
{
	struct vm *vm = v->vm;

	switch (e->reason) {
	case EXIT_SHUTDOWN:
		exit_log_print(v);
		vm_stop(vm, VM_STOP_CRASH, -1, "triple fault at rip 0x%llx", e->rip);
		break;
	case EXIT_VIRT_INSN:
		vm_stop(vm, VM_STOP_CRASH, -1,
			"executed %s at rip 0x%llx (nested virtualization is not offered)",
			e->insn.name, e->rip);
		break;
	case EXIT_EXCEPTION:
		vm_stop(vm, VM_STOP_CRASH, -1, "exception %u error 0x%x at rip 0x%llx",
			e->exc.vector, e->exc.error, e->rip);
		break;
	case EXIT_INVALID:
		vm_stop(vm, VM_STOP_CRASH, -1,
			"VM entry failed: invalid guest state (detail 0x%llx) at rip 0x%llx",
			e->raw.info, e->rip);
		break;
	case EXIT_S2_MISCONFIG:
		pr_err("BUG: stage-2 misconfiguration at GPA 0x%llx for vm %s\n", e->s2.gpa,
		       vm->cfg.name);
		vm_stop(vm, VM_STOP_CRASH, -1,
			"stage-2 misconfiguration (hypervisor bug) at GPA 0x%llx", e->s2.gpa);
		break;
	default:
		vm_stop(vm, VM_STOP_CRASH, -1, "unhandled exit (vendor code 0x%llx) at rip 0x%llx",
			e->vendor_code, e->rip);
	}
	return EXIT_STOP_VM;
}

static const exit_handler_t exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_NONE] = handle_resume,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_IO] = handle_io,
	[EXIT_MSR_READ] = handle_msr,
	[EXIT_MSR_WRITE] = handle_msr,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_S2_FAULT] = handle_s2_fault,
	[EXIT_HLT] = handle_hlt,
	[EXIT_EXTINT] = handle_resume,
	[EXIT_SHUTDOWN] = handle_fatal,
	[EXIT_EXCEPTION] = handle_fatal,
	[EXIT_VIRT_INSN] = handle_fatal,
	[EXIT_INVALID] = handle_fatal,
	[EXIT_S2_MISCONFIG] = handle_fatal,
	[EXIT_PAUSE] = handle_skip,
	[EXIT_XSETBV] = handle_xsetbv,
	[EXIT_INIT_SIPI] = handle_resume,
	[EXIT_UNKNOWN] = handle_fatal,
};

/*
 * Exits after which the next entry may take vplat_vcpu_entry()'s fast path:
 * they cannot halt v or change its local APIC, and whatever they do to the
 * platform that gives some vCPU an event goes through plat_unlock(), which
 * marks that vCPU. So port I/O (the PIT, PIC, RTC, UART, ACPI registers) and
 * stage-2 faults are among them; the one device a fault reaches that is v's
 * own, the xAPIC page, marks v itself (vdev_mmio()). MSR writes are not
 * (IA32_TSC moves v's deadlines, the x2APIC ones are its APIC), nor are HLT,
 * windows, INIT/SIPI. A host interrupt is: a host timer firing is seen by its
 * own count, an IPI that brought v an interrupt marked v when it was sent.
 */
static bool exit_keeps_events(const struct vm_exit *e)
{
	switch (e->reason) {
	case EXIT_CPUID:
	case EXIT_HYPERCALL:
	case EXIT_EXTINT:
	case EXIT_IO:
	case EXIT_S2_FAULT:
	case EXIT_PAUSE: return true;
	case EXIT_MSR_READ: return !vdev_msr_is_lapic(e->msr.index);
	default: return false;
	}
}

static inline void exit_count(struct vcpu *v, const struct vm_exit *e, u64 now)
{
	v->exits++;
	exit_log_record(v, e, now);
	if (e->reason < ARRAY_SIZE(v->exits_by_reason))
		v->exits_by_reason[e->reason]++;
}

enum exit_action exit_dispatch(struct vcpu *v, struct vm_exit *e)
{
	exit_handler_t fn = e->reason < EXIT_REASON_COUNT ? exit_handlers[e->reason] : NULL;

	if (!exit_keeps_events(e))
		v->plat_dirty = true;
	exit_count(v, e, rdtsc());
	return fn ? fn(v, e) : handle_fatal(v, e);
}

/*
 * What sched_run_slice() checks between an EXIT_RESUME and the next entry
 * comes down to two tests while the vendor's run lasts: interrupts are off,
 * so this CPU's host timer cannot fire and v cannot be woken or moved, and
 * whoever holds, pauses or stops the VM, or gives v an event, marks v
 * (plat_dirty). What is left is time: v's next timer event and the end of
 * its slice, both in quiet.until_tsc (zero when the entry is not quiet).
 */
static inline bool exit_may_reenter(const struct vcpu *v, u64 now)
{
	return now < v->quiet.until_tsc && !__atomic_load_n(&v->plat_dirty, __ATOMIC_SEQ_CST);
}

/*
 * The WRMSRs of a timer interrupt's life: the x2APIC EOI of its handler
 * (non-zero: #GP, the common way) and the programming of the next one.
 */
static bool msr_write_hot(struct vcpu *v, u32 msr)
{
	u64 val = (u64)(u32)v->regs.rdx << 32 | (u32)v->regs.rax;

	if (msr == VLAPIC_MSR_EOI)
		return !val && vdev_lapic_eoi_hot(v);
	return (msr == VLAPIC_MSR_TSC_DEADLINE || msr == VLAPIC_MSR_TMICT) &&
	       vdev_lapic_timer_hot(v, msr, val);
}

bool exit_hot(struct vcpu *v, const struct vm_exit *e)
{
	u64 now = rdtsc();

	if (!exit_may_reenter(v, now))
		return false;
	if (e->reason == EXIT_CPUID) {
		if (!cpuid_from_cache(v, cpuid_slot(v, (u32)v->regs.rax)))
			return false;
	} else if (e->reason == EXIT_HYPERCALL) {
		if (!hypercall_hot(v, e))
			return false;
	} else if (e->reason != EXIT_MSR_WRITE || !msr_write_hot(v, e->msr.index)) {
		return false;
	}
	/* Counted, not logged: the exit log is for crashes, and these only read or move v's own timer. */
	v->exits++;
	v->exits_by_reason[e->reason]++;
	return true;
}
