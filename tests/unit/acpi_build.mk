# A VM's ACPI tables and the AML writer under them, parsed back with arch/x86/acpi.c (build/host/unit acpi_build).
UNIT_SRCS += core/vdev/acpi_aml.c core/vdev/acpi_build.c core/vdev/acpi_cpuhp.c
UNIT_TESTS += tests/unit/test_acpi_build.c
