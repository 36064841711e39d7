# Hypercall argument checks (build/host/unit hcargs).
UNIT_SRCS += core/hcargs.c
UNIT_TESTS += tests/unit/test_hcargs.c
