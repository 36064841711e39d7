// SPDX-License-Identifier: MIT
/* Host tests of the local APIC model: registers, priorities, IPIs, routing, timer, INIT/SIPI. */
#include <hv/errno.h>
#include <hv/vlapic.h>

#include "utest.h"

/* xAPIC MMIO offsets. */
#define ID    0x020
#define VER   0x030
#define TPR   0x080
#define PPR   0x0a0
#define EOI   0x0b0
#define LDR   0x0d0
#define DFR   0x0e0
#define SVR   0x0f0
#define ISR   0x100
#define TMR   0x180
#define IRR   0x200
#define ESR   0x280
#define ICRLO 0x300
#define ICRHI 0x310
#define LVTT  0x320
#define LINT0 0x350
#define LINT1 0x360
#define LVTE  0x370
#define TMICT 0x380
#define TMCCT 0x390
#define TDCR  0x3e0

#define EN    VLAPIC_BASE_EN
#define EXTD  VLAPIC_BASE_EXTD
#define NONE  (~0ULL)

/* 3 GHz TSC and a 1 GHz APIC bus: three TSC ticks per bus clock. */
static void setup(struct vlapic *l, u32 id, bool bsp)
{
	struct vlapic_config cfg = {
		.tsc_hz = 3000000000ULL, .bus_hz = 1000000000ULL, .phys_bits = 46};

	vlapic_init(l, &cfg, id, bsp);
}

static void sw_enable(struct vlapic *l)
{
	vlapic_mmio_write(l, SVR, 0x1ff, 0);
}

static void to_x2apic(struct vlapic *l)
{
	CHECK_EQ(vlapic_set_base(l, VLAPIC_DEFAULT_GPA | EN | EXTD), 0);
}

static struct apic_msg fixed(u8 vector, bool level)
{
	return (struct apic_msg){.vector = vector, .mode = APIC_DM_FIXED, .level = level};
}

static void give(struct vlapic *l, u8 vector)
{
	struct apic_msg m = fixed(vector, false);

	vlapic_accept(l, &m);
}

static bool vec_in(struct vlapic *l, u32 base, u8 v)
{
	return vlapic_mmio_read(l, base + (v / 32u) * 0x10, 0) & (1u << (v % 32));
}

static u64 msr(struct vlapic *l, u32 index)
{
	u64 v = 0xdead;

	CHECK_EQ(vlapic_msr_read(l, index, &v, 0), 0);
	return v;
}

UTEST(vlapic_reset_values)
{
	struct vlapic bsp, ap;

	setup(&bsp, 0, true);
	setup(&ap, 3, false);
	CHECK_EQ(vlapic_get_base(&bsp), 0xfee00900);
	CHECK_EQ(vlapic_get_base(&ap), 0xfee00800);
	CHECK(vlapic_hw_enabled(&ap) && !vlapic_sw_enabled(&ap) && !vlapic_x2apic_mode(&ap));
	CHECK_EQ(vlapic_mmio_read(&ap, ID, 0), 0x03000000);
	CHECK_EQ(vlapic_mmio_read(&ap, VER, 0), 0x00050014);
	CHECK_EQ(vlapic_mmio_read(&ap, SVR, 0), 0xff);
	CHECK_EQ(vlapic_mmio_read(&ap, DFR, 0), 0xffffffff);
	CHECK_EQ(vlapic_mmio_read(&ap, LDR, 0), 0);
	CHECK_EQ(vlapic_mmio_read(&ap, TPR, 0), 0);
	CHECK_EQ(vlapic_mmio_read(&ap, PPR, 0), 0);
	CHECK_EQ(vlapic_mmio_read(&ap, ICRLO, 0), 0);
	CHECK_EQ(vlapic_mmio_read(&ap, TMICT, 0), 0);
	CHECK_EQ(vlapic_mmio_read(&ap, TDCR, 0), 0);
	for (u32 off = LVTT; off <= LVTE; off += 0x10)
		CHECK_EQ(vlapic_mmio_read(&ap, off, 0), 0x10000);
	for (u32 off = ISR; off < ISR + 0x180; off += 0x10)
		CHECK_EQ(vlapic_mmio_read(&ap, off, 0), 0);
	CHECK_EQ(vlapic_pending_vector(&ap), -1);
	CHECK_EQ(vlapic_next_deadline(&ap), NONE);
}

UTEST(vlapic_sw_disabled_drops_fixed_keeps_nmi)
{
	struct vlapic l;
	struct apic_msg nmi = {.mode = APIC_DM_NMI};

	setup(&l, 1, false);
	give(&l, 0x40);
	vlapic_accept(&l, &nmi);
	CHECK(!vec_in(&l, IRR, 0x40));
	CHECK(vlapic_has_nmi(&l));
	CHECK(vlapic_take_nmi(&l));
	CHECK(!vlapic_take_nmi(&l));
	sw_enable(&l);
	give(&l, 0x40);
	CHECK(vec_in(&l, IRR, 0x40));
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
}

UTEST(vlapic_svr_masks_lvts)
{
	struct vlapic l;

	setup(&l, 0, true);
	vlapic_mmio_write(&l, LVTT, 0x20, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LVTT, 0), 0x10020); /* disabled: mask stays */
	sw_enable(&l);
	vlapic_mmio_write(&l, LVTT, 0x20, 0);
	vlapic_mmio_write(&l, LINT0, 0x700, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LVTT, 0), 0x20);
	CHECK_EQ(vlapic_mmio_read(&l, LINT0, 0), 0x700);
	vlapic_mmio_write(&l, SVR, 0xff, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LVTT, 0), 0x10020);
	CHECK_EQ(vlapic_mmio_read(&l, LINT0, 0), 0x10700);
	vlapic_mmio_write(&l, LVTT, 0x30, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LVTT, 0), 0x10030);
	sw_enable(&l); /* enabling again does not unmask */
	CHECK_EQ(vlapic_mmio_read(&l, LVTT, 0), 0x10030);
	CHECK_EQ(vlapic_mmio_read(&l, SVR, 0), 0x1ff);
	vlapic_mmio_write(&l, SVR, 0xffffffff, 0); /* reserved SVR bits read 0 */
	CHECK_EQ(vlapic_mmio_read(&l, SVR, 0), 0x1ff);
	vlapic_mmio_write(&l, LVTT, 0xffffffff, 0); /* delivery status and bit 19+ read 0 */
	CHECK_EQ(vlapic_mmio_read(&l, LVTT, 0), 0x700ff);
	vlapic_mmio_write(&l, LVTE, 0xffffffff, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LVTE, 0), 0x100ff);
	vlapic_mmio_write(&l, LINT1, 0xffffffff, 0); /* remote IRR is read-only */
	CHECK_EQ(vlapic_mmio_read(&l, LINT1, 0), 0x1a7ff);
}

UTEST(vlapic_ppr_table)
{
	static const struct {
		u8 tpr;
		int isr; /* vector in service, -1 for none */
		u8 ppr;
	} cases[] = {
		{0x00, -1, 0x00},   {0x20, -1, 0x20},	{0x25, -1, 0x25},   {0x10, 0x35, 0x30},
		{0x35, 0x31, 0x35}, {0x30, 0x3f, 0x30}, {0x3f, 0x41, 0x40}, {0x4a, 0x41, 0x4a},
		{0x00, 0xfe, 0xf0}, {0xff, 0xfe, 0xff}, {0xef, 0xf0, 0xf0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vlapic l;

		setup(&l, 0, true);
		sw_enable(&l);
		vlapic_mmio_write(&l, TPR, cases[i].tpr, 0);
		if (cases[i].isr >= 0) {
			give(&l, (u8)cases[i].isr);
			vlapic_ack(&l, (u8)cases[i].isr);
		}
		CHECK_EQ(vlapic_mmio_read(&l, PPR, 0), cases[i].ppr);
		CHECK_EQ(vlapic_ppr(&l), cases[i].ppr);
		CHECK_EQ(vlapic_priority(&l), cases[i].ppr);
	}
}

UTEST(vlapic_pending_against_ppr)
{
	static const struct {
		u8 tpr, irr;
		int pending;
	} cases[] = {
		{0x00, 0x20, 0x20}, {0x1f, 0x20, 0x20}, {0x20, 0x20, -1},
		{0x2f, 0x2e, -1},   {0x40, 0x4f, -1},	{0x40, 0x50, 0x50},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vlapic l;

		setup(&l, 0, true);
		sw_enable(&l);
		vlapic_mmio_write(&l, TPR, cases[i].tpr, 0);
		give(&l, cases[i].irr);
		CHECK_EQ(vlapic_pending_vector(&l), cases[i].pending);
	}
}

UTEST(vlapic_nested_and_eoi_order)
{
	struct vlapic l;

	setup(&l, 0, true);
	sw_enable(&l);
	give(&l, 0x30);
	CHECK_EQ(vlapic_pending_vector(&l), 0x30);
	vlapic_ack(&l, 0x30);
	CHECK(vec_in(&l, ISR, 0x30) && !vec_in(&l, IRR, 0x30));
	give(&l, 0x35); /* same class as the one in service: waits */
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	give(&l, 0x50); /* higher class: nests */
	CHECK_EQ(vlapic_pending_vector(&l), 0x50);
	vlapic_ack(&l, 0x50);
	CHECK_EQ(vlapic_ppr(&l), 0x50);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_mmio_write(&l, EOI, 0, 0); /* ends 0x50, the highest in service */
	CHECK(!vec_in(&l, ISR, 0x50) && vec_in(&l, ISR, 0x30));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_mmio_write(&l, EOI, 0, 0);
	CHECK(!vec_in(&l, ISR, 0x30));
	CHECK_EQ(vlapic_pending_vector(&l), 0x35);
	vlapic_ack(&l, 0x35);
	vlapic_mmio_write(&l, EOI, 0, 0);
	CHECK_EQ(vlapic_ppr(&l), 0);
	CHECK_EQ(vlapic_take_level_eoi(&l), -1); /* all edge */
}

UTEST(vlapic_level_eoi_reported)
{
	struct vlapic l;
	struct apic_msg lvl = fixed(0x61, true);

	setup(&l, 0, true);
	sw_enable(&l);
	vlapic_accept(&l, &lvl);
	give(&l, 0x92);
	CHECK(vec_in(&l, TMR, 0x61) && !vec_in(&l, TMR, 0x92));
	vlapic_ack(&l, 0x92);
	vlapic_mmio_write(&l, EOI, 0, 0);
	CHECK_EQ(vlapic_take_level_eoi(&l), -1);
	vlapic_ack(&l, 0x61);
	vlapic_mmio_write(&l, EOI, 0, 0);
	CHECK_EQ(vlapic_take_level_eoi(&l), 0x61);
	CHECK_EQ(vlapic_take_level_eoi(&l), -1);
	give(&l, 0x61); /* an edge delivery of the vector clears TMR */
	CHECK(!vec_in(&l, TMR, 0x61));
}

UTEST(vlapic_illegal_vector_and_esr_latch)
{
	struct vlapic l;

	setup(&l, 0, true);
	sw_enable(&l);
	give(&l, 5);
	CHECK_EQ(vlapic_mmio_read(&l, IRR, 0), 0);
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), 0); /* not latched before a write */
	vlapic_mmio_write(&l, ESR, 0x1234, 0);
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), VLAPIC_ESR_RECV_ILLEGAL);
	vlapic_mmio_read(&l, 0x040, 0); /* reserved register */
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), VLAPIC_ESR_RECV_ILLEGAL);
	vlapic_mmio_write(&l, ESR, 0, 0);
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), VLAPIC_ESR_ILLEGAL_REG);
	vlapic_mmio_write(&l, ESR, 0, 0);
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), 0);
	/* A sender's illegal vector: nothing goes out. */
	vlapic_mmio_write(&l, ICRLO, 0x0000000f, 0);
	vlapic_mmio_write(&l, ESR, 0, 0);
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), VLAPIC_ESR_SEND_ILLEGAL);
	{
		struct apic_msg m;

		CHECK(!vlapic_take_ipi(&l, &m));
	}
	/* An unmasked LVT error raises its vector. */
	vlapic_mmio_write(&l, LVTE, 0xee, 0);
	give(&l, 1);
	CHECK_EQ(vlapic_pending_vector(&l), 0xee);
}

struct icr_case {
	u32 hi, lo;
	u32 dest;
	u8 vector, mode, shorthand;
	bool logical, level, assert;
};

static const struct icr_case icr_cases[] = {
	{0x03000000, 0x000000ec, 3, 0xec, APIC_DM_FIXED, APIC_SH_NONE, false, false, false},
	{0x03000000, 0x000080ec, 3, 0xec, APIC_DM_FIXED, APIC_SH_NONE, false, false, false},
	{0x0f000000, 0x00000931, 0x0f, 0x31, APIC_DM_LOWEST, APIC_SH_NONE, true, false, false},
	{0x02000000, 0x00000400, 2, 0, APIC_DM_NMI, APIC_SH_NONE, false, false, false},
	{0x02000000, 0x0000c500, 2, 0, APIC_DM_INIT, APIC_SH_NONE, false, true, true},
	{0x02000000, 0x0000069a, 2, 0x9a, APIC_DM_STARTUP, APIC_SH_NONE, false, false, false},
	{0x00000000, 0x00080040, 0, 0x40, APIC_DM_FIXED, APIC_SH_ALL, false, false, false},
	{0x00000000, 0x000c4500, 0, 0, APIC_DM_INIT, APIC_SH_OTHERS, false, false, true},
	{0xff000000, 0x000c0620, 0xff, 0x20, APIC_DM_STARTUP, APIC_SH_OTHERS, false, false, false},
	{0x01000000, 0x00000f22, 1, 0x22, APIC_DM_EXTINT, APIC_SH_NONE, true, false, false},
};

static void check_msg(const struct apic_msg *m, const struct icr_case *c, u32 src, bool x2)
{
	CHECK_EQ(m->dest, c->dest);
	CHECK_EQ(m->src, src);
	CHECK_EQ(m->vector, c->vector);
	CHECK_EQ(m->mode, c->mode);
	CHECK_EQ(m->shorthand, c->shorthand);
	CHECK_EQ(m->logical, c->logical);
	CHECK_EQ(m->level, c->level);
	CHECK_EQ(m->assert, c->assert);
	CHECK_EQ(m->x2apic, x2);
}

UTEST(vlapic_icr_xapic)
{
	for (size_t i = 0; i < ARRAY_SIZE(icr_cases); i++) {
		const struct icr_case *c = &icr_cases[i];
		struct vlapic l;
		struct apic_msg m;

		setup(&l, 7, false);
		sw_enable(&l);
		vlapic_mmio_write(&l, ICRHI, c->hi, 0);
		CHECK(!vlapic_take_ipi(&l, &m)); /* the high half does not send */
		vlapic_mmio_write(&l, ICRLO, c->lo, 0);
		CHECK_EQ(vlapic_mmio_read(&l, ICRLO, 0), c->lo | BIT(12));
		CHECK_EQ(vlapic_mmio_read(&l, ICRHI, 0), c->hi);
		CHECK(vlapic_take_ipi(&l, &m));
		check_msg(&m, c, 7, false);
		CHECK_EQ(vlapic_mmio_read(&l, ICRLO, 0), c->lo); /* delivered */
		CHECK(!vlapic_take_ipi(&l, &m));
	}
}

UTEST(vlapic_icr_self_deassert_and_outbox)
{
	struct vlapic l;
	struct apic_msg m;

	setup(&l, 7, false);
	sw_enable(&l);
	vlapic_mmio_write(&l, ICRHI, 0xffffffff, 0);
	CHECK_EQ(vlapic_mmio_read(&l, ICRHI, 0), 0xff000000);
	vlapic_mmio_write(&l, ICRLO, 0x00040055, 0); /* SELF: straight into IRR */
	CHECK(!vlapic_take_ipi(&l, &m));
	CHECK(vec_in(&l, IRR, 0x55));
	vlapic_mmio_write(&l, ICRLO, 0x00008500, 0); /* INIT level de-assert */
	CHECK(!vlapic_take_ipi(&l, &m));
	for (int i = 0; i < VLAPIC_OUTBOX + 1; i++)
		vlapic_mmio_write(&l, ICRLO, 0x00000400u + (u32)i, 0);
	vlapic_mmio_write(&l, ESR, 0, 0);
	CHECK_EQ(vlapic_mmio_read(&l, ESR, 0), VLAPIC_ESR_SEND_ACCEPT);
	for (int i = 0; i < VLAPIC_OUTBOX; i++) {
		CHECK(vlapic_take_ipi(&l, &m));
		CHECK_EQ(m.vector, i); /* in order */
	}
	CHECK(!vlapic_take_ipi(&l, &m));
}

UTEST(vlapic_icr_x2apic)
{
	for (size_t i = 0; i < ARRAY_SIZE(icr_cases); i++) {
		const struct icr_case *c = &icr_cases[i];
		u64 icr = (u64)0x12345600 << 32 | c->lo;
		struct vlapic l;
		struct apic_msg m;

		setup(&l, 0x123, false);
		sw_enable(&l);
		to_x2apic(&l);
		CHECK_EQ(vlapic_msr_write(&l, 0x830, icr, 0), 0);
		CHECK_EQ(msr(&l, 0x830), icr); /* no delivery-status bit in x2APIC */
		CHECK(vlapic_take_ipi(&l, &m));
		check_msg(&m,
			  &(struct icr_case){.dest = 0x12345600,
					     .vector = c->vector,
					     .mode = c->mode,
					     .shorthand = c->shorthand,
					     .logical = c->logical,
					     .level = c->level,
					     .assert = c->assert},
			  0x123, true);
	}
}

UTEST(vlapic_x2apic_msr_faults)
{
	struct vlapic l;
	u64 v;
	static const u32 reserved[] = {0x800, 0x801, 0x804, 0x809, 0x80c, 0x80e, 0x829,
				       0x82f, 0x831, 0x83a, 0x83d, 0x840, 0x8ff};
	static const u32 read_only[] = {0x802, 0x803, 0x80a, 0x80d, 0x810, 0x818, 0x820, 0x839};

	setup(&l, 0x123, false);
	CHECK_EQ(vlapic_msr_read(&l, 0x802, &v, 0), -EINVAL); /* xAPIC mode */
	CHECK_EQ(vlapic_msr_write(&l, 0x808, 0, 0), -EINVAL);
	sw_enable(&l);
	to_x2apic(&l);
	CHECK_EQ(msr(&l, 0x802), 0x123);
	CHECK_EQ(msr(&l, 0x80d), 0x120008); /* cluster 0x12, bit 3 */
	CHECK_EQ(msr(&l, 0x803), 0x50014);
	CHECK_EQ(msr(&l, 0x80f), 0x1ff);
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		CHECK_EQ(vlapic_msr_read(&l, reserved[i], &v, 0), -EINVAL);
		CHECK_EQ(vlapic_msr_write(&l, reserved[i], 0, 0), -EINVAL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(read_only); i++) {
		CHECK_EQ(vlapic_msr_read(&l, read_only[i], &v, 0), 0);
		CHECK_EQ(vlapic_msr_write(&l, read_only[i], 0, 0), -EINVAL);
	}
	CHECK_EQ(vlapic_msr_read(&l, 0x7ff, &v, 0), -EINVAL);
	CHECK_EQ(vlapic_msr_read(&l, 0x80b, &v, 0), -EINVAL); /* EOI is write-only */
	CHECK_EQ(vlapic_msr_write(&l, 0x80b, 1, 0), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, 0x80b, 0, 0), 0);
	CHECK_EQ(vlapic_msr_write(&l, 0x828, 1, 0), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, 0x828, 0, 0), 0);
	CHECK_EQ(vlapic_msr_write(&l, 0x808, BIT(32) | 0x20, 0), -EINVAL);
	CHECK_EQ(msr(&l, 0x808), 0);
	CHECK_EQ(vlapic_msr_write(&l, 0x808, 0x20, 0), 0);
	CHECK_EQ(msr(&l, 0x808), 0x20);
	CHECK_EQ(vlapic_msr_write(&l, 0x830, BIT(13), 0), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, 0x830, BIT(16) | 0x40, 0), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, 0x830, BIT(20) | 0x40, 0), -EINVAL);
	CHECK_EQ(vlapic_msr_read(&l, 0x83f, &v, 0), -EINVAL); /* SELF IPI is write-only */
	CHECK_EQ(vlapic_msr_write(&l, 0x83f, 0x166, 0), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, 0x83f, 0x66, 0), 0);
	CHECK(msr(&l, 0x823) & BIT(6)); /* IRR 0x66 */
	CHECK_EQ(vlapic_pending_vector(&l), 0x66);
	/* The xAPIC page is gone in x2APIC mode. */
	CHECK_EQ(vlapic_mmio_read(&l, ID, 0), 0);
	vlapic_mmio_write(&l, TPR, 0x40, 0);
	CHECK_EQ(msr(&l, 0x808), 0x20);
}

UTEST(vlapic_base_transitions)
{
	struct vlapic l;
	struct apic_msg m = fixed(0x40, false);

	setup(&l, 5, true);
	CHECK_EQ(vlapic_set_base(&l, 0xfee00000 | EXTD), -EINVAL); /* invalid state */
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN | BIT(9)), -EINVAL);
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN | BIT(0)), -EINVAL);
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN | BIT(46)), -EINVAL); /* above MAXPHYADDR */
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN | BIT(45)), 0);
	CHECK_EQ(vlapic_get_base(&l), 0xfee00100 | EN | BIT(45));
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN), 0);
	vlapic_mmio_write(&l, ID, 0x09000000, 0); /* xAPIC ID is writable */
	CHECK_EQ(vlapic_mmio_read(&l, ID, 0), 0x09000000);
	sw_enable(&l);
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN | EXTD), 0);
	CHECK(vlapic_x2apic_mode(&l));
	CHECK_EQ(msr(&l, 0x802), 5);				 /* x2APIC ID is the initial one */
	CHECK_EQ(msr(&l, 0x80f), 0x1ff);			 /* other registers kept */
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN), -EINVAL); /* x2APIC -> xAPIC */
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100), 0);		 /* global disable */
	CHECK(!vlapic_hw_enabled(&l));
	vlapic_accept(&l, &m);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK(!vlapic_match(&l, &m));
	CHECK_EQ(vlapic_mmio_read(&l, SVR, 0), 0);
	CHECK_EQ(vlapic_set_base(&l, 0xfee00100 | EN | EXTD), -EINVAL); /* disabled -> x2APIC */
	CHECK_EQ(vlapic_set_base(&l, 0xfee00000 | EN), 0);
	CHECK_EQ(vlapic_mmio_read(&l, SVR, 0), 0xff); /* back from disabled: power-up values */
	CHECK_EQ(vlapic_mmio_read(&l, ID, 0), 0x05000000);
	CHECK_EQ(vlapic_get_base(&l), 0xfee00800); /* the BSP flag is as written */
}

static struct apic_msg to(u32 dest, bool logical, bool x2)
{
	return (struct apic_msg){.dest = dest, .logical = logical, .x2apic = x2, .vector = 0x40};
}

UTEST(vlapic_match_destinations)
{
	struct vlapic l, x;
	struct apic_msg m;

	setup(&l, 5, false);
	m = to(5, false, false);
	CHECK(vlapic_match(&l, &m));
	m = to(6, false, false);
	CHECK(!vlapic_match(&l, &m));
	m = to(0xff, false, false);
	CHECK(vlapic_match(&l, &m));
	m = to(0xffffffff, false, true);
	CHECK(vlapic_match(&l, &m));
	m = to(0x105, false, true);
	CHECK(!vlapic_match(&l, &m));

	/* Flat: LDR bit 2. */
	vlapic_mmio_write(&l, LDR, 0x04000000, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LDR, 0), 0x04000000);
	m = to(0x04, true, false);
	CHECK(vlapic_match(&l, &m));
	m = to(0x0c, true, false);
	CHECK(vlapic_match(&l, &m));
	m = to(0x08, true, false);
	CHECK(!vlapic_match(&l, &m));
	m = to(0xff, true, false);
	CHECK(vlapic_match(&l, &m));

	/* Cluster: cluster 2, member bit 0. */
	vlapic_mmio_write(&l, DFR, 0x0fffffff, 0);
	CHECK_EQ(vlapic_mmio_read(&l, DFR, 0), 0x0fffffff);
	vlapic_mmio_write(&l, LDR, 0x21000000, 0);
	m = to(0x21, true, false);
	CHECK(vlapic_match(&l, &m));
	m = to(0x23, true, false);
	CHECK(vlapic_match(&l, &m));
	m = to(0x22, true, false);
	CHECK(!vlapic_match(&l, &m));
	m = to(0x31, true, false);
	CHECK(!vlapic_match(&l, &m));
	m = to(0xf1, true, false); /* all clusters */
	CHECK(vlapic_match(&l, &m));
	m = to(0x04, true, false); /* the flat hit above is no longer one */
	CHECK(!vlapic_match(&l, &m));

	/* x2APIC cluster: ID 0x23 -> LDR 0x00020008. */
	setup(&x, 0x23, false);
	to_x2apic(&x);
	m = to(0x00020008, true, true);
	CHECK(vlapic_match(&x, &m));
	m = to(0x0002000c, true, true);
	CHECK(vlapic_match(&x, &m));
	m = to(0x00020004, true, true);
	CHECK(!vlapic_match(&x, &m));
	m = to(0x00030008, true, true);
	CHECK(!vlapic_match(&x, &m));
	m = to(0xffffffff, true, true);
	CHECK(vlapic_match(&x, &m));
	m = to(0x23, false, true);
	CHECK(vlapic_match(&x, &m));

	/* Shorthands relative to the sender, whatever the destination. */
	m = (struct apic_msg){.dest = 99, .src = 0x23, .shorthand = APIC_SH_SELF};
	CHECK(vlapic_match(&x, &m));
	CHECK(!vlapic_match(&l, &m));
	m.shorthand = APIC_SH_ALL;
	CHECK(vlapic_match(&x, &m) && vlapic_match(&l, &m));
	m.shorthand = APIC_SH_OTHERS;
	CHECK(!vlapic_match(&x, &m));
	CHECK(vlapic_match(&l, &m));
}

/* Timer with the default 3 TSC ticks per bus clock. */
static void timer_setup(struct vlapic *l, u32 lvt, u32 tdcr)
{
	setup(l, 0, true);
	sw_enable(l);
	vlapic_mmio_write(l, LVTT, lvt, 0);
	vlapic_mmio_write(l, TDCR, tdcr, 0);
}

UTEST(vlapic_timer_oneshot)
{
	struct vlapic l;

	timer_setup(&l, 0x40, 0x0); /* divide by 2: 6 TSC per count */
	vlapic_mmio_write(&l, TMICT, 1000, 100);
	CHECK_EQ(vlapic_next_deadline(&l), 6100);
	CHECK_EQ(vlapic_mmio_read(&l, TMICT, 100), 1000);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 100), 1000);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 105), 1000);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 106), 999);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 3100), 500);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 6099), 1);
	vlapic_timer_update(&l, 6099);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_timer_update(&l, 6100);
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 6100), 0);
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	/* Writing 0 stops a running timer. */
	vlapic_mmio_write(&l, TMICT, 10, 7000);
	CHECK_EQ(vlapic_next_deadline(&l), 7060);
	vlapic_mmio_write(&l, TMICT, 0, 7001);
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 7002), 0);
}

UTEST(vlapic_timer_divides)
{
	static const struct {
		u32 tdcr, div;
	} cases[] = {{0x0, 2},	{0x1, 4},  {0x2, 8},   {0x3, 16},
		     {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vlapic l;
		u64 period = 100ULL * cases[i].div * 3;

		timer_setup(&l, 0x40, cases[i].tdcr | 0xf4); /* reserved bits ignored */
		CHECK_EQ(vlapic_mmio_read(&l, TDCR, 0), cases[i].tdcr);
		vlapic_mmio_write(&l, TMICT, 100, 50);
		CHECK_EQ(vlapic_next_deadline(&l), 50 + period);
		CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 50 + period / 4), 75);
		CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 50 + period - 1), 1);
	}
}

UTEST(vlapic_timer_periodic_no_drift)
{
	struct vlapic l;

	timer_setup(&l, 0x20040, 0xb); /* periodic, divide by 1: 30 TSC per 10 counts */
	vlapic_mmio_write(&l, TMICT, 10, 1000);
	CHECK_EQ(vlapic_next_deadline(&l), 1030);
	vlapic_timer_update(&l, 1031); /* a little late */
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	CHECK_EQ(vlapic_next_deadline(&l), 1060); /* from the deadline, not from now */
	vlapic_ack(&l, 0x40);
	vlapic_mmio_write(&l, EOI, 0, 1032);
	vlapic_timer_update(&l, 1100); /* 1060 and 1090 missed: one interrupt */
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	vlapic_ack(&l, 0x40);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_next_deadline(&l), 1120);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 1100), 7);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 1120), 10); /* reloaded */
	CHECK_EQ(vlapic_next_deadline(&l), 1150);
}

UTEST(vlapic_timer_masked_counts)
{
	struct vlapic l;

	timer_setup(&l, 0x10040, 0xb);
	vlapic_mmio_write(&l, TMICT, 10, 0);
	CHECK_EQ(vlapic_next_deadline(&l), NONE); /* nothing to deliver */
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 15), 5);
	vlapic_timer_update(&l, 30);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 31), 0);
	/* Masked by a software disable: same. */
	timer_setup(&l, 0x40, 0xb);
	vlapic_mmio_write(&l, TMICT, 10, 0);
	vlapic_mmio_write(&l, SVR, 0xff, 1);
	vlapic_timer_update(&l, 30);
	CHECK_EQ(vlapic_mmio_read(&l, IRR + 0x20, 31), 0);
}

UTEST(vlapic_timer_tsc_deadline)
{
	struct vlapic l;

	timer_setup(&l, 0x40, 0xb);
	vlapic_set_tsc_deadline(&l, 5000, 0); /* not in deadline mode: ignored */
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 0);
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	vlapic_mmio_write(&l, TMICT, 100, 0);
	CHECK_EQ(vlapic_next_deadline(&l), 300);
	vlapic_mmio_write(&l, LVTT, 0x40041, 10); /* mode change disarms */
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	CHECK_EQ(vlapic_mmio_read(&l, TMICT, 10), 0);
	vlapic_mmio_write(&l, TMICT, 100, 10); /* ignored in deadline mode */
	CHECK_EQ(vlapic_mmio_read(&l, TMICT, 10), 0);
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	vlapic_set_tsc_deadline(&l, 5000, 1000);
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 5000);
	CHECK_EQ(vlapic_next_deadline(&l), 5000);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 2000), 0);
	vlapic_timer_update(&l, 4999);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_timer_update(&l, 5000);
	CHECK_EQ(vlapic_pending_vector(&l), 0x41);
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 0);
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	vlapic_ack(&l, 0x41);
	vlapic_mmio_write(&l, EOI, 0, 5001);
	vlapic_set_tsc_deadline(&l, 6000, 5001);
	vlapic_set_tsc_deadline(&l, 0, 5002); /* disarm */
	vlapic_timer_update(&l, 7000);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_set_tsc_deadline(&l, 100, 7000); /* already past: fires now */
	CHECK_EQ(vlapic_pending_vector(&l), 0x41);
}

UTEST(vlapic_timer_write_quiet_only_when_nothing_fires)
{
	struct vlapic l;

	/* xAPIC, one-shot: the initial count is MMIO there, never this way. */
	timer_setup(&l, 0x40, 0xb);
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 10, 0));
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 5000, 0));
	to_x2apic(&l);
	/* x2APIC one-shot: a count starts a timer, 0 stops it. */
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 10, 100));
	CHECK_EQ(vlapic_next_deadline(&l), 130);
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 0, 101));
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 1ULL << 32, 102)); /* #GP */
	/* The running timer is due: the write must deliver it first, the common way. */
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 10, 200));
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 10, 230));
	CHECK_EQ(vlapic_next_deadline(&l), 230);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 500, 231)); /* not that mode */

	/* TSC-deadline mode: the count is ignored there (the common path says so). */
	CHECK_EQ(vlapic_msr_write(&l, 0x832, 0x40041, 240), 0);
	/* The timer due at 230 fired before the mode change disarmed it. */
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	vlapic_ack(&l, 0x40);
	CHECK_EQ(vlapic_msr_write(&l, VLAPIC_MSR_EOI, 0, 240), 0);
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TMICT, 10, 241));
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 5000, 1000));
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 5000);
	CHECK_EQ(vlapic_next_deadline(&l), 5000);
	/* Moved earlier, later, then off. */
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 3000, 1001));
	CHECK_EQ(vlapic_next_deadline(&l), 3000);
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 9000, 1002));
	CHECK_EQ(vlapic_next_deadline(&l), 9000);
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 0, 1003));
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 0);
	/* A deadline already reached fires at once: not this way. */
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 1004, 1004));
	CHECK_EQ(vlapic_next_deadline(&l), NONE);
	/* Nor a write while the armed one is due, whatever it moves it to. */
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 2000, 1005));
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 9000, 2000));
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 2000);
	vlapic_set_tsc_deadline(&l, 9000, 2000); /* the common path: fires, then arms */
	CHECK_EQ(vlapic_pending_vector(&l), 0x41);
	/* Masked, it still may move: nothing is delivered either way. */
	CHECK_EQ(vlapic_msr_write(&l, 0x832, 0x50041, 2001), 0);
	CHECK(vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 8000, 2002));
	CHECK_EQ(vlapic_get_tsc_deadline(&l), 8000);
	/* A disabled APIC takes no timer writes at all. */
	CHECK_EQ(vlapic_set_base(&l, VLAPIC_DEFAULT_GPA), 0);
	CHECK(!vlapic_timer_write_quiet(&l, VLAPIC_MSR_TSC_DEADLINE, 9000, 2003));
}

UTEST(vlapic_init_then_startup)
{
	struct vlapic l;
	struct apic_msg init = {.mode = APIC_DM_INIT, .assert = true, .level = true};
	struct apic_msg deassert = {.mode = APIC_DM_INIT, .level = true};
	struct apic_msg sipi = {.mode = APIC_DM_STARTUP, .vector = 0x9a};
	u8 v = 0;

	setup(&l, 2, false);
	sw_enable(&l);
	vlapic_mmio_write(&l, ID, 0x07000000, 0);
	vlapic_mmio_write(&l, TPR, 0x30, 0);
	give(&l, 0x50);
	vlapic_accept(&l, &sipi); /* no INIT yet: ignored */
	CHECK(!vlapic_take_sipi(&l, &v));
	vlapic_accept(&l, &deassert);
	CHECK(!vlapic_take_init(&l));
	vlapic_accept(&l, &init);
	CHECK(vlapic_take_init(&l));
	CHECK(!vlapic_take_init(&l));
	CHECK_EQ(vlapic_mmio_read(&l, ID, 0), 0x07000000); /* kept */
	CHECK_EQ(vlapic_mmio_read(&l, SVR, 0), 0xff);	   /* reset */
	CHECK_EQ(vlapic_mmio_read(&l, TPR, 0), 0);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_get_base(&l), 0xfee00800);
	vlapic_accept(&l, &sipi);
	CHECK(vlapic_take_sipi(&l, &v));
	CHECK_EQ(v, 0x9a);
	vlapic_accept(&l, &sipi); /* running again: a second STARTUP is ignored */
	CHECK(!vlapic_take_sipi(&l, &v));
}

UTEST(vlapic_lint_pins)
{
	struct vlapic l;

	setup(&l, 0, true);
	sw_enable(&l);
	vlapic_mmio_write(&l, LINT0, 0x700, 0); /* ExtINT */
	vlapic_mmio_write(&l, LINT1, 0x400, 0); /* NMI */
	vlapic_lint(&l, 0, true);
	CHECK(vlapic_take_extint(&l));
	CHECK(!vlapic_take_extint(&l));
	vlapic_lint(&l, 1, true);
	CHECK(vlapic_take_nmi(&l));
	vlapic_lint(&l, 1, true); /* no new edge */
	CHECK(!vlapic_take_nmi(&l));
	vlapic_lint(&l, 1, false);
	vlapic_lint(&l, 1, true);
	CHECK(vlapic_take_nmi(&l));
	vlapic_mmio_write(&l, LINT1, 0x10400, 0);
	vlapic_lint(&l, 1, false);
	vlapic_lint(&l, 1, true);
	CHECK(!vlapic_take_nmi(&l));
	/* Level-triggered fixed: remote IRR until the EOI. */
	vlapic_mmio_write(&l, LINT0, 0x8033, 0);
	vlapic_lint(&l, 0, true);
	CHECK_EQ(vlapic_mmio_read(&l, LINT0, 0), 0xc033);
	CHECK_EQ(vlapic_pending_vector(&l), 0x33);
	vlapic_ack(&l, 0x33);
	vlapic_lint(&l, 0, true);
	CHECK(!vec_in(&l, IRR, 0x33));
	vlapic_mmio_write(&l, EOI, 0, 0);
	CHECK_EQ(vlapic_mmio_read(&l, LINT0, 0), 0x8033);
	CHECK_EQ(vlapic_take_level_eoi(&l), 0x33);
}

UTEST(vlapic_timer_long_count_no_overflow)
{
	/* count * divisor * tsc_hz overflows 64 bits: the conversion must not. */
	struct vlapic_config cfg = {.tsc_hz = 4500000001ULL, .bus_hz = 25000000, .phys_bits = 46};
	struct vlapic l;
	u64 period = 98956046498790ULL; /* floor(0xffffffff * 128 * tsc_hz / bus_hz) */

	vlapic_init(&l, &cfg, 0, true);
	sw_enable(&l);
	vlapic_mmio_write(&l, LVTT, 0x40, 0);
	vlapic_mmio_write(&l, TDCR, 0xa, 0); /* divide by 128 */
	vlapic_mmio_write(&l, TMICT, 0xffffffff, 1000);
	CHECK_EQ(vlapic_next_deadline(&l), 1000 + period);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 1000), 0xffffffff);
	CHECK_EQ(vlapic_mmio_read(&l, TMCCT, 1000 + period / 2), 0x80000000);
	vlapic_timer_update(&l, 1000 + period);
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
}

UTEST(vlapic_quiet_sees_anything_pending)
{
	struct vlapic l;
	struct apic_msg nmi = {.mode = APIC_DM_NMI}, ext = {.mode = APIC_DM_EXTINT};

	setup(&l, 0, true);
	sw_enable(&l);
	CHECK(vlapic_quiet(&l));
	/* A vector below the TPR is not deliverable, yet not quiet: a TPR write may free it. */
	vlapic_mmio_write(&l, TPR, 0xf0, 0);
	give(&l, 0x41);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK(!vlapic_quiet(&l));
	vlapic_mmio_write(&l, TPR, 0, 0);
	vlapic_ack(&l, 0x41);
	CHECK(vlapic_quiet(&l)); /* in service only: nothing to inject */
	vlapic_mmio_write(&l, EOI, 0, 0);
	vlapic_accept(&l, &nmi);
	CHECK(!vlapic_quiet(&l));
	CHECK(vlapic_take_nmi(&l));
	vlapic_accept(&l, &ext);
	CHECK(!vlapic_quiet(&l));
	CHECK(vlapic_take_extint(&l));
	CHECK(vlapic_quiet(&l));
	/* An IPI waiting in the outbox for the platform. */
	vlapic_mmio_write(&l, ICRHI, 1u << 24, 0);
	vlapic_mmio_write(&l, ICRLO, 0x4050, 0);
	CHECK(!vlapic_quiet(&l));
}

/* A vector's bit in the x2APIC register bank at MSR base (ISR 0x810, IRR 0x820). */
static bool x2_in(struct vlapic *l, u32 base, u8 v)
{
	return msr(l, base + v / 32u) & (1u << (v % 32));
}

UTEST(vlapic_eoi_quiet_only_when_nothing_else_changes)
{
	struct vlapic l;
	struct apic_msg lvl = fixed(0x61, true);

	setup(&l, 0, true);
	sw_enable(&l);
	/* xAPIC mode: the MMIO EOI never comes this way. */
	give(&l, 0x41);
	vlapic_ack(&l, 0x41);
	CHECK(!vlapic_eoi_quiet(&l));
	CHECK(vec_in(&l, ISR, 0x41));
	vlapic_mmio_write(&l, EOI, 0, 0);

	to_x2apic(&l);
	CHECK(!x2_in(&l, 0x810, 0x41));
	/* Nothing in service: left to the common path (it is a no-op there). */
	CHECK(!vlapic_eoi_quiet(&l));
	/* An edge vector in service, nothing requested: the ISR bit goes, nothing else. */
	give(&l, 0x41);
	vlapic_ack(&l, 0x41);
	CHECK(vlapic_eoi_quiet(&l));
	CHECK(!x2_in(&l, 0x810, 0x41));
	CHECK_EQ(vlapic_ppr(&l), 0);
	CHECK_EQ(vlapic_take_level_eoi(&l), -1);
	/* Another vector requested, even below the one in service: untouched. */
	give(&l, 0x81);
	vlapic_ack(&l, 0x81);
	give(&l, 0x41);
	CHECK(!vlapic_eoi_quiet(&l));
	CHECK(x2_in(&l, 0x810, 0x81) && x2_in(&l, 0x820, 0x41));
	CHECK_EQ(vlapic_msr_write(&l, VLAPIC_MSR_EOI, 0, 0), 0);
	CHECK(!x2_in(&l, 0x810, 0x81));
	vlapic_ack(&l, 0x41);
	CHECK(vlapic_eoi_quiet(&l));
	/* A level vector in service: its EOI goes to the I/O APIC, the common way. */
	vlapic_accept(&l, &lvl);
	vlapic_ack(&l, 0x61);
	CHECK(!vlapic_eoi_quiet(&l));
	CHECK(x2_in(&l, 0x810, 0x61));
	CHECK_EQ(vlapic_msr_write(&l, VLAPIC_MSR_EOI, 0, 0), 0);
	CHECK_EQ(vlapic_take_level_eoi(&l), 0x61);
}
