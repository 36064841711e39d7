// SPDX-License-Identifier: MIT
/* AML writer: the byte encodings of ACPI 6.5 chapter 20 for the objects Sprout's DSDT uses. */
#include <hv/acpi_aml.h>
#include <hv/string.h>

#define AML_PKGLEN_MAX ((1u << 28) - 1)

/* Small resource items (6.4.2): tag byte = item name << 3 | length. */
#define RES_IRQ_NOFLAGS 0x22 /* IRQ, 2 bytes: the mask only */
#define RES_IO		0x47 /* I/O port, 7 bytes */
#define RES_END		0x79 /* end tag, 1 byte: checksum */
#define RES_IO_DECODE16 1

/* Large resource items (6.4.3): tag byte, then the 16-bit length of the rest. */
#define RES_DWORD_ADDR 0x87
#define RES_WORD_ADDR  0x88

/* Address space descriptors: resource type, general flags, type-specific flags. */
#define RES_ADDR_MEM	    0
#define RES_ADDR_IO	    1
#define RES_ADDR_BUS	    2
#define RES_ADDR_MIN_FIXED  0x04 /* _MIF */
#define RES_ADDR_MAX_FIXED  0x08 /* _MAF */
#define RES_IO_ENTIRE_RANGE 3	 /* _RNG: ISA and non-ISA ports */
#define RES_MEM_READ_WRITE  1	 /* _RW; _MEM 0: non-cacheable */

void aml_bytes(struct aml *a, const void *data, u32 n)
{
	if (a->full || n > a->cap - a->len) {
		a->full = true;
		return;
	}
	memcpy(a->p + a->len, data, n);
	a->len += n;
}

void aml_byte(struct aml *a, u8 b)
{
	aml_bytes(a, &b, 1);
}

/* Little-endian, as AML stores every multi-byte integer. */
static void aml_le(struct aml *a, u64 v, u32 n)
{
	u8 b[8];

	for (u32 i = 0; i < n; i++)
		b[i] = (u8)(v >> (8 * i));
	aml_bytes(a, b, n);
}

u32 aml_pkglen(u32 len, u8 out[4])
{
	/*
	 * Byte 0 bits 7:6 count the bytes that follow. With none, bits 5:0
	 * are the length (up to 63); otherwise bits 3:0 are its low nibble
	 * and each following byte holds 8 more bits.
	 */
	static const u32 limit[4] = {1u << 6, 1u << 12, 1u << 20, 1u << 28};

	if (len > AML_PKGLEN_MAX)
		return 0;
	for (u32 n = 1; n <= 4; n++) {
		u32 total = len + n;

		if (total >= limit[n - 1])
			continue;
		if (n == 1) {
			out[0] = (u8)total;
			return 1;
		}
		out[0] = (u8)((n - 1) << 6 | (total & 0xf));
		for (u32 i = 1; i < n; i++)
			out[i] = (u8)(total >> (4 + 8 * (i - 1)));
		return n;
	}
	return 0;
}

/*
 * The PkgLength is unknown until the contents are written: leave one byte
 * for it, and move the contents up in aml_close() if it needs more.
 */
u32 aml_open(struct aml *a)
{
	aml_byte(a, 0);
	return a->len;
}

void aml_close(struct aml *a, u32 start)
{
	u32 body = a->len - start;
	u8 enc[4];
	u32 n;

	if (a->full)
		return;
	n = aml_pkglen(body, enc);
	if (n == 0 || n - 1 > a->cap - a->len) {
		a->full = true;
		return;
	}
	memmove(a->p + start + n - 1, a->p + start, body);
	memcpy(a->p + start - 1, enc, n);
	a->len += n - 1;
}

#define AML_NAMESEG  4
#define AML_MAX_SEGS 8

void aml_name(struct aml *a, const char *name)
{
	size_t len;
	u32 segs;

	if (name[0] == AML_ROOT_CHAR)
		aml_byte(a, (u8)*name++);
	len = strlen(name);
	segs = (u32)(len + 1) / (AML_NAMESEG + 1);
	if (segs == 0 || segs > AML_MAX_SEGS || len != segs * (AML_NAMESEG + 1) - 1) {
		a->full = true; /* not a path this writer makes: the AML is unusable */
		return;
	}
	if (segs == 2)
		aml_byte(a, AML_DUAL_NAME);
	else if (segs > 2) {
		aml_byte(a, AML_MULTI_NAME);
		aml_byte(a, (u8)segs);
	}
	for (u32 i = 0; i < segs; i++)
		aml_bytes(a, name + i * (AML_NAMESEG + 1), AML_NAMESEG);
}

void aml_int(struct aml *a, u64 v)
{
	if (v <= 1) {
		aml_byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, (u32)strlen(s) + 1);
}

void aml_name_int(struct aml *a, const char *name, u64 v)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	aml_int(a, v);
}

void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	aml_string(a, s);
}

/* Always a DWordConst, as ASL compilers write EisaId() whatever its value. */
void aml_name_eisaid(struct aml *a, const char *name, const char *id)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	aml_byte(a, AML_DWORD_PREFIX);
	aml_le(a, aml_eisaid(id), 4);
}

u32 aml_scope(struct aml *a, const char *name)
{
	u32 pkg;

	aml_byte(a, AML_SCOPE_OP);
	pkg = aml_open(a);
	aml_name(a, name);
	return pkg;
}

u32 aml_device(struct aml *a, const char *name)
{
	u32 pkg;

	aml_byte(a, AML_EXT_OP);
	aml_byte(a, AML_EXT_DEVICE_OP);
	pkg = aml_open(a);
	aml_name(a, name);
	return pkg;
}

u32 aml_method(struct aml *a, const char *name, u8 nargs)
{
	u32 pkg;

	aml_byte(a, AML_METHOD_OP);
	pkg = aml_open(a);
	aml_name(a, name);
	aml_byte(a, nargs & 7); /* MethodFlags: ArgCount, not serialized, SyncLevel 0 */
	return pkg;
}

u32 aml_method_serialized(struct aml *a, const char *name, u8 nargs)
{
	u32 pkg = aml_method(a, name, nargs);

	if (!a->full)
		a->p[a->len - 1] |= 0x08; /* MethodFlags bit 3: SerializeFlag */
	return pkg;
}

u32 aml_if(struct aml *a)
{
	aml_byte(a, AML_IF_OP);
	return aml_open(a);
}

static void aml_ext(struct aml *a, u8 op)
{
	aml_byte(a, AML_EXT_OP);
	aml_byte(a, op);
}

void aml_mutex(struct aml *a, const char *name)
{
	aml_ext(a, AML_EXT_MUTEX_OP);
	aml_name(a, name);
	aml_byte(a, 0); /* SyncFlags: SyncLevel 0 */
}

void aml_acquire(struct aml *a, const char *name, u16 timeout_ms)
{
	aml_ext(a, AML_EXT_ACQUIRE_OP);
	aml_name(a, name);
	aml_le(a, timeout_ms, 2);
}

void aml_release(struct aml *a, const char *name)
{
	aml_ext(a, AML_EXT_RELEASE_OP);
	aml_name(a, name);
}

#define AML_REGION_SYSTEM_IO 1

void aml_region_io(struct aml *a, const char *name, u16 port, u8 len)
{
	aml_ext(a, AML_EXT_REGION_OP);
	aml_name(a, name);
	aml_byte(a, AML_REGION_SYSTEM_IO);
	aml_int(a, port);
	aml_int(a, len);
}

u32 aml_field(struct aml *a, const char *region, u8 flags)
{
	u32 pkg;

	aml_ext(a, AML_EXT_FIELD_OP);
	pkg = aml_open(a);
	aml_name(a, region);
	aml_byte(a, flags);
	return pkg;
}

/*
 * A field's width is PkgLength-encoded (20.2.5.2 NamedField, ReservedField),
 * but the value is the bit count itself, not a length that counts its own
 * bytes. Widths up to 4095 bits: one byte below 64, else two.
 */
void aml_field_unit(struct aml *a, const char *name, u32 bits)
{
	if (name)
		aml_bytes(a, name, AML_NAMESEG);
	else
		aml_byte(a, 0); /* ReservedField */
	if (bits < 0x40) {
		aml_byte(a, (u8)bits);
	} else if (bits < 0x1000) {
		aml_byte(a, (u8)(0x40 | (bits & 0xf)));
		aml_byte(a, (u8)(bits >> 4));
	} else {
		a->full = true;
	}
}

void aml_arg(struct aml *a, u8 n)
{
	aml_byte(a, (u8)(AML_ARG0_OP + (n & 7)));
}

void aml_local(struct aml *a, u8 n)
{
	aml_byte(a, (u8)(AML_LOCAL0_OP + (n & 7)));
}

void aml_buffer(struct aml *a, const void *bytes, u32 n)
{
	u32 pkg;

	aml_byte(a, AML_BUFFER_OP);
	pkg = aml_open(a);
	aml_int(a, n);
	aml_bytes(a, bytes, n);
	aml_close(a, pkg);
}

void aml_return_int(struct aml *a, u64 v)
{
	aml_byte(a, AML_RETURN_OP);
	aml_int(a, v);
}

u32 aml_eisaid(const char *id)
{
	/* Three letters of 5 bits ('A' is 1), four hex digits; stored big-endian. */
	u32 v = (u32)(id[0] - 0x40) << 26 | (u32)(id[1] - 0x40) << 21 | (u32)(id[2] - 0x40) << 16;

	for (u32 i = 3; i < 7; i++) {
		char c = id[i];
		u32 d = c >= 'A' ? (u32)(c - 'A' + 10) : (u32)(c - '0');

		v |= d << (4 * (6 - i));
	}
	return __builtin_bswap32(v);
}

static u8 *res_add(struct aml_res *r, u32 n)
{
	u8 *p = r->b + r->len;

	if (r->full || n > sizeof(r->b) - r->len) {
		r->full = true;
		return NULL;
	}
	r->len += n;
	return p;
}

void aml_res_io(struct aml_res *r, u16 port, u8 len)
{
	u8 *p = res_add(r, 8);

	if (!p)
		return;
	p[0] = RES_IO;
	p[1] = RES_IO_DECODE16;
	p[2] = (u8)port; /* range minimum */
	p[3] = (u8)(port >> 8);
	p[4] = (u8)port; /* range maximum */
	p[5] = (u8)(port >> 8);
	p[6] = 1; /* alignment */
	p[7] = len;
}

void aml_res_irq(struct aml_res *r, u8 irq)
{
	u8 *p = res_add(r, 3);
	u16 mask = (u16)(1u << (irq & 15));

	if (!p)
		return;
	p[0] = RES_IRQ_NOFLAGS;
	p[1] = (u8)mask;
	p[2] = (u8)(mask >> 8);
}

/*
 * An address space descriptor whose five numbers are width bytes each:
 *
 *   tag | length (2) | type | general flags | type flags |
 *   _GRA | _MIN | _MAX | _TRA | _LEN
 */
static void res_addr(struct aml_res *r, u8 tag, u8 type, u8 type_flags, u32 width, u32 min, u32 max)
{
	const u32 f[5] = {0, min, max, 0, max - min + 1};
	u32 rest = 3 + 5 * width;
	u8 *p = res_add(r, 3 + rest);

	if (!p)
		return;
	p[0] = tag;
	p[1] = (u8)rest;
	p[2] = 0;
	p[3] = type;
	/* Bit 0 clear: the bridge produces the range for the devices below it. */
	p[4] = RES_ADDR_MIN_FIXED | RES_ADDR_MAX_FIXED;
	p[5] = type_flags;
	for (u32 i = 0; i < 5; i++)
		for (u32 j = 0; j < width; j++)
			p[6 + i * width + j] = (u8)(f[i] >> (8 * j));
}

void aml_res_word_bus(struct aml_res *r, u16 min, u16 max)
{
	res_addr(r, RES_WORD_ADDR, RES_ADDR_BUS, 0, 2, min, max);
}

void aml_res_word_io(struct aml_res *r, u16 min, u16 max)
{
	res_addr(r, RES_WORD_ADDR, RES_ADDR_IO, RES_IO_ENTIRE_RANGE, 2, min, max);
}

void aml_res_dword_mem(struct aml_res *r, u32 min, u32 max)
{
	res_addr(r, RES_DWORD_ADDR, RES_ADDR_MEM, RES_MEM_READ_WRITE, 4, min, max);
}

void aml_name_res(struct aml *a, const char *name, const struct aml_res *r)
{
	/* End tag with checksum 0: "treat as correct", as ASL compilers write it. */
	static const u8 end[2] = {RES_END, 0};
	u32 pkg;

	if (r->full) {
		a->full = true;
		return;
	}
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
	aml_byte(a, AML_BUFFER_OP);
	pkg = aml_open(a);
	aml_int(a, r->len + sizeof(end)); /* BufferSize */
	aml_bytes(a, r->b, r->len);
	aml_bytes(a, end, sizeof(end));
	aml_close(a, pkg);
}
