# Local APIC model: registers, interrupts, IPIs, timer (build/host/unit vlapic).
UNIT_SRCS += core/vdev/vlapic.c
UNIT_TESTS += tests/unit/test_vlapic.c
