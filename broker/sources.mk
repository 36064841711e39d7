# Sources of broker.
HV_SRCS += broker/broker.c broker/conmux.c broker/hypercalls.c broker/reqtab.c
