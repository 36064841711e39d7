# The guest-physical map (build/host/unit gpmap).
UNIT_SRCS += core/gpmap.c
UNIT_TESTS += tests/unit/test_gpmap.c
