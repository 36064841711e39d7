# The sprout.cfg parser (core/config.c) and its tests.
UNIT_SRCS += core/config.c
UNIT_TESTS += tests/unit/test_config.c
