/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cp.h - helpers of the control-plane benchmark (cp_http.c). Return 0 or
 * -errno.
 */
#ifndef XLB_BENCH_CP_H
#define XLB_BENCH_CP_H

#include <stdint.h>

/* One request to xlbd over its Unix socket; *reply (malloc'd, NUL-ended) when reply != NULL.
 * -EPIPE: the status arrived but the body was cut short (*reply holds what came). */
int cp_http(const char *sock, const char *method, const char *path, const char *body,
	    const char *ctype, long *status, char **reply);
/* utime + stime of pid, in clock ticks. */
int cp_proc_cpu_ticks(int pid, uint64_t *ticks);
/* A "Field:   N kB" line of /proc/PID/status (VmHWM, VmRSS). */
int cp_proc_kib(int pid, const char *field, uint64_t *kib);

#endif /* XLB_BENCH_CP_H */
