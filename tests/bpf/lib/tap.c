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

/* The bool of expr, evaluated with ap = the variadic arguments after `last`. */
#define WITH_VA(last, expr)                                                    \
	({                                                                     \
		va_list ap;                                                    \
		bool _ok;                                                      \
		va_start(ap, last);                                            \
		_ok = (expr);                                                  \
		va_end(ap);                                                    \
		_ok;                                                           \
	})

bool tap_ok(bool cond, const char *fmt, ...)
{
	return WITH_VA(fmt, tap_vreport(cond, fmt, ap));
}

/* Both widths: a u32 prints the same digits through %llu / %llx. */
static bool tap_veq(uint64_t got, uint64_t want, const char *fmt, va_list ap)
{
	bool ok = got == want;

	tap_vreport(ok, fmt, ap);
	if (!ok)
		printf("#   got %llu (0x%llx), want %llu (0x%llx)\n", (unsigned long long)got,
		       (unsigned long long)got, (unsigned long long)want, (unsigned long long)want);
	return ok;
}

bool tap_eq_u64(uint64_t got, uint64_t want, const char *fmt, ...)
{
	return WITH_VA(fmt, tap_veq(got, want, fmt, ap));
}

bool tap_eq_u32(uint32_t got, uint32_t want, const char *fmt, ...)
{
	return WITH_VA(fmt, tap_veq(got, want, fmt, ap));
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
