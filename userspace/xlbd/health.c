// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health.c - health-check targets, their schedule and state machine (the
 * contract is health.h; the check types are health_{tcp,http,udp}.c).
 *
 * Targets sit in a hash table keyed by (VIP, backend). Each has one libevent
 * timer (libevent keeps timers in a min-heap: O(log n) per check, so 10,000
 * targets cost nothing to schedule) and one I/O event reused by every check.
 * The first check of a target fires at hash(key) % interval after it is
 * added, so the checks of many backends are spread evenly over the interval
 * and stay spread: each next check is due one interval after the previous
 * one was due (not after it finished), unless that moment has passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "health_probe.h"
#include "log.h"

const double hc_hist_bounds[HC_HIST_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
};

struct hc_target {
	struct hc_target_key key;
	struct xlb_health_spec spec;
	uint32_t backend_id;
	uint32_t hash;
	struct hc_status st;
	uint32_t ok_run, fail_run;	/* current runs of successes / failures */
	uint64_t due_ns;		/* when the running (or last) check was due */
	uint64_t start_ns;		/* when the running (or last) check started */
	bool started;			/* at least one check started */
	struct event *timer;
	struct hc_probe probe;
	struct hc_ctx *ctx;
	struct hc_target *next;		/* hash chain */
};

struct hc_ctx {
	struct event_base *base;
	hc_change_fn changed;
	void *arg;
	struct hc_target **buckets;
	size_t nbuckets, count;
	uint64_t hist[HC_HIST_BUCKETS];	/* not cumulative here; hc_histogram sums */
	uint64_t hist_total;
	double hist_sum;
	struct hc_tunnel *tunnel;	/* tc program of tunnel checks, once attached */
};

const char *hc_result_str(enum hc_result r)
{
	switch (r) {
	case HC_OK: return "ok";
	case HC_CONNECT_REFUSED: return "connect_refused";
	case HC_CONNECT_TIMEOUT: return "connect_timeout";
	case HC_READ_TIMEOUT: return "read_timeout";
	case HC_BAD_STATUS: return "bad_status";
	case HC_BAD_REPLY: return "bad_reply";
	case HC_RESET: return "reset";
	case HC_UNREACHABLE: return "unreachable";
	case HC_SOCKET_ERROR: return "socket_error";
	case HC__COUNT: break;
	}
	return "unknown";
}

const char *hc_state_str(enum hc_state s)
{
	switch (s) {
	case HC_STATE_UNKNOWN: return "unknown";
	case HC_STATE_UP: return "up";
	case HC_STATE_DOWN: return "down";
	}
	return "?";
}

/* ---- keys ---- */

static uint64_t mix_bytes(uint64_t h, const void *data, size_t len)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;	/* FNV-1a */
	return h;
}

/* Over the fields, never the struct bytes (padding is not guaranteed zero). */
static uint32_t key_hash(const struct hc_target_key *k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = mix_bytes(h, k->vip.addr.addr, sizeof(k->vip.addr.addr));
	h = mix_bytes(h, &k->vip.addr.family, 1);
	h = mix_bytes(h, &k->vip.port, sizeof(k->vip.port));
	h = mix_bytes(h, &k->vip.proto, 1);
	h = mix_bytes(h, k->backend.addr, sizeof(k->backend.addr));
	h = mix_bytes(h, &k->backend.family, 1);
	h ^= h >> 33;			/* murmur3 fmix64: every bit counts for % n */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static bool addr_equal(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static bool key_equal(const struct hc_target_key *a, const struct hc_target_key *b)
{
	return addr_equal(&a->vip.addr, &b->vip.addr) && a->vip.port == b->vip.port &&
	       a->vip.proto == b->vip.proto && addr_equal(&a->backend, &b->backend);
}

uint32_t hc_first_delay_ms(const struct hc_target_key *key, uint32_t interval_ms)
{
	return interval_ms ? key_hash(key) % interval_ms : 0;
}

static struct hc_target *find(const struct hc_ctx *ctx, const struct hc_target_key *key, uint32_t hash)
{
	struct hc_target *t;

	for (t = ctx->buckets[hash & (ctx->nbuckets - 1)]; t; t = t->next)
		if (t->hash == hash && key_equal(&t->key, key))
			return t;
	return NULL;
}

static int grow(struct hc_ctx *ctx)
{
	size_t n = ctx->nbuckets * 2;
	struct hc_target **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < ctx->nbuckets; i++) {
		struct hc_target *t = ctx->buckets[i], *next;

		for (; t; t = next) {
			next = t->next;
			t->next = b[t->hash & (n - 1)];
			b[t->hash & (n - 1)] = t;
		}
	}
	free(ctx->buckets);
	ctx->buckets = b;
	ctx->nbuckets = n;
	return 0;
}

/* ---- formatting (log lines, Host header): the model's text forms ---- */

void hc_key_format(const struct hc_target_key *key, char *vip, size_t viplen, char *be, size_t belen)
{
	xlb_vip_id_format(&key->vip, vip, viplen);
	xlb_addr_format(&key->backend, be, belen);
}

/* ---- state machine ---- */

/*
 * Change state and log it; returns true when it changed. The caller then
 * calls notify() as its very last use of t: the callback may delete t.
 */
static bool set_state(struct hc_target *t, enum hc_state new_state, enum hc_result why)
{
	enum hc_state old = t->st.state;
	char be[XLB_ADDR_STRLEN], vip[XLB_VIP_STRLEN];
	uint32_t n = new_state == HC_STATE_DOWN ? t->fail_run : t->ok_run;

	if (old == new_state)
		return false;
	t->st.state = new_state;
	t->st.since_ns = hc_now_ns();
	xlb_addr_format(&t->key.backend, be, sizeof(be));
	xlb_vip_id_format(&t->key.vip, vip, sizeof(vip));
	if (t->spec.type == XLB_HC_NONE)
		log_info("backend %s of %s: %s -> %s (check type none)", be, vip,
			 hc_state_str(old), hc_state_str(new_state));
	else
		log_info("backend %s of %s: %s -> %s (%s, %u %s)", be, vip, hc_state_str(old),
			 hc_state_str(new_state), hc_result_str(why), n,
			 new_state == HC_STATE_DOWN ? (n == 1 ? "failure" : "failures")
						    : (n == 1 ? "success" : "successes"));
	return true;
}

static void notify(struct hc_ctx *ctx, const struct hc_target_key *key, enum hc_state old,
		   enum hc_state new_state, enum hc_result why)
{
	struct hc_target_key k = *key;	/* the callback may free the target */

	if (ctx->changed)
		ctx->changed(ctx->arg, &k, old, new_state, why);
}

/* Count a result and run the state machine; returns true when the state changed. */
static bool record(struct hc_target *t, enum hc_result r, double sec)
{
	bool changed = false;
	struct hc_ctx *ctx = t->ctx;
	int b;

	t->st.results[r]++;
	t->st.last_result = r;
	t->st.last_duration_sec = sec;
	for (b = 0; b < HC_HIST_BUCKETS && sec > hc_hist_bounds[b]; b++)
		;
	if (b < HC_HIST_BUCKETS)
		ctx->hist[b]++;
	ctx->hist_total++;
	ctx->hist_sum += sec;

	if (r == HC_OK) {
		t->ok_run++;
		t->fail_run = 0;
	} else {
		t->fail_run++;
		t->ok_run = 0;
	}
	/* HAProxy: `rise` successes in a row bring a target up, `fall` failures take it down */
	if (t->st.state != HC_STATE_UP && t->ok_run >= t->spec.rise)
		changed = set_state(t, HC_STATE_UP, r);
	else if (t->st.state != HC_STATE_DOWN && t->fail_run >= t->spec.fall)
		changed = set_state(t, HC_STATE_DOWN, r);
	t->st.consecutive = t->st.state == HC_STATE_DOWN ? t->fail_run : t->ok_run;
	return changed;
}

/* ---- scheduling ---- */

static void schedule_at(struct hc_target *t, uint64_t due_ns)
{
	uint64_t now = hc_now_ns(), d = due_ns > now ? due_ns - now : 0;
	struct timeval tv = { .tv_sec = d / 1000000000ull, .tv_usec = (d % 1000000000ull) / 1000 };

	t->due_ns = due_ns;
	evtimer_add(t->timer, &tv);
}

static void schedule_next(struct hc_target *t)
{
	uint64_t now = hc_now_ns(), due = t->due_ns + (uint64_t)t->spec.interval_ms * 1000000ull;

	/* behind (timeout > interval, or a stalled loop): check now, the spread recovers */
	schedule_at(t, due > now ? due : now);
}

static void probe_done(struct hc_probe *p, enum hc_result r)
{
	struct hc_target *t = (struct hc_target *)((char *)p - offsetof(struct hc_target, probe));
	enum hc_state old = t->st.state;

	schedule_next(t);
	if (record(t, r, (double)(hc_now_ns() - t->start_ns) / 1e9))
		notify(t->ctx, &t->key, old, t->st.state, r);
}

static void sockaddr_of(const struct xlb_addr *a, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == XLB_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->addr, 16);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->addr, 4);
		*len = sizeof(*s4);
	}
}

/* Destination, mark and Host header of the target's probe (fixed per spec). */
static void prepare_probe(struct hc_target *t)
{
	struct hc_probe *p = &t->probe;
	const struct xlb_addr *to = t->spec.tunnel ? &t->key.vip.addr : &t->key.backend;
	uint16_t port = t->spec.port ? t->spec.port : t->key.vip.port;
	char a[XLB_ADDR_STRLEN];

	sockaddr_of(to, port, &p->dst, &p->dst_len);
	p->mark = t->spec.tunnel ? XLB_HC_MARK(t->backend_id) : 0;
	if (t->spec.host[0]) {
		snprintf(p->host, sizeof(p->host), "%s", t->spec.host);
	} else {
		xlb_addr_format(to, a, sizeof(a));
		snprintf(p->host, sizeof(p->host), to->family == XLB_AF_INET6 ? "[%s]" : "%s", a);
		if (port != 80)
			snprintf(p->host + strlen(p->host), sizeof(p->host) - strlen(p->host), ":%u", port);
	}
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hc_target *t = arg;
	struct hc_probe *p = &t->probe;
	uint16_t port = t->spec.port ? t->spec.port : t->key.vip.port;
	int r;

	if (t->spec.type == XLB_HC_NONE) {	/* respecified to none: up, no more checks */
		enum hc_state old = t->st.state;

		t->ok_run = t->spec.rise;
		t->fail_run = 0;
		if (set_state(t, HC_STATE_UP, HC_OK))
			notify(t->ctx, &t->key, old, HC_STATE_UP, HC_OK);
		return;
	}
	t->started = true;
	t->start_ns = hc_now_ns();
	p->deadline_ns = t->start_ns + (uint64_t)t->spec.timeout_ms * 1000000ull;
	if (port == 0) {
		r = HC_SOCKET_ERROR;	/* port-less VIP without a check port: nothing to connect to */
	} else {
		switch (t->spec.type) {
		case XLB_HC_TCP: r = hc_tcp_start(p); break;
		case XLB_HC_HTTP: r = hc_http_start(p); break;
		case XLB_HC_UDP: r = hc_udp_start(p); break;
		case XLB_HC_NONE:
		default: r = HC_SOCKET_ERROR; break;
		}
	}
	if (r != HC_PENDING) {
		hc_probe_close(p);
		probe_done(p, (enum hc_result)r);
	}
}

/* ---- public API ---- */

struct hc_ctx *hc_open(struct event_base *base, hc_change_fn changed, void *arg)
{
	struct hc_ctx *ctx;

	if (!base)
		return NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->base = base;
	ctx->changed = changed;
	ctx->arg = arg;
	ctx->nbuckets = 256;
	ctx->buckets = calloc(ctx->nbuckets, sizeof(*ctx->buckets));
	if (!ctx->buckets) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

static void target_free(struct hc_target *t)
{
	hc_probe_abort(&t->probe);
	if (t->timer)
		event_free(t->timer);
	if (t->probe.io)
		event_free(t->probe.io);
	free(t);
}

void hc_close(struct hc_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->nbuckets; i++) {
		struct hc_target *t = ctx->buckets[i], *next;

		for (; t; t = next) {
			next = t->next;
			target_free(t);
		}
	}
	hc_tunnel_free(ctx->tunnel);
	free(ctx->buckets);
	free(ctx);
}

struct hc_tunnel **hc_ctx_tunnel(struct hc_ctx *ctx)
{
	return ctx ? &ctx->tunnel : NULL;
}

/* Fill defaults the caller left at zero, clamp what cannot work. */
static void normalize(struct xlb_health_spec *s)
{
	if (!s->interval_ms)
		s->interval_ms = 2000;
	if (!s->timeout_ms)
		s->timeout_ms = 1000;
	if (!s->rise)
		s->rise = 2;
	if (!s->fall)
		s->fall = 3;
}

/* Does the probe itself differ (not only its timing)? */
static bool probe_changed(const struct xlb_health_spec *a, const struct xlb_health_spec *b)
{
	return a->type != b->type || a->port != b->port || a->tunnel != b->tunnel ||
	       strcmp(a->path, b->path) != 0 || strcmp(a->host, b->host) != 0 ||
	       a->n_status != b->n_status || memcmp(a->status, b->status, sizeof(a->status)) != 0 ||
	       a->payload_len != b->payload_len || memcmp(a->payload, b->payload, a->payload_len) != 0 ||
	       a->expect_len != b->expect_len || memcmp(a->expect, b->expect, a->expect_len) != 0;
}

static uint64_t first_due(const struct hc_target *t)
{
	return hc_now_ns() + (uint64_t)hc_first_delay_ms(&t->key, t->spec.interval_ms) * 1000000ull;
}

static int update_target(struct hc_target *t, const struct xlb_health_spec *spec, uint32_t backend_id)
{
	bool changed = probe_changed(&t->spec, spec) || t->backend_id != backend_id;
	bool timing = t->spec.interval_ms != spec->interval_ms;

	if (!changed && !timing && t->spec.rise == spec->rise && t->spec.fall == spec->fall &&
	    t->spec.timeout_ms == spec->timeout_ms)
		return 0;
	if (changed) {
		/* a new probe: old results say nothing about it; the state stays until it speaks */
		hc_probe_abort(&t->probe);
		evtimer_del(t->timer);
		t->spec = *spec;
		t->backend_id = backend_id;
		t->ok_run = t->fail_run = 0;
		t->st.consecutive = 0;
		prepare_probe(t);
		if (spec->type == XLB_HC_NONE)
			schedule_at(t, hc_now_ns());	/* up, from the loop (no callback inside a setter) */
		else
			schedule_at(t, first_due(t));
		return 0;
	}
	t->spec = *spec;	/* timings only: state and runs kept */
	if (t->probe.phase == HC_PHASE_IDLE && spec->type != XLB_HC_NONE) {
		evtimer_del(t->timer);
		if (t->started)
			schedule_next(t);
		else
			schedule_at(t, first_due(t));
	}
	return 0;
}

int hc_set_target(struct hc_ctx *ctx, const struct hc_target_key *key,
		  const struct xlb_health_spec *effective, uint32_t backend_id)
{
	struct xlb_health_spec spec;
	struct hc_target *t;
	uint32_t hash;
	int err;

	if (!ctx || !key || !effective)
		return -EINVAL;
	if ((key->backend.family != XLB_AF_INET && key->backend.family != XLB_AF_INET6) ||
	    (key->vip.addr.family != XLB_AF_INET && key->vip.addr.family != XLB_AF_INET6))
		return -EAFNOSUPPORT;
	if (effective->type > XLB_HC_UDP)
		return -EINVAL;
	spec = *effective;
	normalize(&spec);
	hash = key_hash(key);
	t = find(ctx, key, hash);
	if (t)
		return update_target(t, &spec, backend_id);

	if (ctx->count >= ctx->nbuckets && (err = grow(ctx)) < 0)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ctx = ctx;
	t->key = *key;
	t->hash = hash;
	t->spec = spec;
	t->backend_id = backend_id;
	t->probe.fd = -1;
	t->probe.base = ctx->base;
	t->probe.spec = &t->spec;
	t->probe.done = probe_done;
	t->timer = evtimer_new(ctx->base, timer_cb, t);
	t->probe.io = event_new(ctx->base, -1, 0, NULL, NULL);
	if (!t->timer || !t->probe.io) {
		target_free(t);
		return -ENOMEM;
	}
	t->st.state = HC_STATE_UNKNOWN;
	t->st.since_ns = hc_now_ns();
	prepare_probe(t);
	if (spec.type == XLB_HC_NONE) {
		t->st.state = HC_STATE_UP;	/* type none: up from the start, no callback */
		t->ok_run = spec.rise;
	} else {
		schedule_at(t, first_due(t));
	}
	t->next = ctx->buckets[hash & (ctx->nbuckets - 1)];
	ctx->buckets[hash & (ctx->nbuckets - 1)] = t;
	ctx->count++;
	return 0;
}

int hc_del_target(struct hc_ctx *ctx, const struct hc_target_key *key)
{
	struct hc_target **pp, *t;
	uint32_t hash;

	if (!ctx || !key)
		return -EINVAL;
	hash = key_hash(key);
	for (pp = &ctx->buckets[hash & (ctx->nbuckets - 1)]; (t = *pp); pp = &t->next) {
		if (t->hash == hash && key_equal(&t->key, key)) {
			*pp = t->next;
			ctx->count--;
			target_free(t);
			return 0;
		}
	}
	return -ENOENT;
}

int hc_get_status(const struct hc_ctx *ctx, const struct hc_target_key *key, struct hc_status *out)
{
	const struct hc_target *t;

	if (!ctx || !key || !out)
		return -EINVAL;
	t = find(ctx, key, key_hash(key));
	if (!t)
		return -ENOENT;
	*out = t->st;
	return 0;
}

void hc_foreach(const struct hc_ctx *ctx, hc_visit_fn fn, void *arg)
{
	if (!ctx || !fn)
		return;
	for (size_t i = 0; i < ctx->nbuckets; i++)
		for (const struct hc_target *t = ctx->buckets[i]; t; t = t->next)
			fn(arg, &t->key, &t->spec, &t->st);
}

size_t hc_count(const struct hc_ctx *ctx)
{
	return ctx ? ctx->count : 0;
}

void hc_histogram(const struct hc_ctx *ctx, uint64_t counts[HC_HIST_BUCKETS],
		  uint64_t *total, double *sum)
{
	uint64_t acc = 0;

	for (int b = 0; b < HC_HIST_BUCKETS; b++) {
		acc += ctx ? ctx->hist[b] : 0;
		counts[b] = acc;
	}
	*total = ctx ? ctx->hist_total : 0;
	*sum = ctx ? ctx->hist_sum : 0;
}
