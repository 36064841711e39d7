// SPDX-License-Identifier: MIT
/* A VM's PC platform: wires the legacy devices together, maps the firmware ROM, builds ACPI. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/acpi_build.h>
#include <hv/errno.h>
#include <hv/gpmap.h>
#include <hv/hvm.h>
#include <hv/mmio_insn.h>
#include <hv/lifecycle.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/s2pt.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vdev.h>
#include <hv/vplat.h>

#include "../handlers.h"
#include "vdev_internal.h"

#define PORT_PIT_FIRST 0x40
#define PORT_PIT_LAST  0x43
#define PORT_61	       0x61
#define PORT_RTC       0x70
#define PORT_RTC_DATA  0x71
#define PORT_PIC1      0x20
#define PORT_PIC1_DATA 0x21
#define PORT_PIC2      0xa0
#define PORT_PIC2_DATA 0xa1
#define PORT_ELCR1     0x4d0
#define PORT_ELCR2     0x4d1
#define RESET_CPU      0x04 /* reset control register bit that starts the reset */

/* i8042 keyboard controller. */
#define PORT_I8042_DATA	  0x60
#define PORT_I8042_CMD	  0x64
#define I8042_PULSE_RESET 0xfe /* command: pulse output port bit 0, the CPU reset line */
/* Status: system flag (self-test passed), last write a command, keyboard not inhibited. */
#define I8042_STATUS 0x1c

u16 vplat_host_pm_timer;
bool vplat_host_pm_timer_24bit;

/* Never written: every page of the ROM without a table of its own maps this one, read-only. */
static hpa_t rom_zero = INVALID_HPA;

u64 vplat_now_ns(const struct vm *vm)
{
	u64 d = rdtsc() - vm->dev.plat.t0_tsc;

	/* Split so that no product overflows: whole milliseconds, then the rest. */
	return tsc_khz ? d / tsc_khz * 1000000 + d % tsc_khz * 1000000 / tsc_khz : 0;
}

u64 vplat_wall_clock(void)
{
	return rtc_wall_clock();
}

static int plat_build_acpi(struct vm *vm, struct vplat *p)
{
	struct acpi_build_cfg cfg = {
		.base = VPLAT_ACPI_GPA,
		.size_max = VPLAT_ACPI_PAGES * PAGE_SIZE,
		.cpus_possible = vm->cfg.vcpus_max,
		.cpus_present = vm->cfg.vcpus_min ? vm->cfg.vcpus_min : 1,
		.ioapic_id = vm->cfg.vcpus_max, /* after the CPUs' APIC IDs 0..max-1 */
		.ioapic_addr = GPMAP_IOAPIC_BASE,
		.lapic_addr = GPMAP_LAPIC_BASE,
		/* The device hole up to the IOAPIC: PCI0's window (no BARs use it yet). */
		.pci_mem_base = GPMAP_HOLE_BASE,
		.pci_mem_end = GPMAP_IOAPIC_BASE,
		.pm_base = VPLAT_PM_BASE,
		.pm_tmr_port = vplat_host_pm_timer,
		.pm_tmr_24bit = vplat_host_pm_timer_24bit,
		.sci_irq = VACPI_SCI_IRQ,
		.s5_slp_typ = VACPI_SLP_TYP_S5,
		.cpuhp_port = VPLAT_CPUHP_PORT,
		.cpuhp_gpe = VPLAT_CPUHP_GPE,
		.oem_id = {'S', 'P', 'R', 'O', 'U', 'T'},
	};
	static u8 buf[VPLAT_ACPI_PAGES * PAGE_SIZE];
	static spinlock_t buf_lock = SPINLOCK_INIT;
	u32 used = 0;
	int ret;

	for (u32 i = 0; i < VPLAT_ACPI_PAGES; i++) {
		p->acpi[i] = pmm_alloc_zeroed(0);
		if (p->acpi[i] == INVALID_HPA)
			return -ENOMEM;
	}
	spin_lock(&buf_lock);
	memset(buf, 0, sizeof(buf));
	ret = acpi_build(&cfg, buf, &used);
	for (u32 i = 0; !ret && i < VPLAT_ACPI_PAGES; i++)
		memcpy((void *)(uintptr_t)p->acpi[i], buf + i * PAGE_SIZE, PAGE_SIZE);
	spin_unlock(&buf_lock);
	return ret;
}

/* The ROM 0x9f000-0xfffff, read-only: the ACPI pages at 0xe0000, the shared zero page elsewhere. */
static int plat_map_rom(struct vm *vm, struct vplat *p)
{
	for (gpa_t g = GPMAP_ROM_BASE; g < GPMAP_HIGH_RAM; g += PAGE_SIZE) {
		u64 i = (g - VPLAT_ACPI_GPA) / PAGE_SIZE;
		hpa_t frame = g >= VPLAT_ACPI_GPA && i < VPLAT_ACPI_PAGES ? p->acpi[i] : rom_zero;
		int ret = s2pt_map(&vm->mem.s2, g, frame, S2PT_ORDER_4K, false);

		if (ret)
			return ret;
	}
	p->rom_mapped = true;
	return 0;
}

int vplat_init(struct vm *vm)
{
	struct vplat *p = &vm->dev.plat;
	int ret;

	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->vm = vm;
	p->t0_tsc = rdtsc();
	p->next_ns = 0;
	p->kick = 0;
	for (u32 i = 0; i < VPLAT_ACPI_PAGES; i++)
		p->acpi[i] = INVALID_HPA;
	vpit_init(&p->pit, plat_set_irq, p);
	vrtc_init(&p->rtc, vplat_wall_clock(), plat_set_irq, p);
	vrtc_set_mem(&p->rtc, MIN(vm->cfg.memory, GPMAP_HOLE_BASE),
		     vm->cfg.memory > GPMAP_HOLE_BASE ? vm->cfg.memory - GPMAP_HOLE_BASE : 0);
	vacpi_pm_init(&p->pm, VPLAT_PM_BASE, plat_set_irq, p);
	vcpuhp_init(&p->cpuhp, vm->cfg.vcpus_max, MAX(vm->cfg.vcpus_min, 1u));
	plat_init_irq(p, (u8)vm->cfg.vcpus_max);
	vpci_init(&p->pci);
	uart_init(vm);
	if (rom_zero == INVALID_HPA) {
		hpa_t z = pmm_alloc_zeroed(0);

		if (z != INVALID_HPA &&
		    !__atomic_compare_exchange_n(&rom_zero, &(hpa_t){INVALID_HPA}, z, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			pmm_free(z, 0);
		if (rom_zero == INVALID_HPA)
			return -ENOMEM;
	}
	ret = plat_build_acpi(vm, p);
	return ret ? ret : plat_map_rom(vm, p);
}

void vplat_release(struct vm *vm)
{
	struct vplat *p = &vm->dev.plat;

	if (p->rom_mapped)
		for (gpa_t g = GPMAP_ROM_BASE; g < GPMAP_HIGH_RAM; g += PAGE_SIZE)
			s2pt_unmap(&vm->mem.s2, g, S2PT_ORDER_4K, NULL);
	p->rom_mapped = false;
	for (u32 i = 0; i < VPLAT_ACPI_PAGES; i++) {
		if (p->acpi[i] != INVALID_HPA)
			pmm_free(p->acpi[i], 0);
		p->acpi[i] = INVALID_HPA;
	}
}

static u32 pic_io(struct vplat *p, u16 port, bool in, u32 val)
{
	if (in)
		return vpic_io_read(&p->pic, port);
	vpic_io_write(&p->pic, port, (u8)val);
	return 0;
}

/* A CPU reset request ends the VM as a reboot would end a test run. */
static enum exit_action plat_reset(struct vcpu *v, const char *how)
{
	vm_stop(v->vm, VM_STOP_EXIT, 0, "reset through %s", how);
	return EXIT_STOP_VM;
}

/*
 * Reset control register (0xcf9, byte accesses only, as on a PIIX/ICH; wider
 * ones belong to PCI configuration): RESET_CPU starts the reset. It reads 0,
 * its reset value: nothing needs latching when a reset request ends the VM.
 */
static enum exit_action reset_control_io(struct vcpu *v, bool in, u32 *val)
{
	if (in)
		*val = 0;
	else if (*val & RESET_CPU)
		return plat_reset(v, "port 0xcf9");
	return EXIT_RESUME;
}

/*
 * The i8042 keyboard controller, only as far as a reboot needs: command 0xfe
 * pulses the CPU reset line (Linux reboot=k, many test kernels). The status
 * never changes, so a guest waiting for the input buffer goes on at once and
 * one waiting for data finds none; port 0x60 reads 0, other commands and data
 * are ignored. Only the addressed byte is modelled: the other bytes of a wider
 * read are all-ones.
 */
static enum exit_action i8042_io(struct vcpu *v, u16 port, bool in, u32 *val)
{
	if (in)
		*val = 0xffffff00 | (port == PORT_I8042_CMD ? I8042_STATUS : 0);
	else if (port == PORT_I8042_CMD && (u8)*val == I8042_PULSE_RESET)
		return plat_reset(v, "the keyboard controller (port 0x64)");
	return EXIT_RESUME;
}

bool vplat_port_io(struct vcpu *v, u16 port, u8 size, bool in, u32 *val, enum exit_action *act)
{
	struct vm *vm = v->vm;
	struct vplat *p = &vm->dev.plat;
	u64 now = vplat_now_ns(vm);
	enum vcpuhp_event hp_ev = VCPUHP_EV_NONE;
	u32 out = 0, hp_cpu = 0;

	*act = EXIT_RESUME;
	if (port == VPLAT_RESET_PORT && size == 1) {
		*act = reset_control_io(v, in, val);
		return true;
	}
	if (port == PORT_I8042_DATA || port == PORT_I8042_CMD) {
		*act = i8042_io(v, port, in, val);
		return true;
	}
	spin_lock(&p->lock);
	if (port >= PORT_PIT_FIRST && port <= PORT_PIT_LAST) {
		if (in)
			out = vpit_io_read(&p->pit, port, now);
		else
			vpit_io_write(&p->pit, port, (u8)*val, now);
	} else if (port == PORT_61) {
		if (in)
			out = vpit_port61_read(&p->pit, now);
		else
			vpit_port61_write(&p->pit, (u8)*val, now);
	} else if (port == PORT_RTC || port == PORT_RTC_DATA) {
		if (in)
			out = vrtc_io_read(&p->rtc, port, now);
		else
			vrtc_io_write(&p->rtc, port, (u8)*val, now);
	} else if (port == PORT_PIC1 || port == PORT_PIC1_DATA || port == PORT_PIC2 ||
		   port == PORT_PIC2_DATA || port == PORT_ELCR1 || port == PORT_ELCR2) {
		out = pic_io(p, port, in, *val);
	} else if (vpci_claims(port)) {
		if (in)
			out = vpci_io_read(&p->pci, port, size);
		else
			vpci_io_write(&p->pci, port, size, *val);
	} else if (port >= VPLAT_CPUHP_PORT && port < VPLAT_CPUHP_PORT + VCPUHP_IO_LEN) {
		if (in)
			out = vcpuhp_read(&p->cpuhp, (u16)(port - VPLAT_CPUHP_PORT), size);
		else
			hp_ev = vcpuhp_write(&p->cpuhp, (u16)(port - VPLAT_CPUHP_PORT), size, *val,
					     &hp_cpu);
	} else if (vacpi_pm_claims(&p->pm, port)) {
		if (in)
			out = vacpi_pm_io_read(&p->pm, port, size, now);

		else if (vacpi_pm_io_write(&p->pm, port, size, *val, now) == VACPI_PM_POWEROFF)
			*act = EXIT_STOP_VM;
	} else {
		spin_unlock(&p->lock);
		return false;
	}
	/* The access may have changed a timer's next event or the PIC's output. */
	plat_sync_pic(p);
	plat_update(p, now);
	plat_unlock(p);
	if (in)
		*val = out;
	if (*act == EXIT_STOP_VM)
		vm_stop(vm, VM_STOP_EXIT, 0, "powered off (ACPI S5)");
	if (hp_ev != VCPUHP_EV_NONE)
		vplat_cpuhp_event(vm, hp_ev, hp_cpu);
	return true;
}

static u32 mmio_read(struct vcpu *v, unsigned dev, u32 off, u64 now)
{
	return dev == GPMAP_DEV_LAPIC ? vlapic_mmio_read(&v->lapic, off, now)
				      : vioapic_mmio_read(&v->vm->dev.plat.ioapic, off);
}

static void mmio_write(struct vcpu *v, unsigned dev, u32 off, u32 val, u64 now)
{
	if (dev == GPMAP_DEV_LAPIC)
		vlapic_mmio_write(&v->lapic, off, val, now);
	else
		vioapic_mmio_write(&v->vm->dev.plat.ioapic, off, val);
}

/*
 * An access to a device register page: decode the instruction (loads and
 * stores of 32-bit registers are what the APICs define), do it on the device,
 * write a load back into its register, step over it.
 */
enum exit_action vdev_mmio(struct vcpu *v, struct vm_exit *e, unsigned dev)
{
	struct vplat *p = &v->vm->dev.plat;
	u32 off = (u32)(e->s2.gpa & (PAGE_SIZE - 1)) & ~3u;
	struct apic_msg sipi[PLAT_SIPI_MAX];
	struct mmio_insn d;
	u32 nsipi = 0;
	u64 now = vcpu_guest_tsc(v);

	if (exit_decode_mmio(v, &d) || (d.op != MMIO_OP_LOAD && d.op != MMIO_OP_STORE &&
					d.op != MMIO_OP_STORE_IMM && d.op != MMIO_OP_LOAD_ZX)) {
		vm_stop(v->vm, VM_STOP_CRASH, -1,
			"%s access at GPA 0x%llx by an instruction Sprout does not emulate, at rip "
			"0x%llx",
			dev == GPMAP_DEV_LAPIC ? "local APIC" : "IOAPIC", e->s2.gpa, e->rip);
		return EXIT_STOP_VM;
	}
	spin_lock(&p->lock);
	if (d.mem_read) {
		u64 *reg = vcpu_gpr(v, d.reg);
		u32 val = mmio_read(v, dev, off, now);

		if (reg)
			*reg = mmio_insn_merge(&d, *reg, val);
	} else {
		u64 *reg = d.has_reg ? vcpu_gpr(v, d.reg) : NULL;
		u64 val = d.has_imm ? d.imm : reg ? mmio_insn_operand(&d, *reg) : 0;

		mmio_write(v, dev, off, (u32)val, now);
		if (dev == GPMAP_DEV_LAPIC)
			nsipi = plat_lapic_written(p, v, sipi, PLAT_SIPI_MAX);
	}
	plat_unlock(p);
	plat_send_sipis(v, sipi, nsipi);
	/* v's own local APIC changed (EOI, TPR, timer): nobody kicks v for that. */
	if (dev == GPMAP_DEV_LAPIC)
		v->plat_dirty = true;
	e->insn_len = d.len;
	return exit_resume_after(v, e);
}
