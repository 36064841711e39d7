HV_SRCS += core/vdev/ports.c core/vdev/uart.c core/vdev/fwcfg.c core/vdev/lapic.c core/vdev/stats.c \
	core/vdev/acpi_aml.c core/vdev/acpi_build.c core/vdev/acpi_cpuhp.c core/vdev/vlapic.c \
	core/vdev/vioapic.c core/vdev/vpic.c core/vdev/vpit.c core/vdev/vrtc.c core/vdev/vacpi_pm.c core/vdev/vpci.c \
	core/vdev/vuart.c core/vdev/plat.c core/vdev/irq.c core/vdev/vcpuhp.c core/vdev/cpuhp.c
