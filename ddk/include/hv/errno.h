/*
 * Error numbers used across hvkernel, the DDK and the freestanding libraries that the host
 * tools share. Functions return 0 or a positive count on success and -HV_Exxx on failure.
 * The values follow Linux/POSIX numbering so a log line "-12" reads as ENOMEM to anyone.
 */
#ifndef HV_ERRNO_H
#define HV_ERRNO_H

#define HV_EPERM	1
#define HV_ENOENT	2
#define HV_EIO		5
#define HV_E2BIG	7
#define HV_ENOEXEC	8
#define HV_EAGAIN	11
#define HV_ENOMEM	12
#define HV_EFAULT	14
#define HV_EBUSY	16
#define HV_EEXIST	17
#define HV_ENODEV	19
#define HV_EINVAL	22
#define HV_ENOSPC	28
#define HV_ERANGE	34
#define HV_ENOSYS	38
#define HV_ELOOP	40
#define HV_ENODATA	61
#define HV_EPROTO	71
#define HV_EBADMSG	74
#define HV_EOVERFLOW	75
#define HV_ENOTSUP	95
#define HV_ETIMEDOUT	110

#endif
