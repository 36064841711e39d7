/* SPDX-License-Identifier: MIT */
/* Unit tests of the broker's vCPU load policy (guests/broker/vcpu_policy.c) on synthetic traces. */
#include <string.h>

#include <public/place.h>

#include "../../guests/broker/vcpu_policy.h"
#include "utest.h"

#define PERIOD_US 100000ull

enum { BROKER = 0, BURN = 1, OTHER = 2, THIRD = 3 };

static struct vcpu_policy pol;
static struct vcpu_policy_config cfg;
static struct vcpu_sample vms[4];
static unsigned int nvms;
static u64 clock_us;
static u32 idle_cores;
static struct vcpu_decision dec[8];
static unsigned int ndec;
static unsigned int periods; /* ticks since setup() */

static void set_online(struct vcpu_sample *v, u32 online)
{
	for (u32 i = 0; i < VCPU_POLICY_MAX_VCPUS; i++)
		v->vcpu_state[i] = i < online ? SPROUT_VCPU_RUNNABLE : SPROUT_VCPU_OFF;
}

static u32 online_of(const struct vcpu_sample *v)
{
	u32 n = 0;

	for (u32 i = 0; i < VCPU_POLICY_MAX_VCPUS; i++)
		n += v->vcpu_state[i] != SPROUT_VCPU_OFF;
	return n;
}

static struct vcpu_sample *add_vm(u32 id, u32 min, u32 max, u32 online)
{
	struct vcpu_sample *v = &vms[nvms++];

	memset(v, 0, sizeof(*v));
	v->vm_id = id;
	v->state = SPROUT_VM_RUNNING;
	v->vcpus_min = min;
	v->vcpus_max = max;
	set_online(v, online);
	return v;
}

static struct vcpu_sample *vm(u32 id)
{
	for (unsigned int i = 0; i < nvms; i++) {
		if (vms[i].vm_id == id)
			return &vms[i];
	}
	return NULL;
}

/* Default config, no VMs, 3 idle cores, clock at 1 s. */
static void setup(void)
{
	nvms = 0;
	clock_us = 1000000;
	idle_cores = 3;
	periods = 0;
	vcpu_policy_config_default(&cfg);
	vcpu_policy_init(&pol, &cfg);
}

/* Each online vCPU of VM id ran pct percent of the coming period. */
static void load(u32 id, u32 pct)
{
	struct vcpu_sample *v = vm(id);

	for (u32 i = 0; i < VCPU_POLICY_MAX_VCPUS; i++) {
		if (v->vcpu_state[i] != SPROUT_VCPU_OFF)
			v->busy_us[i] += PERIOD_US * pct / 100;
	}
}

/* One period of elapsed_us: run the policy. */
static unsigned int tick_us(u64 elapsed_us)
{
	struct vcpu_host h;

	clock_us += elapsed_us;
	h = (struct vcpu_host){clock_us, idle_cores};
	ndec = vcpu_policy_period(&pol, &h, vms, nvms, dec, ARRAY_SIZE(dec));
	periods++;
	return ndec;
}

static unsigned int tick(void)
{
	return tick_us(PERIOD_US);
}

/* Carry out the decisions the way the hypervisor does, answering ret to each. */
static void apply(long ret)
{
	for (unsigned int i = 0; i < ndec; i++) {
		struct vcpu_sample *v = vm(dec[i].vm_id);
		u32 n = online_of(v);

		if (dec[i].action == VCPU_ADD && ret >= 0)
			set_online(v, n + 1);
		if (dec[i].action == VCPU_PARK && ret >= 0)
			set_online(v, n - 1);
		if (dec[i].action != VCPU_WAIT)
			vcpu_policy_result(&pol, &dec[i], ret >= 0 ? (long)n : ret);
	}
}

/* The decision for VM id in the last period, or NULL. */
static const struct vcpu_decision *decided(u32 id)
{
	for (unsigned int i = 0; i < ndec; i++) {
		if (dec[i].vm_id == id)
			return &dec[i];
	}
	return NULL;
}

/* Run periods of load pct on VM id, applying decisions; record the periods with an action. */
static unsigned int run(u32 id, u32 pct, unsigned int n, enum vcpu_action a, unsigned int *at,
			unsigned int max_at)
{
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct vcpu_decision *d;

		load(id, pct);
		tick();
		d = decided(id);
		if (d && d->action == a) {
			if (count < max_at)
				at[count] = periods;
			count++;
		}
		apply(0);
	}
	return count;
}

UTEST(broker_vcpu_steady_high_adds_every_k_periods_up_to_max)
{
	unsigned int at[8] = {0};

	setup();
	add_vm(BURN, 1, 3, 1);
	tick(); /* the first sample only primes */
	CHECK_EQ(run(BURN, 100, 30, VCPU_ADD, at, 8), 2);
	/* 3 periods, then 1 skipped for the new vCPU and 3 more. */
	CHECK_EQ(at[0], 4);
	CHECK_EQ(at[1], 8);
	CHECK_EQ(online_of(vm(BURN)), 3);

	/* The decision carries the figures that led to it. */
	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	load(BURN, 97);
	tick();
	load(BURN, 97);
	tick();
	CHECK_EQ(ndec, 0);
	load(BURN, 97);
	tick();
	CHECK_EQ(ndec, 1);
	CHECK_EQ(dec[0].action, VCPU_ADD);
	CHECK_EQ(dec[0].vm_id, BURN);
	CHECK_EQ(dec[0].load_pct, 97);
	CHECK_EQ(dec[0].periods, 3);
	CHECK_EQ(dec[0].online, 1);
	CHECK_EQ(dec[0].vcpus_max, 3);
	CHECK_EQ(dec[0].idle_cores, 3);
}

UTEST(broker_vcpu_no_add_without_idle_core)
{
	unsigned int waits = 0;

	setup();
	add_vm(BURN, 1, 3, 1);
	idle_cores = 0;
	tick();
	for (int i = 0; i < 20; i++) {
		load(BURN, 100);
		tick();
		CHECK(!decided(BURN) || decided(BURN)->action == VCPU_WAIT);
		if (decided(BURN)) {
			waits++;
			CHECK_EQ(periods, 4); /* said once, when the streak got there */
			CHECK_EQ(decided(BURN)->idle_cores, 0);
		}
	}
	CHECK_EQ(waits, 1);
	CHECK_EQ(online_of(vm(BURN)), 1);

	/* A core comes free while the load stays: the add comes at once. */
	idle_cores = 1;
	load(BURN, 100);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);
	CHECK_EQ(decided(BURN)->periods, 21);

	/* A broken streak lets the wait be said again next time. */
	setup();
	add_vm(BURN, 1, 3, 1);
	idle_cores = 0;
	tick();
	waits = 0;
	for (int i = 0; i < 10; i++) {
		load(BURN, i == 5 ? 10 : 100);
		tick();
		waits += ndec;
	}
	CHECK_EQ(waits, 2);
}

UTEST(broker_vcpu_one_add_per_idle_core_busiest_first)
{
	setup();
	add_vm(BURN, 1, 3, 1);
	add_vm(OTHER, 1, 3, 1);
	idle_cores = 1;
	tick();
	for (int i = 0; i < 3; i++) {
		load(BURN, 85);
		load(OTHER, 99);
		tick();
	}
	CHECK_EQ(ndec, 2);
	CHECK(decided(OTHER) && decided(OTHER)->action == VCPU_ADD);
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_WAIT);
	CHECK_EQ(dec[0].vm_id, OTHER);
}

UTEST(broker_vcpu_not_above_max)
{
	unsigned int at[4];

	setup();
	add_vm(BURN, 1, 1, 1);
	add_vm(OTHER, 1, 2, 2);
	tick();
	for (int i = 0; i < 20; i++) {
		load(BURN, 100);
		load(OTHER, 100);
		tick();
		CHECK_EQ(ndec, 0);
	}

	/* A maximum beyond what the page reports vCPUs for stops at the page's 8. */
	setup();
	add_vm(BURN, 1, 16, 8);
	tick();
	CHECK_EQ(run(BURN, 100, 20, VCPU_ADD, at, 4), 0);
}

UTEST(broker_vcpu_noisy_load_resets_streak)
{
	static const u32 noisy[] = {100, 100, 50, 100, 100, 79, 100, 100, 0, 95, 95};
	static const u32 settle[] = {90, 90, 90};

	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	for (unsigned int i = 0; i < ARRAY_SIZE(noisy); i++) {
		load(BURN, noisy[i]);
		tick();
		CHECK_EQ(ndec, 0);
	}
	/* The third high period in a row after the last dip: 95, 95, 90. */
	load(BURN, settle[0]);
	tick();
	CHECK_EQ(ndec, 1);
	CHECK_EQ(dec[0].action, VCPU_ADD);
	CHECK_EQ(dec[0].load_pct, 93); /* (95 + 95 + 90) / 3, rounded */

	/* Exactly on the mark counts as high. */
	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	for (int i = 0; i < 3; i++) {
		load(BURN, 80);
		tick();
	}
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);

	/* A park streak is broken by one busier period too. */
	setup();
	add_vm(BURN, 1, 3, 3);
	tick();
	for (int i = 0; i < 12; i++) {
		load(BURN, i % 4 == 3 ? 21 : 20);
		tick();
		CHECK_EQ(ndec, 0);
	}
}

UTEST(broker_vcpu_low_load_parks_down_to_min)
{
	unsigned int at[8] = {0};

	setup();
	add_vm(BURN, 1, 3, 3);
	tick();
	CHECK_EQ(run(BURN, 4, 40, VCPU_PARK, at, 8), 2);
	CHECK_EQ(at[0], 6);  /* 5 low periods */
	CHECK_EQ(at[1], 12); /* 1 skipped for the change, 5 more */
	CHECK_EQ(online_of(vm(BURN)), 1);

	setup();
	add_vm(BURN, 1, 3, 3);
	tick();
	for (int i = 0; i < 5; i++) {
		load(BURN, 4);
		tick();
	}
	CHECK_EQ(ndec, 1);
	CHECK_EQ(dec[0].action, VCPU_PARK);
	CHECK_EQ(dec[0].load_pct, 4);
	CHECK_EQ(dec[0].periods, 5);
	CHECK_EQ(dec[0].online, 3);
	CHECK_EQ(dec[0].vcpus_max, 3);
	CHECK_EQ(dec[0].vcpus_min, 1);

	/* A minimum of 2 is kept; a VM at its minimum is never parked. */
	setup();
	add_vm(BURN, 2, 4, 4);
	add_vm(OTHER, 1, 1, 1);
	tick();
	CHECK_EQ(run(BURN, 0, 40, VCPU_PARK, at, 8), 2);
	CHECK_EQ(online_of(vm(BURN)), 2);
	CHECK_EQ(online_of(vm(OTHER)), 1);
}

UTEST(broker_vcpu_mixed_vms_and_the_broker)
{
	unsigned int adds = 0, parks = 0;

	setup();
	cfg.down_periods = 3; /* the parks fall in the same periods as the adds */
	vcpu_policy_init(&pol, &cfg);
	add_vm(BROKER, 1, 3, 1)->privileged = true;
	add_vm(BURN, 1, 3, 1);
	add_vm(OTHER, 1, 3, 3);
	add_vm(THIRD, 1, 3, 2)->state = SPROUT_VM_PAUSED;
	tick();
	for (int i = 0; i < 40; i++) {
		load(BROKER, 100);
		load(BURN, 100);
		load(OTHER, 2);
		load(THIRD, 0);
		tick();
		for (unsigned int j = 0; j < ndec; j++) {
			CHECK(dec[j].vm_id == BURN || dec[j].vm_id == OTHER);
			adds += dec[j].action == VCPU_ADD;
			parks += dec[j].action == VCPU_PARK;
			if (dec[j].action == VCPU_ADD)
				CHECK_EQ(dec[j].vm_id, BURN);
			if (dec[j].action == VCPU_PARK)
				CHECK_EQ(dec[j].vm_id, OTHER);
		}
		if (i == 2 || i == 6) /* parks come before adds in one period */
			CHECK(ndec == 2 && dec[0].action == VCPU_PARK && dec[1].action == VCPU_ADD);
		apply(0);
	}
	CHECK_EQ(adds, 2);
	CHECK_EQ(parks, 2);
	CHECK_EQ(online_of(vm(BROKER)), 1);
	CHECK_EQ(online_of(vm(BURN)), 3);
	CHECK_EQ(online_of(vm(OTHER)), 1);
	CHECK_EQ(online_of(vm(THIRD)), 2);
}

UTEST(broker_vcpu_hysteresis_after_a_change)
{
	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	for (int i = 0; i < 3; i++) {
		load(BURN, 100);
		tick();
	}
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);
	apply(0);
	/* The new vCPU's first period: high or low, nothing is decided on it. */
	load(BURN, 100);
	tick();
	CHECK_EQ(ndec, 0);
	CHECK_EQ(pol.vm[BURN].high_periods, 0);
	/* And the streak starts from nothing: k fresh periods. */
	for (int i = 0; i < 2; i++) {
		load(BURN, 100);
		tick();
		CHECK_EQ(ndec, 0);
	}
	load(BURN, 100);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);

	/* A change the policy did not make (the operator's vcpu park) also restarts the streak. */
	setup();
	add_vm(BURN, 1, 3, 3);
	tick();
	for (int i = 0; i < 4; i++) {
		load(BURN, 0);
		tick();
	}
	set_online(vm(BURN), 2);
	for (int i = 0; i < 5; i++) {
		load(BURN, 0);
		tick();
		CHECK_EQ(ndec, 0);
	}
	load(BURN, 0);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_PARK);
	CHECK_EQ(decided(BURN)->online, 2);

	/* The same number of vCPUs but a different set is a change as well. */
	setup();
	add_vm(BURN, 1, 3, 3);
	tick();
	for (int i = 0; i < 4; i++) {
		load(BURN, 0);
		tick();
	}
	vm(BURN)->vcpu_state[1] = SPROUT_VCPU_OFF;
	vm(BURN)->vcpu_state[3] = SPROUT_VCPU_HALTED;
	load(BURN, 0);
	tick();
	CHECK_EQ(ndec, 0);
}

UTEST(broker_vcpu_parameters_respected)
{
	unsigned int at[4] = {0};

	setup();
	CHECK(vcpu_policy_option(&cfg, "vcpu-high", "50"));
	CHECK(vcpu_policy_option(&cfg, "vcpu-low", "10"));
	CHECK(vcpu_policy_option(&cfg, "vcpu-up", "2"));
	CHECK(vcpu_policy_option(&cfg, "vcpu-down", "1"));
	CHECK(vcpu_policy_option(&cfg, "vcpu-settle", "0"));
	CHECK(vcpu_policy_config_valid(&cfg));
	vcpu_policy_init(&pol, &cfg);
	add_vm(BURN, 1, 2, 1);
	tick();
	load(BURN, 49);
	tick();
	load(BURN, 60);
	tick();
	CHECK_EQ(ndec, 0);
	load(BURN, 50);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);
	CHECK_EQ(decided(BURN)->periods, 2);
	apply(0);
	tick(); /* the change */
	load(BURN, 11);
	tick();
	CHECK_EQ(ndec, 0);
	load(BURN, 10);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_PARK);
	CHECK_EQ(decided(BURN)->periods, 1);

	/* vcpu-policy=off: tracked, never decided. */
	setup();
	CHECK(vcpu_policy_option(&cfg, "vcpu-policy", "off"));
	CHECK(!cfg.enabled);
	vcpu_policy_init(&pol, &cfg);
	add_vm(BURN, 1, 3, 1);
	add_vm(OTHER, 1, 3, 3);
	tick();
	for (int i = 0; i < 20; i++) {
		load(BURN, 100);
		load(OTHER, 0);
		tick();
		CHECK_EQ(ndec, 0);
	}
	CHECK(vcpu_policy_option(&cfg, "vcpu-policy", "on"));
	CHECK(cfg.enabled);

	/* vcpu-up=1: every period, with the one after a change skipped. */
	setup();
	CHECK(vcpu_policy_option(&cfg, "vcpu-up", "1"));
	vcpu_policy_init(&pol, &cfg);
	add_vm(BURN, 1, 4, 1);
	tick();
	CHECK_EQ(run(BURN, 100, 10, VCPU_ADD, at, 4), 3);
	CHECK_EQ(at[0], 2);
	CHECK_EQ(at[1], 4);
	CHECK_EQ(at[2], 6);
}

/*
 * A change is not undone by the load of the change itself: Linux onlining or
 * offlining a CPU keeps its other CPUs busy for some periods. A park after an
 * add (and an add after a park) waits for vcpu-settle measured periods; more
 * of the same direction do not.
 */
UTEST(broker_vcpu_settle_before_undoing)
{
	unsigned int at[4] = {0};

	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	CHECK_EQ(run(BURN, 100, 3, VCPU_ADD, at, 1), 1);
	CHECK_EQ(at[0], 4);
	/* Idle at once: the park waits for 10 periods measured since the add. */
	CHECK_EQ(run(BURN, 0, 10, VCPU_PARK, at, 1), 0);
	CHECK_EQ(run(BURN, 0, 1, VCPU_PARK, at, 1), 1);
	CHECK_EQ(at[0], 15); /* the change period, then 10 measured */
	/* Busy at once after the park: the add waits the same way. */
	CHECK_EQ(run(BURN, 100, 10, VCPU_ADD, at, 1), 0);
	CHECK_EQ(run(BURN, 100, 1, VCPU_ADD, at, 1), 1);
	CHECK_EQ(at[0], 26);
	/* A second add follows the first one at the usual pace. */
	CHECK_EQ(run(BURN, 100, 4, VCPU_ADD, at, 1), 1);
	CHECK_EQ(at[0], 30);
	CHECK_EQ(online_of(vm(BURN)), 3);

	/* vcpu-settle=0: the park comes after vcpu-down periods. */
	setup();
	CHECK(vcpu_policy_option(&cfg, "vcpu-settle", "0"));
	vcpu_policy_init(&pol, &cfg);
	add_vm(BURN, 1, 3, 1);
	tick();
	CHECK_EQ(run(BURN, 100, 3, VCPU_ADD, at, 1), 1);
	CHECK_EQ(run(BURN, 0, 6, VCPU_PARK, at, 1), 1);
	CHECK_EQ(at[0], 10);
}

UTEST(broker_vcpu_options_checked)
{
	struct vcpu_policy_config c, def;

	vcpu_policy_config_default(&def);
	CHECK(def.enabled);
	CHECK_EQ(def.high_pct, 80);
	CHECK_EQ(def.low_pct, 20);
	CHECK_EQ(def.up_periods, 3);
	CHECK_EQ(def.down_periods, 5);
	CHECK_EQ(def.settle, 10);
	CHECK(vcpu_policy_config_valid(&def));

	c = def;
	CHECK(!vcpu_policy_option(&c, "vcpu-high", "0"));
	CHECK(!vcpu_policy_option(&c, "vcpu-high", "101"));
	CHECK(!vcpu_policy_option(&c, "vcpu-high", "80%"));
	CHECK(!vcpu_policy_option(&c, "vcpu-high", ""));
	CHECK(!vcpu_policy_option(&c, "vcpu-high", "-5"));
	CHECK(!vcpu_policy_option(&c, "vcpu-low", "100"));
	CHECK(!vcpu_policy_option(&c, "vcpu-up", "0"));
	CHECK(!vcpu_policy_option(&c, "vcpu-down", "1001"));
	CHECK(!vcpu_policy_option(&c, "vcpu-down", "99999999999"));
	CHECK(!vcpu_policy_option(&c, "vcpu-settle", "1001"));
	CHECK(!vcpu_policy_option(&c, "vcpu-settle", "-1"));
	CHECK_EQ(c.settle, 10);
	CHECK(vcpu_policy_option(&c, "vcpu-settle", "0"));
	CHECK_EQ(c.settle, 0);
	CHECK(!vcpu_policy_option(&c, "vcpu-policy", "yes"));
	CHECK(!vcpu_policy_option(&c, "vcpu-policy", "onn"));
	CHECK(!vcpu_policy_option(&c, "vcpu-sideways", "1"));
	CHECK(c.enabled && c.high_pct == 80 && c.low_pct == 20);
	CHECK(c.up_periods == 3 && c.down_periods == 5);

	CHECK(vcpu_policy_option(&c, "vcpu-high", "100"));
	CHECK(vcpu_policy_option(&c, "vcpu-low", "0"));
	CHECK(vcpu_policy_option(&c, "vcpu-down", "1000"));
	CHECK_EQ(c.high_pct, 100);
	CHECK_EQ(c.low_pct, 0);
	CHECK_EQ(c.down_periods, 1000);
	CHECK(vcpu_policy_config_valid(&c));
	CHECK(vcpu_policy_option(&c, "vcpu-low", "99"));
	CHECK(vcpu_policy_config_valid(&c));
	CHECK(vcpu_policy_option(&c, "vcpu-high", "99"));
	CHECK(!vcpu_policy_config_valid(&c)); /* low must be below high */
}

UTEST(broker_vcpu_load_from_busy_deltas)
{
	struct vcpu_sample *v;

	setup();
	v = add_vm(BURN, 1, 4, 2);
	tick();
	/* Capped per vCPU: 150% (a late counter) and 10% average to 55%, not 80%. */
	v->busy_us[0] += PERIOD_US * 3 / 2;
	v->busy_us[1] += PERIOD_US / 10;
	tick();
	CHECK_EQ(pol.vm[BURN].load_bp, 5500);
	CHECK_EQ(pol.vm[BURN].high_periods, 0);

	/* Only online vCPUs count: an OFF one's stale counter is left out. */
	v->busy_us[0] += PERIOD_US * 9 / 10;
	v->busy_us[1] += PERIOD_US * 7 / 10;
	v->busy_us[2] += PERIOD_US * 5;
	tick();
	CHECK_EQ(pol.vm[BURN].load_bp, 8000);

	/* The period is the clock's difference: 100 ms busy in 200 ms is 50%. */
	v->busy_us[0] += PERIOD_US;
	v->busy_us[1] += PERIOD_US;
	tick_us(2 * PERIOD_US);
	CHECK_EQ(pol.vm[BURN].load_bp, 5000);

	/* Halted vCPUs are online: they count with their (low) load. */
	v->vcpu_state[1] = SPROUT_VCPU_HALTED;
	v->busy_us[0] += PERIOD_US;
	tick();
	CHECK_EQ(pol.vm[BURN].load_bp, 5000);

	/* A clock that stands still or goes back decides nothing and divides by nothing. */
	v->busy_us[0] += PERIOD_US;
	tick_us(0);
	CHECK_EQ(ndec, 0);
	CHECK_EQ(pol.vm[BURN].high_periods, 0); /* primed again */
	CHECK_EQ(pol.vm[BURN].load_bp, 0);
	load(BURN, 100);
	tick();
	CHECK_EQ(pol.vm[BURN].load_bp, VCPU_LOAD_FULL);
	CHECK_EQ(pol.vm[BURN].high_periods, 1);
	clock_us -= 5 * PERIOD_US;
	tick_us(0);
	CHECK_EQ(ndec, 0);
	CHECK_EQ(pol.vm[BURN].high_periods, 0);
}

UTEST(broker_vcpu_counters_going_back)
{
	struct vcpu_sample *v;

	/* The VM restarted between two samples: busy back near 0, no garbage load. */
	setup();
	v = add_vm(BURN, 1, 3, 1);
	tick();
	load(BURN, 100);
	tick();
	load(BURN, 100);
	tick();
	CHECK_EQ(pol.vm[BURN].high_periods, 2);
	v->busy_us[0] = 1234;
	tick();
	CHECK_EQ(ndec, 0);
	CHECK_EQ(pol.vm[BURN].high_periods, 0);
	CHECK_EQ(pol.vm[BURN].low_periods, 0);
	CHECK(pol.vm[BURN].load_bp <= VCPU_LOAD_FULL);
	/* It starts again from the new counters: 3 high periods to an add. */
	for (int i = 0; i < 2; i++) {
		load(BURN, 100);
		tick();
		CHECK_EQ(ndec, 0);
	}
	load(BURN, 100);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);

	/* One vCPU's counter back (a parked slot reused within a period): the same. */
	setup();
	v = add_vm(BURN, 1, 3, 2);
	v->busy_us[1] = 500000;
	tick();
	for (int i = 0; i < 4; i++) {
		load(BURN, 0);
		tick();
	}
	v->busy_us[1] = 0;
	v->busy_us[0] += 1;
	tick();
	CHECK_EQ(ndec, 0);
	CHECK_EQ(pol.vm[BURN].low_periods, 0);

	/* Stopped and started again: not decided while stopped, history gone. */
	setup();
	v = add_vm(BURN, 1, 3, 3);
	tick();
	for (int i = 0; i < 4; i++) {
		load(BURN, 0);
		tick();
	}
	v->state = SPROUT_VM_STOPPED;
	for (int i = 0; i < 10; i++) {
		tick();
		CHECK_EQ(ndec, 0);
	}
	v->state = SPROUT_VM_RUNNING;
	memset(v->busy_us, 0, sizeof(v->busy_us));
	set_online(v, 3);
	for (int i = 0; i < 5; i++) {
		load(BURN, 0);
		tick();
		CHECK_EQ(ndec, 0);
	}
	load(BURN, 0);
	tick();
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_PARK);

	/* A VM that left the page and a new one under its id: no history carried over. */
	setup();
	v = add_vm(BURN, 1, 3, 3);
	v->busy_us[0] = 5000000;
	tick();
	for (int i = 0; i < 4; i++) {
		load(BURN, 0);
		tick();
	}
	nvms = 0;
	tick();
	v = add_vm(BURN, 1, 3, 3);
	tick();
	CHECK_EQ(ndec, 0);
	CHECK_EQ(pol.vm[BURN].low_periods, 0);

	/* A VM in a high slot (the 128-VM host's) is followed like the first ones. */
	setup();
	add_vm(SPROUT_STATS_VMS - 1, 1, 3, 1);
	tick();
	for (int i = 0; i < 5 && !decided(SPROUT_STATS_VMS - 1); i++) {
		load(SPROUT_STATS_VMS - 1, 100);
		tick();
	}
	CHECK(decided(SPROUT_STATS_VMS - 1) && decided(SPROUT_STATS_VMS - 1)->action == VCPU_ADD);

	/* VM ids beyond the area's range (every VM slot) are left alone. */
	setup();
	add_vm(SPROUT_STATS_VMS, 1, 3, 1);
	tick();
	for (int i = 0; i < 5; i++) {
		load(SPROUT_STATS_VMS, 100);
		tick();
		CHECK_EQ(ndec, 0);
	}
}

UTEST(broker_vcpu_refused_add_backs_off)
{
	unsigned int tried = 0;

	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	/* Refused every time: after 3, 6, 12, 24, 48, 48 high periods. */
	for (int i = 0; i < 190; i++) {
		load(BURN, 100);
		tick();
		if (decided(BURN)) {
			static const unsigned int want[] = {4, 10, 22, 46, 94, 142, 190};

			CHECK(tried < ARRAY_SIZE(want) && periods == want[tried]);
			tried++;
		}
		apply(-SPROUT_EBUSY);
	}
	CHECK_EQ(tried, 7);

	/* A success ends the back-off. */
	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	for (int i = 0; i < 3; i++) {
		load(BURN, 100);
		tick();
	}
	apply(-SPROUT_EBUSY);
	CHECK_EQ(pol.vm[BURN].refusals, 1);
	for (int i = 0; i < 6; i++) {
		load(BURN, 100);
		tick();
	}
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);
	apply(0);
	CHECK_EQ(pol.vm[BURN].refusals, 0);

	/* Refusals in one streak do not delay the next one. */
	setup();
	add_vm(BURN, 1, 3, 1);
	tick();
	for (int i = 0; i < 30; i++) {
		load(BURN, 100);
		tick();
		apply(-SPROUT_ENOENT);
	}
	CHECK_EQ(pol.vm[BURN].refusals, 3); /* after 3, 9 and 21 periods */
	load(BURN, 10);
	tick();
	CHECK_EQ(pol.vm[BURN].refusals, 0);
	/* The next streak waits up_periods (3) again, not 3 << 3. */
	for (int i = 0; i < 3; i++) {
		load(BURN, 100);
		tick();
		CHECK_EQ(decided(BURN) != NULL, i == 2);
	}
	CHECK(decided(BURN) && decided(BURN)->action == VCPU_ADD);

	/* A refused park does not back off. */
	setup();
	add_vm(BURN, 1, 3, 3);
	tick();
	for (int i = 0; i < 10; i++) {
		load(BURN, 0);
		tick();
		CHECK(!decided(BURN) || periods == 6 || periods == 11);
		apply(-SPROUT_EBUSY);
	}
}

/* A page with the broker (halted) on CPU 0 and burn's one vCPU running on CPU 1, of 4. */
static void page_setup(struct sprout_stats_page *pg)
{
	memset(pg, 0, sizeof(*pg));
	pg->cpus = 4;
	for (u32 c = 0; c < 4; c++)
		pg->core[c].flags = SPROUT_CORE_ONLINE;
	pg->core[0].blocked = 1;
	pg->core[0].busy_pm = 15;
	pg->core[1].runnable = 1;
	pg->core[1].busy_pm = 1000;
	pg->vm[0].id = BROKER;
	pg->vm[0].state = SPROUT_VM_RUNNING;
	pg->vm[0].vcpu_state[0] = SPROUT_VCPU_HALTED;
	pg->vm[0].vcpu_cpu[0] = 0;
	pg->vm[1].id = BURN;
	pg->vm[1].state = SPROUT_VM_RUNNING;
	pg->vm[1].vcpu_state[0] = SPROUT_VCPU_RUNNABLE;
	pg->vm[1].vcpu_cpu[0] = 1;
}

UTEST(broker_vcpu_idle_cores_from_the_page)
{
	static struct sprout_stats_page pg;

	/* The halted broker's core is free, as are the two empty ones. */
	page_setup(&pg);
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 3);
	/* The page caught the broker running: it waits again after its call. */
	pg.vm[0].vcpu_state[0] = SPROUT_VCPU_RUNNABLE;
	pg.core[0].runnable = 1;
	pg.core[0].blocked = 0;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 3);
	/* ... unless the page does not say which VM is the broker. */
	CHECK_EQ(vcpu_idle_cores(&pg, 9), 2);
	/* Something else wants CPU 0 too. */
	pg.core[0].runnable = 2;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 2);
	/* A launch pending, a core offline, a core busy in the window: not free. */
	page_setup(&pg);
	pg.core[2].flags |= SPROUT_CORE_LAUNCH;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 2);
	pg.core[3].flags = 0;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 1);
	pg.core[0].busy_pm = PLACE_FREE_BUSY_PM + 1;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 0);
}

UTEST(broker_vcpu_idle_cores_after_a_busy_spell)
{
	static struct sprout_stats_page pg;

	/*
	 * burn's vCPU halted just before the page was written, after a busy
	 * window: CPU 1 has no runnable vCPU but is not free.
	 */
	page_setup(&pg);
	pg.cpus = 2;
	pg.core[2].flags = 0;
	pg.core[3].flags = 0;
	pg.vm[1].vcpu_state[0] = SPROUT_VCPU_HALTED;
	pg.core[1].runnable = 0;
	pg.core[1].blocked = 1;
	pg.core[1].busy_pm = 980;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 1);
	/* Busy for half the window or less: free. */
	pg.core[1].busy_pm = PLACE_FREE_BUSY_PM;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 2);
	/* Free all window but busy now: the run queue decides. */
	pg.core[1].busy_pm = 0;
	pg.core[1].runnable = 1;
	pg.core[1].blocked = 0;
	CHECK_EQ(vcpu_idle_cores(&pg, BROKER), 1);
}
