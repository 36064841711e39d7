// SPDX-License-Identifier: MIT
/* vCPU helpers shared by the exit handlers: registers, RIP advance, guest memory reads. */
#include <arch/x86.h>
#include <hv/errno.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/insn.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <hv/vm.h>

#include "handlers.h"

#define PTE_P	 BIT(0)
#define PTE_PS	 BIT(7)
#define PTE_ADDR 0x000ffffffffff000ULL

void vcpu_reset(struct vcpu *v, struct vm *vm, u32 id)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->last_cpu = -1;
	v->sipi_vector = -1;
}

void vcpu_init_platform(struct vcpu *v)
{
	msr_vcpu_init(v);
	/* FNINIT state: x87 control word 0x37f, MXCSR 0x1f80 (FXSAVE layout). */
	*(u16 *)(void *)&v->fpu[0] = 0x37f;
	*(u32 *)(void *)&v->fpu[24] = 0x1f80;
}

u64 *vcpu_gpr(struct vcpu *v, unsigned index)
{
	struct gprs *r = &v->regs;

	/* x86 encoding order; RSP lives in the VMCB/VMCS, not here. */
	switch (index) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	case 15: return &r->r15;
	default: return NULL;
	}
}

static int read_pte(struct vcpu *v, gpa_t table, u64 index, unsigned size, u64 *pte)
{
	*pte = 0;
	return vm_read(v->vm, table + index * size, pte, size);
}

/*
 * Translate a guest-linear address through the guest's own page tables:
 * 4-level (long mode), PAE, or 2-level 32-bit paging. Permission bits are not
 * checked: the CPU already fetched the instruction we are decoding.
 */
static int guest_linear_to_gpa(struct vcpu *v, u64 la, gpa_t *gpa)
{
	u64 cr0 = hvm->get_reg(v, VCPU_REG_CR0), cr4 = hvm->get_reg(v, VCPU_REG_CR4);
	u64 efer = hvm->get_reg(v, VCPU_REG_EFER), table, pte;
	bool pae = !(efer & EFER_LMA) && (cr4 & X86_CR4_PAE);
	int levels = (efer & EFER_LMA) ? 4 : pae ? 3 : 2;
	int bits = levels == 2 ? 10 : 9;
	unsigned size = levels == 2 ? 4 : 8;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = la;
		return 0;
	}
	table = hvm->get_reg(v, VCPU_REG_CR3) & (pae ? 0xffffffe0ULL : PTE_ADDR);
	for (int l = levels; l >= 1; l--) {
		int shift = 12 + bits * (l - 1);
		u64 index = (la >> shift) & ((1ULL << bits) - 1);

		if (pae && l == 3)
			index = (la >> 30) & 3; /* the 4-entry PDPT */
		if (read_pte(v, table, index, size, &pte) || !(pte & PTE_P))
			return -EFAULT;
		if ((l == 2 || (l == 3 && !pae)) && (pte & PTE_PS)) {
			u64 page = 1ULL << shift;

			*gpa = (pte & PTE_ADDR & ~(page - 1)) | (la & (page - 1));
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	*gpa = table | (la & 0xfff);
	return 0;
}

/* Copy up to n bytes of guest code at linear address la; returns how many were read. */
static u32 fetch_code(struct vcpu *v, u64 la, u8 *buf, u32 n)
{
	u32 got = 0;

	while (got < n) {
		gpa_t gpa;
		u32 chunk = (u32)MIN((u64)(n - got), PAGE_SIZE - ((la + got) & 0xfff));

		if (guest_linear_to_gpa(v, la + got, &gpa) || vm_read(v->vm, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

u64 vcpu_guest_tsc(const struct vcpu *v)
{
	return rdtsc() + (u64)v->tsc_offset;
}

void vcpu_write_tsc(struct vcpu *v, u64 val)
{
	v->tsc_offset = (s64)(val - rdtsc());
	hvm->set_tsc_offset(v, v->tsc_offset);
}

u32 vcpu_fetch_insn(struct vcpu *v, u8 *buf, u32 n)
{
	u64 la = hvm->get_reg(v, VCPU_REG_CS_BASE) + hvm->get_reg(v, VCPU_REG_RIP);

	return fetch_code(v, la, buf, n);
}

/*
 * For a crash report: each level of the guest's walk of la (4-level paging),
 * with the frame that backs each table, so a table that went bad shows.
 */
void vcpu_dump_walk(struct vcpu *v, u64 la)
{
	u64 table = hvm->get_reg(v, VCPU_REG_CR3) & PTE_ADDR;

	for (int l = 4; l >= 1; l--) {
		u64 index = (la >> (12 + 9 * (l - 1))) & 511, pte = 0;
		hpa_t hpa = demand_gpa_to_hpa(&v->vm->mem, table, false, NULL);

		read_pte(v, table, index, 8, &pte);
		pr_err("vm %s: walk 0x%llx level %d: table gpa 0x%llx hpa 0x%llx [%llu] = 0x%llx\n",
		       v->vm->cfg.name, la, l, table, hpa, index, pte);
		if (!(pte & PTE_P) || (l == 2 && (pte & PTE_PS)))
			return;
		table = pte & PTE_ADDR;
	}
}

/*
 * For a crash report: where the guest's own page tables put RIP and RSP, the
 * code bytes at RIP and the top of the stack. Tells a guest whose memory went
 * bad from one whose registers did.
 */
void vcpu_dump_code_stack(struct vcpu *v)
{
	u64 rip = hvm->get_reg(v, VCPU_REG_CS_BASE) + hvm->get_reg(v, VCPU_REG_RIP);
	u64 rsp = hvm->get_reg(v, VCPU_REG_RSP), stack[4] = {0};
	gpa_t rip_gpa = ~0ULL, rsp_gpa = ~0ULL;
	u8 code[8] = {0};
	u32 ncode = fetch_code(v, rip, code, sizeof(code));
	u32 nstack = fetch_code(v, rsp, (u8 *)stack, sizeof(stack));

	guest_linear_to_gpa(v, rip, &rip_gpa);
	guest_linear_to_gpa(v, rsp, &rsp_gpa);
	pr_err("vm %s: vCPU %u: code at 0x%llx (gpa 0x%llx, %u bytes read): %02x %02x %02x %02x "
	       "%02x %02x %02x %02x\n",
	       v->vm->cfg.name, v->id, rip, rip_gpa, ncode, code[0], code[1], code[2], code[3],
	       code[4], code[5], code[6], code[7]);
	pr_err("vm %s: vCPU %u: stack at 0x%llx (gpa 0x%llx, %u bytes read): 0x%llx 0x%llx 0x%llx "
	       "0x%llx\n",
	       v->vm->cfg.name, v->id, rsp, rsp_gpa, nstack, stack[0], stack[1], stack[2],
	       stack[3]);
}

int vcpu_skip_insn(struct vcpu *v, const struct vm_exit *e)
{
	u64 rip = e->rip; /* nothing moves RIP between the exit and this */
	u32 len = e->insn_len;

	if (!len) {
		u8 code[15];
		u32 n = vcpu_fetch_insn(v, code, sizeof(code));

		len = insn_length(code, n, hvm->get_reg(v, VCPU_REG_EFER) & EFER_LMA);
		if (!len)
			return -ENOEXEC;
	}
	hvm->set_reg(v, VCPU_REG_RIP, rip + len);
	return 0;
}

void vcpu_inject_gp(struct vcpu *v)
{
	hvm->inject_event(v, 13, EVENT_EXCEPTION, true, 0);
}

void vcpu_inject_ud(struct vcpu *v)
{
	hvm->inject_event(v, 6, EVENT_EXCEPTION, false, 0);
}

void vcpu_inject_fault(struct vcpu *v, int vector)
{
	if (vector == GSTATE_UD)
		vcpu_inject_ud(v);
	else
		vcpu_inject_gp(v);
}

void vcpu_gstate(struct vcpu *v, struct gstate *s)
{
	*s = (struct gstate){
		.cr0 = hvm->get_reg(v, VCPU_REG_CR0),
		.cr3 = hvm->get_reg(v, VCPU_REG_CR3),
		.cr4 = hvm->get_reg(v, VCPU_REG_CR4),
		.efer = hvm->get_reg(v, VCPU_REG_EFER),
		.cs_long = hvm->get_reg(v, VCPU_REG_CS_LONG),
		.cpl = (u8)hvm->get_reg(v, VCPU_REG_CPL),
	};
}
