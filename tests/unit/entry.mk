# The entry fast path's decision: when a VM entry may skip its look at the vCPU's
# events (build/host/unit entry).
UNIT_TESTS += tests/unit/test_entry.c
