# ACPI CPU hotplug registers, QEMU's layout: present CPUs, insert/remove events, eject (build/host/unit vcpuhp).
UNIT_SRCS += core/vdev/vcpuhp.c
UNIT_TESTS += tests/unit/test_vcpuhp.c
