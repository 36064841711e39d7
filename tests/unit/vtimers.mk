# Virtual PIT, RTC/CMOS and ACPI PM timer/event blocks (build/host/unit vpit / vrtc / vacpi_pm).
UNIT_SRCS += core/vdev/vpit.c core/vdev/vrtc.c core/vdev/vacpi_pm.c
UNIT_TESTS += tests/unit/test_vpit.c tests/unit/test_vrtc.c tests/unit/test_vacpi_pm.c
