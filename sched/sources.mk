# Sources of sched.
HV_SRCS += sched/sched.c
HV_SRCS += sched/rr.c sched/run.c sched/hotplug.c sched/load.c sched/place.c
