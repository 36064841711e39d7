# PC keyboard scan codes to console bytes: Shift, Caps Lock, Ctrl, arrows, Pause
# (build/host/unit kbd).
UNIT_SRCS += core/kbd.c
UNIT_TESTS += tests/unit/test_kbd.c
