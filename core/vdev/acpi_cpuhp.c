// SPDX-License-Identifier: MIT
/* The DSDT's ACPI CPU hotplug: the register block's fields, \_SB.CPUS with a Device per CPU, \_GPE._Exx. */
#include <hv/acpi_aml.h>
#include <hv/acpi_build.h>
#include <hv/vcpuhp.h>

/*
 * The ASL this writes, for the registers of include/hv/vcpuhp.h (QEMU's
 * layout; its AML in hw/acpi/cpu.c loops over command 0, this one looks at
 * each CPU in turn, which needs no While and reads as the list it is):
 *
 *   Device (\_SB.PRES) {            // PNP0A06, _CRS: IO (port, 12)
 *       Mutex (CPLK, 0)
 *       OperationRegion (PRST, SystemIO, port, 12)
 *       Field (PRST, ByteAcc, NoLock, WriteAsZeros) {
 *           Offset (4), CPEN, 1, CINS, 1, CRMV, 1, CEJ0, 1, , 4, CCMD, 8 }
 *       Field (PRST, DWordAcc, NoLock, Preserve) { CSEL, 32, Offset (8), CDAT, 32 }
 *   }
 *   Device (\_SB.CPUS) {            // ACPI0010, the processor container
 *       Method (CSTA, 1, Serialized)   // _STA of CPU Arg0: 0x0F if enabled, else 0
 *       Method (CPEJ, 1, Serialized)   // _EJ0 of CPU Arg0: CEJ0 = One
 *       Method (CSCN, 0, Serialized)   // each CPU: insert event -> Notify 1, remove -> 3
 *       Method (COST, 4, Serialized)   // _OST of CPU Arg0: event Arg1, status Arg2
 *       Device (C000) { _HID "ACPI0007", _UID 0, _STA, _MAT, _EJ0 (not CPU 0), _OST }
 *       ...
 *   }
 *   Scope (\_GPE) { Method (_Exx) { \_SB.CPUS.CSCN () } }
 */

#define PRES		     "\\_SB_.PRES"
#define CPUS		     "\\_SB_.CPUS"

#define NOTIFY_DEVICE_CHECK  1
#define NOTIFY_EJECT_REQUEST 3
#define STA_PRESENT	     0x0f
#define MAT_LAPIC_LEN	     8
#define MAT_LAPIC_ENABLED    1

static void cpu_name(char out[5], u32 i)
{
	static const char hex[] = "0123456789ABCDEF";

	out[0] = 'C';
	out[1] = hex[(i >> 8) & 0xf];
	out[2] = hex[(i >> 4) & 0xf];
	out[3] = hex[i & 0xf];
	out[4] = 0;
}

static void cpuhp_fields(struct aml *a)
{
	u32 f = aml_field(a, "PRST", AML_FIELD_BYTE_ACC | AML_FIELD_WRITE_AS_ZEROS);

	aml_field_unit(a, NULL, VCPUHP_FLAGS_OFF * 8);
	aml_field_unit(a, "CPEN", 1);
	aml_field_unit(a, "CINS", 1);
	aml_field_unit(a, "CRMV", 1);
	aml_field_unit(a, "CEJ0", 1);
	aml_field_unit(a, NULL, 4);
	aml_field_unit(a, "CCMD", 8);
	aml_close(a, f);
	f = aml_field(a, "PRST", AML_FIELD_DWORD_ACC | AML_FIELD_PRESERVE);
	aml_field_unit(a, "CSEL", 32);
	aml_field_unit(a, NULL, (VCPUHP_DATA_OFF - 4) * 8);
	aml_field_unit(a, "CDAT", 32);
	aml_close(a, f);
}

static void cpuhp_pres(struct aml *a, const struct acpi_build_cfg *cfg)
{
	u32 dev = aml_device(a, "PRES");
	struct aml_res crs = {.len = 0};

	aml_name_eisaid(a, "_HID", "PNP0A06");
	aml_name_string(a, "_UID", "CPU hotplug");
	aml_mutex(a, "CPLK");
	aml_res_io(&crs, cfg->cpuhp_port, VCPUHP_IO_LEN);
	aml_name_res(a, "_CRS", &crs);
	aml_region_io(a, "PRST", cfg->cpuhp_port, VCPUHP_IO_LEN);
	cpuhp_fields(a);
	aml_close(a, dev);
}

/* Store (src, name): src is written by the caller's function. */
static void store_to(struct aml *a, const char *dst)
{
	aml_name(a, dst);
}

/* CSTA (Arg0): select the CPU, Local0 = CPEN ? 0x0F : 0. */
static void cpuhp_csta(struct aml *a)
{
	u32 m = aml_method_serialized(a, "CSTA", 1), ifp;

	aml_acquire(a, PRES ".CPLK", 0xffff);
	aml_byte(a, AML_STORE_OP);
	aml_arg(a, 0);
	store_to(a, PRES ".CSEL");
	aml_byte(a, AML_STORE_OP);
	aml_int(a, 0);
	aml_local(a, 0);
	ifp = aml_if(a);
	aml_name(a, PRES ".CPEN");
	aml_byte(a, AML_STORE_OP);
	aml_int(a, STA_PRESENT);
	aml_local(a, 0);
	aml_close(a, ifp);
	aml_release(a, PRES ".CPLK");
	aml_byte(a, AML_RETURN_OP);
	aml_local(a, 0);
	aml_close(a, m);
}

/* CPEJ (Arg0): the OS is done with the CPU; the hypervisor parks it. */
static void cpuhp_cpej(struct aml *a)
{
	u32 m = aml_method_serialized(a, "CPEJ", 1);

	aml_acquire(a, PRES ".CPLK", 0xffff);
	aml_byte(a, AML_STORE_OP);
	aml_arg(a, 0);
	store_to(a, PRES ".CSEL");
	aml_byte(a, AML_STORE_OP);
	aml_int(a, 1);
	store_to(a, PRES ".CEJ0");
	aml_release(a, PRES ".CPLK");
	aml_close(a, m);
}

/* If (flag) { flag = One; Notify (cpu, code) }: clear the event, tell the OS. */
static void cpuhp_event(struct aml *a, const char *flag, const char *cpu, u8 code)
{
	u32 ifp = aml_if(a);

	aml_name(a, flag);
	aml_byte(a, AML_STORE_OP);
	aml_int(a, 1);
	store_to(a, flag);
	aml_byte(a, AML_NOTIFY_OP);
	aml_name(a, cpu);
	aml_int(a, code);
	aml_close(a, ifp);
}

static void cpuhp_cscn(struct aml *a, u32 cpus)
{
	u32 m = aml_method_serialized(a, "CSCN", 0);

	aml_acquire(a, PRES ".CPLK", 0xffff);
	for (u32 i = 0; i < cpus; i++) {
		char path[] = CPUS ".Cxxx";

		cpu_name(path + sizeof(path) - 5, i);
		aml_byte(a, AML_STORE_OP);
		aml_int(a, i);
		store_to(a, PRES ".CSEL");
		cpuhp_event(a, PRES ".CINS", path, NOTIFY_DEVICE_CHECK);
		cpuhp_event(a, PRES ".CRMV", path, NOTIFY_EJECT_REQUEST);
	}
	aml_release(a, PRES ".CPLK");
	aml_close(a, m);
}

/* Store (ArgN, dst) */
static void store_arg(struct aml *a, u8 n, const char *dst)
{
	aml_byte(a, AML_STORE_OP);
	aml_arg(a, n);
	store_to(a, dst);
}

static void store_int(struct aml *a, u64 v, const char *dst)
{
	aml_byte(a, AML_STORE_OP);
	aml_int(a, v);
	store_to(a, dst);
}

/* COST (uid, event, status, buffer): the OS's _OST, through commands 1 and 2. */
static void cpuhp_cost(struct aml *a)
{
	u32 m = aml_method_serialized(a, "COST", 4);

	aml_acquire(a, PRES ".CPLK", 0xffff);
	store_arg(a, 0, PRES ".CSEL");
	store_int(a, VCPUHP_CMD_OST_EVENT, PRES ".CCMD");
	store_arg(a, 1, PRES ".CDAT");
	store_int(a, VCPUHP_CMD_OST_STATUS, PRES ".CCMD");
	store_arg(a, 2, PRES ".CDAT");
	aml_release(a, PRES ".CPLK");
	aml_close(a, m);
}

/* Method (_OST, 3) { \_SB.CPUS.COST (uid, Arg0, Arg1, Arg2) } */
static void cpu_ost(struct aml *a, u32 uid)
{
	u32 m = aml_method(a, "_OST", 3);

	aml_name(a, CPUS ".COST");
	aml_int(a, uid);
	aml_arg(a, 0);
	aml_arg(a, 1);
	aml_arg(a, 2);
	aml_close(a, m);
}

/* Method (name, nargs) { [Return] (\_SB.CPUS.method (uid)) } */
static void cpu_call(struct aml *a, const char *name, u8 nargs, const char *method, u32 uid,
		     bool ret)
{
	u32 m = aml_method(a, name, nargs);

	if (ret)
		aml_byte(a, AML_RETURN_OP);
	aml_name(a, method);
	aml_int(a, uid);
	aml_close(a, m);
}

/* One processor: its MADT UID and APIC ID are its index. */
static void cpuhp_cpu(struct aml *a, u32 i)
{
	const u8 mat[MAT_LAPIC_LEN] = {0, MAT_LAPIC_LEN, (u8)i, (u8)i, MAT_LAPIC_ENABLED, 0, 0, 0};
	char name[5];
	u32 dev;

	cpu_name(name, i);
	dev = aml_device(a, name);
	aml_name_string(a, "_HID", "ACPI0007");
	aml_name_int(a, "_UID", i);
	cpu_call(a, "_STA", 0, CPUS ".CSTA", i, true);
	/* _MAT: the entry of an enabled CPU, which the MADT's online capable one is not. */
	aml_byte(a, AML_NAME_OP);
	aml_name(a, "_MAT");
	aml_buffer(a, mat, sizeof(mat));
	if (i)
		cpu_call(a, "_EJ0", 1, CPUS ".CPEJ", i, false);
	cpu_ost(a, i);
	aml_close(a, dev);
}

static void cpuhp_cpus(struct aml *a, const struct acpi_build_cfg *cfg)
{
	u32 dev = aml_device(a, "CPUS");

	aml_name_string(a, "_HID", "ACPI0010");
	aml_name_eisaid(a, "_CID", "PNP0A05");
	cpuhp_csta(a);
	cpuhp_cpej(a);
	cpuhp_cscn(a, cfg->cpus_possible);
	cpuhp_cost(a);
	for (u32 i = 0; i < cfg->cpus_possible; i++)
		cpuhp_cpu(a, i);
	aml_close(a, dev);
}

void acpi_dsdt_cpuhp_sb(struct aml *a, const struct acpi_build_cfg *cfg)
{
	cpuhp_pres(a, cfg);
	cpuhp_cpus(a, cfg);
}

void acpi_dsdt_cpuhp_gpe(struct aml *a, const struct acpi_build_cfg *cfg)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[] = "_Exx";
	u32 scope, m;

	name[2] = hex[cfg->cpuhp_gpe >> 4];
	name[3] = hex[cfg->cpuhp_gpe & 0xf];
	scope = aml_scope(a, "\\_GPE");
	m = aml_method(a, name, 0);
	aml_name(a, CPUS ".CSCN");
	aml_close(a, m);
	aml_close(a, scope);
}
