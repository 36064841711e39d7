// SPDX-License-Identifier: MIT
/* libFuzzer harness for config_parse(): no crash, and every result obeys the documented limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/config.h>
#include <hv/printk.h>

#include "fuzz.h"

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool printable(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

static bool valid_name(const char *s)
{
	size_t len = strnlen(s, CONFIG_NAME_MAX);

	return len > 0 && len < CONFIG_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == len;
}

static bool valid_size(u64 bytes)
{
	return bytes >= CONFIG_MEM_MIN && bytes <= CONFIG_MEM_MAX && IS_ALIGNED(bytes, PAGE_SIZE);
}

static void check_vm(const struct sprout_config *cfg, u32 i)
{
	const struct vm_config *vm = &cfg->vms[i];

	FUZZ_ASSERT(valid_name(vm->name));
	FUZZ_ASSERT(terminated(vm->image, sizeof(vm->image)) && vm->image[0] &&
		    vm->image[0] != '/');
	FUZZ_ASSERT(terminated(vm->initrd, sizeof(vm->initrd)) && vm->initrd[0] != '/');
	FUZZ_ASSERT(terminated(vm->cmdline, sizeof(vm->cmdline)) && printable(vm->cmdline));
	FUZZ_ASSERT(vm->kind <= IMAGE_BZIMAGE && vm->paging <= PAGING_4K);
	FUZZ_ASSERT(vm->unassigned <= UNASSIGNED_STOP);
	FUZZ_ASSERT(valid_size(vm->memory) && valid_size(vm->quota));
	FUZZ_ASSERT(vm->vcpus_min >= 1 && vm->vcpus_min <= vm->vcpus_max);
	FUZZ_ASSERT(vm->vcpus_max <= CONFIG_MAX_VCPUS);
	FUZZ_ASSERT(vm->line > 0 && (i == 0 || vm->line > cfg->vms[i - 1].line));
	for (u32 j = 0; j < i; j++) {
		FUZZ_ASSERT(strcmp(vm->name, cfg->vms[j].name) != 0);
		FUZZ_ASSERT(!(vm->privileged && cfg->vms[j].privileged));
	}
}

static void check_config(const struct sprout_config *cfg)
{
	FUZZ_ASSERT(cfg->vm_count <= CONFIG_MAX_VMS);
	FUZZ_ASSERT(cfg->log_level <= LOG_DEBUG);
	FUZZ_ASSERT(!cfg->crash_test[0] || !strcmp(cfg->crash_test, "pagefault") ||
		    !strcmp(cfg->crash_test, "null") || !strcmp(cfg->crash_test, "lose-timer") ||
		    !strcmp(cfg->crash_test, "stray-vmexit"));
	FUZZ_ASSERT(cfg->test_vm_count <= CONFIG_TEST_VMS);
	for (u32 i = 0; i < cfg->vm_count; i++)
		check_vm(cfg, i);
	/* Every test VM names a [vm], each once. */
	for (u32 t = 0; t < cfg->test_vm_count; t++) {
		bool found = false;

		FUZZ_ASSERT(terminated(cfg->test_vm[t], sizeof(cfg->test_vm[t])));
		for (u32 i = 0; i < cfg->vm_count; i++)
			found |= !strcmp(cfg->test_vm[t], cfg->vms[i].name);
		FUZZ_ASSERT(found);
		for (u32 u = 0; u < t; u++)
			FUZZ_ASSERT(strcmp(cfg->test_vm[t], cfg->test_vm[u]) != 0);
	}
}

static void check_error(const struct sprout_config *cfg, const struct config_error *err,
			const uint8_t *data, size_t size)
{
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	FUZZ_ASSERT(terminated(err->msg, sizeof(err->msg)) && err->msg[0]);
	FUZZ_ASSERT(printable(err->msg));
	FUZZ_ASSERT(terminated(err->field, sizeof(err->field)) && printable(err->field));
	FUZZ_ASSERT(err->line <= lines);
	FUZZ_ASSERT(cfg->vm_count == 0); /* nothing half-parsed is left behind */
}

/* CRLF line endings are accepted everywhere: the same text with CRLF must give the same answer. */
static void check_crlf(const uint8_t *data, size_t size, int ret, const struct sprout_config *cfg,
		       const struct config_error *err)
{
	static struct sprout_config cfg2;
	struct config_error err2;
	char *crlf;
	size_t i, n = 0;

	if (memchr(data, '\r', size))
		return;
	crlf = malloc(2 * size + 1);
	FUZZ_ASSERT(crlf);
	for (i = 0; i < size; i++) {
		if (data[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = (char)data[i];
	}
	FUZZ_ASSERT(config_parse(crlf, n, &cfg2, &err2) == ret);
	FUZZ_ASSERT(!memcmp(cfg, &cfg2, sizeof(cfg2)) && !memcmp(err, &err2, sizeof(err2)));
	free(crlf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sprout_config cfg, again;
	struct config_error err, err2;
	int ret = config_parse((const char *)data, size, &cfg, &err);

	/* The parser has no hidden state: the same text gives the same answer. */
	FUZZ_ASSERT(config_parse((const char *)data, size, &again, &err2) == ret);
	FUZZ_ASSERT(!memcmp(&cfg, &again, sizeof(cfg)) && !memcmp(&err, &err2, sizeof(err)));
	check_crlf(data, size, ret, &cfg, &err);
	if (ret == 0) {
		check_config(&cfg);
		config_print(&cfg);
	} else {
		FUZZ_ASSERT(ret < 0);
		check_error(&cfg, &err, data, size);
	}
	return 0;
}
