// SPDX-License-Identifier: MIT
/* Local APIC model per vCPU: xAPIC MMIO and x2APIC MSR registers, IRR/ISR, IPIs, LVTs, timer. */
#include <hv/errno.h>
#include <hv/string.h>
#include <hv/vlapic.h>

/* Register numbers: xAPIC offset >> 4, also x2APIC MSR - 0x800 (SDM Vol. 3A, Table 11-6). */
#define REG_ID	       0x02
#define REG_VERSION    0x03
#define REG_TPR	       0x08
#define REG_APR	       0x09
#define REG_PPR	       0x0a
#define REG_EOI	       0x0b
#define REG_LDR	       0x0d
#define REG_DFR	       0x0e
#define REG_SVR	       0x0f
#define REG_ISR	       0x10
#define REG_TMR	       0x18
#define REG_IRR	       0x20
#define REG_ESR	       0x28
#define REG_ICR_LO     0x30
#define REG_ICR_HI     0x31
#define REG_LVT	       0x32
#define REG_TMICT      0x38
#define REG_TMCCT      0x39
#define REG_TDCR       0x3e
#define REG_SELF       0x3f

#define APIC_VERSION   0x00050014u /* version 0x14, max LVT entry 5: six LVTs, no CMCI */
#define SVR_ENABLE     BIT(8)
#define SVR_MASK       0x1ffu
#define DFR_FLAT       0xfu
#define DFR_ONES       0x0fffffffu

#define LVT_MASKED     BIT(16)
#define LVT_LEVEL      BIT(15)
#define LVT_REMOTE_IRR BIT(14)
#define LVT_MODE(x)    (((x) >> 8) & 7)
#define TIMER_MODE(x)  (((x) >> 17) & 3)

enum timer_mode { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_DEADLINE };

/*
 * ICR low: vector 7:0, delivery mode 10:8, destination mode 11, delivery
 * status 12 (read-only), level 14, trigger mode 15, shorthand 19:18. In
 * x2APIC mode the destination is bits 63:32 and setting bits 31:20, 17:16
 * or 13 faults.
 */
#define ICR_LO_MASK	    0x000ccfffu
#define ICR_BUSY	    BIT(12)
#define ICR_X2APIC_RESERVED 0xfff32000ULL

/* Writable bits of each LVT entry (SDM Vol. 3A, Figure 11-8 "Local Vector Table"). */
static const u32 lvt_writable[VLAPIC_NR_LVT] = {
	[VLAPIC_LVT_TIMER] = 0x000700ff,   /* vector, mask, timer mode */
	[VLAPIC_LVT_THERMAL] = 0x000107ff, /* vector, delivery mode, mask */
	[VLAPIC_LVT_PERF] = 0x000107ff,
	[VLAPIC_LVT_LINT0] = 0x0001a7ff, /* also polarity and trigger mode */
	[VLAPIC_LVT_LINT1] = 0x0001a7ff,
	[VLAPIC_LVT_ERROR] = 0x000100ff,
};

static bool vec_test(const u32 *map, u32 v)
{
	return map[v / 32] & (1u << (v % 32));
}

static void vec_set(u32 *map, u32 v)
{
	map[v / 32] |= 1u << (v % 32);
}

static void vec_clear(u32 *map, u32 v)
{
	map[v / 32] &= ~(1u << (v % 32));
}

static int vec_highest(const u32 *map)
{
	for (int i = 7; i >= 0; i--)
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	return -1;
}

/* a * b / c without overflow in the product, saturating (c == 0 too). */
static u64 mul_div(u64 a, u64 b, u64 c, bool round_up)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	u64 hi = (u64)(p >> 64), lo = (u64)p, q;

	if (hi >= c)
		return ~0ULL;
	/*
	 * hi < c: the quotient fits 64 bits and DIV cannot fault. One DIV, not a
	 * 128-bit divide from libgcc (the hypervisor has none); a timer write
	 * on the exit fast path pays for this.
	 */
	asm("divq %[c]" : "=a"(q), "+d"(hi) : "a"(lo), [c] "rm"(c) : "cc"); /* hi: the remainder */
	if (round_up && hi && q != ~0ULL)
		q++;
	return q;
}

bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->apic_base & VLAPIC_BASE_EN;
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && (l->apic_base & VLAPIC_BASE_EXTD);
}

bool vlapic_sw_enabled(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && (l->svr & SVR_ENABLE);
}

static bool xapic_mode(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && !(l->apic_base & VLAPIC_BASE_EXTD);
}

/* The x2APIC logical ID is derived from the x2APIC ID (SDM Vol. 3A, 11.12.10.2). */
static u32 x2apic_ldr(u32 id)
{
	return (id >> 4) << 16 | 1u << (id & 0xf);
}

static enum timer_mode timer_mode(const struct vlapic *l)
{
	u32 mode = TIMER_MODE(l->lvt[VLAPIC_LVT_TIMER]);

	return mode == 3 ? TIMER_ONESHOT : (enum timer_mode)mode; /* 3 is reserved */
}

/* Divide configuration bits 3,1:0 -> 2, 4, 8, 16, 32, 64, 128, 1 (SDM Figure 11-10). */
static u32 timer_divisor(u32 tdcr)
{
	u32 v = ((tdcr >> 1) & 4) | (tdcr & 3);

	return 1u << ((v + 1) & 7);
}

/* Everything INIT resets: all but the APIC base and the ID (SDM Vol. 3A, 11.4.7.3). */
static void clear_state(struct vlapic *l)
{
	struct vlapic_config cfg = l->cfg;
	u64 base = l->apic_base;
	u32 initial_id = l->initial_id, id = l->id;
	bool lint0 = l->lint_level[0], lint1 = l->lint_level[1];

	memset(l, 0, sizeof(*l));
	l->lint_level[0] = lint0; /* the pins are outside the APIC */
	l->lint_level[1] = lint1;
	l->cfg = cfg;
	l->apic_base = base;
	l->initial_id = initial_id;
	l->id = id;
	l->dfr = ~0u;
	l->svr = 0xff;
	for (int i = 0; i < VLAPIC_NR_LVT; i++)
		l->lvt[i] = LVT_MASKED;
	if (vlapic_x2apic_mode(l))
		l->ldr = x2apic_ldr(id);
}

void vlapic_reset(struct vlapic *l, u32 apic_id, bool bsp)
{
	l->apic_base = VLAPIC_DEFAULT_GPA | VLAPIC_BASE_EN | (bsp ? VLAPIC_BASE_BSP : 0);
	l->initial_id = apic_id;
	l->id = apic_id & 0xff;
	clear_state(l);
}

void vlapic_init(struct vlapic *l, const struct vlapic_config *cfg, u32 apic_id, bool bsp)
{
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	if (l->cfg.phys_bits < 32 || l->cfg.phys_bits > 52)
		l->cfg.phys_bits = 52;
	if (!l->cfg.tsc_hz)
		l->cfg.tsc_hz = 1;
	if (!l->cfg.bus_hz)
		l->cfg.bus_hz = 1;
	vlapic_reset(l, apic_id, bsp);
}

u64 vlapic_get_base(const struct vlapic *l)
{
	return l->apic_base;
}

enum apic_mode { MODE_DISABLED, MODE_INVALID, MODE_XAPIC, MODE_X2APIC };

static enum apic_mode base_mode(u64 base)
{
	return (enum apic_mode)(((base & VLAPIC_BASE_EN) ? 2 : 0) |
				((base & VLAPIC_BASE_EXTD) ? 1 : 0));
}

/* Legal moves are those of SDM Vol. 3A, Figure 11-27 "Local x2APIC State Transitions". */
int vlapic_set_base(struct vlapic *l, u64 value)
{
	u64 reserved = 0x2ffULL | ~((1ULL << l->cfg.phys_bits) - 1);
	enum apic_mode from = base_mode(l->apic_base), to = base_mode(value);

	if ((value & reserved) || to == MODE_INVALID)
		return -EINVAL;
	if ((from == MODE_X2APIC && to == MODE_XAPIC) ||
	    (from == MODE_DISABLED && to == MODE_X2APIC))
		return -EINVAL;
	l->apic_base = value;
	if (to == MODE_DISABLED && from != MODE_DISABLED) {
		/*
		 * Registers are undefined when the APIC is enabled again; give
		 * the power-up ones. The 8-bit xAPIC ID survives.
		 */
		if (from == MODE_X2APIC)
			l->id = l->initial_id & 0xff;
		clear_state(l);
	} else if (from == MODE_XAPIC && to == MODE_X2APIC) {
		l->id = l->initial_id;
		l->ldr = x2apic_ldr(l->id);
	}
	return 0;
}

u8 vlapic_ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	u32 isr = isrv < 0 ? 0 : (u32)isrv;

	/* SDM Vol. 3A, 11.8.3.1 "Task and Processor Priorities". */
	if ((l->tpr & 0xf0) >= (isr & 0xf0))
		return (u8)l->tpr;
	return (u8)(isr & 0xf0);
}

u8 vlapic_priority(const struct vlapic *l)
{
	return vlapic_ppr(l);
}

static void lvt_deliver(struct vlapic *l, enum vlapic_lvt i);

/* Log an error; a newly set bit raises the LVT error interrupt. */
static void raise_error(struct vlapic *l, u32 bit)
{
	bool fresh = !(l->esr_pending & bit);

	l->esr_pending |= bit;
	if (fresh)
		lvt_deliver(l, VLAPIC_LVT_ERROR);
}

static void accept_fixed(struct vlapic *l, u8 vector, bool level)
{
	if (vector < 16) {
		raise_error(l, VLAPIC_ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
}

static void lvt_deliver(struct vlapic *l, enum vlapic_lvt i)
{
	u32 lvt = l->lvt[i];
	u32 mode = (i == VLAPIC_LVT_TIMER || i == VLAPIC_LVT_ERROR) ? APIC_DM_FIXED : LVT_MODE(lvt);

	if (lvt & LVT_MASKED)
		return;
	switch (mode) {
	case APIC_DM_FIXED: accept_fixed(l, (u8)lvt, false); break;
	case APIC_DM_NMI: l->nmi = true; break;
	case APIC_DM_INIT: l->init = true; break;
	case APIC_DM_EXTINT: l->extint = true; break;
	default: break; /* SMI: not modelled */
	}
}

void vlapic_accept(struct vlapic *l, const struct apic_msg *m)
{
	if (!vlapic_hw_enabled(l))
		return;
	switch (m->mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		/* A software-disabled APIC takes only NMI, SMI, INIT and STARTUP (11.4.7.2). */
		if (vlapic_sw_enabled(l))
			accept_fixed(l, m->vector, m->level);
		break;
	case APIC_DM_NMI: l->nmi = true; break;
	case APIC_DM_INIT:
		if (!m->level || m->assert)
			l->init = true;
		break;
	case APIC_DM_STARTUP:
		if (l->init || l->wait_sipi) {
			l->sipi = true;
			l->sipi_vector = m->vector;
		}
		break;
	case APIC_DM_EXTINT: l->extint = true; break;
	default: break;
	}
}

int vlapic_pending_vector(const struct vlapic *l)
{
	int v = vec_highest(l->irr);

	if (v < 0 || !vlapic_hw_enabled(l))
		return -1;
	if (((u32)v & 0xf0) <= (vlapic_ppr(l) & 0xf0u))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, u8 vector)
{
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

static void eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (u32)v);
	if (!vec_test(l->tmr, (u32)v))
		return;
	vec_set(l->eoi_level, (u32)v);
	for (int i = VLAPIC_LVT_LINT0; i <= VLAPIC_LVT_LINT1; i++)
		if ((l->lvt[i] & 0xff) == (u32)v)
			l->lvt[i] &= ~LVT_REMOTE_IRR;
}

int vlapic_take_level_eoi(struct vlapic *l)
{
	for (u32 i = 0; i < 8; i++) {
		if (l->eoi_level[i]) {
			u32 v = i * 32 + (u32)__builtin_ctz(l->eoi_level[i]);

			vec_clear(l->eoi_level, v);
			return (int)v;
		}
	}
	return -1;
}

bool vlapic_eoi_quiet(struct vlapic *l)
{
	int v;

	if (!vlapic_x2apic_mode(l))
		return false;
	for (u32 i = 0; i < 8; i++)
		if (l->irr[i])
			return false;
	v = vec_highest(l->isr);
	if (v < 0 || vec_test(l->tmr, (u32)v))
		return false;
	vec_clear(l->isr, (u32)v);
	return true;
}

bool vlapic_quiet(const struct vlapic *l)
{
	u32 irr = 0;

	for (int i = 0; i < 8; i++)
		irr |= l->irr[i];
	return !irr && !l->nmi && !l->extint && !l->init && !l->sipi && !l->out_count;
}

bool vlapic_has_nmi(const struct vlapic *l)
{
	return l->nmi;
}

bool vlapic_take_nmi(struct vlapic *l)
{
	bool r = l->nmi;

	l->nmi = false;
	return r;
}

bool vlapic_take_extint(struct vlapic *l)
{
	bool r = l->extint;

	l->extint = false;
	return r;
}

bool vlapic_take_init(struct vlapic *l)
{
	bool sipi = l->sipi;
	u8 vector = l->sipi_vector;

	if (!l->init)
		return false;
	clear_state(l);
	l->wait_sipi = true;
	l->sipi = sipi;
	l->sipi_vector = vector;
	return true;
}

bool vlapic_take_sipi(struct vlapic *l, u8 *vector)
{
	if (!l->sipi)
		return false;
	*vector = l->sipi_vector;
	l->sipi = false;
	l->wait_sipi = false;
	return true;
}

bool vlapic_take_ipi(struct vlapic *l, struct apic_msg *out)
{
	if (!l->out_count)
		return false;
	*out = l->outbox[l->out_head];
	l->out_head = (u8)((l->out_head + 1) % VLAPIC_OUTBOX);
	l->out_count--;
	return true;
}

static void self_ipi(struct vlapic *l, u8 vector)
{
	if (vlapic_sw_enabled(l))
		accept_fixed(l, vector, false);
}

/* An ICR write sends: build the message (SDM Vol. 3A, 11.6.1 and 11.12.9). */
static void icr_send(struct vlapic *l)
{
	u32 lo = l->icr_lo;
	struct apic_msg m = {
		.dest = vlapic_x2apic_mode(l) ? l->icr_hi : l->icr_hi >> 24,
		.src = l->id,
		.vector = (u8)lo,
		.mode = (u8)((lo >> 8) & 7),
		.shorthand = (u8)((lo >> 18) & 3),
		.logical = lo & BIT(11),
		.assert = lo & BIT(14),
		.x2apic = vlapic_x2apic_mode(l),
	};

	/* The trigger mode only matters for INIT (level de-assert); it is ignored otherwise. */
	m.level = m.mode == APIC_DM_INIT && (lo & BIT(15));
	if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) && m.vector < 16) {
		raise_error(l, VLAPIC_ESR_SEND_ILLEGAL);
		return;
	}
	if (m.mode == 3 || (m.mode == APIC_DM_INIT && m.level && !m.assert))
		return; /* reserved mode; INIT level de-assert does nothing since the Pentium 4 */
	if (m.shorthand == APIC_SH_SELF) {
		if (m.mode == APIC_DM_FIXED) /* the only valid mode with SELF */
			self_ipi(l, m.vector);
		return;
	}
	if (l->out_count == VLAPIC_OUTBOX) {
		raise_error(l, VLAPIC_ESR_SEND_ACCEPT);
		return;
	}
	l->outbox[(l->out_head + l->out_count) % VLAPIC_OUTBOX] = m;
	l->out_count++;
}

static void timer_start(struct vlapic *l, u64 now)
{
	u64 ticks = (u64)l->tmict * timer_divisor(l->tdcr);

	l->timer_armed = false;
	if (!l->tmict || timer_mode(l) == TIMER_DEADLINE)
		return;
	l->timer_period = MAX(mul_div(ticks, l->cfg.tsc_hz, l->cfg.bus_hz, false), 1);
	l->timer_deadline = now + l->timer_period;
	l->timer_armed = true;
}

/* Counts left: one per divisor bus clocks, rounded up so it reads initial at the start. */
static u32 timer_ccr(const struct vlapic *l, u64 now)
{
	u64 c;

	if (!l->timer_armed || timer_mode(l) == TIMER_DEADLINE || now >= l->timer_deadline)
		return 0;
	c = mul_div(l->timer_deadline - now, l->cfg.bus_hz, l->cfg.tsc_hz * timer_divisor(l->tdcr),
		    true);
	return (u32)MIN(c, (u64)l->tmict);
}

void vlapic_timer_update(struct vlapic *l, u64 now)
{
	if (!l->timer_armed || now < l->timer_deadline)
		return;
	if (timer_mode(l) == TIMER_PERIODIC) {
		u64 late = now - l->timer_deadline;

		l->timer_deadline += (late / l->timer_period + 1) * l->timer_period;
	} else {
		l->timer_armed = false;
		l->tsc_deadline = 0;
	}
	lvt_deliver(l, VLAPIC_LVT_TIMER);
}

u64 vlapic_next_deadline(const struct vlapic *l)
{
	/* A masked timer still counts; the count is computed when read. */
	if (!l->timer_armed || (l->lvt[VLAPIC_LVT_TIMER] & LVT_MASKED))
		return ~0ULL;
	return l->timer_deadline;
}

void vlapic_set_tsc_deadline(struct vlapic *l, u64 deadline, u64 now)
{
	vlapic_timer_update(l, now);
	if (!vlapic_hw_enabled(l) || timer_mode(l) != TIMER_DEADLINE)
		return;
	l->tsc_deadline = deadline;
	l->timer_deadline = deadline;
	l->timer_armed = deadline != 0;
	vlapic_timer_update(l, now);
}

bool vlapic_timer_write_quiet(struct vlapic *l, u32 msr, u64 val, u64 now)
{
	if (!vlapic_hw_enabled(l) || (l->timer_armed && now >= l->timer_deadline))
		return false;
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (timer_mode(l) != TIMER_DEADLINE || (val && val <= now))
			return false;
		l->tsc_deadline = val;
		l->timer_deadline = val;
		l->timer_armed = val != 0;
		return true;
	}
	/* A new count starts at now: its deadline is at least a TSC tick later. */
	if (msr != VLAPIC_MSR_TMICT || !vlapic_x2apic_mode(l) || (val >> 32) ||
	    timer_mode(l) == TIMER_DEADLINE)
		return false;
	l->tmict = (u32)val;
	timer_start(l, now);
	return true;
}

u64 vlapic_get_tsc_deadline(const struct vlapic *l)
{
	return timer_mode(l) == TIMER_DEADLINE ? l->tsc_deadline : 0;
}

void vlapic_lint(struct vlapic *l, int pin, bool level)
{
	enum vlapic_lvt i = pin ? VLAPIC_LVT_LINT1 : VLAPIC_LVT_LINT0;
	bool was;
	u32 lvt;

	if ((pin != 0 && pin != 1) || !vlapic_hw_enabled(l))
		return;
	was = l->lint_level[pin];
	l->lint_level[pin] = level;
	lvt = l->lvt[i];
	if (LVT_MODE(lvt) == APIC_DM_EXTINT) {
		/* ExtINT follows the PIC's INTR line, which is level-sensitive. */
		l->extint = level && !(lvt & LVT_MASKED);
		return;
	}
	if (lvt & LVT_MASKED)
		return;
	if (LVT_MODE(lvt) == APIC_DM_FIXED && (lvt & LVT_LEVEL)) {
		/* Remote IRR holds off the same level until the EOI. */
		if (level && !(lvt & LVT_REMOTE_IRR) && (lvt & 0xff) >= 16) {
			accept_fixed(l, (u8)lvt, true);
			l->lvt[i] |= LVT_REMOTE_IRR;
		}
		return;
	}
	if (level && !was)
		lvt_deliver(l, i);
}

static void svr_write(struct vlapic *l, u32 val)
{
	l->svr = val & SVR_MASK;
	if (!(val & SVR_ENABLE))
		for (int i = 0; i < VLAPIC_NR_LVT; i++)
			l->lvt[i] |= LVT_MASKED;
}

static void lvt_write(struct vlapic *l, enum vlapic_lvt i, u32 val)
{
	u32 old = l->lvt[i], v = val & lvt_writable[i];

	if (!vlapic_sw_enabled(l))
		v |= LVT_MASKED; /* SDM 11.4.7.2: the mask bits cannot be cleared */
	v |= old & LVT_REMOTE_IRR;
	/* Entering or leaving TSC-deadline mode disarms the timer (SDM 11.5.4.1). */
	if (i == VLAPIC_LVT_TIMER &&
	    (TIMER_MODE(old) == TIMER_DEADLINE) != (TIMER_MODE(v) == TIMER_DEADLINE)) {
		l->timer_armed = false;
		l->tmict = 0;
		l->tsc_deadline = 0;
	}
	l->lvt[i] = v;
}

/* 0, -EINVAL for a reserved register, -EPERM for a write-only one. */
static int reg_read(const struct vlapic *l, u32 reg, u32 *val, u64 now)
{
	bool x2 = vlapic_x2apic_mode(l);

	*val = 0;
	switch (reg) {
	case REG_ID: *val = x2 ? l->id : l->id << 24; return 0;
	case REG_VERSION: *val = APIC_VERSION; return 0;
	case REG_TPR: *val = l->tpr; return 0;
	case REG_APR: return x2 ? -EINVAL : 0;
	case REG_PPR: *val = vlapic_ppr(l); return 0;
	case REG_EOI: return -EPERM;
	case REG_LDR: *val = l->ldr; return 0;
	case REG_DFR: *val = l->dfr; return x2 ? -EINVAL : 0;
	case REG_SVR: *val = l->svr; return 0;
	case REG_ISR ... REG_ISR + 7: *val = l->isr[reg - REG_ISR]; return 0;
	case REG_TMR ... REG_TMR + 7: *val = l->tmr[reg - REG_TMR]; return 0;
	case REG_IRR ... REG_IRR + 7: *val = l->irr[reg - REG_IRR]; return 0;
	case REG_ESR: *val = l->esr; return 0;
	case REG_ICR_LO: *val = l->icr_lo | (!x2 && l->out_count ? ICR_BUSY : 0); return 0;
	case REG_ICR_HI: *val = l->icr_hi; return x2 ? -EINVAL : 0;
	case REG_LVT ... REG_LVT + VLAPIC_NR_LVT - 1: *val = l->lvt[reg - REG_LVT]; return 0;
	case REG_TMICT: *val = l->tmict; return 0;
	case REG_TMCCT: *val = timer_ccr(l, now); return 0;
	case REG_TDCR: *val = l->tdcr; return 0;
	case REG_SELF: return x2 ? -EPERM : -EINVAL;
	default: return -EINVAL;
	}
}

/* 0, -EINVAL for a reserved register or value, -EPERM for a read-only one. */
static int reg_write(struct vlapic *l, u32 reg, u32 val, u64 now)
{
	bool x2 = vlapic_x2apic_mode(l);

	switch (reg) {
	case REG_ID:
		if (x2)
			return -EPERM;
		l->id = val >> 24;
		return 0;
	case REG_VERSION:
	case REG_PPR:
	case REG_ISR ... REG_IRR + 7:
	case REG_TMCCT: return -EPERM;
	case REG_APR: return x2 ? -EINVAL : -EPERM;
	case REG_TPR: l->tpr = val & 0xff; return 0;
	case REG_EOI:
		if (x2 && val)
			return -EINVAL;
		eoi(l);
		return 0;
	case REG_LDR:
		if (x2)
			return -EPERM;
		l->ldr = val & 0xff000000u;
		return 0;
	case REG_DFR:
		if (x2)
			return -EINVAL;
		l->dfr = (val & ~DFR_ONES) | DFR_ONES;
		return 0;
	case REG_SVR: svr_write(l, val); return 0;
	case REG_ESR:
		if (x2 && val)
			return -EINVAL;
		/* The write latches what was logged since the previous one (SDM 11.5.3). */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return 0;
	case REG_ICR_LO:
		l->icr_lo = val & ICR_LO_MASK;
		icr_send(l);
		return 0;
	case REG_ICR_HI:
		if (x2)
			return -EINVAL;
		l->icr_hi = val & 0xff000000u;
		return 0;
	case REG_LVT ... REG_LVT + VLAPIC_NR_LVT - 1:
		lvt_write(l, (enum vlapic_lvt)(reg - REG_LVT), val);
		return 0;
	case REG_TMICT:
		if (timer_mode(l) != TIMER_DEADLINE) {
			l->tmict = val;
			timer_start(l, now);
		}
		return 0;
	case REG_TDCR: l->tdcr = val & 0xb; return 0;
	case REG_SELF:
		if (!x2)
			return -EINVAL;
		if (val & ~0xffu)
			return -EINVAL;
		self_ipi(l, (u8)val);
		return 0;
	default: return -EINVAL;
	}
}

u32 vlapic_mmio_read(struct vlapic *l, u32 offset, u64 now)
{
	u32 val;

	if (!xapic_mode(l) || offset >= PAGE_SIZE || (offset & 0xf))
		return 0;
	vlapic_timer_update(l, now);
	if (reg_read(l, offset >> 4, &val, now) == -EINVAL)
		raise_error(l, VLAPIC_ESR_ILLEGAL_REG);
	return val;
}

void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val, u64 now)
{
	if (!xapic_mode(l) || offset >= PAGE_SIZE || (offset & 0xf))
		return;
	vlapic_timer_update(l, now);
	if (reg_write(l, offset >> 4, val, now) == -EINVAL)
		raise_error(l, VLAPIC_ESR_ILLEGAL_REG);
}

int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val, u64 now)
{
	u32 v;

	if (msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST || !vlapic_x2apic_mode(l))
		return -EINVAL;
	vlapic_timer_update(l, now);
	if (msr - VLAPIC_MSR_FIRST == REG_ICR_LO) {
		*val = (u64)l->icr_hi << 32 | l->icr_lo;
		return 0;
	}
	if (reg_read(l, msr - VLAPIC_MSR_FIRST, &v, now))
		return -EINVAL;
	*val = v;
	return 0;
}

int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val, u64 now)
{
	u32 reg = msr - VLAPIC_MSR_FIRST;

	if (msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST || !vlapic_x2apic_mode(l))
		return -EINVAL;
	vlapic_timer_update(l, now);
	if (reg == REG_ICR_LO) {
		if (val & ICR_X2APIC_RESERVED)
			return -EINVAL;
		l->icr_hi = (u32)(val >> 32);
		l->icr_lo = (u32)val & ICR_LO_MASK;
		icr_send(l);
		return 0;
	}
	if (val >> 32)
		return -EINVAL;
	return reg_write(l, reg, (u32)val, now) ? -EINVAL : 0;
}

bool vlapic_match(const struct vlapic *l, const struct apic_msg *m)
{
	u32 mda, lda;

	if (!vlapic_hw_enabled(l))
		return false;
	switch (m->shorthand) {
	case APIC_SH_SELF: return m->src == l->id;
	case APIC_SH_ALL: return true;
	case APIC_SH_OTHERS: return m->src != l->id;
	default: break;
	}
	if (!m->logical)
		return m->dest == (m->x2apic ? APIC_BROADCAST_X2APIC : APIC_BROADCAST_XAPIC) ||
		       m->dest == l->id;
	if (vlapic_x2apic_mode(l)) {
		/* Cluster in 31:16, one bit per member in 15:0 (SDM 11.12.10.2). */
		if (m->dest == APIC_BROADCAST_X2APIC)
			return true;
		return (m->dest >> 16) == (l->ldr >> 16) && (m->dest & l->ldr & 0xffff);
	}
	/* SDM 11.6.2.2: flat model is a bitmap; cluster model is cluster 7:4, members 3:0. */
	mda = m->dest & 0xff;
	lda = l->ldr >> 24;
	if (mda == APIC_BROADCAST_XAPIC)
		return true;
	if ((l->dfr >> 28) == DFR_FLAT)
		return mda & lda;
	return ((mda >> 4) == (lda >> 4) || (mda >> 4) == 0xf) && (mda & lda & 0xf);
}
