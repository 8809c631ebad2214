/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_decap.h - maps of the real-server decap program (bpf/decap.bpf.c)
 * that userspace (xlb-decap, tests) reads and writes. Pinned under
 * XLB_DECAP_PIN_DIR (or the tool's --pin-dir) with these names:
 *
 *   prog           the XDP program "xlb_decap"
 *   local_addrs    HASH struct xlb_addr_key -> __u8 (1): outer destinations
 *                  accepted; see decap_cfg[XLB_DECAP_CFG_N_LOCAL]
 *   decap_cfg      ARRAY[XLB_DECAP_CFG__COUNT] __u32, slots below
 *   decap_reasons  PERCPU_ARRAY[XLB_D__COUNT] __u64, enum xlb_decap_reason
 */
#ifndef XLB_DECAP_H
#define XLB_DECAP_H

enum xlb_decap_cfg_slot {
	/* entries in local_addrs; 0 = accept a tunnel to any destination.
	 * Kept by the tool so the datapath tests emptiness with one array
	 * lookup instead of iterating the hash. */
	XLB_DECAP_CFG_N_LOCAL = 0,
	/* interfaces the pinned program is attached to (all namespaces);
	 * the tool unpins everything when the last one is detached */
	XLB_DECAP_CFG_N_ATTACHED,
	XLB_DECAP_CFG__COUNT
};

#endif /* XLB_DECAP_H */
