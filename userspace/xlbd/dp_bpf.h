/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dp_bpf.h - struct dp (dp.h) over the balancer's map fds, which the
 * loader fills (loader.h). The fds stay owned by the loader.
 */
#ifndef XLBD_DP_BPF_H
#define XLBD_DP_BPF_H

#include "dp.h"

struct dp_bpf_fds {
	int vips, backends, maglev_tables, conns, config, reasons, events;
	int vip_stats, backend_stats, tx_ports;
};

struct dp_bpf {
	struct dp_bpf_fds fd;
	uint32_t conn_max;	/* conns max_entries */
};

void dp_bpf_init(struct dp *dp, struct dp_bpf *b);

#endif /* XLBD_DP_BPF_H */
