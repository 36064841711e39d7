# Host unit tests of mm: the memory map and the frame allocator.
UNIT_SRCS += mm/memmap.c mm/pmm.c
UNIT_TESTS += tests/unit/test_memmap.c tests/unit/test_pmm.c
