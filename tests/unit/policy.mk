# MSR and CPUID policy tables (build/host/unit msr_policy, cpuid_policy).
UNIT_SRCS += core/msr_policy.c core/cpuid_policy.c
UNIT_TESTS += tests/unit/test_msr_policy.c tests/unit/test_cpuid_policy.c
