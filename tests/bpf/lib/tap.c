/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tap.c - TAP assertions for tests/bpf; contract in tap.h. */
#include "tap.h"
#include "pkt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_nfail;

static bool tap_vreport(bool cond, const char *fmt, va_list ap)
{
	tap_n++;
	if (!cond)
		tap_nfail++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool tap_eq_u64(uint64_t got, uint64_t want, const char *fmt, ...)
{
	bool ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   got %llu (0x%llx), want %llu (0x%llx)\n", (unsigned long long)got,
		       (unsigned long long)got, (unsigned long long)want, (unsigned long long)want);
	return ok;
}

bool tap_eq_u32(uint32_t got, uint32_t want, const char *fmt, ...)
{
	bool ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   got %u (0x%x), want %u (0x%x)\n", got, got, want, want);
	return ok;
}

bool tap_mem_eq(const void *got, uint32_t got_len, const void *want, uint32_t want_len,
		const char *fmt, ...)
{
	const uint8_t *g = got, *w = want;
	uint32_t i, n = got_len < want_len ? got_len : want_len;
	bool ok;
	va_list ap;

	for (i = 0; i < n && g[i] == w[i]; i++)
		;
	ok = got_len == want_len && i == n;
	va_start(ap, fmt);
	tap_vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("#   length got %u want %u, first difference at offset %u (0x%x)\n",
		       got_len, want_len, i, i);
		pkt_hexdump("#   got  ", got, got_len);
		pkt_hexdump("#   want ", want, want_len);
	}
	return ok;
}

void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("ok %d - ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("not ok %d - ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nBail out!\n1..%d\n", tap_n);
	fflush(stdout);
	exit(1);
}

int tap_failed(void)
{
	return tap_nfail;
}

int tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_nfail ? 1 : 0;
}
