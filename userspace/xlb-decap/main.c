// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - xlb-decap, the real server's half of xlb: attaches the XDP decap
 * program (bpf/decap.bpf.c) that strips the balancer's tunnel header so
 * the VIP on lo answers the client directly.
 *
 *   xlb-decap [--pin-dir DIR] [-v] COMMAND ARGS
 *   attach IFACE [--mode native|skb] [--allow ADDR]...
 *   detach IFACE
 *   status [IFACE] [-o text|json]
 *
 * Program and maps are pinned in DIR (default XLB_DECAP_PIN_DIR), so the
 * attachment outlives the command and every interface shares one program
 * and one set of counters. Exit status: 0 done, 1 failed (nothing changed),
 * 2 usage error. Help is generated from the command table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "xlb_decap.h"
#include "xlb_decap_tool.h"

#define EXIT_USAGE 2

struct opts {
	const char *pin_dir;
	const char *cmd_name;
	int argc;		/* the command's own arguments */
	char **argv;
};

struct cmd {
	const char *name;
	int (*run)(struct opts *o);
	const char *args;
	const char *help;
};

static const struct cmd *cur_cmd;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xlb-decap%s%s: ", cur_cmd ? " " : "", cur_cmd ? cur_cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (cur_cmd)
		fprintf(stderr, "usage: xlb-decap %s %s\n", cur_cmd->name, cur_cmd->args);
	else
		fprintf(stderr, "try 'xlb-decap help'\n");
	return EXIT_USAGE;
}

static int parse_addr(const char *s, struct xlb_addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (inet_pton(AF_INET, s, &k->addr[0]) == 1) {
		k->family = XLB_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, k->addr) == 1) {
		k->family = XLB_AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* Undo allow-list additions of a failed attach. */
static void allow_rollback(struct decap_handle *h, const struct xlb_addr_key *keys, const bool *added, int n)
{
	for (int i = 0; i < n; i++)
		if (added[i])
			decap_allow_del(h, &keys[i]);
	decap_allow_recount(h, NULL);
}

static int cmd_attach(struct opts *o)
{
	struct xlb_addr_key keys[XLB_MAX_LOCAL_ADDRS];
	const char *key_text[XLB_MAX_LOCAL_ADDRS];
	bool added[XLB_MAX_LOCAL_ADDRS] = {};
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	const char *ifname = NULL;
	struct decap_handle h;
	struct decap_iface q;
	uint32_t n_att = 0;
	int n_keys = 0, err, i;

	for (i = 0; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (!strcmp(a, "--mode") || !strcmp(a, "--allow")) {
			if (i + 1 >= o->argc)
				return usage_error("%s needs a value", a);
			const char *v = o->argv[++i];

			if (!strcmp(a, "--mode")) {
				if (!strcmp(v, "native"))
					mode = XDP_MODE_NATIVE;
				else if (!strcmp(v, "skb"))
					mode = XDP_MODE_SKB;
				else
					return usage_error("bad --mode '%s' (native or skb)", v);
			} else {
				if (n_keys == XLB_MAX_LOCAL_ADDRS)
					return usage_error("more than %d --allow addresses", XLB_MAX_LOCAL_ADDRS);
				if (parse_addr(v, &keys[n_keys]))
					return usage_error("bad --allow address '%s' (IPv4 or IPv6)", v);
				key_text[n_keys++] = v;
			}
		} else if (a[0] == '-') {
			return usage_error("unknown option '%s'", a);
		} else if (!ifname) {
			ifname = a;
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}
	if (!ifname)
		return usage_error("missing IFACE");
	if (!if_nametoindex(ifname)) {
		log_error("Failed to attach XDP program to iface %s: no such interface in this network "
			  "namespace", ifname);
		return 1;
	}

	decap_handle_init(&h, o->pin_dir);
	if (decap_open_or_create(&h))
		return 1;
	for (i = 0; i < n_keys; i++) {
		err = decap_allow_add(&h, &keys[i], &added[i]);
		if (err) {
			log_error("Failed to add --allow %s to the allow-list in %s: %s", key_text[i], h.pin_dir,
				  err == -ENOSPC ? "allow-list full" : strerror(-err));
			goto rollback;
		}
	}
	err = decap_allow_recount(&h, NULL);
	if (err) {
		log_error("Failed to update the allow-list count: %s", strerror(-err));
		goto rollback;
	}
	err = decap_attach_iface(&h, ifname, mode);
	if (err == -EALREADY) {
		printf("xlb-decap: already attached to %s (prog id %u)\n", ifname, h.prog_id);
		decap_handle_close(&h);
		return 0;
	}
	if (err)
		goto rollback;
	decap_cfg_get(&h, XLB_DECAP_CFG_N_ATTACHED, &n_att);
	decap_cfg_set(&h, XLB_DECAP_CFG_N_ATTACHED, n_att + 1);
	if (decap_iface_query((int)if_nametoindex(ifname), h.prog_id, &q) == 0)
		printf("xlb-decap: attached to %s (prog id %u, %s mode%s), pinned in %s\n", ifname,
		       h.prog_id, decap_mode_str(q.mode), q.dispatcher ? ", dispatcher" : "", h.pin_dir);
	decap_handle_close(&h);
	return 0;

rollback:
	allow_rollback(&h, keys, added, n_keys);
	if (h.created)
		decap_unpin(&h);
	decap_handle_close(&h);
	return 1;
}

static int cmd_detach(struct opts *o)
{
	struct decap_handle h;
	struct decap_iface q;
	uint32_t n_att = 0;
	int ifindex, err, pinned;

	if (o->argc != 1 || o->argv[0][0] == '-')
		return usage_error(o->argc ? "expected exactly one IFACE" : "missing IFACE");
	ifindex = (int)if_nametoindex(o->argv[0]);
	if (!ifindex) {
		log_error("Failed to detach XDP program from iface %s: no such interface in this network "
			  "namespace", o->argv[0]);
		return 1;
	}
	decap_handle_init(&h, o->pin_dir);
	pinned = decap_open_pinned(&h) == 0;
	err = decap_iface_query(ifindex, pinned ? h.prog_id : 0, &q);
	if (err && pinned) {
		/* an xlb_decap that is not the pinned one (pins recreated): still ours */
		err = decap_iface_query(ifindex, 0, &q);
		if (!err)
			log_warn("%s runs %s id %u, not the one pinned in %s (id %u): detaching it, "
				 "pins unchanged", o->argv[0], DECAP_PROG_NAME, q.prog_id, h.pin_dir, h.prog_id);
		pinned = 0;
	}
	if (err) {
		log_error("Failed to detach XDP program from iface %s: %s is not attached there",
			  o->argv[0], DECAP_PROG_NAME);
		decap_handle_close(&h);
		return 1;
	}
	err = decap_detach_iface(&q);
	if (err) {
		log_error("Failed to detach XDP program from iface %s: %s", o->argv[0], strerror(-err));
		decap_handle_close(&h);
		return 1;
	}
	printf("xlb-decap: detached from %s\n", o->argv[0]);
	if (pinned) {
		decap_cfg_get(&h, XLB_DECAP_CFG_N_ATTACHED, &n_att);
		n_att = n_att ? n_att - 1 : 0;
		decap_cfg_set(&h, XLB_DECAP_CFG_N_ATTACHED, n_att);
		if (n_att == 0) {
			err = decap_unpin(&h);
			if (err)
				log_warn("Failed to remove the pins in %s: %s", h.pin_dir, strerror(-err));
			else
				printf("xlb-decap: last attachment gone, removed %s\n", h.pin_dir);
		}
	}
	decap_handle_close(&h);
	return 0;
}

static int cmd_status(struct opts *o)
{
	const char *iface = NULL;
	struct decap_handle h;
	bool json = false, loaded;
	int err;

	for (int i = 0; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= o->argc)
				return usage_error("%s needs a value", a);
			a = o->argv[++i];
			if (!strcmp(a, "json"))
				json = true;
			else if (strcmp(a, "text"))
				return usage_error("bad output format '%s' (text or json)", a);
		} else if (a[0] == '-') {
			return usage_error("unknown option '%s'", a);
		} else if (!iface) {
			iface = a;
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}
	if (iface && !if_nametoindex(iface)) {
		log_error("No interface %s in this network namespace", iface);
		return 1;
	}
	decap_handle_init(&h, o->pin_dir);
	err = decap_open_pinned(&h);
	if (err && err != -ENOENT) {
		log_error("Failed to open the program pinned in %s: %s", h.pin_dir, strerror(-err));
		return 1;
	}
	loaded = err == 0;
	err = decap_status(&h, loaded, iface, json);
	decap_handle_close(&h);
	if (err == -ENOENT) {
		if (!loaded)
			log_error("not loaded: nothing pinned in %s", h.pin_dir);
		else
			log_error("%s is not attached to %s", DECAP_PROG_NAME, iface);
		return 1;
	}
	if (err) {
		log_error("Failed to read status: %s", strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_help(struct opts *o);

static const struct cmd commands[] = {
	{ "attach", cmd_attach, "IFACE [--mode native|skb] [--allow ADDR]...",
	  "Load the decap program (or reuse the pinned one) and attach it to IFACE.\n"
	  "--mode: native (driver) or skb (generic); default: the kernel's choice.\n"
	  "--allow: accept tunnels only to these local addresses (adds to the\n"
	  "allow-list; an empty allow-list accepts every destination)." },
	{ "detach", cmd_detach, "IFACE",
	  "Detach the program from IFACE. With the last attachment gone, the pins\n"
	  "(program, allow-list, counters) are removed." },
	{ "status", cmd_status, "[IFACE] [-o text|json]",
	  "Program id, interfaces and modes in this network namespace, allow-list,\n"
	  "and packet counters by reason. Exit 1 when nothing is loaded, or when\n"
	  "IFACE is given and the program is not attached to it." },
	{ "help", cmd_help, "", "This text." },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_help(struct opts *o)
{
	printf("usage: xlb-decap [--pin-dir DIR] [-v|-vv] COMMAND [ARGS]\n\n"
	       "Strips xlb's tunnel header (IPIP, IPv6-in-IPv6, 4in6, 6in4) on a real server\n"
	       "so the VIP on lo answers clients directly.\n\n"
	       "Global options:\n"
	       "  --pin-dir DIR  where program and maps are pinned (default %s)\n"
	       "  -v, -vv        more logging (info, debug)\n\n"
	       "Commands (unique prefixes accepted):\n", XLB_DECAP_PIN_DIR);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *p = commands[i].help;

		printf("  %s %s\n", commands[i].name, commands[i].args);
		while (*p) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			printf("      %.*s\n", len, p);
			p += len + (nl ? 1 : 0);
		}
	}
	printf("\nExit status: 0 done, 1 failed (nothing changed), 2 usage error.\n");
	return 0;
}

static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *found = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
		if (!strncmp(commands[i].name, name, len)) {
			if (found) {
				fprintf(stderr, "xlb-decap: '%s' is ambiguous (%s, %s, ...)\n", name,
					found->name, commands[i].name);
				return NULL;
			}
			found = &commands[i];
		}
	}
	if (!found)
		fprintf(stderr, "xlb-decap: unknown command '%s'; try 'xlb-decap help'\n", name);
	return found;
}

/* libxdp's WARN is our info (its fallback notices are expected here), the rest debug. */
static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_msg(level == LIBXDP_WARN ? LOG_LVL_INFO : LOG_LVL_DEBUG, "%s", buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .pin_dir = XLB_DECAP_PIN_DIR };
	int verbose = 0, i;

	log_set_prefix("xlb-decap");
	log_set_level(LOG_LVL_WARN);
	/* global options come before the command */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--pin-dir")) {
			if (i + 1 >= argc)
				return usage_error("--pin-dir needs a value");
			o.pin_dir = argv[++i];
		} else if (!strcmp(a, "-v") || !strcmp(a, "-vv")) {
			verbose += a[2] ? 2 : 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			return cmd_help(&o);
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		cmd_help(&o);
		return EXIT_USAGE;
	}
	if (strlen(o.pin_dir) >= 200 || o.pin_dir[0] != '/')
		return usage_error("--pin-dir must be an absolute path under 200 bytes: '%s'", o.pin_dir);
	log_set_level(verbose >= 2 ? LOG_LVL_DEBUG : verbose ? LOG_LVL_INFO : LOG_LVL_WARN);
	log_libbpf_setup();
	libxdp_set_print(libxdp_print);
	cur_cmd = find_cmd(argv[i]);
	if (!cur_cmd)
		return EXIT_USAGE;
	o.cmd_name = cur_cmd->name;
	o.argc = argc - i - 1;
	o.argv = argv + i + 1;
	for (int j = 0; j < o.argc; j++)
		if (!strcmp(o.argv[j], "-h") || !strcmp(o.argv[j], "--help")) {
			printf("usage: xlb-decap %s %s\n%s\n", cur_cmd->name, cur_cmd->args, cur_cmd->help);
			return 0;
		}
	return cur_cmd->run(&o);
}
