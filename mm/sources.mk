# Sources of mm.
HV_SRCS += mm/memmap.c mm/pmm.c
HV_SRCS += mm/s2pt.c mm/demand.c mm/account.c
HV_SRCS += mm/reclaim.c
HV_SRCS += mm/zeropool.c
