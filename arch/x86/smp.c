// SPDX-License-Identifier: MIT
/* Start the application processors (INIT-SIPI-SIPI through a real-mode trampoline). */
#include <arch/apic.h>
#include <arch/paging.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/traps.h>
#include <arch/x86.h>
#include <hv/memmap.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/string.h>

#define AP_STACK_ORDER	    4 /* 64 KiB */
#define AP_IST_ORDER	    3 /* 32 KiB, holds TRAPS_IST_AREA_SIZE */
#define AP_START_TIMEOUT_US 500000

extern const char trampoline_start[], trampoline_end[], trampoline_data[];
extern const u32 trampoline_off_gdt, trampoline_off_gdt_ptr, trampoline_off_entry32,
	trampoline_off_entry64;

/* The data block at the end of the trampoline (trampoline.S). */
struct trampoline_data {
	u32 far32_off;
	u16 far32_sel, pad0;
	u32 far64_off;
	u16 far64_sel, pad1;
	u32 cr3;
	u32 efer;
	u64 stack;
	u64 target;
	u32 cpu;
	u32 pad2;
} __packed;

volatile u32 smp_cpus_online = 1;
static u64 trampoline_page;
static void *ap_ist[MAX_CPUS];

void smp_reserve_trampoline(struct boot_info *bi)
{
	/* The lowest usable page that nothing else claims; the allocator never goes below 1 MiB. */
	for (u64 p = 0x1000; p < 0x9f000; p += PAGE_SIZE) {
		bool ok = false;

		for (u32 i = 0; i < bi->mmap_count; i++) {
			const struct mem_region *r = &bi->mmap[i];

			if (p >= r->base && p + PAGE_SIZE <= r->base + r->len)
				ok = r->type == MEM_USABLE;
			else if (p < r->base + r->len && r->base < p + PAGE_SIZE &&
				 r->type != MEM_USABLE)
				break;
		}
		for (u32 i = 0; ok && i < bi->reserved_count; i++)
			if (p < bi->reserved[i].end && bi->reserved[i].base < p + PAGE_SIZE)
				ok = false;
		if (ok) {
			trampoline_page = p;
			paging_allow_exec(p, PAGE_SIZE); /* APs run it under the hypervisor's CR3 */
			return;
		}
	}
}

static void ap_entry(u32 cpu)
{
	traps_init_cpu(cpu, ap_ist[cpu]);
	ap_main(cpu);
}

static void trampoline_prepare(u32 cpu, u64 stack_top)
{
	u8 *page = (u8 *)(uintptr_t)trampoline_page;
	size_t size = (uintptr_t)trampoline_end - (uintptr_t)trampoline_start;
	struct trampoline_data *d =
		(void *)(page + ((uintptr_t)trampoline_data - (uintptr_t)trampoline_start));

	memcpy(page, trampoline_start, size);
	*(u32 *)(void *)(page + trampoline_off_gdt_ptr + 2) =
		(u32)(trampoline_page + trampoline_off_gdt);
	d->far32_off = (u32)(trampoline_page + trampoline_off_entry32);
	d->far64_off = (u32)(trampoline_page + trampoline_off_entry64);
	d->cr3 = (u32)paging_root();
	d->efer = (u32)(EFER_LME | (rdmsr(MSR_EFER) & EFER_NXE));
	d->stack = stack_top;
	d->target = (u64)(uintptr_t)ap_entry;
	d->cpu = cpu;
}

/* INIT, then two STARTUP IPIs (SDM Vol. 3A, 8.4.4.1). */
static bool start_cpu(u32 cpu, u32 apic)
{
	u64 deadline;

	apic_send_ipi(apic, APIC_ICR_INIT);
	udelay(10000);
	for (int i = 0; i < 2 && !percpu[cpu].online; i++) {
		apic_send_ipi(apic, APIC_ICR_STARTUP | (u32)(trampoline_page >> 12));
		udelay(200);
	}
	deadline = time_us() + AP_START_TIMEOUT_US;
	while (!__atomic_load_n(&percpu[cpu].online, __ATOMIC_ACQUIRE) && time_us() < deadline)
		__asm__ volatile("pause");
	return percpu[cpu].online;
}

void smp_boot_aps(const struct acpi_info *acpi)
{
	u32 self = apic_id(), cpu = 1;

	if (!trampoline_page || paging_root() >= GiB(4)) {
		pr_warn("smp: no place for the AP trampoline; running on the boot CPU only\n");
		return;
	}
	for (u32 i = 0; i < acpi->cpu_count && cpu < MAX_CPUS; i++) {
		const struct acpi_cpu *c = &acpi->cpus[i];
		hpa_t stack, ist;

		if (!c->enabled || c->apic_id == self)
			continue;
		stack = pmm_alloc(AP_STACK_ORDER);
		ist = pmm_alloc(AP_IST_ORDER);
		if (stack == INVALID_HPA || ist == INVALID_HPA)
			break;
		ap_ist[cpu] = (void *)(uintptr_t)ist;
		percpu[cpu].apic_id = c->apic_id;
		trampoline_prepare(cpu, stack + (PAGE_SIZE << AP_STACK_ORDER));
		if (!start_cpu(cpu, c->apic_id)) {
			pr_warn("smp: CPU with APIC ID %u did not start\n", c->apic_id);
			continue;
		}
		cpu++;
	}
	/* Wait for the started CPUs to finish their own set-up before counting them. */
	for (u64 deadline = time_us() + AP_START_TIMEOUT_US;
	     __atomic_load_n(&smp_cpus_online, __ATOMIC_ACQUIRE) < cpu && time_us() < deadline;)
		__asm__ volatile("pause");
	pr_info("smp: %u CPUs online (trampoline at 0x%llx)\n", smp_cpus_online, trampoline_page);
}

void smp_kick(u32 cpu)
{
	apic_send_ipi(percpu[cpu].apic_id, IPI_KICK_VECTOR);
}

volatile bool smp_stopping;
static volatile u32 cpus_stopped;

void smp_stop_self(void)
{
	__atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

void smp_stop_others(void)
{
	u32 self = this_cpu()->cpu_id, others = 0;
	u64 deadline;

	__atomic_store_n(&smp_stopping, true, __ATOMIC_RELEASE);
	for (u32 c = 0; c < MAX_CPUS; c++)
		if (c != self && percpu[c].online) {
			smp_kick(c);
			others++;
		}
	/* A CPU in guest mode exits at the kick and halts at its next interrupt window. */
	deadline = time_us() + 100000;
	while (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) < others && time_us() < deadline)
		__asm__ volatile("pause");
}
