/* SPDX-License-Identifier: MIT */
/* A small AML writer for the ACPI tables Sprout builds for its VMs: names, scopes, devices, _CRS. */
#ifndef HV_ACPI_AML_H
#define HV_ACPI_AML_H

#include <hv/types.h>

/* Opcodes and prefixes (ACPI 6.5, 20.3 "AML Byte Stream Byte Values"). */
#define AML_ZERO_OP	   0x00
#define AML_ONE_OP	   0x01
#define AML_NAME_OP	   0x08
#define AML_BYTE_PREFIX	   0x0a
#define AML_WORD_PREFIX	   0x0b
#define AML_DWORD_PREFIX   0x0c
#define AML_STRING_PREFIX  0x0d
#define AML_QWORD_PREFIX   0x0e
#define AML_SCOPE_OP	   0x10
#define AML_BUFFER_OP	   0x11
#define AML_PACKAGE_OP	   0x12
#define AML_METHOD_OP	   0x14
#define AML_RETURN_OP	   0xa4
#define AML_EXT_OP	   0x5b
#define AML_EXT_DEVICE_OP  0x82
#define AML_ROOT_CHAR	   '\\'
#define AML_DUAL_NAME	   0x2e
#define AML_MULTI_NAME	   0x2f
#define AML_LOCAL0_OP	   0x60
#define AML_ARG0_OP	   0x68
#define AML_STORE_OP	   0x70
#define AML_NOTIFY_OP	   0x86
#define AML_IF_OP	   0xa0
#define AML_EXT_MUTEX_OP   0x01
#define AML_EXT_ACQUIRE_OP 0x23
#define AML_EXT_RELEASE_OP 0x27
#define AML_EXT_REGION_OP  0x80
#define AML_EXT_FIELD_OP   0x81

/*
 * AML being written into a caller's buffer. Writes past cap set full and
 * are dropped, so a sequence of calls needs one check at the end.
 */
struct aml {
	u8 *p;
	u32 len;
	u32 cap;
	bool full; /* something did not fit: the AML is unusable */
};

void aml_bytes(struct aml *a, const void *data, u32 n);
void aml_byte(struct aml *a, u8 b);

/*
 * Encode the PkgLength (20.2.4) of a package whose contents after the
 * PkgLength are len bytes; the encoded value counts the PkgLength bytes
 * too. Writes 1-4 bytes to out and returns how many; 0 if len is too large.
 */
u32 aml_pkglen(u32 len, u8 out[4]);

/*
 * Packages: aml_open() after the opcode returns where the contents start;
 * aml_close() with that value writes the PkgLength once they are complete.
 * Packages nest: close the inner one first.
 */
u32 aml_open(struct aml *a);
void aml_close(struct aml *a, u32 start);

/*
 * A NameString: NameSegs of 4 characters joined by '.', "\\" for the root
 * allowed: "\\_SB_", "COM1", "\\_SB_.PRES.CSEL" (at most 8 segments).
 */
void aml_name(struct aml *a, const char *name);
/* An integer in its shortest form: ZeroOp, OneOp, Byte/Word/DWord/QWord constant. */
void aml_int(struct aml *a, u64 v);
void aml_string(struct aml *a, const char *s);

/* Name (name, v), Name (name, "s"), Name (name, EisaId ("PNP0501")) */
void aml_name_int(struct aml *a, const char *name, u64 v);
void aml_name_string(struct aml *a, const char *name, const char *s);
void aml_name_eisaid(struct aml *a, const char *name, const char *id);

/* Scope (name) {, Device (name) {, Method (name, nargs, NotSerialized) {: close with aml_close(). */
u32 aml_scope(struct aml *a, const char *name);
u32 aml_device(struct aml *a, const char *name);
u32 aml_method(struct aml *a, const char *name, u8 nargs);
/* Method (name, nargs, Serialized) {: one caller at a time. */
u32 aml_method_serialized(struct aml *a, const char *name, u8 nargs);
/* If (predicate) {: the predicate (a TermArg) is written next, then the body. */
u32 aml_if(struct aml *a);

/* Mutex (name, 0); Acquire (name, timeout_ms); Release (name) */
void aml_mutex(struct aml *a, const char *name);
void aml_acquire(struct aml *a, const char *name, u16 timeout_ms);
void aml_release(struct aml *a, const char *name);

/* OperationRegion (name, SystemIO, port, len) */
void aml_region_io(struct aml *a, const char *name, u16 port, u8 len);
/*
 * Field (region, access, NoLock, update) {: add aml_field_unit()s, then
 * aml_close(). flags: AML_FIELD_* access type | update rule.
 */
#define AML_FIELD_BYTE_ACC	 0x01
#define AML_FIELD_DWORD_ACC	 0x03
#define AML_FIELD_PRESERVE	 0x00
#define AML_FIELD_WRITE_AS_ZEROS 0x40
u32 aml_field(struct aml *a, const char *region, u8 flags);
/* One named field of 'bits' bits, or with name NULL that many bits skipped. */
void aml_field_unit(struct aml *a, const char *name, u32 bits);

/* Operands for the TermArgs of Store, If, Return, Notify and method calls. */
void aml_arg(struct aml *a, u8 n);   /* ArgN */
void aml_local(struct aml *a, u8 n); /* LocalN */
/* Buffer (n) {bytes} */
void aml_buffer(struct aml *a, const void *bytes, u32 n);

/* Return (v) */
void aml_return_int(struct aml *a, u64 v);

/* A compressed EISA ID, "PNP0501", as the DWord value EisaId() stands for. */
u32 aml_eisaid(const char *id);

/* A resource template (6.4): descriptors added in order; full if they did not fit. */
#define AML_RES_MAX 128
struct aml_res {
	u8 b[AML_RES_MAX];
	u32 len;
	bool full;
};

/* IO (Decode16, port, port, 1, len): one fixed I/O range. */
void aml_res_io(struct aml_res *r, u16 port, u8 len);
/* IRQNoFlags () {irq}: edge-triggered, active high, exclusive, as ISA IRQs are. */
void aml_res_irq(struct aml_res *r, u8 irq);
/*
 * Address space descriptors (6.4.3.5) of a bridge's decoded windows: resource
 * producer, positive decode, fixed minimum and maximum, granularity 0, no
 * translation, length max - min + 1.
 *
 * @pre min <= max, and max - min + 1 fits the descriptor's width.
 */
/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, min, max, 0, len) */
void aml_res_word_bus(struct aml_res *r, u16 min, u16 max);
/* WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max, 0, len) */
void aml_res_word_io(struct aml_res *r, u16 min, u16 max);
/* DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, ...) */
void aml_res_dword_mem(struct aml_res *r, u32 min, u32 max);
/* Name (name, ResourceTemplate () {...}): the descriptors and an end tag. */
void aml_name_res(struct aml *a, const char *name, const struct aml_res *r);

#endif
