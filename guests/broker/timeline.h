/* SPDX-License-Identifier: MIT */
/*
 * The broker's timeline: a ring of samples of every VM (committed, quota,
 * vCPUs online, busy) and of the host (free memory, busy cores), plus a ring
 * of the broker's decisions, written out as CSV by `stats export`. Pure C,
 * host-tested: the broker feeds it, an output function takes the text.
 */
#ifndef BROKER_TIMELINE_H
#define BROKER_TIMELINE_H

#include <hv/types.h>

#define TL_SAMPLES    600 /* samples kept: 10 minutes at one a second */
#define TL_VMS	      16  /* VMs per sample (the broker's table size) */
#define TL_EVENTS     256 /* decisions kept */
#define TL_NAME_MAX   32
#define TL_DEFAULT_MS 1000 /* stats-every: a sample every this many ms of broker time */

/* Markers around the CSV on the console (tools/plot.py looks for them). */
#define TL_BEGIN "--- sprout stats begin ---"
#define TL_END	 "--- sprout stats end ---"

struct tl_vm {
	u32 id;
	u32 committed_kib;
	u32 quota_kib;
	u16 busy_pct; /* guest time over the interval, in percent of one CPU (200: two busy vCPUs) */
	u8 vcpus;     /* online */
	u8 state;     /* enum sprout_vm_state */
};

struct tl_sample {
	u64 t_ms; /* broker time */
	u32 free_kib;
	u16 busy_cores_x100; /* host: CPU time spent in guests over the interval, in cores x 100 */
	u8 nvms;
	struct tl_vm vm[TL_VMS];
};

enum tl_event_kind {
	TL_GRANT,   /* a memory request granted; arg: the VM's quota after it, KiB */
	TL_DENY,    /* a memory request denied */
	TL_RECLAIM, /* pages taken back; arg: KiB returned */
	TL_ADD,	    /* a vCPU added; arg: vCPUs online after */
	TL_PARK,    /* a vCPU parked; arg: vCPUs online after */
	TL_EVENT_KINDS,
};

struct tl_event {
	u64 t_ms;
	u32 vm_id;
	u32 kind; /* enum tl_event_kind */
	u64 arg;
};

struct timeline {
	struct tl_sample s[TL_SAMPLES];
	u32 s_next, s_count;
	struct tl_event e[TL_EVENTS];
	u32 e_next, e_count;
	u64 e_lost;			 /* decisions that fell off the ring */
	char names[TL_VMS][TL_NAME_MAX]; /* by slot: the last name seen for names_id[slot] */
	u32 names_id[TL_VMS];
	u32 names_n;
	u64 host_total_kib;
};

void tl_init(struct timeline *tl);

/* A new sample, to fill with tl_sample_vm(); the oldest is dropped when the ring is full. */
struct tl_sample *tl_sample_begin(struct timeline *tl, u64 t_ms, u64 free_kib, u64 total_kib,
				  u32 busy_cores_x100);

/* One VM in the sample just begun; name is kept for the export (VMs beyond TL_VMS are left out). */
void tl_sample_vm(struct timeline *tl, struct tl_sample *s, const struct tl_vm *vm,
		  const char *name);

/* One decision of the broker. */
void tl_event(struct timeline *tl, u64 t_ms, u32 vm_id, enum tl_event_kind kind, u64 arg);

const char *tl_event_name(enum tl_event_kind kind);

/*
 * The timeline as CSV between TL_BEGIN and TL_END, oldest first, one line per
 * call of put (no newline in it). Columns:
 *   t_ms,record,vm_id,vm,state,committed_kib,quota_kib,vcpus,busy_pct,free_kib,busy_cores,event,arg
 * record "vm": one VM in a sample; "host": the host in a sample (free_kib,
 * busy_cores); "event": a decision (event = grant, deny, reclaim, add, park;
 * arg as in enum tl_event_kind). A "# " comment line before the header gives
 * host_total_kib, the samples and the decisions kept and lost.
 */
void tl_export(const struct timeline *tl, void (*put)(const char *line, void *ctx), void *ctx);

#endif
