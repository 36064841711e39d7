# Virtual interrupt controllers: the I/O APIC and the 8259A pair (build/host/unit vioapic, vpic).
UNIT_SRCS += core/vdev/vioapic.c core/vdev/vpic.c
UNIT_TESTS += tests/unit/test_vioapic.c tests/unit/test_vpic.c
