// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * status.c - `xlb-decap status [IFACE] [-o json]`: where the program runs
 * in this network namespace (and in which mode), its allow-list, and the
 * reason counters summed over CPUs. Text for people, JSON for scripts:
 *   {"loaded": bool, "pin_dir": str, "prog_id": int, "attachments": int,
 *    "interfaces": [{"name", "ifindex", "mode", "dispatcher"}],
 *    "allow": [addr...], "allow_any": bool, "counters": {reason: int}}
 * Contract: xlb_decap_tool.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xlb_decap.h"
#include "xlb_decap_tool.h"

struct status {
	struct decap_iface ifaces[64];
	int n_ifaces;
	struct xlb_addr_key allow[XLB_MAX_LOCAL_ADDRS];
	int n_allow;
	uint32_t attachments;
	uint64_t counters[XLB_D__COUNT];
};

static void addr_str(const struct xlb_addr_key *k, char *buf, size_t len)
{
	if (!inet_ntop(k->family == XLB_AF_INET6 ? AF_INET6 : AF_INET, k->addr, buf, len))
		snprintf(buf, len, "?");
}

static void find_ifaces(struct decap_handle *h, const char *only, struct status *st)
{
	struct if_nameindex *all = if_nameindex(), *i;

	if (!all)
		return;
	for (i = all; i->if_index && st->n_ifaces < 64; i++) {
		if (only && strcmp(only, i->if_name) != 0)
			continue;
		if (decap_iface_query((int)i->if_index, h->prog_id, &st->ifaces[st->n_ifaces]) == 0)
			st->n_ifaces++;
	}
	if_freenameindex(all);
}

static int collect(struct decap_handle *h, const char *only, struct status *st)
{
	int n, err;

	find_ifaces(h, only, st);
	n = decap_allow_list(h, st->allow, XLB_MAX_LOCAL_ADDRS);
	if (n < 0)
		return n;
	st->n_allow = n > XLB_MAX_LOCAL_ADDRS ? XLB_MAX_LOCAL_ADDRS : n;
	err = decap_cfg_get(h, XLB_DECAP_CFG_N_ATTACHED, &st->attachments);
	if (err)
		return err;
	return decap_counters(h, st->counters);
}

static void print_text(struct decap_handle *h, const struct status *st, const char *only)
{
	char a[INET6_ADDRSTRLEN];

	printf("program:     %s id %u, pinned in %s\n", DECAP_PROG_NAME, h->prog_id, h->pin_dir);
	printf("attached:    %u interface(s) in all network namespaces\n", st->attachments);
	if (!st->n_ifaces)
		printf("  %s\n", only ? "not on this interface" : "none in this network namespace");
	for (int i = 0; i < st->n_ifaces; i++)
		printf("  %-15s ifindex %-4d mode %s%s\n", st->ifaces[i].name, st->ifaces[i].ifindex,
		       decap_mode_str(st->ifaces[i].mode), st->ifaces[i].dispatcher ? " (dispatcher)" : "");
	if (!st->n_allow)
		printf("allow-list:  empty: every tunnel destination accepted\n");
	else
		printf("allow-list: ");
	for (int i = 0; i < st->n_allow; i++) {
		addr_str(&st->allow[i], a, sizeof(a));
		printf(" %s", a);
	}
	if (st->n_allow)
		printf("\n");
	printf("counters (packets):\n");
	for (int r = 0; r < XLB_D__COUNT; r++)
		printf("  %-18s %llu\n", xlb_decap_reason_str(r), (unsigned long long)st->counters[r]);
}

static int print_json(struct decap_handle *h, bool loaded, const struct status *st)
{
	json_t *o = json_object(), *ifs = json_array(), *allow = json_array(), *cnt = json_object();
	char a[INET6_ADDRSTRLEN];
	char *s;

	json_object_set_new(o, "loaded", json_boolean(loaded));
	json_object_set_new(o, "pin_dir", json_string(h->pin_dir));
	if (loaded) {
		json_object_set_new(o, "prog_id", json_integer(h->prog_id));
		json_object_set_new(o, "attachments", json_integer(st->attachments));
	}
	for (int i = 0; i < st->n_ifaces; i++)
		json_array_append_new(ifs, json_pack("{s:s, s:i, s:s, s:b}", "name", st->ifaces[i].name,
						     "ifindex", st->ifaces[i].ifindex, "mode",
						     decap_mode_str(st->ifaces[i].mode), "dispatcher",
						     st->ifaces[i].dispatcher));
	for (int i = 0; i < st->n_allow; i++) {
		addr_str(&st->allow[i], a, sizeof(a));
		json_array_append_new(allow, json_string(a));
	}
	for (int r = 0; loaded && r < XLB_D__COUNT; r++)
		json_object_set_new(cnt, xlb_decap_reason_str(r), json_integer((json_int_t)st->counters[r]));
	json_object_set_new(o, "interfaces", ifs);
	json_object_set_new(o, "allow", allow);
	json_object_set_new(o, "allow_any", json_boolean(loaded && st->n_allow == 0));
	json_object_set_new(o, "counters", cnt);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return -ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

int decap_status(struct decap_handle *h, bool loaded, const char *iface, bool json)
{
	static struct status st;
	int err = 0;

	memset(&st, 0, sizeof(st));
	if (loaded)
		err = collect(h, iface, &st);
	if (err)
		return err;
	if (json)
		err = print_json(h, loaded, &st);
	else if (loaded)
		print_text(h, &st, iface);
	if (err)
		return err;
	if (!loaded || (iface && !st.n_ifaces))
		return -ENOENT;
	return 0;
}
