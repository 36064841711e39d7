# Stage-2 page tables (both formats), demand paging and accounting (build/host/unit s2pt|demand|account).
# demand.c asks core/loader/layout.c what is guest RAM; layout.c links against the rest of the loader.
UNIT_SRCS += mm/s2pt.c mm/demand.c mm/reclaim.c mm/account.c mm/zeropool.c arch/x86/svm/npt.c arch/x86/vmx/ept.c \
	core/loader/layout.c core/loader/loader.c core/loader/elf.c core/loader/pvh.c \
	core/loader/multiboot.c core/loader/bzimage.c
UNIT_TESTS += tests/unit/test_s2pt.c tests/unit/test_demand.c tests/unit/test_account.c tests/unit/test_zeropool.c
