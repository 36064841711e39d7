// SPDX-License-Identifier: MIT
/* loader_load(): check the arguments, run the loader for the image kind, one-line errors. */
#include <stdarg.h>

#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/string.h>

int loader_error(struct loader_ctx *lc, int code, const char *fmt, ...)
{
	va_list ap;

	if (lc->err && lc->errlen) {
		va_start(ap, fmt);
		vsnprintf(lc->err, lc->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

int loader_write(struct loader_ctx *lc, gpa_t gpa, const void *src, u64 len)
{
	int ret;

	if (!len)
		return 0;
	/* Every caller checked the range; this keeps a bug from writing elsewhere. */
	if (!loader_gpa_is_ram(lc->mem->ram_size, gpa, len))
		ret = -EFAULT;
	else
		ret = lc->mem->write(lc->mem->ctx, gpa, src, (size_t)len);
	if (ret)
		return loader_error(lc, ret,
				    "cannot write 0x%llx bytes of guest RAM at 0x%llx (%s)", len,
				    gpa, strerror_hv(ret));
	return 0;
}

/* A string the loader copies into the boot area must fit there with its NUL. */
static bool string_fits(const char *s)
{
	return !s || strnlen(s, LOADER_CMDLINE_MAX) < LOADER_CMDLINE_MAX;
}

static int check_modules(struct loader_ctx *lc)
{
	if (lc->nmods > LOADER_MAX_MODULES)
		return loader_error(lc, -E2BIG, "too many modules (%u, at most %u)", lc->nmods,
				    LOADER_MAX_MODULES);
	if (lc->nmods && !lc->mods)
		return loader_error(lc, -EINVAL, "module list missing");
	for (u32 i = 0; i < lc->nmods; i++) {
		if (lc->mods[i].size && !lc->mods[i].data)
			return loader_error(lc, -EINVAL, "module %u has no data", i);
		if (!string_fits(lc->mods[i].cmdline))
			return loader_error(lc, -E2BIG,
					    "module %u command line too long (at most %u bytes)", i,
					    LOADER_CMDLINE_MAX - 1);
	}
	return 0;
}

static int check_args(struct loader_ctx *lc)
{
	u64 ram = lc->mem->ram_size;

	if (!lc->image || !lc->size)
		return loader_error(lc, -ENOEXEC, "image is empty");
	if (ram < LOADER_MIN_RAM)
		return loader_error(
			lc, -ENOMEM,
			"memory too small (%llu KiB; the loader needs at least %llu KiB)",
			ram >> 10, LOADER_MIN_RAM >> 10);
	if (!string_fits(lc->cmdline))
		return loader_error(lc, -E2BIG, "command line too long (at most %u bytes)",
				    LOADER_CMDLINE_MAX - 1);
	return check_modules(lc);
}

int loader_load(enum image_kind kind, const void *image, size_t size, const char *cmdline,
		const struct loader_module *mods, u32 nmods, struct loader_mem *mem,
		struct loader_result *res, char *err, size_t errlen)
{
	struct loader_ctx lc = {
		.image = image,
		.size = size,
		.cmdline = cmdline ? cmdline : "",
		.mods = mods,
		.nmods = nmods,
		.mem = mem,
		.res = res,
		.err = err,
		.errlen = errlen,
		.boot_next = LOADER_BOOT_BASE,
	};
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!res || !mem || !mem->write)
		return loader_error(&lc, -EINVAL, "loader called without guest memory");
	memset(res, 0, sizeof(*res));

	switch (kind) {
	case IMAGE_PVH:
	case IMAGE_MULTIBOOT:
	case IMAGE_BZIMAGE: break;
	default: return loader_error(&lc, -EINVAL, "unknown image kind %d", (int)kind);
	}
	ret = check_args(&lc);
	if (ret)
		return ret;
	if (kind == IMAGE_PVH)
		ret = loader_pvh(&lc);
	else if (kind == IMAGE_MULTIBOOT)
		ret = loader_multiboot(&lc);
	else
		ret = loader_bzimage(&lc);
	if (ret) {
		memset(res, 0, sizeof(*res));
		return ret;
	}
	res->boot_data_bytes = (u32)(lc.boot_next - LOADER_BOOT_BASE);
	return 0;
}
