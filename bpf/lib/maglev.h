/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maglev.h - the datapath's side of Maglev: read one slot of the VIP's
 * table. The table is built in userspace (userspace/lib/maglev.c).
 *
 * Atomic table switch: maglev_tables is an ARRAY_OF_MAPS; each VIP's table
 * is its own inner ARRAY map (created with BPF_F_INNER_MAP so its size can
 * be the VIP's table_size). The daemon builds a whole new inner map, fills
 * it, then replaces maglev_tables[vip_id] with one update: the kernel swaps
 * the pointer, and a program that already looked up the old inner map keeps
 * using it until it returns (RCU), so a packet sees all of the old table or
 * all of the new one, never a mix. A change of table_size gets a new vip_id
 * (struct xlb_vip says why), so vip.table_size always matches the map.
 *
 * Returns XLB_CONTINUE with *backend_id set, or XDP_DROP with
 * DROP_NO_BACKEND (no table, empty slot) / DROP_NO_TABLE_SLOT (table
 * smaller than vip.table_size).
 */
#ifndef XLB_BPF_MAGLEV_H
#define XLB_BPF_MAGLEV_H

#include "maps.h"

static __always_inline int xlb_maglev_pick(struct xlb_pkt *pkt, const struct xlb_vip *vip,
					   __u32 hash, __u32 *backend_id)
{
	__u32 vip_id = vip->vip_id;
	__u32 slot, *id;
	void *table;

	table = bpf_map_lookup_elem(&maglev_tables, &vip_id);
	if (!table || !vip->table_size)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_BACKEND);
	slot = xlb_maglev_slot(hash, vip->table_size);
	id = bpf_map_lookup_elem(table, &slot);
	if (!id)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_TABLE_SLOT);
	if (*id == XLB_BACKEND_NONE)
		return xlb_verdict(pkt, XDP_DROP, XLB_R_DROP_NO_BACKEND);
	*backend_id = *id;
	return XLB_CONTINUE;
}

#endif /* XLB_BPF_MAGLEV_H */
