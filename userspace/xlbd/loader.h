/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * loader.h - the balancer's BPF objects: load, pin, attach, detach.
 *
 * Pinning (pin dir, default /sys/fs/bpf/xlb, must be on bpffs):
 *   PIN_DIR/<map name>     every map of dpmaps.h (vips, backends, conns, ...)
 *   PIN_DIR/xlb_balancer   the program
 * On start the skeleton is opened, every map already pinned and compatible
 * is reused (so the conn table, tables and counters survive a restart or a
 * kill -9), incompatible ones (another build's layout, or --conn-table-size
 * changed on purpose) are replaced with a warning; the program is loaded by
 * us (libxdp only gets its fd: DESIGN §7) and pinned.
 *
 * Attach per interface: native XDP unless skb is asked for; native failing
 * falls back to skb with a warning when the mode was not given. An xlb
 * program already attached (a previous xlbd) is replaced atomically
 * (XDP_FLAGS_REPLACE) in single-program mode, or inside libxdp's
 * dispatcher; any other program is left alone and the attach fails. New
 * attaches go through libxdp (dispatcher where the kernel allows it, else
 * its single-program fallback), then plain bpf_xdp_attach.
 *
 * loader_close() leaves everything attached and pinned: forwarding goes on
 * while xlbd is down. loader_detach_all() (xlbd --detach) removes both.
 * Returns 0 or -errno; errors are logged once with context.
 */
#ifndef XLBD_LOADER_H
#define XLBD_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include "dp_bpf.h"
#include "model.h"

enum loader_mode { LOADER_NATIVE = 0, LOADER_SKB };
const char *loader_mode_str(enum loader_mode m);

struct loader_opts {
	const char *pin_dir;
	enum loader_mode mode;
	bool mode_given;		/* --xdp-mode given: no silent fallback */
	uint32_t conn_max;		/* 0 = the pinned table's size, else XLB_CONN_DEFAULT_ENTRIES */
};

struct loader_iface {
	char name[16];
	int ifindex;
	enum loader_mode mode;
	uint32_t prog_id;
	bool dispatcher;		/* inside libxdp's multi-program dispatcher */
};

struct balancer;

struct loader {
	struct balancer *skel;
	struct dp_bpf dp;		/* map fds for the state (dp_bpf.h) */
	int vip_filter_fd;
	int prog_fd;
	uint32_t prog_id;
	char pin_dir[256];
	struct loader_opts opts;
	struct loader_iface ifs[XLB_MAX_IFACES];
	size_t n_ifs;
};

int loader_open(struct loader *l, const struct loader_opts *o);
int loader_attach(struct loader *l, const char *ifname);
void loader_close(struct loader *l);

/* Detach xlb's program from every interface of this netns, remove the pins. */
int loader_detach_all(const char *pin_dir);

#endif /* XLBD_LOADER_H */
