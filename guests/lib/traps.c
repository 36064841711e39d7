/* SPDX-License-Identifier: MIT */
/* Exception handling for test guests: report and exit on a crash, or recover an expected fault. */
#include "guest.h"
#include "internal.h"
#include "x86.h"

#define IDT_VECTORS	   32	/* exceptions, with a stub each in isr.S */
#define IDT_ENTRIES	   256	/* the rest are empty unless traps_set_gate() fills them */
#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define IDT_DPL_SHIFT	   5
#define SEL_CODE64	   0x08

/* Saved by isr.S, lowest address first. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct extable_entry {
	u64 start, end;
};

extern const u64 isr_stub_table[IDT_VECTORS];
extern const struct extable_entry __extable_start[], __extable_end[];

struct guest_fault guest_fault = {.vector = GUEST_NO_FAULT};

static struct idt_entry idt[IDT_ENTRIES] __aligned(16);

static const char *const vector_names[IDT_VECTORS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#??", "#TS",
	"#NP", "#SS", "#GP", "#PF", "#??", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *x86_vector_name(unsigned int vector)
{
	if (vector >= IDT_VECTORS || !vector_names[vector])
		return "#??";
	return vector_names[vector];
}

static void set_gate(unsigned int vector, u64 addr, unsigned int dpl)
{
	idt[vector] = (struct idt_entry){
		.offset_lo = (u16)addr,
		.selector = SEL_CODE64,
		.type = (u8)(IDT_INTERRUPT_GATE | dpl << IDT_DPL_SHIFT),
		.offset_mid = (u16)(addr >> 16),
		.offset_hi = (u32)(addr >> 32),
	};
}

void traps_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = {sizeof(idt) - 1, (u64)idt};

	for (unsigned int i = 0; i < IDT_VECTORS; i++)
		set_gate(i, isr_stub_table[i], 0);
	asm volatile("lidt %0" : : "m"(idtr));
}

void traps_set_gate(unsigned int vector, void (*handler)(void), unsigned int dpl)
{
	if (vector >= IDT_VECTORS && vector < IDT_ENTRIES)
		set_gate(vector, (u64)handler, dpl & 3);
}

static u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Resume after the ASM_TRY() region holding rip; false when rip is in none. */
static bool fixup(struct trap_frame *f, u64 cr2)
{
	/* The linker places the table between the two symbols. */
	// cppcheck-suppress comparePointers
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (f->rip < e->start || f->rip >= e->end)
			continue;
		guest_fault = (struct guest_fault){
			.vector = (int)f->vector,
			.error = f->error,
			.rip = f->rip,
			.cr2 = cr2,
		};
		f->rip = e->end;
		return true;
	}
	return false;
}

void trap_handler(struct trap_frame *f)
{
	static bool in_crash;
	u64 cr2 = f->vector == X86_PF ? read_cr2() : 0;

	if (fixup(f, cr2))
		return;
	/* A fault while reporting a fault: report nothing more, just stop. */
	if (in_crash)
		guest_exit(GUEST_EXIT_CRASH);
	in_crash = true;
	printf("guest: exception %llu error 0x%llx at RIP 0x%llx (%s)\n", f->vector, f->error,
	       f->rip, x86_vector_name((unsigned int)f->vector));
	printf("guest: rsp 0x%llx rflags 0x%llx cr2 0x%llx rax 0x%llx\n", f->rsp, f->rflags, cr2,
	       f->rax);
	guest_exit(GUEST_EXIT_CRASH);
}
