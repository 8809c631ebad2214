// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_xlbctl.c - xlbctl without a daemon: command lookup (exact words,
 * unique prefixes, ambiguity), every command's request (method, path,
 * body), local validation and its messages, global options, help generated
 * from the command table, and the table output of `vip list`.
 * The CLI's sources are included (unit tests link libxlb, not xlbctl).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../userspace/xlbctl/commands.c"
#include "../../userspace/xlbctl/parse.c"
#include "../../userspace/xlbctl/table.c"
#include "../../userspace/xlbctl/render.c"

static struct ctl_parsed P;
static char ERR[CTL_ERR_LEN];

/* ctl_parse of "xlbctl ARGS..." (NULL-terminated). */
static int parse(const char *first, ...)
{
	char *argv[32] = { "xlbctl" };
	int argc = 1;
	va_list ap;
	const char *a;

	va_start(ap, first);
	for (a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	ctl_parsed_free(&P);
	ERR[0] = '\0';
	return ctl_parse(argc, argv, &P, ERR);
}

static void assert_err_has(const char *needle)
{
	if (!strstr(ERR, needle))
		fail_msg("error '%s' does not contain '%s'", ERR, needle);
}

static void test_exact_and_prefix_lookup(void **state)
{
	assert_int_equal(parse("status", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "GET");
	assert_string_equal(P.req.path, "/v1/status");
	assert_int_equal(P.req.render, CTL_R_STATUS);

	assert_int_equal(parse("v", "l", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.cmd_path, "vip list");
	assert_string_equal(P.req.path, "/v1/vips");
	assert_int_equal(P.req.render, CTL_R_VIP_LIST);

	assert_int_equal(parse("statu", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.path, "/v1/status");
	/* "stats" is a whole word and also a prefix of nothing else: exact wins */
	assert_int_equal(parse("stats", NULL), CTL_PARSE_RUN);
	assert_int_equal(P.req.render, CTL_R_STATS);
}

static void test_ambiguous_and_unknown(void **state)
{
	assert_int_equal(parse("st", NULL), -EINVAL);
	assert_err_has("ambiguous command 'st'");
	assert_err_has("status");
	assert_err_has("stats");
	assert_true(P.node == &ctl_root);

	assert_int_equal(parse("backend", "d", "198.19.0.10:80/tcp", "198.18.1.11", NULL), -EINVAL);
	assert_err_has("ambiguous command 'd': del, drain");
	assert_string_equal(P.cmd_path, "backend");

	assert_int_equal(parse("frob", NULL), -EINVAL);
	assert_err_has("unknown command 'frob'");
	assert_int_equal(parse(NULL), -EINVAL);
	assert_err_has("missing command");
	assert_int_equal(parse("vip", NULL), -EINVAL);
	assert_err_has("vip: missing command");
}

static void test_vip_add(void **state)
{
	json_t *body;

	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--hash", "src", "--table-size=131071",
			       NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "POST");
	assert_string_equal(P.req.path, "/v1/vips");
	assert_string_equal(P.req.content_type, "application/json");
	body = json_loads(P.req.body, 0, NULL);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "vip")), "198.19.0.10:80/tcp");
	assert_string_equal(json_string_value(json_object_get(body, "hash")), "src");
	assert_int_equal(json_integer_value(json_object_get(body, "table_size")), 131071);
	json_decref(body);

	/* only what was given goes to the daemon (it owns the defaults) */
	assert_int_equal(parse("vip", "add", "[2001:db8::10]:0/udp", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.body, "{\"vip\":\"[2001:db8::10]:0/udp\"}");
}

static void test_vip_add_errors(void **state)
{
	assert_int_equal(parse("vip", "add", "198.19.0.10:80", NULL), -EINVAL);
	assert_err_has("VIP '198.19.0.10:80'");
	assert_string_equal(P.cmd_path, "vip add");
	assert_int_equal(parse("vip", "add", "198.19.0.300:80/tcp", NULL), -EINVAL);
	assert_err_has("VIP '198.19.0.300:80/tcp'");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/sctp", NULL), -EINVAL);
	assert_err_has("VIP '198.19.0.10:80/sctp'");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--table-size", "65536", NULL), -EINVAL);
	assert_err_has("--table-size 65536: must be a prime");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--table-size", "x", NULL), -EINVAL);
	assert_err_has("--table-size 'x'");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--hash", "rr", NULL), -EINVAL);
	assert_err_has("--hash 'rr': expected 5tuple or src");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--hash", NULL), -EINVAL);
	assert_err_has("--hash needs a value");
	assert_int_equal(parse("vip", "add", NULL), -EINVAL);
	assert_err_has("missing VIP");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "extra", NULL), -EINVAL);
	assert_err_has("unexpected argument 'extra'");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--weight", "1", NULL), -EINVAL);
	assert_err_has("unknown option '--weight'");
	assert_int_equal(parse("vip", "add", "198.19.0.10:80/tcp", "--hash", "src", "--hash", "src", NULL),
			 -EINVAL);
	assert_err_has("--hash given twice");
}

static void test_vip_del_and_encoding(void **state)
{
	assert_int_equal(parse("vip", "del", "[2001:db8::10]:80/tcp", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "DELETE");
	assert_string_equal(P.req.path, "/v1/vips/%5B2001%3Adb8%3A%3A10%5D%3A80%2Ftcp");
	assert_null(P.req.body);
	assert_int_equal(P.req.render, CTL_R_DELETED);
}

static void test_backend_commands(void **state)
{
	assert_int_equal(parse("backend", "add", "198.19.0.10:80/tcp", "198.18.1.11", "--weight", "300", NULL),
			 CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "POST");
	assert_string_equal(P.req.path, "/v1/vips/198.19.0.10%3A80%2Ftcp/backends");
	assert_string_equal(P.req.body, "{\"address\":\"198.18.1.11\",\"weight\":300}");

	assert_int_equal(parse("b", "a", "[2001:db8::10]:80/tcp", "2001:db8:1::11", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.path, "/v1/vips/%5B2001%3Adb8%3A%3A10%5D%3A80%2Ftcp/backends");
	assert_string_equal(P.req.body, "{\"address\":\"2001:db8:1::11\"}");

	assert_int_equal(parse("backend", "set", "198.19.0.10:80/tcp", "198.18.1.11", "--weight", "0", NULL),
			 CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "PATCH");
	assert_string_equal(P.req.path, "/v1/vips/198.19.0.10%3A80%2Ftcp/backends/198.18.1.11");
	assert_string_equal(P.req.body, "{\"weight\":0}");

	assert_int_equal(parse("backend", "dr", "198.19.0.10:80/tcp", "198.18.1.11", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "POST");
	assert_string_equal(P.req.path, "/v1/vips/198.19.0.10%3A80%2Ftcp/backends/198.18.1.11/drain");

	assert_int_equal(parse("backend", "del", "198.19.0.10:80/tcp", "198.18.1.11", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "DELETE");
	assert_string_equal(P.req.path, "/v1/vips/198.19.0.10%3A80%2Ftcp/backends/198.18.1.11");
	assert_int_equal(parse("backend", "del", "198.19.0.10:80/tcp", "198.18.1.11", "--after-drain",
			       "--timeout", "30", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.path,
			    "/v1/vips/198.19.0.10%3A80%2Ftcp/backends/198.18.1.11?after_drain=1&timeout=30");
	assert_int_equal(parse("backend", "del", "198.19.0.10:80/tcp", "198.18.1.11", "--after-drain", NULL),
			 CTL_PARSE_RUN);
	assert_string_equal(P.req.path, "/v1/vips/198.19.0.10%3A80%2Ftcp/backends/198.18.1.11?after_drain=1");
}

static void test_backend_errors(void **state)
{
	static const char *const bad_weights[] = { "65536", "-1", "abc", "1.5", "", "10x" };
	size_t i;

	for (i = 0; i < sizeof(bad_weights) / sizeof(bad_weights[0]); i++) {
		assert_int_equal(parse("backend", "add", "198.19.0.10:80/tcp", "198.18.1.11", "--weight",
				       bad_weights[i], NULL), -EINVAL);
		assert_err_has("--weight");
		assert_err_has("0..65535");
	}
	assert_int_equal(parse("backend", "add", "198.19.0.10:80/tcp", "198.18.1.300", NULL), -EINVAL);
	assert_err_has("'198.18.1.300'");
	assert_int_equal(parse("backend", "add", "198.19.0.10:80/tcp", NULL), -EINVAL);
	assert_err_has("missing ADDR");
	assert_int_equal(parse("backend", "add", NULL), -EINVAL);
	assert_err_has("missing VIP and ADDR");
	assert_int_equal(parse("backend", "set", "198.19.0.10:80/tcp", "198.18.1.11", NULL), -EINVAL);
	assert_err_has("missing --weight");
	assert_int_equal(parse("backend", "del", "198.19.0.10:80/tcp", "198.18.1.11", "--timeout", "5", NULL),
			 -EINVAL);
	assert_err_has("--timeout only goes with --after-drain");
	assert_int_equal(parse("backend", "del", "198.19.0.10:80/tcp", "198.18.1.11", "--after-drain=1", NULL),
			 -EINVAL);
	assert_err_has("--after-drain takes no value");
	assert_string_equal(P.cmd_path, "backend del");
}

static void test_stats(void **state)
{
	assert_int_equal(parse("stats", "--rate", "--interval", "2.5", NULL), CTL_PARSE_RUN);
	assert_int_equal(P.req.render, CTL_R_STATS_RATE);
	assert_true(P.req.interval_sec > 2.49 && P.req.interval_sec < 2.51);
	assert_string_equal(P.req.path, "/v1/stats");
	assert_int_equal(parse("stats", "--rate", NULL), CTL_PARSE_RUN);
	assert_true(P.req.interval_sec == 1.0);
	assert_int_equal(parse("stats", "--interval", "2", NULL), -EINVAL);
	assert_err_has("--interval only goes with --rate");
	assert_int_equal(parse("stats", "--rate", "--interval", "0", NULL), -EINVAL);
	assert_err_has("--interval '0'");
}

static void test_apply(void **state)
{
	char path[] = "/tmp/test_xlbctl_XXXXXX";
	const char yaml[] = "vips:\n  - vip: 198.19.0.10:80/tcp\n";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
	close(fd);

	assert_int_equal(parse("apply", "-f", path, "--dry-run", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.method, "POST");
	assert_string_equal(P.req.path, "/v1/apply?dry_run=1");
	assert_string_equal(P.req.content_type, "application/yaml");
	assert_int_equal(P.req.body_len, sizeof(yaml) - 1);
	assert_memory_equal(P.req.body, yaml, sizeof(yaml) - 1);
	assert_true(P.req.dry_run);

	assert_int_equal(parse("apply", "--file", path, NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.path, "/v1/apply");
	assert_false(P.req.dry_run);
	unlink(path);

	assert_int_equal(parse("apply", "-f", path, NULL), -ENOENT);
	assert_err_has(path);
	assert_int_equal(parse("apply", NULL), -EINVAL);
	assert_err_has("missing -f FILE");
}

static void test_trace(void **state)
{
	assert_int_equal(parse("trace", "198.18.0.5:40000", "198.19.0.10:80/tcp", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.path, "/v1/trace?client=198.18.0.5%3A40000&vip=198.19.0.10%3A80%2Ftcp");
	assert_int_equal(parse("trace", "[2001:db8::5]:40000", "[2001:db8::10]:80/tcp", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.req.path, "/v1/trace?client=%5B2001%3Adb8%3A%3A5%5D%3A40000"
					 "&vip=%5B2001%3Adb8%3A%3A10%5D%3A80%2Ftcp");
	assert_int_equal(parse("trace", "198.18.0.5", "198.19.0.10:80/tcp", NULL), -EINVAL);
	assert_err_has("'198.18.0.5'");
	assert_int_equal(parse("trace", "198.18.0.5:1", NULL), -EINVAL);
	assert_err_has("missing VIP");
}

static void test_global_options(void **state)
{
	setenv("XLB_SOCKET", "/tmp/env.sock", 1);
	assert_int_equal(parse("status", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.socket, "/tmp/env.sock");
	assert_int_equal(P.output, CTL_OUT_TABLE);
	assert_int_equal(parse("--socket", "/tmp/x.sock", "-o", "json", "vip", "list", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.socket, "/tmp/x.sock");
	assert_int_equal(P.output, CTL_OUT_JSON);
	/* also after the command, and in the joined forms */
	assert_int_equal(parse("vip", "list", "-ojson", "--socket=/tmp/y.sock", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.socket, "/tmp/y.sock");
	assert_int_equal(P.output, CTL_OUT_JSON);
	unsetenv("XLB_SOCKET");
	assert_int_equal(parse("status", NULL), CTL_PARSE_RUN);
	assert_string_equal(P.socket, CTL_DEFAULT_SOCKET);

	assert_int_equal(parse("-o", "yaml", "status", NULL), -EINVAL);
	assert_err_has("-o 'yaml': expected table or json");
	assert_int_equal(parse("status", "--socket", NULL), -EINVAL);
	assert_err_has("--socket needs a value");
	assert_int_equal(parse("status", "now", NULL), -EINVAL);
	assert_err_has("unexpected argument 'now'");
}

static void test_help_requests(void **state)
{
	assert_int_equal(parse("help", NULL), CTL_PARSE_HELP);
	assert_true(P.node == &ctl_root);
	assert_int_equal(parse("--help", NULL), CTL_PARSE_HELP);
	assert_true(P.node == &ctl_root);
	assert_int_equal(parse("help", "backend", "del", NULL), CTL_PARSE_HELP);
	assert_string_equal(P.cmd_path, "backend del");
	assert_int_equal(parse("vip", "-h", NULL), CTL_PARSE_HELP);
	assert_string_equal(P.cmd_path, "vip");
	/* help wins over a usage error in the same line */
	assert_int_equal(parse("backend", "add", "--help", NULL), CTL_PARSE_HELP);
	assert_int_equal(parse("help", "nope", NULL), -EINVAL);
	assert_err_has("unknown command 'nope'");
}

/* Text printed by fn into a memory stream. */
static char *print_to_string(void (*fn)(FILE *, const struct ctl_cmd *, const char *),
			     const struct ctl_cmd *node, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, node, path);
	fclose(f);
	return buf;
}

/* Every leaf of the table appears in the full help with its usage and help line. */
static void check_leaves_in(const struct ctl_cmd *node, const char *prefix, const char *help)
{
	const struct ctl_cmd *c;
	char line[256];

	for (c = node->sub; c->name; c++) {
		snprintf(line, sizeof(line), "%s%s%s%s", prefix, c->name, c->sub || !c->usage[0] ? "" : " ",
			 c->sub ? " " : c->usage);
		if (c->sub) {
			check_leaves_in(c, line, help);
			continue;
		}
		if (!strstr(help, line))
			fail_msg("help lacks usage '%s'", line);
		if (!strstr(help, c->help))
			fail_msg("help lacks '%s'", c->help);
	}
}

static void test_help_generated_from_table(void **state)
{
	char *all = print_to_string(ctl_print_help, &ctl_root, "");
	char *one, *usage;

	check_leaves_in(&ctl_root, "", all);
	assert_non_null(strstr(all, "usage: xlbctl [--socket PATH] [-o table|json] COMMAND"));
	assert_non_null(strstr(all, "VIP     ADDR:PORT/PROTO | [V6ADDR]:PORT/PROTO"));
	assert_non_null(strstr(all, "Exit status: 0 success, 1 xlbd refused"));
	free(all);

	assert_int_equal(parse("help", "backend", "del", NULL), CTL_PARSE_HELP);
	one = print_to_string(ctl_print_help, P.node, P.cmd_path);
	assert_string_equal(one, "usage: xlbctl backend del VIP ADDR [--after-drain [--timeout SEC]]\n\n"
				 "delete a backend now, or once its pinned flows end (timeout 300 s)\n");
	free(one);

	assert_int_equal(parse("vip", NULL), -EINVAL);
	usage = print_to_string(ctl_print_usage, P.node, P.cmd_path);
	assert_string_equal(usage, "usage: xlbctl vip add VIP [--hash 5tuple|src] [--table-size PRIME]\n"
				   "       xlbctl vip del VIP\n"
				   "       xlbctl vip list\n");
	free(usage);
}

static void test_url_encode(void **state)
{
	char out[64], small[4];

	assert_int_equal(ctl_url_encode("a-b_c.d~e:/[]%", out, sizeof(out)), 0);
	assert_string_equal(out, "a-b_c.d~e%3A%2F%5B%5D%25");
	assert_int_equal(ctl_url_encode("::", small, sizeof(small)), -ENAMETOOLONG);
}

/* The `vip list` layout of the README, from a VIPVIEW list like xlbd's. */
static void test_vip_list_table(void **state)
{
	const char *reply =
		"{\"vips\":[{\"vip\":\"198.19.0.10:80/tcp\",\"hash\":\"5tuple\",\"table_size\":65537,"
		"\"backends\":[{\"address\":\"198.18.1.11\",\"weight\":100,\"state\":\"up\",\"slots\":21846,"
		"\"pinned_flows\":12,\"packets\":3021},{\"address\":\"198.18.1.12\",\"weight\":0,"
		"\"state\":\"drain\",\"slots\":0,\"pinned_flows\":3,\"packets\":7}]}]}";
	const char *want =
		"Prot VIP            Hash   Slots Backend        Weight State Slots Pinned Packets\n"
		"TCP  198.19.0.10:80 5tuple 65537\n"
		"                                 -> 198.18.1.11 100    up    21846 12     3021\n"
		"                                 -> 198.18.1.12 0      drain 0     3      7\n";
	struct ctl_request req = { .render = CTL_R_VIP_LIST };
	json_t *j = json_loads(reply, 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(j);
	assert_int_equal(ctl_render(&req, CTL_OUT_TABLE, j, f), CTL_EXIT_OK);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	json_decref(j);
}

/* Rates: counter deltas over the interval; a VIP absent before has rate 0. */
static void test_rates(void **state)
{
	json_t *b = json_loads("{\"vips\":[{\"vip\":\"198.19.0.10:80/tcp\",\"packets\":100,\"bytes\":1000,"
			       "\"new_flows\":10,\"backends\":[{\"address\":\"198.18.1.11\",\"packets\":100,"
			       "\"bytes\":1000,\"new_flows\":10}]}]}", 0, NULL);
	json_t *a = json_loads("{\"vips\":[{\"vip\":\"198.19.0.10:80/tcp\",\"packets\":300,\"bytes\":5000,"
			       "\"new_flows\":30,\"backends\":[{\"address\":\"198.18.1.11\",\"packets\":300,"
			       "\"bytes\":5000,\"new_flows\":30}]}]}", 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *r, *v;

	assert_int_equal(ctl_render_rate(CTL_OUT_JSON, b, a, 2.0, f), CTL_EXIT_OK);
	fclose(f);
	r = json_loads(buf, 0, NULL);
	assert_non_null(r);
	v = json_array_get(json_object_get(r, "vips"), 0);
	assert_true(json_real_value(json_object_get(v, "pps")) == 100.0);
	assert_true(json_real_value(json_object_get(v, "bps")) == 2000.0);
	assert_true(json_real_value(json_object_get(v, "cps")) == 10.0);
	v = json_array_get(json_object_get(v, "backends"), 0);
	assert_true(json_real_value(json_object_get(v, "pps")) == 100.0);
	json_decref(r);
	json_decref(a);
	json_decref(b);
	free(buf);
}

static void test_formats(void **state)
{
	char buf[32];

	ctl_fmt_duration(3723, buf, sizeof(buf));
	assert_string_equal(buf, "1h02m03s");
	ctl_fmt_duration(59, buf, sizeof(buf));
	assert_string_equal(buf, "59s");
	ctl_fmt_duration(90061, buf, sizeof(buf));
	assert_string_equal(buf, "1d01h01m01s");
	ctl_fmt_count(9999, buf, sizeof(buf));
	assert_string_equal(buf, "9999");
	ctl_fmt_count(1500000, buf, sizeof(buf));
	assert_string_equal(buf, "1500.0K");
	ctl_fmt_count(15000000, buf, sizeof(buf));
	assert_string_equal(buf, "15.0M");
}

static int teardown(void **state)
{
	ctl_parsed_free(&P);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_prefix_lookup),
		cmocka_unit_test(test_ambiguous_and_unknown),
		cmocka_unit_test(test_vip_add),
		cmocka_unit_test(test_vip_add_errors),
		cmocka_unit_test(test_vip_del_and_encoding),
		cmocka_unit_test(test_backend_commands),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_global_options),
		cmocka_unit_test(test_help_requests),
		cmocka_unit_test(test_help_generated_from_table),
		cmocka_unit_test(test_url_encode),
		cmocka_unit_test(test_vip_list_table),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
