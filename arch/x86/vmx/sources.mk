# Sources of arch/x86/vmx.
HV_SRCS += arch/x86/vmx/ept.c
