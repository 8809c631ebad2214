/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_decap_tool.h - the parts of xlb-decap (the real server's decap tool):
 *   pins.c    load bpf/decap.bpf.o through its skeleton, pin it, or open the
 *             pinned program and maps; allow-list and counter access
 *   attach.c  attach/detach/query through libxdp (dispatcher when the kernel
 *             allows it, single-program attach otherwise)
 *   status.c  `xlb-decap status` as text or JSON
 *   main.c    command table, argument parsing, help
 * Functions return 0 or -errno and log nothing unless they say so; the
 * commands in main.c print each error once.
 */
#ifndef XLB_DECAP_TOOL_H
#define XLB_DECAP_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <xdp/libxdp.h>
#include "xlb_reasons.h"
#include "xlb_types.h"

#define DECAP_PROG_NAME	"xlb_decap"	/* the program's name in the kernel */

/* Pinned (or just loaded) program and maps. fds < 0 when not open. */
struct decap_handle {
	char pin_dir[256];
	int prog_fd;
	int local_fd;		/* local_addrs */
	int cfg_fd;		/* decap_cfg */
	int reasons_fd;		/* decap_reasons */
	uint32_t prog_id;
	bool created;		/* this run loaded and pinned it */
	struct decap *skel;	/* set when created */
};

void decap_handle_init(struct decap_handle *h, const char *pin_dir);
/* Open the pins in h->pin_dir. -ENOENT when nothing is pinned there. */
int decap_open_pinned(struct decap_handle *h);
/* Open the pins, or load the skeleton (reusing any pinned map) and pin
 * program and maps. h->created tells which. Logs its errors. */
int decap_open_or_create(struct decap_handle *h);
/* Remove every pin this tool makes in h->pin_dir and the directory. */
int decap_unpin(struct decap_handle *h);
void decap_handle_close(struct decap_handle *h);

/* Allow-list. decap_allow_add sets *added when the address was new. */
int decap_allow_add(struct decap_handle *h, const struct xlb_addr_key *k, bool *added);
int decap_allow_del(struct decap_handle *h, const struct xlb_addr_key *k);
/* Rewrites decap_cfg[XLB_DECAP_CFG_N_LOCAL] from the map's entries. */
int decap_allow_recount(struct decap_handle *h, uint32_t *n);
/* Fills up to max keys; returns the number found or -errno. */
int decap_allow_list(struct decap_handle *h, struct xlb_addr_key *keys, int max);

int decap_cfg_get(struct decap_handle *h, uint32_t slot, uint32_t *val);
int decap_cfg_set(struct decap_handle *h, uint32_t slot, uint32_t val);
/* Per-CPU reason counters summed: out[XLB_D__COUNT]. */
int decap_counters(struct decap_handle *h, uint64_t *out);

/* One interface the program runs on, in the caller's network namespace. */
struct decap_iface {
	char name[32];
	int ifindex;
	enum xdp_attach_mode mode;
	bool dispatcher;	/* through libxdp's multi-program dispatcher */
	uint32_t prog_id;	/* our program's id there */
};

/* The program on ifindex, when it is ours: prog_id == want_id, or, with
 * want_id 0, a program named DECAP_PROG_NAME. 0, -ENOENT (not ours / none). */
int decap_iface_query(int ifindex, uint32_t want_id, struct decap_iface *out);
/* Attach h's program; mode XDP_MODE_UNSPEC lets the kernel choose.
 * Logs "Failed to attach XDP program to iface %s: %s" on failure. */
int decap_attach_iface(struct decap_handle *h, const char *ifname, enum xdp_attach_mode mode);
/* Detach the program described by q (from decap_iface_query). */
int decap_detach_iface(const struct decap_iface *q);
const char *decap_mode_str(enum xdp_attach_mode mode);

/* status.c: print status; iface NULL = every interface of this namespace.
 * Returns 0, or -ENOENT when iface is given and does not run the program
 * (or nothing is pinned). */
int decap_status(struct decap_handle *h, bool loaded, const char *iface, bool json);

#endif /* XLB_DECAP_TOOL_H */
