# Sources of arch/x86.
HV_SRCS += arch/x86/serial.c arch/x86/screen.c arch/x86/traps.c arch/x86/idt_entry.S arch/x86/paging.c arch/x86/cpu.c arch/x86/tsc.c arch/x86/power.c arch/x86/stack.S
HV_SRCS += arch/x86/acpi.c arch/x86/rtc.c
HV_SRCS += arch/x86/apic.c
HV_SRCS += arch/x86/smp.c arch/x86/trampoline.S
