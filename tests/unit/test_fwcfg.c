// SPDX-License-Identifier: MIT
/* Unit tests for fw_cfg: CPU counts from the config (boot and maximum), RAM size, port reads. */
#include <hv/config.h>
#include <hv/fwcfg.h>

#include "utest.h"

static struct vm_config cfg_vcpus(u32 min, u32 max)
{
	return (struct vm_config){.vcpus_min = min, .vcpus_max = max};
}

/* Select key through the selector port, then read len bytes (len <= 8) with size-byte reads. */
static u64 read_item(struct fwcfg *f, const struct fwcfg_items *it, u16 key, u8 size, u32 len)
{
	u32 sel = key, v;
	u64 out = 0;

	fwcfg_io(f, it, FWCFG_SELECTOR, 2, false, &sel);
	for (u32 off = 0; off < len; off += size) {
		fwcfg_io(f, it, FWCFG_DATA, size, true, &v);
		out |= (u64)v << (off * 8);
	}
	return out;
}

UTEST(fwcfg_cpu_counts_from_config)
{
	struct vm_config c = cfg_vcpus(1, 3);
	struct fwcfg_items it = fwcfg_items(&c, 0);

	/* vcpus = 1..3: boots with one, may grow to three, as -smp 1,maxcpus=3. */
	CHECK_EQ(it.nb_cpus, 1);
	CHECK_EQ(it.max_cpus, 3);
	c = cfg_vcpus(2, 2);
	it = fwcfg_items(&c, 0);
	CHECK_EQ(it.nb_cpus, 2);
	CHECK_EQ(it.max_cpus, 2);
	c = cfg_vcpus(CONFIG_MAX_VCPUS, CONFIG_MAX_VCPUS);
	it = fwcfg_items(&c, 0);
	CHECK_EQ(it.nb_cpus, CONFIG_MAX_VCPUS);
	CHECK_EQ(it.max_cpus, CONFIG_MAX_VCPUS);
}

UTEST(fwcfg_cpu_counts_never_disagree)
{
	/* Configs the parser refuses still give 1 <= NB_CPUS <= MAX_CPUS. */
	struct vm_config c = cfg_vcpus(0, 0);
	struct fwcfg_items it = fwcfg_items(&c, 0);

	CHECK_EQ(it.nb_cpus, 1);
	CHECK_EQ(it.max_cpus, 1);
	c = cfg_vcpus(4, 2);
	it = fwcfg_items(&c, 0);
	CHECK_EQ(it.nb_cpus, 4);
	CHECK_EQ(it.max_cpus, 4);
}

UTEST(fwcfg_items_read_through_ports)
{
	struct vm_config c = cfg_vcpus(2, 5);
	struct fwcfg_items it = fwcfg_items(&c, 0x123456789000ull);
	struct fwcfg f = {0};
	u32 v;

	CHECK_EQ(read_item(&f, &it, FW_CFG_SIGNATURE, 1, 4), 0x554d4551); /* "QEMU" */
	CHECK_EQ(read_item(&f, &it, FW_CFG_ID, 1, 4), 1);
	CHECK_EQ(read_item(&f, &it, FW_CFG_NB_CPUS, 1, 2), 2);
	CHECK_EQ(read_item(&f, &it, FW_CFG_MAX_CPUS, 1, 2), 5);
	CHECK_EQ(read_item(&f, &it, FW_CFG_MAX_CPUS, 2, 2), 5);
	CHECK_EQ(read_item(&f, &it, FW_CFG_RAM_SIZE, 1, 8), 0x123456789000ull);
	CHECK_EQ(read_item(&f, &it, FW_CFG_RAM_SIZE, 4, 8), 0x123456789000ull);
	/* Past the end of a 2-byte item, and all of an unknown one, read 0. */
	CHECK_EQ(read_item(&f, &it, FW_CFG_NB_CPUS, 4, 8), 2);
	CHECK_EQ(read_item(&f, &it, 0x4242, 4, 8), 0);
	CHECK_EQ(read_item(&f, &it, FW_CFG_FILE_DIR, 4, 4), 0);
	/* The selector reads back; selecting again rewinds to the first byte. */
	fwcfg_io(&f, &it, FWCFG_SELECTOR, 2, true, &v);
	CHECK_EQ(v, FW_CFG_FILE_DIR);
	CHECK_EQ(read_item(&f, &it, FW_CFG_SIGNATURE, 1, 1), 'Q');
	CHECK_EQ(read_item(&f, &it, FW_CFG_SIGNATURE, 1, 1), 'Q');
	/* Writes to the data port are ignored. */
	v = 0xff;
	fwcfg_io(&f, &it, FWCFG_DATA, 1, false, &v);
	fwcfg_io(&f, &it, FWCFG_DATA, 1, true, &v);
	CHECK_EQ(v, 'E');
}
