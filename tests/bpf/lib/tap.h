/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tap.h - TAP output for tests/bpf: every assertion names what it checks and
 * prints "ok N - name" or "not ok N - name" (diagnostics as "# ..." lines).
 * tap_done() prints the plan "1..N" (TAP allows it at the end) and returns
 * the process exit status (0 when every assertion passed).
 *
 * Each tap_* assertion returns true when it passed, so a test can stop a
 * case early: `if (!tap_eq_u32(...)) return;`.
 */
#ifndef XLB_TEST_TAP_H
#define XLB_TEST_TAP_H

#include <stdbool.h>
#include <stdint.h>

bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_eq_u64(uint64_t got, uint64_t want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool tap_eq_u32(uint32_t got, uint32_t want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Byte-for-byte comparison; on failure prints the first differing offset and both hexdumps. */
bool tap_mem_eq(const void *got, uint32_t got_len, const void *want, uint32_t want_len,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Fatal setup error: prints "not ok N - name", "Bail out!" and exits 1. */
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

int tap_failed(void);		/* failures so far */
int tap_done(void);		/* print the plan; 0 if all passed, else 1 */

#endif /* XLB_TEST_TAP_H */
