# QEMU-compatible fw_cfg: the items a VM's config gives and the port protocol (build/host/unit fwcfg).
UNIT_SRCS += core/vdev/fwcfg.c
UNIT_TESTS += tests/unit/test_fwcfg.c
