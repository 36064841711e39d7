# Checks of guest-loaded control registers and MSRs (build/host/unit gstate).
UNIT_SRCS += core/gstate.c
UNIT_TESTS += tests/unit/test_gstate.c
