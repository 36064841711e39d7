/* SPDX-License-Identifier: MIT */
/* Error codes: functions return 0 or a negative code from this list. */
#ifndef HV_ERRNO_H
#define HV_ERRNO_H

/*
 * The values match the Linux ones so that hypercall results read the same in
 * any guest, and so host unit tests can include <errno.h> beside this header.
 */
#define EPERM	  1
#define ENOENT	  2
#define EIO	  5
#define E2BIG	  7
#define ENOEXEC	  8
#define EAGAIN	  11
#define ENOMEM	  12
#define EFAULT	  14
#define EBUSY	  16
#define EEXIST	  17
#define ENODEV	  19
#define EINVAL	  22
#define ENOSPC	  28
#define ERANGE	  34
#define ENOSYS	  38
#define ENODATA	  61
#define ETIMEDOUT 110

/* Name of an error code, for log lines ("-ENOMEM"); "-E?" for unknown codes. */
const char *strerror_hv(int err);

#endif
