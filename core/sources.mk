# Sources of core.
HV_SRCS += core/printk.c core/logring.c core/main.c core/boot_info.c
HV_SRCS += core/config.c
HV_SRCS += core/percpu.c core/hvm.c core/vm.c core/vcpu.c core/exit.c core/insn.c core/gpmap.c core/mmio_insn.c core/cpuid.c core/cpuid_policy.c core/msr.c core/msr_policy.c core/hypercall.c
HV_SRCS += core/lifecycle.c core/machine.c core/vmstate.c
include core/loader/sources.mk
HV_SRCS += core/hcargs.c core/gstate.c
HV_SRCS += core/term.c core/kbd.c core/font.c
