/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lb_fixture.h - the balancer under test: load build/bpf/balancer.bpf.o
 * through its skeleton, fill its maps through userspace/lib/dpmaps.c, run
 * frames, read counter deltas, and build the packets the balancer should
 * emit with the packet builder (never from the datapath's own output).
 * Header-only (static functions): included by tests/bpf/test_balancer*.c
 * and test_fuzz.c, so test_decap and others do not link the skeleton.
 */
#ifndef XLB_TEST_LB_FIXTURE_H
#define XLB_TEST_LB_FIXTURE_H

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balancer.skel.h"
#include "dpmaps.h"
#include "maglev.h"
#include "xlb_hash.h"
#include "xlb_reasons.h"
#include "lib/bpfrun.h"
#include "lib/pkt.h"
#include "lib/tap.h"

#define LB_CLIENT_MAC	"02:00:00:00:00:c1"
#define LB_SELF_MAC	"02:00:00:00:00:1b"
#define LB_TABLE_SIZE	65537

/* not every test file uses every helper */
#pragma GCC diagnostic ignored "-Wunused-function"

struct lb {
	struct balancer *skel;
	int prog, vips, backends, tables, conns, config, reasons, events, vip_stats,
	    backend_stats, rate, tx_ports, vip_filter;
	struct xlb_config cfg;
	struct xlb_backend be[64];		/* what backends[id] holds (ids < 64) */
	uint32_t *table[16];			/* what maglev_tables[vip_id] holds */
	uint32_t table_size[16];
	uint64_t reason0[XLB_R__COUNT], event0[XLB_E__COUNT];
	char verifier_log[1 << 16];
};

static void lb_must(int err, const char *what)
{
	if (err)
		tap_bail("%s: %s", what, strerror(-err));
}

/* Open and load with conn_entries in the conn table; fills cfg defaults.
 * use_filter: the .rodata knob xlb_use_vip_filter (the filter attached). */
static void lb_open_opt(struct lb *lb, uint32_t conn_entries, int use_filter)
{
	memset(lb, 0, sizeof(*lb));
	bpfrun_setup();
	lb->skel = balancer__open();
	if (!lb->skel)
		tap_bail("open balancer skeleton: %s", strerror(errno));
	lb_must(bpf_map__set_max_entries(lb->skel->maps.conns, conn_entries), "set conns size");
	lb->skel->rodata->xlb_use_vip_filter = use_filter;
	/* log level 4: verifier statistics ("processed N insns") */
	bpf_program__set_log_buf(lb->skel->progs.xlb_balancer, lb->verifier_log, sizeof(lb->verifier_log));
	bpf_program__set_log_level(lb->skel->progs.xlb_balancer, 4);
	if (balancer__load(lb->skel))
		tap_bail("load balancer.bpf.o (verifier log above): %s", strerror(errno));
	lb->prog = bpf_program__fd(lb->skel->progs.xlb_balancer);
	lb->vips = bpf_map__fd(lb->skel->maps.vips);
	lb->backends = bpf_map__fd(lb->skel->maps.backends);
	lb->tables = bpf_map__fd(lb->skel->maps.maglev_tables);
	lb->conns = bpf_map__fd(lb->skel->maps.conns);
	lb->config = bpf_map__fd(lb->skel->maps.config);
	lb->reasons = bpf_map__fd(lb->skel->maps.reasons);
	lb->events = bpf_map__fd(lb->skel->maps.events);
	lb->vip_stats = bpf_map__fd(lb->skel->maps.vip_stats);
	lb->backend_stats = bpf_map__fd(lb->skel->maps.backend_stats);
	lb->rate = bpf_map__fd(lb->skel->maps.rate);
	lb->tx_ports = bpf_map__fd(lb->skel->maps.tx_ports);
	lb->vip_filter = bpf_map__fd(lb->skel->maps.vip_filter);
	if (use_filter)
		lb_must(xlb_dp_vip_filter_attach(lb->vips, lb->vip_filter), "attach VIP filter");
	xlb_dp_config_defaults(&lb->cfg);
	lb_must(xlb_dp_set_config(lb->config, &lb->cfg), "set config");
	tap_diag("balancer loaded, VIP address filter %s", use_filter ? "on" : "off");
}

/* The daemon's setup: VIP address filter on. XLB_TEST_VIP_FILTER=0 turns it off. */
static void lb_open(struct lb *lb, uint32_t conn_entries)
{
	const char *f = getenv("XLB_TEST_VIP_FILTER");

	lb_open_opt(lb, conn_entries, !f || strcmp(f, "0"));
}

static void lb_close(struct lb *lb)
{
	for (int i = 0; i < 16; i++)
		free(lb->table[i]);
	balancer__destroy(lb->skel);
}

/* Print the program's size for scripts: "# xlb-insns balancer xlated=N jited=N processed=N". */
static void lb_print_insns(struct lb *lb)
{
	uint32_t xl = 0, jb = 0;
	const char *p = strstr(lb->verifier_log, "processed ");
	unsigned long processed = p ? strtoul(p + 10, NULL, 10) : 0;

	bpfrun_prog_sizes(lb->prog, &xl, &jb);
	tap_diag("xlb-insns balancer xlated=%u jited_bytes=%u verifier_processed=%lu", xl, jb, processed);
}

static void lb_set_config(struct lb *lb)
{
	lb_must(xlb_dp_set_config(lb->config, &lb->cfg), "set config");
}

static void lb_addr(const char *text, __be32 out[4], uint8_t *family)
{
	uint8_t a[16];
	int fam = pkt_parse_addr(text, a);

	memcpy(out, a, 16);
	if (family)
		*family = fam == 6 ? XLB_AF_INET6 : XLB_AF_INET;
}

static void lb_vip(struct lb *lb, const char *addr, uint16_t port, uint8_t proto, uint32_t vip_id,
		   uint32_t flags, uint32_t table_size)
{
	struct xlb_vip_key k = { .port = htons(port), .proto = proto };
	struct xlb_vip v = { .vip_id = vip_id, .table_size = table_size, .flags = flags };

	lb_addr(addr, k.addr, &k.family);
	lb_must(xlb_dp_set_vip(lb->vips, &k, &v), "set vip");
}

static void lb_del_vip(struct lb *lb, const char *addr, uint16_t port, uint8_t proto)
{
	struct xlb_vip_key k = { .port = htons(port), .proto = proto };

	lb_addr(addr, k.addr, &k.family);
	lb_must(xlb_dp_del_vip(lb->vips, &k), "delete vip");
}

/* The daemon's address marker: answers pings, marks the address as a VIP's. */
static void lb_marker(struct lb *lb, const char *addr)
{
	uint8_t a[16];
	int fam = pkt_parse_addr(addr, a);

	lb_vip(lb, addr, 0, fam == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0, XLB_VIP_F_ADDR_MARKER, 0);
}

/* Backend id: real server addr, outer source src; MACs derived from the id. */
static struct xlb_backend *lb_backend(struct lb *lb, uint32_t id, const char *addr, const char *src)
{
	struct xlb_backend *be = &lb->be[id];

	memset(be, 0, sizeof(*be));
	lb_addr(addr, be->addr, &be->family);
	lb_addr(src, be->src, NULL);
	pkt_parse_mac("02:00:00:00:be:00", be->dmac);
	be->dmac[5] = id;
	pkt_parse_mac(LB_SELF_MAC, be->smac);
	be->flags = XLB_BE_F_ACTIVE | XLB_BE_F_NEXTHOP;
	be->gen = 1;
	lb_must(xlb_dp_set_backend(lb->backends, id, be), "set backend");
	return be;
}

/* The daemon's per-(VIP, real server) backend names its VIP: conn hits skip the VIP lookup. */
static void lb_backend_vip(struct lb *lb, uint32_t id, uint32_t vip_id)
{
	lb->be[id].vip_id = vip_id;
	lb->be[id].flags |= XLB_BE_F_VIP_ID;
	lb_must(xlb_dp_set_backend(lb->backends, id, &lb->be[id]), "set backend");
}

static void lb_push_backend(struct lb *lb, uint32_t id)
{
	lb_must(xlb_dp_set_backend(lb->backends, id, &lb->be[id]), "set backend");
}

/* Build a Maglev table over backend ids[] (weights 1 unless given) into out[size]. */
static void lb_build(struct lb *lb, const uint32_t *ids, size_t n, const uint32_t *weights,
		     uint32_t *out, uint32_t size)
{
	struct maglev_backend mb[64];

	memset(mb, 0, sizeof(mb));
	for (size_t i = 0; i < n; i++) {
		maglev_key_from_addr(mb[i].key, lb->be[ids[i]].family, lb->be[ids[i]].addr);
		mb[i].weight = weights ? weights[i] : 1;
		mb[i].id = ids[i];
	}
	lb_must(maglev_build(mb, n, out, size), "maglev_build");
}

/* Build vip_id's table and swap it in (the daemon's way: xlb_dp_install_table). */
static void lb_table(struct lb *lb, uint32_t vip_id, const uint32_t *ids, size_t n,
		     const uint32_t *weights, uint32_t size)
{
	free(lb->table[vip_id]);
	lb->table[vip_id] = calloc(size, sizeof(uint32_t));
	lb->table_size[vip_id] = size;
	lb_build(lb, ids, n, weights, lb->table[vip_id], size);
	lb_must(xlb_dp_install_table(lb->tables, vip_id, lb->table[vip_id], size), "install table");
}

/* A flow as the test knows it (client -> VIP). */
static struct xlb_flow lb_flow(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto)
{
	struct xlb_flow f = { .sport = htons(sport), .dport = htons(dport), .proto = proto };

	lb_addr(src, f.src, &f.family);
	lb_addr(dst, f.dst, NULL);
	return f;
}

/* The oracle: the backend Maglev gives this flow on vip_id's table. */
static uint32_t lb_predict(struct lb *lb, uint32_t vip_id, const struct xlb_flow *f, uint32_t vip_flags)
{
	return xlb_predict_backend(lb->table[vip_id], lb->table_size[vip_id], f, vip_flags);
}

static void lb_snapshot(struct lb *lb)
{
	lb_must(xlb_dp_read_u64_counters(lb->reasons, lb->reason0, XLB_R__COUNT), "read reasons");
	lb_must(xlb_dp_read_u64_counters(lb->events, lb->event0, XLB_E__COUNT), "read events");
}

/* Counters moved since lb_snapshot: exactly `reason` by 1, every other reason 0. */
static bool lb_check_reason(struct lb *lb, enum xlb_reason reason, const char *name)
{
	uint64_t now[XLB_R__COUNT];
	bool ok = true;

	lb_must(xlb_dp_read_u64_counters(lb->reasons, now, XLB_R__COUNT), "read reasons");
	for (int r = 0; r < XLB_R__COUNT; r++)
		if (now[r] - lb->reason0[r] != (r == (int)reason ? 1u : 0u)) {
			tap_diag("reason %s moved by %llu", xlb_reason_str(r),
				 (unsigned long long)(now[r] - lb->reason0[r]));
			ok = false;
		}
	return tap_ok(ok, "%s: reason %s counted once, no other reason", name, xlb_reason_str(reason));
}

static uint64_t lb_event_delta(struct lb *lb, enum xlb_event e)
{
	uint64_t now[XLB_E__COUNT];

	lb_must(xlb_dp_read_u64_counters(lb->events, now, XLB_E__COUNT), "read events");
	return now[e] - lb->event0[e];
}

static struct xlb_counters lb_counters(int fd, uint32_t index)
{
	struct xlb_counters c;

	lb_must(xlb_dp_read_counters(fd, index, &c), "read counters");
	return c;
}

/* Run one frame (ctx ingress_ifindex 0 = the test-run default, loopback). */
static struct bpfrun_result *lb_run(struct lb *lb, const struct pkt *in, uint32_t ifindex)
{
	static struct bpfrun_result res;

	lb_snapshot(lb);
	lb_must(bpfrun_xdp(lb->prog, in->data, in->len, ifindex, &res), "BPF_PROG_TEST_RUN");
	return &res;
}

/* ---- expected packets ---- */

struct lb_encap {
	const struct xlb_backend *be;
	const __be32 *outer_src;	/* NULL: be->src */
	uint32_t hash;			/* flow hash (IPv6 flow label) */
	uint8_t ttl;
};

static void lb_ntop(const __be32 *a, uint8_t family, char *buf)
{
	inet_ntop(family == XLB_AF_INET6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN);
}

/*
 * What the balancer should send to e->be for a frame data[0..len) whose L3
 * header starts at l3 (14, or 18 after a VLAN tag). The outer length is the
 * inner header's declared length + the outer header (Ethernet padding past
 * the inner packet rides along, as in the datapath).
 */
static void lb_expect_encap_at(struct pkt *exp, const uint8_t *data, uint32_t len, uint32_t l3,
			       const struct lb_encap *e)
{
	const uint8_t *ip = data + l3;
	int inner6 = (ip[0] >> 4) == 6;
	uint8_t tos = inner6 ? (uint8_t)((ip[0] << 4) | (ip[1] >> 4)) : ip[1];
	uint32_t inner_len = inner6 ? 40u + (ip[4] << 8 | ip[5]) : (uint32_t)(ip[2] << 8 | ip[3]);
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], mac_s[18], mac_d[18];
	const uint8_t *sm = e->be->smac, *dm = e->be->dmac;
	uint32_t o;

	lb_ntop(e->outer_src ? e->outer_src : e->be->src, e->be->family, src);
	lb_ntop(e->be->addr, e->be->family, dst);
	snprintf(mac_s, sizeof(mac_s), "%02x:%02x:%02x:%02x:%02x:%02x", sm[0], sm[1], sm[2], sm[3], sm[4], sm[5]);
	snprintf(mac_d, sizeof(mac_d), "%02x:%02x:%02x:%02x:%02x:%02x", dm[0], dm[1], dm[2], dm[3], dm[4], dm[5]);
	pkt_init(exp);
	pkt_eth(exp, mac_s, mac_d);
	if (l3 == 18)
		pkt_vlan(exp, (uint16_t)(data[14] << 8 | data[15]));
	pkt_ip(exp, &(struct pkt_ip){
		.src = src, .dst = dst, .ttl = e->ttl, .tos = tos & ~3,
		.proto = inner6 ? IPPROTO_IPV6 : IPPROTO_IPIP,
		.frag_off = (inner6 || (ip[6] & 0x40)) ? PKT_IP4_DF : 0,
		.flow_label = e->hash & 0xfffff,
	});
	pkt_bytes(exp, ip, len - l3);
	pkt_finish(exp);
	o = l3;				/* outer header: declared inner length, not frame length */
	if (e->be->family == XLB_AF_INET6) {
		exp->data[o + 4] = inner_len >> 8;
		exp->data[o + 5] = inner_len & 0xff;
	} else {
		exp->data[o + 2] = (inner_len + 20) >> 8;
		exp->data[o + 3] = (inner_len + 20) & 0xff;
		exp->data[o + 10] = exp->data[o + 11] = 0;
		uint16_t c = pkt_csum(exp->data + o, 20, 0);
		exp->data[o + 10] = c >> 8;
		exp->data[o + 11] = c & 0xff;
	}
}

static void lb_expect_encap(struct pkt *exp, const struct pkt *in, const struct lb_encap *e)
{
	lb_expect_encap_at(exp, in->data, in->len, pkt_l3_off(in), e);
}

/* Outer source from a prefix: prefix | (hash & ~mask), per 32-bit word. */
static void lb_prefix_src(const __be32 *prefix, const __be32 *mask, int words, uint32_t hash, __be32 *out)
{
	memset(out, 0, 16);
	for (int i = 0; i < words; i++)
		out[i] = prefix[i] | (htonl(hash) & ~mask[i]);
}

#endif /* XLB_TEST_LB_FIXTURE_H */
