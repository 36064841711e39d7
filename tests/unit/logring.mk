# The console's byte ring and the lock its flushers share (build/host/unit logring).
UNIT_SRCS += core/logring.c
UNIT_TESTS += tests/unit/test_logring.c
