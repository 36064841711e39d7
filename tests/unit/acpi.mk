# ACPI table parsing (arch/x86/acpi.c), tested against tables captured from QEMU and Bochs.
UNIT_SRCS += arch/x86/acpi.c
UNIT_TESTS += tests/unit/test_acpi.c
