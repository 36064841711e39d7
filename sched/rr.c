// SPDX-License-Identifier: MIT
/* Round-robin policy with per-core run queues; an idle core steals a waiting vCPU. */
#include <hv/errno.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/vm.h>

#define RQ_MAX	 (VM_MAX * VM_MAX_VCPUS) /* a queue may hold every vCPU there is */
#define RQ_ORDER 2			 /* the frames of one queue's array */
_Static_assert(RQ_MAX * sizeof(struct vcpu *) <= PAGE_SIZE << RQ_ORDER, "RQ_ORDER holds RQ_MAX");

struct runqueue {
	spinlock_t lock;
	struct vcpu **v; /* RQ_MAX entries, for the CPUs that exist (rr_init()) */
	u32 n;
	u32 cursor;
};

static struct runqueue rq[MAX_CPUS];

static int rr_init(u32 cpus)
{
	for (u32 c = 0; c < cpus && c < MAX_CPUS; c++) {
		hpa_t pa = pmm_alloc(RQ_ORDER);

		if (pa == INVALID_HPA)
			return -ENOMEM;
		rq[c].v = (struct vcpu **)(uintptr_t)pa;
	}
	return 0;
}

static bool rq_contains(struct runqueue *q, struct vcpu *v, u32 *at)
{
	for (u32 i = 0; i < q->n; i++)
		if (q->v[i] == v) {
			if (at)
				*at = i;
			return true;
		}
	return false;
}

static void rr_add(struct vcpu *v, u32 cpu)
{
	struct runqueue *q = &rq[cpu];

	spin_lock(&q->lock);
	if (q->v && !rq_contains(q, v, NULL) && q->n < RQ_MAX) {
		q->v[q->n++] = v;
		v->cpu = cpu;
	}
	spin_unlock(&q->lock);
}

static void rq_delete(struct runqueue *q, u32 at)
{
	q->v[at] = q->v[--q->n];
	if (q->cursor > q->n)
		q->cursor = 0;
}

static void rr_remove(struct vcpu *v)
{
	struct runqueue *q = &rq[v->cpu];
	u32 at;

	spin_lock(&q->lock);
	if (rq_contains(q, v, &at))
		rq_delete(q, at);
	spin_unlock(&q->lock);
}

/*
 * Claims are made under the queue's lock (rq_claim()), so with v out of its
 * queue and not claimed under that lock, no CPU can pick it any more. A steal
 * holds v claimed while it moves it (rr_steal()), so v->cpu read here is
 * either v's queue or v is claimed.
 */
static bool rr_take(struct vcpu *v)
{
	for (;;) {
		u32 cpu = __atomic_load_n(&v->cpu, __ATOMIC_ACQUIRE);
		struct runqueue *q = &rq[cpu];
		bool taken = false;
		u32 at;

		spin_lock(&q->lock);
		if (__atomic_load_n(&v->cpu, __ATOMIC_RELAXED) != cpu) {
			spin_unlock(&q->lock); /* moved to another queue meanwhile */
			continue;
		}
		if (!v->on_cpu) {
			if (rq_contains(q, v, &at))
				rq_delete(q, at);
			taken = true;
		}
		spin_unlock(&q->lock);
		return taken;
	}
}

static bool runnable(const struct vcpu *v)
{
	/* VCPU_NEW: a hotplugged vCPU that the CPU which claims it creates first. */
	return (v->state == VCPU_RUNNABLE || v->state == VCPU_NEW) && !v->on_cpu &&
	       vm_state(v->vm) == VM_RUNNING && !v->vm->held && !vm_stopping(v->vm);
}

/* Claim the next runnable vCPU of q after its cursor; called with q locked. */
static struct vcpu *rq_claim(struct runqueue *q)
{
	for (u32 k = 0; k < q->n; k++) {
		u32 i = (q->cursor + k) % q->n;
		struct vcpu *v = q->v[i];

		if (runnable(v)) {
			v->on_cpu = true;
			q->cursor = i + 1;
			return v;
		}
	}
	return NULL;
}

/* vCPUs of q that run or want to run; called with q locked. */
static u32 rq_wanting(const struct runqueue *q)
{
	u32 n = 0;

	for (u32 i = 0; i < q->n; i++)
		n += q->v[i]->on_cpu || q->v[i]->state == VCPU_RUNNABLE ||
		     q->v[i]->state == VCPU_NEW;
	return n;
}

/*
 * Take a runnable vCPU that really waits on another core's queue (that core
 * has more than one vCPU wanting it) and move it here. A lone vCPU between
 * two of its own slices is not waiting: taking it would only move it around.
 */
static struct vcpu *rr_steal(u32 cpu)
{
	for (u32 c = 0; c < MAX_CPUS; c++) {
		struct runqueue *q = &rq[c];
		struct vcpu *v;
		u32 at;

		if (c == cpu || !percpu[c].online || !q->n)
			continue;
		spin_lock(&q->lock);
		v = rq_wanting(q) >= 2 ? rq_claim(q) : NULL;
		if (v && rq_contains(q, v, &at))
			rq_delete(q, at);
		spin_unlock(&q->lock);
		if (v) {
			rr_add(v, cpu);
			return v;
		}
	}
	return NULL;
}

static struct vcpu *rr_pick_next(u32 cpu)
{
	struct runqueue *q = &rq[cpu];
	struct vcpu *v;

	spin_lock(&q->lock);
	v = rq_claim(q);
	spin_unlock(&q->lock);
	return v ? v : rr_steal(cpu);
}

/* vCPUs queued on cpu that run or want to run, and those blocked (halted, waiting). */
static void rr_cpu_count(u32 cpu, u32 *runnable, u32 *blocked, u32 *launching)
{
	struct runqueue *q = &rq[cpu];

	*runnable = 0;
	*blocked = 0;
	*launching = 0;
	spin_lock(&q->lock);
	for (u32 i = 0; i < q->n; i++) {
		const struct vcpu *v = q->v[i];

		if (v->state == VCPU_NEW)
			(*launching)++;
		else if (v->on_cpu || v->state == VCPU_RUNNABLE)
			(*runnable)++;
		else if (v->state == VCPU_BLOCKED)
			(*blocked)++;
	}
	spin_unlock(&q->lock);
}

static u32 rr_cpu_load(u32 cpu)
{
	struct runqueue *q = &rq[cpu];
	u32 n = 0;

	spin_lock(&q->lock);
	for (u32 i = 0; i < q->n; i++)
		n += q->v[i]->on_cpu || q->v[i]->state == VCPU_RUNNABLE ||
		     q->v[i]->state == VCPU_NEW;
	spin_unlock(&q->lock);
	return n;
}

const struct sched_ops sched_rr_ops = {
	.name = "rr",
	.init = rr_init,
	.add = rr_add,
	.remove = rr_remove,
	.take = rr_take,
	.pick_next = rr_pick_next,
	.cpu_count = rr_cpu_count,
	.cpu_load = rr_cpu_load,
};
