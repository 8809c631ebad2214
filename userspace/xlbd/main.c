// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - xlbd: arguments, start-up order, signals, the event loop.
 *
 * Start-up: load the balancer (reusing pinned maps), restore the model
 * (state file, else --config), commit it to the maps, prune what a previous
 * run left that the model lacks, THEN attach to the interfaces (packets see
 * complete tables from the first one), start health checks, next-hop
 * monitor, API and metrics. SIGTERM/SIGINT: exit, leaving the program
 * attached and pinned (forwarding goes on; a restart picks it up). SIGHUP:
 * reload --config like POST /v1/apply. `xlbd --detach` detaches and unpins.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include <xdp/libxdp.h>

#include "api.h"
#include "config.h"
#include "loader.h"
#include "log.h"
#include "metrics_source.h"
#include "nexthop.h"
#include "persist.h"
#include "state.h"

struct opts {
	const char *config, *socket, *state_dir, *pin_dir, *metrics;
	const char *ifaces[XLB_MAX_IFACES];
	size_t n_ifaces;
	struct loader_opts lo;
	bool detach;
};

struct xlbd {
	struct opts o;
	struct event_base *base;
	struct loader loader;
	struct state st;
	struct api api;
	struct api_info info;
	struct nexthop_ctx *nh;
	struct metrics_source msrc;
	struct event *sig[3];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xlbd [--config FILE] [--iface IF]... [--xdp-mode native|skb] [--socket PATH]\n"
		"            [--state-dir DIR] [--pin-dir DIR] [--metrics ADDR:PORT|off]\n"
		"            [--log-level error|warn|info|debug] [--conn-table-size N]\n"
		"       xlbd --detach [--pin-dir DIR]\n"
		"\n"
		"  --config FILE        YAML config, used when the state file does not exist; SIGHUP re-applies it\n"
		"  --iface IF           attach to IF (repeatable; default: the config's interfaces)\n"
		"  --xdp-mode MODE      native (default; falls back to skb with a warning) or skb\n"
		"  --socket PATH        API socket (default /run/xlb/xlbd.sock, mode 0600)\n"
		"  --state-dir DIR      state file DIR/state.json (default /var/lib/xlb)\n"
		"  --pin-dir DIR        BPF pins on bpffs (default " XLB_PIN_DIR_DEFAULT ")\n"
		"  --metrics ADDR:PORT  Prometheus /metrics (default " XLB_METRICS_DEFAULT_ADDR "; off = none)\n"
		"  --log-level LEVEL    default info\n"
		"  --conn-table-size N  conn-table entries, all CPUs (default: the pinned table's, else %u)\n"
		"  --detach             detach xlb from every interface, remove the pins, exit\n",
		XLB_CONN_DEFAULT_ENTRIES);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "iface", required_argument, NULL, 'i' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "conn-table-size", required_argument, NULL, 'n' },
		{ "detach", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum log_level lvl;
	unsigned long n;
	char *end;
	int c;

	*o = (struct opts){ .socket = "/run/xlb/xlbd.sock", .state_dir = "/var/lib/xlb",
			    .pin_dir = XLB_PIN_DIR_DEFAULT, .metrics = XLB_METRICS_DEFAULT_ADDR };
	while ((c = getopt_long(argc, argv, "c:i:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'i':
			if (o->n_ifaces == XLB_MAX_IFACES || strlen(optarg) >= 16) {
				fprintf(stderr, "xlbd: --iface %s: at most %d interfaces, names < 16 chars\n",
					optarg, XLB_MAX_IFACES);
				return -1;
			}
			o->ifaces[o->n_ifaces++] = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "native") && strcmp(optarg, "skb")) {
				fprintf(stderr, "xlbd: --xdp-mode %s: expected native or skb\n", optarg);
				return -1;
			}
			o->lo.mode = strcmp(optarg, "skb") ? LOADER_NATIVE : LOADER_SKB;
			o->lo.mode_given = true;
			break;
		case 's': o->socket = optarg; break;
		case 'd': o->state_dir = optarg; break;
		case 'p': o->pin_dir = optarg; break;
		case 'M': o->metrics = optarg; break;
		case 'l':
			if (log_level_parse(optarg, &lvl)) {
				fprintf(stderr, "xlbd: --log-level %s: expected error, warn, info or debug\n", optarg);
				return -1;
			}
			log_set_level(lvl);
			break;
		case 'n':
			n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || n < 1024 || n > (1ul << 28)) {
				fprintf(stderr, "xlbd: --conn-table-size %s: expected 1024..%lu\n", optarg, 1ul << 28);
				return -1;
			}
			o->lo.conn_max = (uint32_t)n;
			break;
		case 'D': o->detach = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xlbd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	o->lo.pin_dir = o->pin_dir;
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	if (log_get_level() < LOG_LVL_DEBUG)
		return 0;	/* its dispatcher-fallback chatter is not news here */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_debug("libxdp: %s", buf);
	return 0;
}

/* ---- callbacks into the state ---- */

static int resolve_cb(void *arg, const struct xlb_addr *dst, struct nexthop *out)
{
	return nexthop_resolve(arg, dst, out);
}

static void nh_changed_cb(void *arg)
{
	state_nexthop_changed(arg);
}

static void hc_changed_cb(void *arg, const struct hc_target_key *key, enum hc_state old_state,
			  enum hc_state new_state, enum hc_result why)
{
	state_health_event(arg, key, new_state, why);
}

static void persist_cb(void *arg)
{
	api_persist(arg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct xlbd *d = arg;
	struct api_reply rep;
	struct xlb_model m;
	char err[XLB_ERR_LEN] = "";
	char *text;

	if (sig != SIGHUP) {
		log_info("signal %d: exiting; the balancer stays attached and pinned (xlbd --detach removes it)",
			 (int)sig);
		event_base_loopbreak(d->base);
		return;
	}
	if (!d->o.config) {
		log_warn("SIGHUP: no --config file to reload");
		return;
	}
	xlb_model_init(&m);
	if (xlb_config_load_file(d->o.config, &m, err)) {
		log_error("SIGHUP: %s: nothing changed", err);
		xlb_model_free(&m);
		return;
	}
	api_apply_model(&d->api, &m, false, &rep);
	text = json_dumps(json_object_get(rep.body, rep.status == 200 ? "changes" : "error"), JSON_COMPACT);
	log_info("SIGHUP: reloaded %s: %s %s", d->o.config, rep.status == 200 ? "changes" : "failed:",
		 text ? text : "");
	free(text);
	json_decref(rep.body);
	xlb_model_free(&m);
}

/* ---- start-up ---- */

/* The model to start from: state file, else --config, else empty. */
static int load_model(struct xlbd *d, struct xlb_model *m)
{
	char err[XLB_ERR_LEN] = "", bad[600], path[600];
	int ret = persist_load(d->o.state_dir, &d->st, m, err);

	if (!ret) {
		log_info("state restored from %s/%s (%zu VIPs)", d->o.state_dir, PERSIST_FILE, m->n_vips);
		return 0;
	}
	if (ret != -ENOENT) {	/* keep the bad file for a human, start from the config */
		snprintf(bad, sizeof(bad), "%s/%s.bad", d->o.state_dir, PERSIST_FILE);
		log_error("%s: moved to %s; starting from %s", err, bad, d->o.config ? d->o.config : "an empty model");
		snprintf(path, sizeof(path), "%s/%s", d->o.state_dir, PERSIST_FILE);
		rename(path, bad);
		xlb_model_free(m);
		xlb_model_init(m);
	}
	if (!d->o.config)
		return 0;
	if (xlb_config_load_file(d->o.config, m, err)) {
		log_error("%s", err);
		return -EINVAL;
	}
	log_info("config loaded from %s (%zu VIPs)", d->o.config, m->n_vips);
	return 0;
}

static void fill_info(struct xlbd *d)
{
	struct api_info *in = &d->info;

	in->start_ns = state_now_ns();
	snprintf(in->pin_dir, sizeof(in->pin_dir), "%s", d->o.pin_dir);
	snprintf(in->xdp_mode, sizeof(in->xdp_mode), "%s", loader_mode_str(d->o.lo.mode));
	in->n_ifaces = d->loader.n_ifs;
	for (size_t i = 0; i < d->loader.n_ifs; i++) {
		const struct loader_iface *it = &d->loader.ifs[i];

		snprintf(in->ifaces[i].name, sizeof(in->ifaces[i].name), "%s", it->name);
		in->ifaces[i].ifindex = (uint32_t)it->ifindex;
		snprintf(in->ifaces[i].mode, sizeof(in->ifaces[i].mode), "%s", loader_mode_str(it->mode));
		in->ifaces[i].prog_id = it->prog_id;
		if (it->mode != d->o.lo.mode)	/* a fallback: say so where operators look */
			snprintf(in->xdp_mode, sizeof(in->xdp_mode), "%s", loader_mode_str(it->mode));
	}
}

static int attach_all(struct xlbd *d)
{
	const struct xlb_settings *s = &d->st.model.settings;
	size_t n = d->o.n_ifaces ? d->o.n_ifaces : s->n_interfaces;
	int err;

	if (!n)
		log_warn("no interface to attach to (--iface or interfaces: in the config): "
			 "xlbd runs but balances nothing");
	for (size_t i = 0; i < n; i++) {
		const char *name = d->o.n_ifaces ? d->o.ifaces[i] : s->interfaces[i];

		err = loader_attach(&d->loader, name);
		if (err)
			return err;
		if (d->st.hc && (err = hc_tunnel_attach(d->st.hc, d->loader.dp.fd.backends, name)))
			log_warn("interface %s: tunnel health checks unavailable: %s", name, strerror(-err));
	}
	return 0;
}

static int start(struct xlbd *d)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m;
	struct dp dp;
	int ret;

	ret = loader_open(&d->loader, &d->o.lo);
	if (ret)
		return ret;
	dp_bpf_init(&dp, &d->loader.dp);
	ret = state_init(&d->st, &dp);
	if (ret)
		return ret;
	d->st.base = d->base;
	d->nh = nexthop_open(d->base, nh_changed_cb, &d->st);
	if (d->nh) {
		d->st.resolve = resolve_cb;
		d->st.resolve_arg = d->nh;
	} else {
		log_error("next-hop monitor unavailable: backends get no next hop (packets dropped)");
	}
	d->st.hc = hc_open(d->base, hc_changed_cb, &d->st);
	if (!d->st.hc)
		log_error("health checker unavailable: every backend counts as in service");
	d->api = (struct api){ .st = &d->st, .info = &d->info, .state_dir = d->o.state_dir,
			       .config_path = d->o.config };
	d->st.persist = persist_cb;
	d->st.persist_arg = &d->api;

	xlb_model_init(&m);
	ret = load_model(d, &m);
	if (!ret) {
		state_scan_gens(&d->st);
		ret = state_commit(&d->st, &m, err);
		if (ret)
			log_error("initial state: %s", err);
	}
	xlb_model_free(&m);
	if (ret)
		return ret;
	state_prune_stale(&d->st);
	ret = attach_all(d);
	if (ret)
		return ret;
	fill_info(d);
	api_persist(&d->api);
	state_timers_start(&d->st);
	ret = api_start(&d->api, d->base, d->o.socket);
	if (ret)
		return ret;
	metrics_source_init(&d->msrc);
	if (strcmp(d->o.metrics, "off") && (ret = metrics_start(d->base, d->o.metrics, &d->msrc, &d->st))) {
		log_error("metrics on %s: %s", d->o.metrics, strerror(-ret));
		return ret;
	}
	log_info("xlbd %s ready: %zu VIPs, %zu interfaces, API %s, metrics %s", XLBD_VERSION,
		 d->st.n_vips, d->loader.n_ifs, d->o.socket, d->o.metrics);
	return 0;
}

static void stop(struct xlbd *d)
{
	for (int i = 0; i < 3; i++)
		if (d->sig[i])
			event_free(d->sig[i]);
	metrics_stop();
	api_stop(&d->api);
	if (d->st.hc)
		hc_close(d->st.hc);	/* also removes the tunnel-probe tc filters */
	d->st.hc = NULL;
	if (d->nh)
		nexthop_close(d->nh);
	state_free(&d->st);
	loader_close(&d->loader);	/* pins and attachments stay: forwarding goes on */
}

int main(int argc, char **argv)
{
	static struct xlbd d;
	const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	int ret;

	log_set_prefix("xlbd");
	if (parse_args(argc, argv, &d.o))
		return 2;
	log_libbpf_setup();
	libxdp_set_print(libxdp_print);
	if (d.o.detach)
		return loader_detach_all(d.o.pin_dir) ? 1 : 0;
	signal(SIGPIPE, SIG_IGN);	/* a client that hangs up must not kill the daemon */
	d.base = event_base_new();
	if (!d.base) {
		log_error("cannot create the event loop");
		return 1;
	}
	ret = start(&d);
	for (int i = 0; !ret && i < 3; i++) {
		d.sig[i] = evsignal_new(d.base, sigs[i], on_signal, &d);
		if (!d.sig[i] || event_add(d.sig[i], NULL))
			ret = -ENOMEM;
	}
	if (!ret)
		event_base_dispatch(d.base);
	stop(&d);
	event_base_free(d.base);
	return ret ? 1 : 0;
}
