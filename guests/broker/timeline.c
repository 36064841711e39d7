/* SPDX-License-Identifier: MIT */
/* The broker's timeline: sample and decision rings, CSV export (pure C, host-tested). */
#include "timeline.h"
#include "cmd.h"
#include "../lib/fmt.h"

static const char *const event_names[TL_EVENT_KINDS] = {
	[TL_GRANT] = "grant", [TL_DENY] = "deny", [TL_RECLAIM] = "reclaim",
	[TL_ADD] = "add",     [TL_PARK] = "park",
};

void tl_init(struct timeline *tl)
{
	tl->s_next = tl->s_count = 0;
	tl->e_next = tl->e_count = 0;
	tl->e_lost = 0;
	tl->names_n = 0;
	tl->host_total_kib = 0;
}

static u32 clamp32(u64 v)
{
	return v > 0xffffffffu ? 0xffffffffu : (u32)v;
}

struct tl_sample *tl_sample_begin(struct timeline *tl, u64 t_ms, u64 free_kib, u64 total_kib,
				  u32 busy_cores_x100)
{
	struct tl_sample *s = &tl->s[tl->s_next];

	tl->s_next = (tl->s_next + 1) % TL_SAMPLES;
	if (tl->s_count < TL_SAMPLES)
		tl->s_count++;
	s->t_ms = t_ms;
	s->free_kib = clamp32(free_kib);
	s->busy_cores_x100 = busy_cores_x100 > 0xffff ? 0xffff : (u16)busy_cores_x100;
	s->nvms = 0;
	tl->host_total_kib = total_kib;
	return s;
}

static void copy_name(char *dst, const char *src)
{
	u32 i = 0;

	/* CSV-safe: the names are VM names (letters, digits, _ and -) but trust nothing. */
	for (; src && src[i] && i < TL_NAME_MAX - 1; i++)
		dst[i] = src[i] == ',' || src[i] == '"' || src[i] < ' ' ? '_' : src[i];
	dst[i] = '\0';
}

static void remember_name(struct timeline *tl, u32 id, const char *name)
{
	u32 i;

	for (i = 0; i < tl->names_n; i++) {
		if (tl->names_id[i] == id)
			break;
	}
	if (i == tl->names_n) {
		if (tl->names_n == TL_VMS)
			i = id % TL_VMS; /* full: an old id gives way */
		else
			tl->names_n++;
		tl->names_id[i] = id;
	}
	copy_name(tl->names[i], name);
}

static const char *name_of(const struct timeline *tl, u32 id)
{
	for (u32 i = 0; i < tl->names_n; i++) {
		if (tl->names_id[i] == id)
			return tl->names[i];
	}
	return "";
}

void tl_sample_vm(struct timeline *tl, struct tl_sample *s, const struct tl_vm *vm,
		  const char *name)
{
	if (s->nvms >= TL_VMS)
		return;
	s->vm[s->nvms++] = *vm;
	remember_name(tl, vm->id, name);
}

void tl_event(struct timeline *tl, u64 t_ms, u32 vm_id, enum tl_event_kind kind, u64 arg)
{
	struct tl_event *e = &tl->e[tl->e_next];

	if ((u32)kind >= TL_EVENT_KINDS)
		return;
	tl->e_next = (tl->e_next + 1) % TL_EVENTS;
	if (tl->e_count < TL_EVENTS)
		tl->e_count++;
	else
		tl->e_lost++;
	*e = (struct tl_event){.t_ms = t_ms, .vm_id = vm_id, .kind = kind, .arg = arg};
}

const char *tl_event_name(enum tl_event_kind kind)
{
	return (u32)kind < TL_EVENT_KINDS ? event_names[kind] : "?";
}

static void put_sample(const struct timeline *tl, const struct tl_sample *s,
		       void (*put)(const char *line, void *ctx), void *ctx)
{
	char line[160];

	fmt_snprintf(line, sizeof(line), "%llu,host,,,,,,,,%u,%u.%02u,,",
		     (unsigned long long)s->t_ms, s->free_kib, s->busy_cores_x100 / 100u,
		     s->busy_cores_x100 % 100u);
	put(line, ctx);
	for (u32 i = 0; i < s->nvms; i++) {
		const struct tl_vm *v = &s->vm[i];

		fmt_snprintf(line, sizeof(line), "%llu,vm,%u,%s,%s,%u,%u,%u,%u,,,,",
			     (unsigned long long)s->t_ms, v->id, name_of(tl, v->id),
			     cmd_state_name(v->state), v->committed_kib, v->quota_kib, v->vcpus,
			     v->busy_pct);
		put(line, ctx);
	}
}

void tl_export(const struct timeline *tl, void (*put)(const char *line, void *ctx), void *ctx)
{
	u32 si = (tl->s_next + TL_SAMPLES - tl->s_count) % TL_SAMPLES;
	u32 ei = (tl->e_next + TL_EVENTS - tl->e_count) % TL_EVENTS;
	u32 sn = tl->s_count, en = tl->e_count;
	char line[160];

	put(TL_BEGIN, ctx);
	fmt_snprintf(line, sizeof(line),
		     "# sprout stats v1: host_total_kib=%llu samples=%u events=%u "
		     "events_lost=%llu",
		     (unsigned long long)tl->host_total_kib, sn, en,
		     (unsigned long long)tl->e_lost);
	put(line, ctx);
	put("t_ms,record,vm_id,vm,state,committed_kib,quota_kib,vcpus,busy_pct,free_kib,"
	    "busy_cores,event,arg",
	    ctx);
	/* Samples and decisions merged by time; a decision goes before a sample of the same ms. */
	while (sn || en) {
		const struct tl_sample *s = sn ? &tl->s[si] : NULL;
		const struct tl_event *e = en ? &tl->e[ei] : NULL;

		if (e && (!s || e->t_ms <= s->t_ms)) {
			fmt_snprintf(line, sizeof(line), "%llu,event,%u,%s,,,,,,,,%s,%llu",
				     (unsigned long long)e->t_ms, e->vm_id, name_of(tl, e->vm_id),
				     tl_event_name((enum tl_event_kind)e->kind),
				     (unsigned long long)e->arg);
			put(line, ctx);
			ei = (ei + 1) % TL_EVENTS;
			en--;
		} else {
			put_sample(tl, s, put, ctx);
			si = (si + 1) % TL_SAMPLES;
			sn--;
		}
	}
	put(TL_END, ctx);
}
