# The VM lifecycle state machine and the broker's request table, races included
# (build/host/unit vmstate|reqtab).
UNIT_SRCS += core/vmstate.c broker/reqtab.c
UNIT_TESTS += tests/unit/test_vmstate.c tests/unit/test_reqtab.c
