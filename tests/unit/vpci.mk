# Virtual PCI configuration mechanism #1 and its host bridge (build/host/unit vpci).
UNIT_SRCS += core/vdev/vpci.c
UNIT_TESTS += tests/unit/test_vpci.c
