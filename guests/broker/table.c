/* SPDX-License-Identifier: MIT */
/* The broker's VM table: HC_VM_LIST rows plus per-VM activity, and the host figures. */
#include "guest.h"
#include "sprout.h"
#include "broker.h"

struct broker_vm vm_table[BROKER_MAX_VMS];
unsigned int vm_count;
struct sprout_host_stats host_stats;
bool host_stats_ok;

/*
 * Hypercall buffers live in .bss: guest RAM is identity-mapped, so their
 * addresses are guest-physical addresses the hypervisor can check.
 */
static struct sprout_vm_info list_buf[BROKER_MAX_VMS] __aligned(PAGE_SIZE);
static struct sprout_vm_info info_buf __aligned(sizeof(struct sprout_vm_info));
static struct sprout_host_stats stats_buf __aligned(64);

/* Last name seen for each VM id: log lines about a destroyed VM still name it. */
static char known_names[BROKER_MAX_VMS][sizeof(vm_table[0].info.name)];

static void sanitize(char *s, size_t size)
{
	s[size - 1] = '\0';
	for (; *s; s++) {
		if (*s < ' ' || *s >= 0x7f)
			*s = '?';
	}
}

void table_sanitize(struct sprout_vm_info *info)
{
	sanitize(info->name, sizeof(info->name));
	sanitize(info->stop_reason, sizeof(info->stop_reason));
}

static const struct broker_vm *old_row(const struct broker_vm *old, unsigned int n, u32 id)
{
	for (unsigned int i = 0; i < n; i++) {
		if (old[i].info.id == id)
			return &old[i];
	}
	return NULL;
}

/*
 * Carry each VM's activity over from the old table by id. A VM that left
 * the stopped state was started again: its history starts afresh.
 */
static void merge(const struct sprout_vm_info *rows, unsigned int n, bool tick, u64 elapsed_us)
{
	static struct broker_vm old[BROKER_MAX_VMS];
	unsigned int old_n = vm_count;

	memcpy(old, vm_table, sizeof(old));
	for (unsigned int i = 0; i < n; i++) {
		const struct broker_vm *o = old_row(old, old_n, rows[i].id);
		struct broker_vm *v = &vm_table[i];

		v->info = rows[i];
		table_sanitize(&v->info);
		if (v->info.id < BROKER_MAX_VMS)
			memcpy(known_names[v->info.id], v->info.name, sizeof(v->info.name));
		if (o)
			v->act = o->act;
		if (!o ||
		    (o->info.state == SPROUT_VM_STOPPED && v->info.state != SPROUT_VM_STOPPED))
			activity_reset(&v->act);
		if (tick)
			activity_sample(&v->act, v->info.busy_us, v->info.exits, elapsed_us);
	}
	vm_count = n;
}

long table_refresh(bool tick, u64 elapsed_us)
{
	long n = hypercall(HC_VM_LIST, (unsigned long)list_buf, BROKER_MAX_VMS, 0, 0);

	if (n < 0)
		return n;
	/* The hypervisor may count VMs it did not copy: use only what fits. */
	merge(list_buf, (unsigned int)MIN((unsigned long)n, BROKER_MAX_VMS), tick, elapsed_us);
	return (long)vm_count;
}

long host_refresh(void)
{
	long ret = hypercall(HC_HOST_STATS, (unsigned long)&stats_buf, 0, 0, 0);

	if (ret < 0)
		return ret;
	host_stats = stats_buf;
	host_stats.cpus = MIN(host_stats.cpus, (u32)ARRAY_SIZE(host_stats.cpu_busy_us));
	host_stats_ok = true;
	return 0;
}

struct broker_vm *table_find(u32 id)
{
	for (unsigned int i = 0; i < vm_count; i++) {
		if (vm_table[i].info.id == id)
			return &vm_table[i];
	}
	return NULL;
}

const char *table_name(u32 id)
{
	struct broker_vm *v = table_find(id);

	if (v)
		return v->info.name;
	return id < BROKER_MAX_VMS && known_names[id][0] ? known_names[id] : "?";
}

long table_vm_info(u32 id, struct sprout_vm_info *out)
{
	long ret = hypercall(HC_VM_INFO, id, (unsigned long)&info_buf, 0, 0);

	if (ret < 0)
		return ret;
	*out = info_buf;
	table_sanitize(out);
	return 0;
}
