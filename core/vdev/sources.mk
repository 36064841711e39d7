HV_SRCS += core/vdev/ports.c core/vdev/uart.c core/vdev/fwcfg.c core/vdev/lapic.c core/vdev/stats.c core/vdev/x2apic.c
HV_SRCS += core/vdev/vpit.c core/vdev/vrtc.c core/vdev/vacpi_pm.c
