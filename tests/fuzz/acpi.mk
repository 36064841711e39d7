# Host ACPI table parser (arch/x86/acpi.c) under libFuzzer; seeds are captured tables
# packed by tools/acpi-extract.py --pack.
FUZZERS += acpi
FUZZ_SRCS_acpi := arch/x86/acpi.c
