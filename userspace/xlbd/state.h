/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * state.h - xlbd's runtime state: the desired model plus what the daemon
 * derived from it and pushed into the datapath (ids, health, next hops,
 * Maglev tables). The one writer of the balancer's maps.
 *
 * One way through: state_commit() takes a whole validated model, assigns
 * ids (reusing the ones of VIPs and backends that stay), decides which
 * backends serve (health, weight, all-down policy), builds each changed
 * VIP's Maglev table and writes the maps in an order packets can never see
 * half-done: backends, then tables (atomic swap), then VIP keys; removals
 * last. If a write fails, the previous state is written back and the model
 * is unchanged. Health results and next-hop changes come in through
 * state_health_event() and state_nexthop_changed() and rebuild only what
 * they touch.
 *
 * Ids: vip_id per VIP (a new one when its table size changes), backend_id
 * per (VIP, backend address). A backend_id handed out again gets a new gen,
 * so conn-table entries of its previous owner go stale. Ids survive
 * restarts through state_hint_*() (persist.c saves and restores them).
 *
 * Backend states: health up/unknown = in service; down = out; weight 0 =
 * drain (no slots, XLB_BE_F_ACTIVE kept so established flows continue).
 * Every VIP down: all_down keep = the last non-empty set keeps serving;
 * drop = empty table.
 *
 * Functions return 0 or -errno; err (XLB_ERR_LEN) gets a message.
 */
#ifndef XLBD_STATE_H
#define XLBD_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <event2/event.h>
#include "dp.h"
#include "health.h"
#include "model.h"
#include "nexthop.h"

struct state_backend {
	struct xlb_addr addr;
	uint32_t id, gen;
	enum hc_state health;
	enum hc_result last_result;
	uint64_t health_since_ns;	/* CLOCK_MONOTONIC of the last health change */
	bool serving;			/* has slots in the VIP's table */
	bool active;			/* XLB_BE_F_ACTIVE: established flows keep it */
	uint32_t slots;
	struct xlb_backend written;	/* last value written to backends[id] */
	bool written_valid;
	bool fresh;			/* id new in this commit: counters reset before use */
};

struct state_vip {
	struct xlb_vip_id id;
	uint32_t vip_id, table_size, flags;
	uint64_t fingerprint;		/* maglev_fingerprint over address ranks: equal across hosts */
	uint64_t input_sig;		/* signature of the installed table's input */
	bool table_installed;
	struct xlb_vip key_val;		/* last value written under the VIP's key */
	bool key_installed;
	bool all_down;			/* every weighted backend down (logged once) */
	bool fresh;			/* vip_id new in this commit */
	struct state_backend *be;	/* parallel to the model VIP's backends[] */
	size_t n_be;
	struct xlb_addr *last_set;	/* last non-empty serving set (all_down keep) */
	size_t n_last_set;
};

struct state_marker {
	struct xlb_vip_key key;
	struct xlb_vip val;
};

struct state_nh {
	struct xlb_addr addr;
	struct nexthop nh;
};

struct state_hint {
	struct xlb_vip_id vip;
	struct xlb_addr addr;		/* family 0: a vip_id hint */
	uint32_t id, gen;
};

struct state_drain {
	struct xlb_vip_id vip;
	struct xlb_addr addr;
	uint64_t deadline_ns;
};

typedef int (*state_resolve_fn)(void *arg, const struct xlb_addr *dst, struct nexthop *out);
typedef void (*state_persist_fn)(void *arg);

struct state {
	struct xlb_model model;		/* desired state */
	struct state_vip *vips;		/* parallel to model.vips[] */
	size_t n_vips;

	struct dp dp;
	state_resolve_fn resolve;	/* NULL: next hops unknown (XLB_BE_F_NEXTHOP clear) */
	void *resolve_arg;
	struct hc_ctx *hc;		/* NULL: no health checks (every backend unknown) */
	struct event_base *base;	/* NULL: no timers (tests call state_drain_tick) */
	state_persist_fn persist;	/* called after a change the state made itself */
	void *persist_arg;

	uint8_t vip_used[XLB_MAX_VIPS / 8];
	uint8_t *be_used;		/* XLB_MAX_BACKENDS bits */
	uint32_t *gens;			/* XLB_MAX_BACKENDS: gen of each allocated id */
	uint32_t next_gen;

	struct state_nh *nh;		/* next hops by backend address */
	size_t n_nh;
	uint32_t tx_ifindex[XLB_MAX_TX_PORTS];	/* devmap slot -> ifindex, 0 = free */

	struct xlb_config cfg;
	bool cfg_written;
	struct state_marker *markers;
	size_t n_markers;

	struct state_hint *hints;	/* ids from the state file, used by the first commits */
	size_t n_hints;

	uint32_t *pinned;		/* XLB_MAX_BACKENDS: live conn entries per backend_id */
	uint32_t *scratch;		/* XLB_MAX_BACKENDS: slot counting, kept zeroed */
	uint64_t pinned_total, pinned_at_ns;

	struct state_drain *drains;	/* DELETE ?after_drain=1 in progress */
	size_t n_drains;
	struct event *drain_timer;
	struct event *nh_timer;		/* retries unresolved next hops */
};

int state_init(struct state *st, const struct dp *dp);
void state_free(struct state *st);

/* Take a validated model. On success *m is moved into the state (m emptied). */
int state_commit(struct state *st, struct xlb_model *m, char *err);

/* Health result for (VIP, backend): update, rebuild that VIP's table. */
void state_health_event(struct state *st, const struct hc_target_key *key,
			enum hc_state new_state, enum hc_result why);
/* Routes/neighbours changed: re-resolve every backend, rewrite what moved. */
void state_nexthop_changed(struct state *st);

/* Lookup in the committed model/runtime: index or -ENOENT. */
int state_vip_index(const struct state *st, const struct xlb_vip_id *id);
int state_backend_index(const struct state *st, size_t vi, const struct xlb_addr *a);
const struct nexthop *state_nexthop(const struct state *st, const struct xlb_addr *a);

/* "up" "down" "drain" "unknown" (API BACKENDVIEW.state). */
const char *state_backend_str(const struct xlb_backend_spec *spec, const struct state_backend *b);

/* Refresh st->pinned (conn-table walk) when older than max_age_ns. */
int state_refresh_pinned(struct state *st, uint64_t max_age_ns);

/* Ids from a previous run, applied when a VIP/backend of that identity is committed. */
int state_hint_vip(struct state *st, const struct xlb_vip_id *vip, uint32_t vip_id);
int state_hint_backend(struct state *st, const struct xlb_vip_id *vip, const struct xlb_addr *addr,
		       uint32_t id, uint32_t gen);
void state_hint_next_gen(struct state *st, uint32_t next_gen);
/* Raise next_gen above every gen in the (pinned) backends map: stale conns stay stale. */
void state_scan_gens(struct state *st);

/*
 * After the first commit of a restart: remove what the pinned maps hold
 * that the model does not (VIP keys, tables, active backend entries), e.g.
 * when the state file was lost. Returns the number of entries removed.
 */
int state_prune_stale(struct state *st);

/* Delete a (drained) backend once its pinned flows end, or at timeout_sec. */
int state_drain_add(struct state *st, const struct xlb_vip_id *vip, const struct xlb_addr *addr,
		    uint32_t timeout_sec);
void state_drain_tick(struct state *st);

/* Start/stop the state's own timers (drain watcher, next-hop retry); needs st->base. */
void state_timers_start(struct state *st);

uint64_t state_now_ns(void);

#endif /* XLBD_STATE_H */
