# Sources of arch/x86/vmx.
HV_SRCS += arch/x86/vmx/ept.c
HV_SRCS += arch/x86/vmx/vmx.c arch/x86/vmx/vmx_exit.c arch/x86/vmx/vmx_entry.S
