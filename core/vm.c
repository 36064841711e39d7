// SPDX-License-Identifier: MIT
/* VM lifecycle: create from the config, load the image, stop, and keep the final figures. */
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/boot_info.h>
#include <hv/broker.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lifecycle.h>
#include <hv/loader.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vplat.h>

#include "handlers.h"

struct vm vm_table[VM_MAX];
/*
 * Each vCPU slot's frame (struct vcpu and the vendor's state), allocated at
 * the slot's first use and kept for it: a VM started again in the same table
 * slot reuses them.
 */
static struct vcpu *vcpu_mem[VM_MAX][VM_MAX_VCPUS];
_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "struct vcpu fits a frame");

/* Walk [gpa, gpa+len) page by page through the stage-2 map, backing pages if commit. */
static int vm_copy(struct vm *vm, gpa_t gpa, void *buf, size_t len, bool to_guest)
{
	u8 *p = buf;

	if (!len)
		return 0;
	if (gpa + len < gpa || !gpmap_is_ram(&vm->mem.map, gpa, len))
		return -EFAULT;
	/* Locked across the copy: a reclaim on another CPU cannot free a page under it. */
	demand_lock(&vm->mem);
	while (len) {
		size_t chunk = (size_t)MIN((u64)len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		enum demand_result why;
		hpa_t hpa = demand_gpa_to_hpa(&vm->mem, gpa, to_guest, &why);

		if (to_guest && hpa == INVALID_HPA) {
			demand_unlock(&vm->mem);
			return -ENOMEM;
		}
		if (to_guest)
			memcpy((void *)(uintptr_t)hpa, p, chunk);
		else if (hpa == INVALID_HPA)
			memset(p, 0, chunk); /* never touched: reads as the zero page it will be */
		else
			memcpy(p, (const void *)(uintptr_t)hpa, chunk);
		p += chunk, gpa += chunk, len -= chunk;
	}
	demand_unlock(&vm->mem);
	return 0;
}

int vm_read(struct vm *vm, gpa_t gpa, void *dst, size_t len)
{
	return vm_copy(vm, gpa, dst, len, false);
}

int vm_write(struct vm *vm, gpa_t gpa, const void *src, size_t len)
{
	return vm_copy(vm, gpa, (void *)(uintptr_t)src, len, true);
}

static int vm_loader_write(void *ctx, gpa_t gpa, const void *src, size_t len)
{
	return vm_write(ctx, gpa, src, len);
}

static struct vm *vm_alloc_slot(void)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_state(&vm_table[i]) == VM_EMPTY)
			return &vm_table[i];
	return NULL;
}

static int vm_load_image(struct vm *vm, const struct boot_info *bi, struct loader_result *res)
{
	const struct vm_config *cfg = &vm->cfg;
	const struct boot_module *img = boot_info_module(bi, cfg->image), *rd = NULL;
	struct loader_mem lm = {.ram_size = cfg->memory,
				.rsdp = VPLAT_ACPI_GPA,
				.write = vm_loader_write,
				.ctx = vm};
	struct loader_module mod;
	char err[160];
	int ret;

	if (!img) {
		vm_stop(vm, VM_STOP_LOAD, -1, "cannot load: image %s not found (%s)", cfg->image,
			!strcmp(bi->loader, "uefi") ? "not on the ESP" : "no module2 of that name");
		return -ENOENT;
	}
	if (cfg->initrd[0]) {
		rd = boot_info_module(bi, cfg->initrd);
		if (!rd) {
			vm_stop(vm, VM_STOP_LOAD, -1, "cannot load: initrd %s not found",
				cfg->initrd);
			return -ENOENT;
		}
		mod = (struct loader_module){(const void *)(uintptr_t)rd->base, rd->size,
					     cfg->initrd};
	}
	ret = loader_load(cfg->kind, (const void *)(uintptr_t)img->base, img->size, cfg->cmdline,
			  rd ? &mod : NULL, rd ? 1 : 0, &lm, res, err, sizeof(err));
	if (ret)
		vm_stop(vm, VM_STOP_LOAD, -1, "cannot load %s: %s", cfg->image, err);
	return ret;
}

struct vm *vm_at(u32 i)
{
	return &vm_table[i];
}

static u32 vm_slots_taken;

u32 vm_slots(void)
{
	return __atomic_load_n(&vm_slots_taken, __ATOMIC_ACQUIRE);
}

/*
 * A VM that stopped itself is STOPPED while the CPU that ran the stopping
 * vCPU is still on its way out of the slice (sched_run_slice() lets go of the
 * vCPU last). A restart in the same slot reuses that vCPU's frame: wait for
 * the CPU to let go first, or its last stores would land in the new vCPU.
 */
static void vm_slot_wait_off_cpu(u32 id)
{
	struct vcpu *self = this_cpu()->current;

	for (u32 i = 0; i < VM_MAX_VCPUS; i++) {
		struct vcpu *v = __atomic_load_n(&vcpu_mem[id][i], __ATOMIC_ACQUIRE);

		while (v && v != self && __atomic_load_n(&v->on_cpu, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
}

/* Slot id was just taken: raise the bound of the scans to cover it. */
static void vm_slot_taken(u32 id)
{
	u32 seen = vm_slots();

	while (seen <= id && !__atomic_compare_exchange_n(&vm_slots_taken, &seen, id + 1, false,
							  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

struct vcpu *vm_vcpu_storage(struct vm *vm, u32 id)
{
	struct vcpu **slot = &vcpu_mem[vm->id][id];
	struct vcpu *v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	hpa_t pa;

	if (v)
		return v;
	pa = pmm_alloc_zeroed(0);
	if (pa == INVALID_HPA)
		return NULL;
	v = (struct vcpu *)(uintptr_t)pa;
	if (!__atomic_compare_exchange_n(slot, &(struct vcpu *){NULL}, v, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		pmm_free(pa, 0);
		v = *slot;
	}
	return v;
}

static int vm_create_bsp(struct vm *vm, const struct loader_result *res)
{
	struct vcpu *v = vm_vcpu_storage(vm, 0);
	int ret;

	if (!v) {
		vm_stop(vm, VM_STOP_LOAD, -1, "cannot create vCPU 0: %s", strerror_hv(-ENOMEM));
		return -ENOMEM;
	}
	vcpu_reset(v, vm, 0);
	v->state = VCPU_NEW;
	vm->vcpus[0] = v;
	vm->nr_vcpus = 1;
	ret = hvm->vcpu_create(v);
	if (ret) {
		v->state = VCPU_STOPPED;
		vm_stop(vm, VM_STOP_LOAD, -1, "cannot create vCPU 0: %s", strerror_hv(ret));
		return ret;
	}
	vcpu_init_platform(v);
	hvm->vcpu_set_boot_state(v, &(const struct vcpu_boot){.rip = res->entry,
							      .eax = res->eax,
							      .ebx = res->ebx,
							      .esi = res->esi,
							      .long_mode = res->long_mode,
							      .cr3 = res->cr3,
							      .gdt_base = res->gdt_base,
							      .gdt_limit = res->gdt_limit,
							      .cs = res->cs,
							      .ds = res->ds});
	return 0;
}

struct vm *vm_find(const char *name)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_state(&vm_table[i]) != VM_EMPTY && !strcmp(vm_table[i].cfg.name, name))
			return &vm_table[i];
	return NULL;
}

struct vm *vm_create(const struct vm_config *cfg, const struct boot_info *bi)
{
	struct vm *vm = vm_alloc_slot();

	if (!vm) {
		pr_err("vm %s: not created: the VM table is full (%u VMs)\n", cfg->name, VM_MAX);
		return NULL;
	}
	return vm_create_at(vm, cfg, bi);
}

struct vm *vm_create_at(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi)
{
	struct vm_config c = *cfg; /* cfg may point into the slot being reset */
	u32 id = (u32)(vm - vm_table);
	struct loader_result res;
	struct vm_life life;
	int ret;

	if (vmstate_apply(&vm->life, VM_T_CREATE)) {
		pr_err("vm %s: not created: table slot %u is in use\n", c.name, id);
		return NULL;
	}
	vm_slot_taken(id);
	vm_slot_wait_off_cpu(id);
	life = vm->life; /* the slot is ours now: keep its state across the reset */
	memset(vm, 0, sizeof(*vm));
	vm->life = life;
	vm->id = id;
	vm->cfg = c;
	cfg = &vm->cfg;
	vm->asid = vm->id + 1; /* ASID/VPID 0 belongs to the host */
	vdev_init(vm);
	ret = demand_init(&vm->mem, hvm->s2_format, cfg->memory, cfg->paging, cfg->quota);
	if (ret) {
		vm_stop(vm, VM_STOP_LOAD, -1, "cannot create stage-2 tables: %s", strerror_hv(ret));
		return vm;
	}
	ret = vplat_init(vm);
	if (ret) {
		vm_stop(vm, VM_STOP_LOAD, -1, "cannot build the platform (ACPI tables, ROM): %s",
			strerror_hv(ret));
		return vm;
	}
	if (cfg->privileged) {
		/* The reserve exists so that the broker can always run and decide. */
		vm->mem.uses_reserve = true;
		broker_vm_created(vm);
	}
	if (vm_load_image(vm, bi, &res) || vm_create_bsp(vm, &res))
		return vm;
	vm->start_tsc = rdtsc();
	if (vm_start(vm))
		return vm; /* stopped meanwhile */
	broker_vm_started(vm);
	pr_info("vm %s: started: %s image %s, %llu MiB RAM, entry 0x%x, %llu KiB committed by "
		"the loader\n",
		cfg->name, config_kind_name(cfg->kind), cfg->image, cfg->memory >> 20, res.entry,
		vm->mem.acct.committed >> 10);
	return vm;
}

/* The broker first: it decides for the others from their first fault on. */
void vm_create_all(const struct sprout_config *cfg, const struct boot_info *bi)
{
	for (u32 i = 0; i < cfg->vm_count; i++)
		if (cfg->vms[i].autostart && cfg->vms[i].privileged)
			vm_create(&cfg->vms[i], bi);
	for (u32 i = 0; i < cfg->vm_count; i++)
		if (cfg->vms[i].autostart && !cfg->vms[i].privileged)
			vm_create(&cfg->vms[i], bi);
}

/*
 * What Sprout kept for the VM besides its RAM, at its most: the VM's slot,
 * the stage-2 tables, the platform's ACPI frames, and per vCPU slot used its
 * frame (struct vcpu and the vendor's bookkeeping) and its VMCB/VMCS (docs/bench.md, "footprint").
 */
static void vm_print_overhead(const struct vm *vm)
{
	u64 tables = vm->mem.s2.table_peak * PAGE_SIZE, plat = VPLAT_ACPI_PAGES * PAGE_SIZE;
	u64 per_vcpu = PAGE_SIZE + (hvm ? hvm->vcpu_bytes : 0); /* its slot's frame, VMCB/VMCS */
	u64 vcpus = vm->nr_vcpus * per_vcpu;

	pr_info("vm %s: overhead %llu bytes: VM slot %llu, stage-2 tables %llu, platform %llu, "
		"%u vCPUs %llu (%llu each)\n",
		vm->cfg.name, sizeof(*vm) + tables + plat + vcpus, (u64)sizeof(*vm), tables, plat,
		vm->nr_vcpus, vcpus, per_vcpu);
}

void vm_print_figures(const struct vm *vm)
{
	const struct vm_account *a = &vm->mem.acct;
	u64 exits = vm->parked_exits;
	u64 ms = tsc_khz && vm->stop_tsc > vm->start_tsc && vm->start_tsc
			 ? (vm->stop_tsc - vm->start_tsc) / tsc_khz
			 : 0;

	for (u32 i = 0; i < vm->nr_vcpus; i++)
		exits += vm->vcpus[i]->exits;
	pr_info("vm %s: figures: committed %llu KiB, peak %llu KiB, quota %llu KiB, faults 4K %llu "
		"2M %llu, denied %llu, exits %llu, ran %llu ms\n",
		vm->cfg.name, a->committed >> 10, a->peak >> 10, a->quota >> 10, a->faults_4k,
		a->faults_2m, a->denied, exits, ms);
	vm_print_overhead(vm);
	vm_print_exit_reasons(vm);
}

/* "vm NAME: exits by reason: io 123, rdmsr 45, ...": the nonzero ones, in enum order. */
void vm_print_exit_reasons(const struct vm *vm)
{
	char line[256];
	u32 len = 0;

	for (u32 r = 0; r < EXIT_REASON_COUNT; r++) {
		u64 n = vm->parked_exits_by_reason[r];

		for (u32 i = 0; i < vm->nr_vcpus; i++)
			n += vm->vcpus[i]->exits_by_reason[r];
		if (!n || len >= sizeof(line))
			continue;
		len += (u32)snprintf(line + len, sizeof(line) - len, "%s%s %llu", len ? ", " : "",
				     exit_reason_name((enum exit_reason)r), n);
	}
	if (len)
		pr_info("vm %s: exits by reason: %s\n", vm->cfg.name, line);
}
