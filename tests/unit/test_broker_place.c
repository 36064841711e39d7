/* SPDX-License-Identifier: MIT */
/* Unit tests of the placement rule (sched/place.c) and of the broker's free-core count on traces. */
#include <string.h>

#include <public/place.h>

#include "../../guests/broker/vcpu_policy.h"
#include "utest.h"

#define PERIOD_US 100000ull
#define CORES_MAX 8
#define VMS_MAX	  8

static struct sprout_core_load core_at(u32 flags, u32 runnable, u32 blocked, u32 busy_pm)
{
	return (struct sprout_core_load){flags, runnable, blocked, busy_pm};
}

#define ON SPROUT_CORE_ONLINE

UTEST(place_core_free_rule)
{
	struct sprout_core_load c = core_at(ON, 0, 0, 0);

	CHECK(place_core_free(&c));
	c.flags = 0; /* offline */
	CHECK(!place_core_free(&c));
	c = core_at(ON, 1, 0, 0); /* a vCPU runs or wants to */
	CHECK(!place_core_free(&c));
	c = core_at(ON, 0, 2, 10); /* only blocked vCPUs: shared with them */
	CHECK(place_core_free(&c));
	c = core_at(ON | SPROUT_CORE_LAUNCH, 0, 0, 0); /* a launch is pending */
	CHECK(!place_core_free(&c));
	c = core_at(ON, 0, 1, PLACE_FREE_BUSY_PM); /* busy half the window: still free */
	CHECK(place_core_free(&c));
	c.busy_pm++; /* a vCPU that has just halted after a busy spell */
	CHECK(!place_core_free(&c));
	c.blocked = 0; /* the busy vCPU moved to another core: this one is empty */
	c.busy_pm = 1000;
	CHECK(place_core_free(&c));
}

UTEST(place_pick_prefers_fewer_blocked_then_less_busy)
{
	struct sprout_core_load core[5] = {
		core_at(ON, 0, 1, 20),			      /* the halted broker */
		core_at(ON, 0, 0, 300),			      /* empty, but busy a while ago */
		core_at(ON, 0, 0, 100), core_at(ON, 1, 0, 0), /* a busy VM */
		core_at(0, 0, 0, 0),			      /* offline */
	};

	CHECK_EQ(place_free_count(core, 5), 3);
	CHECK_EQ(place_pick(core, 5), 2);
	core[2].flags |= SPROUT_CORE_LAUNCH;
	CHECK_EQ(place_free_count(core, 5), 2);
	CHECK_EQ(place_pick(core, 5), 1);
	core[1].busy_pm = 100; /* a tie goes to the lower number */
	core[2] = core_at(ON, 0, 0, 100);
	CHECK_EQ(place_pick(core, 5), 1);
	core[1].runnable = 1;
	core[2].runnable = 1;
	CHECK_EQ(place_pick(core, 5), 0); /* the broker's core is free too */
	core[0].busy_pm = 900;
	CHECK_EQ(place_pick(core, 5), -1);
	CHECK_EQ(place_free_count(core, 5), 0);
	CHECK_EQ(place_pick(core, 0), -1);
}

UTEST(place_caller_waits_counts_the_caller_as_blocked)
{
	struct sprout_core_load c = core_at(ON, 1, 0, 10);

	CHECK(!place_core_free(&c));
	place_caller_waits(&c);
	CHECK_EQ(c.runnable, 0);
	CHECK_EQ(c.blocked, 1);
	CHECK(place_core_free(&c));
	place_caller_waits(&c); /* not counted as running: nothing to move */
	CHECK_EQ(c.runnable, 0);
	CHECK_EQ(c.blocked, 1);
	c = core_at(ON, 2, 0, 10); /* someone else wants the core as well */
	place_caller_waits(&c);
	CHECK(!place_core_free(&c));
	c = core_at(ON, 1, 0, 800); /* a busy guest sending INIT/SIPI: its core stays busy */
	place_caller_waits(&c);
	CHECK(!place_core_free(&c));
}

/* Count and pick can never disagree: a count above 0 is a core to pick, and it is free. */
UTEST(place_count_and_pick_agree)
{
	struct sprout_core_load core[CORES_MAX];
	u32 seed = 12345, agreed = 0;

	for (int round = 0; round < 5000; round++) {
		u32 n = 1 + round % CORES_MAX;
		s32 pick;

		for (u32 c = 0; c < n; c++) {
			seed = seed * 1103515245u + 12345u;
			core[c] = core_at((seed >> 8) % 5 ? ON : 0, (seed >> 12) % 3 == 0,
					  (seed >> 14) % 3, (seed >> 16) % 1001);
			if ((seed >> 26) % 7 == 0)
				core[c].flags |= SPROUT_CORE_LAUNCH;
		}
		pick = place_pick(core, n);
		CHECK_EQ(pick >= 0, place_free_count(core, n) > 0);
		if (pick >= 0) {
			CHECK(place_core_free(&core[pick]));
			for (u32 c = 0; c < n; c++)
				CHECK(!place_core_free(&core[c]) ||
				      core[c].blocked >= core[pick].blocked);
		}
		agreed += pick >= 0;
	}
	CHECK(agreed > 100 && agreed < 4900); /* both outcomes were exercised */
}

/*
 * A simulated host: VMs with vCPUs on cores, each vCPU busy a share of every
 * period (100 ms, the placement window), halted when its share is 1% or less.
 * Each period it writes the load area while the broker waits (or, with
 * page_sees_broker, while it runs), runs the broker's policy on it and carries
 * out the adds the way HC_VCPU_ADD does: the hypervisor's own figures, with
 * the broker running its call, through place_pick().
 */
struct sim_vcpu {
	bool on;
	u32 core;   /* where it queues now */
	u32 ran_on; /* where it ran in the last period (its busy time counts there) */
	u32 pct;
	bool idle_now; /* halted when the page is written, however busy it was */
	u64 busy_us;
};

struct sim_vm {
	u32 id;
	bool privileged;
	u32 min, max;
	struct sim_vcpu v[VCPU_POLICY_MAX_VCPUS];
};

static struct {
	u32 ncores;
	struct sim_vm vm[VMS_MAX];
	u32 nvm;
	u64 now_us;
	u32 launch_mask; /* cores with a launch pending (cleared each period) */
	bool page_sees_broker;
	struct vcpu_policy pol;
	struct sprout_stats_page pg;
	u32 periods, adds, waits, refused, disagreed;
	s32 add_core[VMS_MAX][VCPU_POLICY_MAX_VCPUS]; /* where each added vCPU went */
	u32 add_period[VMS_MAX][VCPU_POLICY_MAX_VCPUS];
} sim;

static void sim_setup(u32 ncores)
{
	struct vcpu_policy_config cfg;

	memset(&sim, 0, sizeof(sim));
	sim.ncores = ncores;
	sim.now_us = 1000000;
	vcpu_policy_config_default(&cfg);
	vcpu_policy_init(&sim.pol, &cfg);
}

/* A VM with one vCPU on core, busy pct percent of the time. */
static struct sim_vm *sim_vm(u32 id, u32 max, u32 core, u32 pct)
{
	struct sim_vm *vm = &sim.vm[sim.nvm++];

	vm->id = id;
	vm->min = 1;
	vm->max = max;
	vm->v[0] = (struct sim_vcpu){.on = true, .core = core, .ran_on = core, .pct = pct};
	return vm;
}

static bool halted(const struct sim_vm *vm, const struct sim_vcpu *v, bool broker_runs)
{
	return (v->pct <= 1 || v->idle_now) && !(vm->privileged && broker_runs);
}

/* The cores' figures as the hypervisor would gather them now. */
static void sim_cores(struct sprout_core_load *core, bool broker_runs)
{
	for (u32 c = 0; c < SPROUT_STATS_CPUS; c++)
		core[c] = core_at(c < sim.ncores ? ON : 0, 0, 0, 0);
	for (u32 c = 0; c < sim.ncores; c++) {
		if (sim.launch_mask & (1u << c))
			core[c].flags |= SPROUT_CORE_LAUNCH;
	}
	for (u32 i = 0; i < sim.nvm; i++) {
		for (u32 j = 0; j < VCPU_POLICY_MAX_VCPUS; j++) {
			const struct sim_vcpu *v = &sim.vm[i].v[j];

			if (!v->on)
				continue;
			if (halted(&sim.vm[i], v, broker_runs))
				core[v->core].blocked++;
			else
				core[v->core].runnable++;
			core[v->ran_on].busy_pm = MIN(core[v->ran_on].busy_pm + v->pct * 10, 1000u);
		}
	}
}

static u8 page_state(const struct sim_vm *vm, const struct sim_vcpu *v)
{
	if (!v->on)
		return SPROUT_VCPU_OFF;
	return halted(vm, v, sim.page_sees_broker) ? SPROUT_VCPU_HALTED : SPROUT_VCPU_RUNNABLE;
}

static void sim_page(void)
{
	memset(&sim.pg, 0, sizeof(sim.pg));
	sim.pg.cpus = sim.ncores;
	sim.pg.now_us = sim.now_us;
	sim_cores(sim.pg.core, sim.page_sees_broker);
	sim.pg.cpus_idle = place_free_count(sim.pg.core, SPROUT_STATS_CPUS);
	for (u32 i = 0; i < sim.nvm; i++) {
		const struct sim_vm *vm = &sim.vm[i];

		sim.pg.vm[i].id = vm->id;
		sim.pg.vm[i].state = SPROUT_VM_RUNNING;
		sim.pg.vm[i].vcpus_max = vm->max;
		for (u32 j = 0; j < VCPU_POLICY_MAX_VCPUS; j++) {
			const struct sim_vcpu *v = &vm->v[j];

			sim.pg.vm[i].vcpus_online += v->on;
			sim.pg.vm[i].vcpu_busy_us[j] = v->busy_us;
			sim.pg.vm[i].vcpu_cpu[j] = v->core;
			sim.pg.vm[i].vcpu_state[j] = page_state(vm, v);
		}
	}
}

/* HC_VCPU_ADD from the broker: the hypervisor's choice, as sched_find_idle_cpu() makes it. */
static long sim_add(u32 vm_index, u32 broker_core)
{
	struct sprout_core_load core[SPROUT_STATS_CPUS];
	struct sim_vm *vm = &sim.vm[vm_index];
	u32 online = 0;
	s32 c;

	for (u32 j = 0; j < VCPU_POLICY_MAX_VCPUS; j++)
		online += vm->v[j].on;
	if (online >= vm->max)
		return -SPROUT_ENOSPC;
	sim_cores(core, true);
	place_caller_waits(&core[broker_core]);
	c = place_pick(core, SPROUT_STATS_CPUS);
	if (c < 0)
		return -SPROUT_EBUSY;
	vm->v[online] = (struct sim_vcpu){
		.on = true, .core = (u32)c, .ran_on = (u32)c, .pct = vm->v[0].pct};
	sim.launch_mask |= 1u << c;
	sim.add_core[vm_index][online] = c;
	sim.add_period[vm_index][online] = sim.periods;
	return online;
}

static void sim_act(const struct vcpu_decision *d, u32 broker_core)
{
	long ret = 0;
	u32 i = 0;

	while (sim.vm[i].id != d->vm_id)
		i++;
	if (d->action == VCPU_WAIT) {
		sim.waits++;
		return;
	}
	CHECK_EQ(d->action, VCPU_ADD); /* full loads never park */
	ret = sim_add(i, broker_core);
	sim.adds += ret >= 0;
	sim.refused += ret < 0;
	vcpu_policy_result(&sim.pol, d, ret);
}

/* One period: the vCPUs run, the page is written, the broker decides and acts. */
static void sim_period(void)
{
	struct vcpu_sample s[VMS_MAX];
	struct vcpu_decision d[VMS_MAX];
	struct vcpu_host h;
	u32 n, idle;

	sim.now_us += PERIOD_US;
	sim.launch_mask = 0; /* launched in the period since */
	for (u32 i = 0; i < sim.nvm; i++) {
		for (u32 j = 0; j < VCPU_POLICY_MAX_VCPUS; j++)
			sim.vm[i].v[j].busy_us +=
				sim.vm[i].v[j].on ? PERIOD_US * sim.vm[i].v[j].pct / 100 : 0;
	}
	sim_page();
	idle = vcpu_idle_cores(&sim.pg, 0);
	for (u32 i = 0; i < sim.nvm; i++) {
		s[i] = (struct vcpu_sample){.vm_id = sim.vm[i].id,
					    .state = SPROUT_VM_RUNNING,
					    .privileged = sim.vm[i].privileged,
					    .vcpus_min = sim.vm[i].min,
					    .vcpus_max = sim.vm[i].max};
		memcpy(s[i].busy_us, sim.pg.vm[i].vcpu_busy_us, sizeof(s[i].busy_us));
		memcpy(s[i].vcpu_state, sim.pg.vm[i].vcpu_state, sizeof(s[i].vcpu_state));
	}
	h = (struct vcpu_host){sim.now_us, idle};
	n = vcpu_policy_period(&sim.pol, &h, s, sim.nvm, d, ARRAY_SIZE(d));
	sim.periods++;
	for (u32 i = 0; i < n; i++)
		sim_act(&d[i], sim.vm[0].v[0].core);
	for (u32 i = 0; i < sim.nvm; i++) {
		for (u32 j = 0; j < VCPU_POLICY_MAX_VCPUS; j++)
			sim.vm[i].v[j].ran_on = sim.vm[i].v[j].core;
	}
}

/* The broker (VM 0, halted but for 1%) on core 0 and a busy VM on every other core. */
static void sim_share(u32 ncores, u32 burn_max)
{
	sim_setup(ncores);
	sim_vm(0, 1, 0, 1)->privileged = true;
	sim_vm(1, burn_max, 1, 100); /* burn: the VM that may grow */
	for (u32 c = 2; c < ncores; c++)
		sim_vm(c, 1, c, 100); /* hogs: vcpus = 1 */
}

UTEST(broker_place_busy_vm_grows_onto_the_brokers_core)
{
	for (u32 ncores = 2; ncores <= CORES_MAX; ncores++) {
		for (int seen = 0; seen < 2; seen++) {
			sim_share(ncores, 3);
			sim.page_sees_broker = seen;
			for (int i = 0; i < 20; i++)
				sim_period();
			/* Priming, then up_periods (3) at full load: the add in the 4th period. */
			CHECK_EQ(sim.adds, 1);
			CHECK_EQ(sim.add_period[1][1], 4);
			CHECK_EQ(sim.add_core[1][1], 0); /* shares the broker's core */
			CHECK_EQ(sim.refused, 0);
			/* No core is left: burn waits (said once), no hog ever grows. */
			CHECK_EQ(sim.waits, 1);
			for (u32 i = 2; i < sim.nvm; i++)
				CHECK(!sim.vm[i].v[1].on);
			CHECK(!sim.vm[1].v[2].on);
		}
	}
}

UTEST(broker_place_a_vcpu_moving_onto_the_brokers_core)
{
	/*
	 * In burn's third high period, an idle core steals hog at the end of a
	 * slice: hog now queues on the broker's core and its old core is empty,
	 * though busy all window. burn still gets its vCPU in that period, there.
	 */
	sim_share(3, 3);
	for (int i = 0; i < 3; i++)
		sim_period();
	sim.vm[2].v[0].core = 0;
	sim_period();
	CHECK_EQ(sim.adds, 1);
	CHECK_EQ(sim.add_period[1][1], 4);
	CHECK_EQ(sim.add_core[1][1], 2);
	CHECK_EQ(sim.waits, 0);
	CHECK_EQ(sim.refused, 0);

	/* burn's own vCPU halted at the end of a busy spell: its core is not free. */
	sim_share(3, 3);
	for (int i = 0; i < 3; i++)
		sim_period();
	sim.vm[1].v[0].idle_now = true;
	sim_page();
	CHECK_EQ(sim.pg.core[1].blocked, 1);
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 1); /* the broker's core only */
}

UTEST(broker_place_count_matches_the_hypervisors_choice)
{
	struct sprout_core_load core[SPROUT_STATS_CPUS];

	/* Three cores as in vcpu-share: broker on 0, burn on 1, hog on 2. */
	sim_share(3, 3);
	sim_page();
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 1);
	CHECK_EQ(sim.pg.cpus_idle, 1);
	sim_cores(core, true);
	place_caller_waits(&core[0]);
	CHECK_EQ(place_pick(core, SPROUT_STATS_CPUS), 0);

	/* The page caught the broker running: the same count. */
	sim.page_sees_broker = true;
	sim_page();
	CHECK_EQ(sim.pg.cpus_idle, 0);
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 1);
	/* Without knowing which VM is the broker, its running vCPU takes the core. */
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 7), 0);

	/* A busy VM of its own on the broker's core: nothing is free. */
	sim.vm[2].v[0].core = 0;
	sim_page();
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 1); /* core 2 is now empty */
	sim.vm[1].v[0].core = 2;
	sim_page();
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 1); /* core 1 now */
	sim.vm[1].v[0].core = 0;
	sim_page();
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 2);
	sim.vm[1].v[0].core = 1;
	sim.vm[2].v[0].core = 2;
	sim.vm[2].v[1] = (struct sim_vcpu){.on = true, .core = 0, .pct = 100};
	sim_page();
	CHECK_EQ(vcpu_idle_cores(&sim.pg, 0), 0);
}

UTEST(broker_place_empty_cores_before_the_brokers)
{
	/* vcpu-grow: four cores, the broker and one busy VM of up to 3 vCPUs. */
	sim_setup(4);
	sim_vm(0, 1, 0, 1)->privileged = true;
	sim_vm(1, 3, 1, 100);
	for (int i = 0; i < 20; i++)
		sim_period();
	CHECK_EQ(sim.adds, 2);
	CHECK_EQ(sim.add_period[1][1], 4);
	CHECK_EQ(sim.add_period[1][2], 8); /* one period for the new set, three more */
	CHECK(sim.add_core[1][1] == 2 || sim.add_core[1][1] == 3);
	CHECK(sim.add_core[1][2] == 2 || sim.add_core[1][2] == 3);
	CHECK(sim.add_core[1][1] != sim.add_core[1][2]);
	CHECK_EQ(sim.waits, 0);
}

UTEST(broker_place_two_growing_vms_one_free_core)
{
	/* Two cores busy with VMs that both may grow; only the broker's core is free. */
	sim_setup(3);
	sim_vm(0, 1, 0, 1)->privileged = true;
	sim_vm(1, 2, 1, 90);
	sim_vm(2, 2, 2, 100);
	for (int i = 0; i < 10; i++)
		sim_period();
	CHECK_EQ(sim.adds, 1);
	CHECK(sim.vm[2].v[1].on); /* the busier one */
	CHECK_EQ(sim.add_core[2][1], 0);
	CHECK(!sim.vm[1].v[1].on);
	CHECK_EQ(sim.waits, 1);
	CHECK_EQ(sim.refused, 0);
}
