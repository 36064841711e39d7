# Sources of sched.
HV_SRCS += sched/sched.c
