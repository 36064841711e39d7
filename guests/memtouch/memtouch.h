/* SPDX-License-Identifier: MIT */
/* memtouch: what its touch loop (memtouch.c) and its fault benchmark (bench.c) share. */
#ifndef MEMTOUCH_H
#define MEMTOUCH_H

#include "util.h"

/* Exit status for a command line that cannot be carried out. */
#define MEMTOUCH_EXIT_USAGE 2

/* Print "memtouch: committed=... faults_4k=... faults_2m=..." from HC_SELF_STATS. */
void memtouch_print_stats(void);

/* bench=fault over RAM from base (2 MiB aligned) to top; returns the exit status. */
int memtouch_bench_fault(u64 base, u64 top);

#endif
