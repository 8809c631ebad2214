/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.c - the benchmark's results: rows appended to a JSON file by each
 * xlb-bench command (bench.sh runs several), printed as one table at the
 * end; TAP lines for --smoke; small timing helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <jansson.h>
#include "bench.h"

void bench_row_init(struct bench_row *r, const char *section, const char *name, const char *unit)
{
	memset(r, 0, sizeof(*r));
	r->section = section;
	r->name = name;
	r->unit = unit;
	r->value = NAN;
	r->baseline = NAN;
	r->ratio = NAN;
	r->extra = NAN;
	r->extra2 = NAN;
	r->met = -1;
}

static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	}
	fclose(f);
	return buf;
}

int bench_results_reset(const char *path)
{
	struct utsname u;
	char cpu[128], date[64];
	time_t now = time(NULL);
	double load[1];
	json_t *root;
	int err = 0;

	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (getloadavg(load, 1) != 1)
		load[0] = -1;
	/* the load average says whether other work shared the CPUs */
	root = json_pack("{s:{s:s,s:s,s:s,s:i,s:f},s:[]}", "meta", "kernel", u.release,
			 "cpu", cpu_model(cpu, sizeof(cpu)), "date", date,
			 "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN), "loadavg_1min_at_start", load[0],
			 "rows");
	if (!root)
		return -ENOMEM;
	if (json_dump_file(root, path, JSON_INDENT(2))) {
		fprintf(stderr, "xlb-bench: cannot write results file %s\n", path);
		err = -EIO;
	}
	json_decref(root);
	return err;
}

int bench_results_add(const char *path, const struct bench_row *r)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *row;
	int err = 0;

	if (!root) {
		err = bench_results_reset(path);
		if (err)
			return err;
		root = json_load_file(path, 0, &jerr);
		if (!root)
			return -EIO;
	}
	row = json_object();
	json_object_set_new(row, "section", json_string(r->section));
	json_object_set_new(row, "name", json_string(r->name));
	json_object_set_new(row, "value", num_or_null(r->value));
	json_object_set_new(row, "unit", str_or_null(r->unit));
	json_object_set_new(row, "baseline", num_or_null(r->baseline));
	json_object_set_new(row, "baseline_name", str_or_null(r->baseline_name));
	json_object_set_new(row, "ratio", num_or_null(r->ratio));
	json_object_set_new(row, "target", str_or_null(r->target));
	json_object_set_new(row, "met", r->met < 0 ? json_null() : json_boolean(r->met));
	json_object_set_new(row, "na", str_or_null(r->na));
	json_object_set_new(row, "note", str_or_null(r->note));
	if (r->extra_name)
		json_object_set_new(row, r->extra_name, num_or_null(r->extra));
	if (r->extra2_name)
		json_object_set_new(row, r->extra2_name, num_or_null(r->extra2));
	json_array_append_new(json_object_get(root, "rows"), row);
	if (json_dump_file(root, path, JSON_INDENT(2))) {
		fprintf(stderr, "xlb-bench: cannot write results file %s\n", path);
		err = -EIO;
	}
	json_decref(root);
	return err;
}

static void fmt_num(char *buf, size_t len, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.0f %s", v, unit ? unit : "");
	else if (fabs(v) >= 10)
		snprintf(buf, len, "%.1f %s", v, unit ? unit : "");
	else
		snprintf(buf, len, "%.3g %s", v, unit ? unit : "");
}

static double jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int bench_results_print(const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *rows, *row, *meta;
	const char *last_section = "";
	int missed = 0;
	size_t i;

	if (!root) {
		fprintf(stderr, "xlb-bench: cannot read %s: %s (line %d)\n", path, jerr.text, jerr.line);
		return -EIO;
	}
	meta = json_object_get(root, "meta");
	printf("xlb benchmark - kernel %s, %s, %d CPUs, %s, load average %.1f at start\n\n",
	       jstr(meta, "kernel"), jstr(meta, "cpu"), (int)jnum(meta, "cpus"), jstr(meta, "date"),
	       jnum(meta, "loadavg_1min_at_start"));
	printf("%-46s %-15s %-26s %-7s %-16s %s\n", "benchmark", "result", "baseline", "ratio",
	       "target", "status");
	rows = json_object_get(root, "rows");
	json_array_foreach(rows, i, row) {
		const char *section = jstr(row, "section"), *na = jstr(row, "na");
		const char *unit = jstr(row, "unit"), *bname = jstr(row, "baseline_name");
		const char *target = jstr(row, "target");
		json_t *met = json_object_get(row, "met");
		char val[32], base[48], ratio[16], b[32];
		const char *status;

		if (strcmp(section, last_section)) {
			printf("-- %s\n", section);
			last_section = section;
		}
		if (na) {
			printf("%-46s n/a (%s)\n", jstr(row, "name"), na);
			continue;
		}
		fmt_num(val, sizeof(val), jnum(row, "value"), unit);
		fmt_num(b, sizeof(b), jnum(row, "baseline"), unit);
		if (isnan(jnum(row, "baseline")))
			snprintf(base, sizeof(base), "-");
		else
			snprintf(base, sizeof(base), "%s %s", b, bname ? bname : "");
		if (isnan(jnum(row, "ratio")))
			snprintf(ratio, sizeof(ratio), "-");
		else
			snprintf(ratio, sizeof(ratio), "%.2fx", jnum(row, "ratio"));
		status = json_is_true(met) ? "met" : json_is_false(met) ? "MISSED" : "";
		if (json_is_false(met))
			missed++;
		printf("%-46s %-15s %-26s %-7s %-16s %s\n", jstr(row, "name"), val, base, ratio,
		       target ? target : "-", status);
	}
	printf("\n%d target(s) missed; details and method in %s\n", missed, path);
	json_decref(root);
	return missed;
}

/* ---- TAP ---- */

static int tap_n, tap_failed;

void tap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

int tap_failures(void)
{
	return tap_failed;
}

/* ---- timing ---- */

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		int err = -errno;

		fprintf(stderr, "xlb-bench: cannot pin to CPU %d: %s\n", cpu, strerror(-err));
		return err;
	}
	return 0;
}

int bench_enter_ns(const char *name)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "xlb-bench: cannot enter network namespace %s: %s\n", name,
			strerror(-err));
	}
	if (fd >= 0)
		close(fd);
	return err;
}
