// SPDX-License-Identifier: MIT
/* GDT/TSS/IDT set-up and the crash report for exceptions taken in the hypervisor. */
#include <arch/console.h>
#include <arch/traps.h>
#include <arch/x86.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/string.h>

/* 64-bit TSS (SDM Vol. 3A, 8.7): only the IST stack pointers are used. */
struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE	  8192

/* Each CPU needs its own TSS (a busy TSS cannot be loaded twice), hence its own GDT. */
struct cpu_desc {
	u64 gdt[5];
	struct tss tss;
} __aligned(16);

static struct cpu_desc cpu_desc[MAX_CPUS];
static struct idt_gate idt[256] __aligned(16);
static u8 bsp_ist_stacks[3][IST_STACK_SIZE] __aligned(16);
static irq_handler_t irq_handlers[256];
static volatile bool in_crash;

extern char idt_stubs[];
extern char ImageBase[];

static void gdt_build(struct cpu_desc *d)
{
	u64 base = (u64)(uintptr_t)&d->tss;
	u64 limit = sizeof(d->tss) - 1;

	d->gdt[0] = 0;
	d->gdt[1] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	d->gdt[2] = 0x00cf92000000ffffULL; /* data, DPL 0 */
	/* System-segment descriptor, 16 bytes: type 9 (available 64-bit TSS). */
	d->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d->gdt[4] = base >> 32;
}

static void idt_set_gate(unsigned vec, u64 handler, u8 ist)
{
	idt[vec] = (struct idt_gate){
		.offset_lo = (u16)handler,
		.selector = GDT_CODE64,
		.ist = ist,
		.type_attr = 0x8e,
		.offset_mid = (u16)(handler >> 16),
		.offset_hi = (u32)(handler >> 32),
	};
}

static void idt_build(void)
{
	u64 stubs = (u64)(uintptr_t)idt_stubs;

	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, stubs + 16 * v, 0);
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DOUBLE_FAULT;
	idt[18].ist = IST_MACHINE_CHECK;
}

void traps_init_cpu(u32 cpu, void *ist_area)
{
	struct cpu_desc *d = &cpu_desc[cpu];
	struct desc_ptr gp = {sizeof(d->gdt) - 1, (u64)(uintptr_t)d->gdt};
	struct desc_ptr ip = {sizeof(idt) - 1, (u64)(uintptr_t)idt};
	u8 *ist = ist_area ? ist_area : (u8 *)bsp_ist_stacks;

	for (int i = 0; i < 3; i++)
		d->tss.ist[i] = (u64)(uintptr_t)(ist + (u64)(i + 1) * IST_STACK_SIZE);
	d->tss.iomap_base = sizeof(d->tss);
	gdt_build(d);
	if (cpu == 0)
		idt_build();
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3\n\t"
			 "lidt %4"
			 :
			 : "m"(gp), "i"(GDT_CODE64), "i"(GDT_DATA), "r"(GDT_TSS), "m"(ip)
			 : "rax", "memory");
}

void traps_set_irq_handler(u8 vector, irq_handler_t fn)
{
	irq_handlers[vector] = fn;
}

static const char *const exception_names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization",
	"#CP control protection",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security",
	"reserved 31",
};

void print_stack_trace(u64 rbp)
{
	u64 base = (u64)(uintptr_t)ImageBase;

	printk(LOG_ERR, "stack trace (resolve with addr2line -e build/sprout.elf or sprout.so):\n");
	for (int depth = 0; depth < 32 && rbp; depth++) {
		const u64 *fp = (const u64 *)(uintptr_t)rbp;
		u64 ret;

		/* Only follow frame pointers that look like our stacks: aligned, low, growing up. */
		if (!IS_ALIGNED(rbp, 8) || rbp >= GiB(64))
			break;
		ret = fp[1];
		if (!ret)
			break;
		printk(LOG_ERR, "  #%d 0x%016llx sprout+0x%llx\n", depth, ret, ret - base);
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
}

static void crash_report(const struct trap_frame *f)
{
	const char *name = f->vector < 32 ? exception_names[f->vector] : "interrupt";

	printk(LOG_ERR, "\n*** SPROUT CRASH ***\n");
	printk(LOG_ERR, "vector %llu (%s) error 0x%llx cr2 0x%llx\n", f->vector, name, f->error,
	       read_cr2());
	printk(LOG_ERR, "rip 0x%016llx (sprout+0x%llx) cs 0x%llx rflags 0x%llx\n", f->rip,
	       f->rip - (u64)(uintptr_t)ImageBase, f->cs, f->rflags);
	printk(LOG_ERR, "rsp 0x%016llx ss 0x%llx cr0 0x%llx cr3 0x%llx cr4 0x%llx\n", f->rsp, f->ss,
	       read_cr0(), read_cr3(), read_cr4());
	printk(LOG_ERR, "rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n", f->rax, f->rbx,
	       f->rcx, f->rdx);
	printk(LOG_ERR, "rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx r8  0x%016llx\n", f->rsi, f->rdi,
	       f->rbp, f->r8);
	printk(LOG_ERR, "r9  0x%016llx r10 0x%016llx r11 0x%016llx r12 0x%016llx\n", f->r9, f->r10,
	       f->r11, f->r12);
	printk(LOG_ERR, "r13 0x%016llx r14 0x%016llx r15 0x%016llx\n", f->r13, f->r14, f->r15);
	printk(LOG_ERR, "image base 0x%llx\n", (u64)(uintptr_t)ImageBase);
	print_stack_trace(f->rbp);
}

void trap_handler(struct trap_frame *f)
{
	if (f->vector >= 32 && irq_handlers[f->vector]) {
		irq_handlers[f->vector](f);
		return;
	}
	if (f->vector >= 32) {
		pr_warn("traps: unexpected interrupt vector %llu\n", f->vector);
		return;
	}
	/* One report at a time; a second CPU faulting meanwhile just stops. */
	if (__atomic_exchange_n(&in_crash, true, __ATOMIC_ACQ_REL)) {
		console_write("\n*** nested fault during crash report ***\n", 42);
		cpu_halt_forever();
	}
	printk_emergency();
	crash_report(f);
	printk(LOG_ERR, "*** CPU halted ***\n");
	cpu_halt_forever();
}
