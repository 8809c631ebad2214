// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_log.c - log.c: format, level filter, level parsing, libbpf routing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include "log.h"

/* Run fn with stderr redirected to a temporary file; return what it wrote. */
static void capture(void (*fn)(void), char *out, size_t outlen)
{
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, outlen - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void emit_all_levels(void)
{
	log_error("e %d", 1);
	log_warn("w %s", "two");
	log_info("i");
	log_debug("d");
}

static void test_format_and_filter(void **state)
{
	char buf[4096];

	log_set_prefix("xlbtest");
	log_set_level(LOG_LVL_WARN);
	capture(emit_all_levels, buf, sizeof(buf));
	assert_string_equal(buf, "xlbtest[error]: e 1\nxlbtest[warn]: w two\n");

	log_set_level(LOG_LVL_DEBUG);
	capture(emit_all_levels, buf, sizeof(buf));
	assert_string_equal(buf, "xlbtest[error]: e 1\nxlbtest[warn]: w two\n"
				 "xlbtest[info]: i\nxlbtest[debug]: d\n");
	assert_int_equal(log_get_level(), LOG_LVL_DEBUG);
}

static void emit_trailing_newline(void)
{
	log_error("already ends\n");
}

static void test_single_newline(void **state)
{
	char buf[256];

	log_set_prefix("p");
	log_set_level(LOG_LVL_INFO);
	capture(emit_trailing_newline, buf, sizeof(buf));
	assert_string_equal(buf, "p[error]: already ends\n");
}

static char long_msg[3000];

static void emit_long(void)
{
	log_error("%s", long_msg);
}

static void test_truncation_marked(void **state)
{
	char buf[4096];
	size_t len;

	memset(long_msg, 'x', sizeof(long_msg) - 1);
	log_set_prefix("p");
	capture(emit_long, buf, sizeof(buf));
	len = strlen(buf);
	assert_true(len < 1024);
	assert_memory_equal(buf + len - 4, "...\n", 4);
}

static void test_level_parse(void **state)
{
	enum log_level l;

	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LVL_DEBUG);
	assert_int_equal(log_level_parse("error", &l), 0);
	assert_int_equal(l, LOG_LVL_ERROR);
	assert_int_equal(log_level_parse("warn", &l), 0);
	assert_int_equal(l, LOG_LVL_WARN);
	assert_int_equal(log_level_parse("info", &l), 0);
	assert_int_equal(l, LOG_LVL_INFO);
	assert_int_equal(log_level_parse("verbose", &l), -EINVAL);
	assert_int_equal(log_level_parse("", &l), -EINVAL);
	assert_int_equal(log_level_parse(NULL, &l), -EINVAL);
}

/* libbpf's print callback is what libbpf_set_print returns when replaced. */
static libbpf_print_fn_t routed;

static int call_routed(enum libbpf_print_level lvl, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = routed(lvl, fmt, ap);
	va_end(ap);
	return r;
}

static void emit_libbpf(void)
{
	call_routed(LIBBPF_WARN, "libbpf: warn %d\n", 1);
	call_routed(LIBBPF_INFO, "libbpf: info\n");
	call_routed(LIBBPF_DEBUG, "libbpf: debug\n");
}

static void test_libbpf_one_level_lower(void **state)
{
	char buf[1024];

	log_libbpf_setup();
	routed = libbpf_set_print(NULL);
	assert_non_null(routed);
	log_set_prefix("p");
	log_set_level(LOG_LVL_INFO);
	capture(emit_libbpf, buf, sizeof(buf));
	assert_string_equal(buf, "p[info]: libbpf: warn 1\n");
	log_set_level(LOG_LVL_DEBUG);
	capture(emit_libbpf, buf, sizeof(buf));
	assert_string_equal(buf, "p[info]: libbpf: warn 1\np[debug]: libbpf: info\n"
				 "p[debug]: libbpf: debug\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_and_filter),
		cmocka_unit_test(test_single_newline),
		cmocka_unit_test(test_truncation_marked),
		cmocka_unit_test(test_level_parse),
		cmocka_unit_test(test_libbpf_one_level_lower),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
