# Sources of arch/x86/svm.
HV_SRCS += arch/x86/svm/npt.c
HV_SRCS += arch/x86/svm/svm.c arch/x86/svm/svm_emul.c arch/x86/svm/svm_entry.S
