/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * state_int.h - between state.c (ids, commit, events) and state_sync.c
 * (what gets written to the datapath). Not for other files.
 */
#ifndef XLBD_STATE_INT_H
#define XLBD_STATE_INT_H

#include "state.h"

/* Which backends serve, which stay active; logs all-down transitions. */
void state_sync_decide(struct state *st, const struct xlb_vip_spec *spec, struct state_vip *rt);
/* Backends of one VIP, then its table: written when changed (or force). */
int state_sync_vip(struct state *st, const struct xlb_vip_spec *spec, struct state_vip *rt, bool force);
/* Whole transition from (ovs, on) to (nvs, m): see state_commit. */
int state_sync_all(struct state *st, struct state_vip *ovs, size_t on, struct state_vip *nvs,
	     const struct xlb_model *m, bool force, char *err);
/* Resolve the next hop of every backend address in use (cache), drop unused ones. */
void state_sync_resolve(struct state *st, const struct xlb_model *m, bool refresh);
void state_settings_to_config(const struct xlb_settings *s, struct xlb_config *c);

#endif /* XLBD_STATE_INT_H */
