/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cp.c - control-plane rows, measured against a running xlbd (bench.sh
 * starts it in a namespace and passes --socket, --pid, --pin-dir):
 *
 *  apply   POST /v1/apply of 1,000 VIPs x 100 backends (model JSON, no
 *          health checks): seconds from request to reply, checked with
 *          GET /v1/status; xlbd's peak RSS (VmHWM) afterwards.
 *  change  PATCH one backend's weight (100 <-> 0): milliseconds from the
 *          API call until the VIP's Maglev table in the pinned
 *          maglev_tables map is another one (a poller thread watches the
 *          inner map id; the content is then checked to differ).
 *  health  N backends (100 per VIP) TCP-checked every second against
 *          local listeners: once all are up, xlbd's CPU (utime + stime
 *          from /proc/PID/stat) over --window seconds, as % of one core.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <jansson.h>
#include "bench.h"
#include "cp.h"
#include "xlb_types.h"

#define APPLY_VIPS	1000
#define APPLY_BACKENDS	100
#define CHANGE_TRIES	7

/* VIP i: 203.0.113.(1 + i / 100):(8000 + i % 100)/tcp */
static void vip_name(int i, char *buf, size_t len, uint16_t *port)
{
	*port = (uint16_t)(8000 + i % 100);
	snprintf(buf, len, "203.0.113.%d:%u/tcp", 1 + i / 100, *port);
}

/* Backend k (distinct over all VIPs): 250 hosts (.1 - .250) per /24 from base.1.0 on. */
static void backend_name(const char *base16, int k, char *buf, size_t len)
{
	unsigned a = 0, b = 0, net = 1 + (unsigned)k / 250;

	sscanf(base16, "%u.%u", &a, &b);
	snprintf(buf, len, "%u.%u.%u.%d", a, b + net / 256, net % 256, 1 + k % 250);
}

/* The model JSON of n_vips VIPs x per backends; health NULL = none. */
static char *model_json(int n_vips, int per, const char *base16, json_t *health)
{
	json_t *vips = json_array(), *root;
	char *s;
	int i, j;

	for (i = 0; i < n_vips; i++) {
		json_t *bes = json_array(), *v;
		char name[64];
		uint16_t port;

		vip_name(i, name, sizeof(name), &port);
		for (j = 0; j < per; j++) {
			char addr[32];

			backend_name(base16, i * per + j, addr, sizeof(addr));
			json_array_append_new(bes, json_pack("{s:s,s:i}", "address", addr, "weight", 100));
		}
		v = json_pack("{s:s,s:o}", "vip", name, "backends", bes);
		if (health)
			json_object_set(v, "health", health);
		json_array_append_new(vips, v);
	}
	root = json_pack("{s:o}", "vips", vips);
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return s;
}

static bool apply_cut_short;	/* the last apply's reply body was truncated */

static int api_apply(const struct bench_opts *o, const char *body, double *sec)
{
	uint64_t t0 = bench_now_ns();
	char *reply = NULL;
	long status = 0;
	int err = cp_http(o->xlbd_socket, "POST", "/v1/apply", body, "application/json", &status,
			  &reply);

	*sec = (double)(bench_now_ns() - t0) / 1e9;
	if (err == -EPIPE && status == 200) {
		apply_cut_short = true;	/* the state is then checked with GET /v1/status */
		err = 0;
	}
	if (!err && status != 200) {
		fprintf(stderr, "cp: POST /v1/apply answered %ld: %.300s\n", status, reply);
		err = -EIO;
	}
	free(reply);
	return err;
}

static int api_get_json(const struct bench_opts *o, const char *path, json_t **out)
{
	json_error_t jerr;
	char *reply = NULL;
	long status = 0;
	int err = cp_http(o->xlbd_socket, "GET", path, NULL, NULL, &status, &reply);

	if (!err && (status != 200 || !(*out = json_loads(reply, 0, &jerr)))) {
		fprintf(stderr, "cp: GET %s answered %ld: %.300s\n", path, status, reply);
		err = -EIO;
	}
	free(reply);
	return err;
}

static int cp_apply(const struct bench_opts *o)
{
	struct bench_row r, rss;
	char *body = model_json(APPLY_VIPS, APPLY_BACKENDS, "198.18", NULL);
	json_t *st = NULL;
	uint64_t hwm = 0;
	double sec = NAN;
	int err;

	bench_row_init(&r, "control plane", "apply 1,000 VIPs x 100 backends (API)", "s");
	bench_row_init(&rss, "control plane", "xlbd peak RSS after that apply (VmHWM)", "MiB");
	err = body ? api_apply(o, body, &sec) : -ENOMEM;
	if (!err)
		err = api_get_json(o, "/v1/status", &st);
	if (!err && (json_integer_value(json_object_get(st, "vips")) != APPLY_VIPS ||
		     json_integer_value(json_object_get(st, "backends")) != APPLY_VIPS * APPLY_BACKENDS)) {
		fprintf(stderr, "cp: after apply xlbd reports %lld VIPs, %lld backends\n",
			json_integer_value(json_object_get(st, "vips")),
			json_integer_value(json_object_get(st, "backends")));
		err = -EIO;
	}
	if (!err)
		err = cp_proc_kib(o->xlbd_pid, "VmHWM", &hwm);
	if (err) {
		r.na = rss.na = "apply failed, see log";
	} else {
		r.value = sec;
		r.target = "<= 5 s";
		r.met = sec <= 5;
		r.note = apply_cut_short ?
			 "POST /v1/apply, model JSON, 65537-slot tables, no health checks; request to "
			 "reply, checked with GET /v1/status; the reply body arrived truncated" :
			 "POST /v1/apply, model JSON, 65537-slot tables, no health checks; "
			 "request to reply, checked with GET /v1/status";
		rss.value = (double)hwm / 1024;
	}
	printf("cp apply: %.2f s, VmHWM %.1f MiB\n", sec, (double)hwm / 1024);
	bench_results_add(o->results, &r);
	bench_results_add(o->results, &rss);
	json_decref(st);
	free(body);
	return err;
}

/* ---- change: API call -> datapath ---- */

struct poller {
	int outer_fd;
	uint32_t vip_id, old_id;
	volatile int stop;
	uint64_t seen_ns;	/* 0 until the inner map changed */
};

static uint32_t inner_id(int outer_fd, uint32_t vip_id)
{
	uint32_t id = 0;

	if (bpf_map_lookup_elem(outer_fd, &vip_id, &id))
		return 0;
	return id;
}

static void *poll_table(void *arg)
{
	struct poller *p = arg;

	while (!p->stop) {
		if (inner_id(p->outer_fd, p->vip_id) != p->old_id) {
			p->seen_ns = bench_now_ns();
			break;
		}
		usleep(20);
	}
	return NULL;
}

static int pinned_fd(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		fprintf(stderr, "cp: cannot open pinned map %s: %s\n", path, strerror(-fd));
	}
	return fd;
}

static int vip_id_of(int vips_fd, const char *addr, uint16_t port, uint32_t *vip_id)
{
	struct xlb_vip_key key = { 0 };
	struct xlb_vip val;

	inet_pton(AF_INET, addr, key.addr);
	key.port = htons(port);
	key.proto = IPPROTO_TCP;
	key.family = XLB_AF_INET;
	if (bpf_map_lookup_elem(vips_fd, &key, &val))
		return -errno;
	*vip_id = val.vip_id;
	return 0;
}

static int cp_change(const struct bench_opts *o)
{
	int vips_fd = pinned_fd(o->pin_dir, "vips");
	int outer_fd = pinned_fd(o->pin_dir, "maglev_tables");
	double lat[CHANGE_TRIES], api[CHANGE_TRIES];
	struct bench_row r;
	char path[256], *reply = NULL;
	uint32_t vip_id = 0;
	int i, err = vips_fd < 0 ? vips_fd : outer_fd < 0 ? outer_fd : 0;

	bench_row_init(&r, "control plane", "one backend change, API call -> datapath", "ms");
	if (!err && (err = vip_id_of(vips_fd, "203.0.113.1", 8000, &vip_id)))
		fprintf(stderr, "cp: VIP 203.0.113.1:8000/tcp not in the pinned vips map\n");
	/* 203.0.113.1:8000/tcp, backend 198.18.1.1 (see model_json) */
	snprintf(path, sizeof(path), "/v1/vips/203.0.113.1%%3A8000%%2Ftcp/backends/198.18.1.1");
	for (i = 0; !err && i < CHANGE_TRIES; i++) {
		struct poller p = { .outer_fd = outer_fd, .vip_id = vip_id };
		const char *body = i % 2 ? "{\"weight\":100}" : "{\"weight\":0}";
		pthread_t th;
		uint64_t t0;
		long status = 0;

		p.old_id = inner_id(outer_fd, vip_id);
		if (!p.old_id || pthread_create(&th, NULL, poll_table, &p)) {
			err = -EIO;
			fprintf(stderr, "cp: VIP %u has no table to watch\n", vip_id);
			break;
		}
		t0 = bench_now_ns();
		err = cp_http(o->xlbd_socket, "PATCH", path, body, "application/json", &status, &reply);
		api[i] = (double)(bench_now_ns() - t0) / 1e6;
		if (!err && status != 200) {
			fprintf(stderr, "cp: PATCH %s answered %ld: %.300s\n", path, status, reply);
			err = -EIO;
		}
		free(reply);
		reply = NULL;
		/* give the datapath up to 5 s after the reply */
		for (int w = 0; !err && w < 5000 && !p.seen_ns; w++)
			usleep(1000);
		p.stop = 1;
		pthread_join(th, NULL);
		if (!err && !p.seen_ns) {
			fprintf(stderr, "cp: the table of VIP %u did not change within 5 s\n", vip_id);
			err = -ETIMEDOUT;
		}
		if (!err)
			lat[i] = (double)(p.seen_ns - t0) / 1e6;
	}
	if (err) {
		r.na = "backend change not seen in the datapath, see log";
	} else {
		r.value = bench_median(lat, CHANGE_TRIES);
		r.extra_name = "api_reply_ms";
		r.extra = bench_median(api, CHANGE_TRIES);
		r.note = "PATCH weight 100 <-> 0 on a VIP of the 1,000-VIP state; median of 7; "
			 "a thread polls the pinned maglev_tables entry every 20 us";
		printf("cp change: datapath after %.2f ms (API reply %.2f ms)\n", r.value, r.extra);
	}
	bench_results_add(o->results, &r);
	if (vips_fd >= 0)
		close(vips_fd);
	if (outer_fd >= 0)
		close(outer_fd);
	return err;
}

/* ---- health: CPU while checking N backends every second ---- */

static int count_up(const struct bench_opts *o, int *up, int *total)
{
	json_t *v = NULL, *vip, *be;
	size_t i, j;
	int err = api_get_json(o, "/v1/vips", &v);

	*up = *total = 0;
	if (err)
		return err;
	json_array_foreach(json_object_get(v, "vips"), i, vip)
		json_array_foreach(json_object_get(vip, "backends"), j, be) {
			const char *s = json_string_value(json_object_get(be, "state"));

			(*total)++;
			*up += s && !strcmp(s, "up");
		}
	json_decref(v);
	return 0;
}

/* Last number the listener wrote (connections accepted so far); 0 if none. */
static uint64_t listener_count(const char *path)
{
	unsigned long long n = 0, v;
	FILE *f = path ? fopen(path, "r") : NULL;

	while (f && fscanf(f, "%llu", &v) == 1)
		n = v;
	if (f)
		fclose(f);
	return n;
}

/* xlbd's CPU (% of one core) over window seconds, and the listener's accept rate. */
static int cpu_window(const struct bench_opts *o, double *cpu, double *checks_per_sec)
{
	uint64_t c0, c1, a0 = listener_count(o->count_file), t0 = bench_now_ns();
	double wall;
	int err = cp_proc_cpu_ticks(o->xlbd_pid, &c0);

	if (err)
		return err;
	usleep((useconds_t)(o->cpu_window_sec * 1e6));
	err = cp_proc_cpu_ticks(o->xlbd_pid, &c1);
	if (err)
		return err;
	wall = (double)(bench_now_ns() - t0) / 1e9;
	*cpu = 100.0 * (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK) / wall;
	*checks_per_sec = (double)(listener_count(o->count_file) - a0) / wall;
	return 0;
}

static int cp_health(const struct bench_opts *o)
{
	static char name[96], note[240], na[300];
	int n = o->hc_backends, per = n < 100 ? n : 100, up = 0, total = 0, err;
	json_t *health = json_pack("{s:s,s:i,s:i,s:i}", "type", "tcp", "port", 8080,
				   "interval_ms", 1000, "timeout_ms", 1000);
	char *body = model_json(n / per, per, "198.19", health);
	double sec = NAN, cpu = NAN, rate = NAN;
	struct bench_row r;
	uint64_t deadline;

	snprintf(name, sizeof(name), "xlbd CPU, TCP health checks of %d backends every 1 s", n);
	bench_row_init(&r, "control plane", name, "% core");
	err = body ? api_apply(o, body, &sec) : -ENOMEM;
	/* rise 2 at 1 s, first checks spread over the interval: all up in ~3 s;
	 * a deadline, since a busy daemon may take long to answer each GET */
	deadline = bench_now_ns() + 45 * 1000000000ull;
	while (!err && bench_now_ns() < deadline) {
		if (count_up(o, &up, &total) == 0 && up == n && total == n)
			break;
		sleep(1);
	}
	if (!err)
		err = cpu_window(o, &cpu, &rate);
	if (!err && (up != n || total != n)) {
		/* still a measurement of the daemon, but not of steady checking */
		snprintf(na, sizeof(na), "only %d of %d backends up after 45 s; xlbd then at %.0f%% "
			 "of a core, %.0f checks/s reached the listeners", up, n, cpu, rate);
		r.na = na;
		err = -ETIMEDOUT;
	} else if (!err) {
		r.value = cpu;
		snprintf(note, sizeof(note), "utime+stime of xlbd over %.0f s / wall time, every backend "
			 "up, %.0f checks/s reached the listeners (expected %d)", o->cpu_window_sec,
			 rate, n);
		r.note = note;
		if (n >= 10000) {
			r.target = "<= 20% core";
			r.met = cpu <= 20;
		}
	} else {
		r.na = "apply with health checks failed, see log";
	}
	printf("cp health %d: %.1f%% of a core, %.0f checks/s (%d/%d up)\n", n, cpu, rate, up, total);
	bench_results_add(o->results, &r);
	json_decref(health);
	free(body);
	return err;
}

int bench_cp(const struct bench_opts *o)
{
	if (o->na) {
		struct bench_row r;

		bench_row_init(&r, "control plane", o->cp_what, NULL);
		r.na = o->na;
		return bench_results_add(o->results, &r);
	}
	if (!o->xlbd_socket || o->xlbd_pid <= 0) {
		fprintf(stderr, "xlb-bench cp: --socket and --pid are required\n");
		return -EINVAL;
	}
	if (!strcmp(o->cp_what, "apply"))
		return cp_apply(o);
	if (!strcmp(o->cp_what, "change"))
		return cp_change(o);
	if (!strcmp(o->cp_what, "health"))
		return cp_health(o);
	fprintf(stderr, "xlb-bench cp: unknown measurement '%s' (apply, change, health)\n", o->cp_what);
	return -EINVAL;
}
