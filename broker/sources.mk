# Sources of broker.
HV_SRCS += broker/broker.c broker/hypercalls.c broker/reqtab.c
