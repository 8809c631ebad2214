/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * api.h - xlbd's HTTP+JSON API (routes: userspace/xlbd/API.md) on a Unix
 * socket (libevent evhttp).
 *
 * api_dispatch() is the whole API as a pure function of (method, uri,
 * body) over the state: the evhttp server (api.c) only moves bytes, and the
 * unit tests call api_dispatch() directly over a fake datapath. Every
 * mutation is made on a copy of the model, validated whole, committed to
 * the datapath (rolled back on failure), then persisted (persist.h).
 * Replies are always JSON; errors are {"error": "..."} naming the field.
 */
#ifndef XLBD_API_H
#define XLBD_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>
#include "state.h"

#define XLBD_VERSION		"0.1.0"
#define API_MAX_BODY		(1u << 20)	/* every route but /v1/apply */
#define API_MAX_APPLY_BODY	(16u << 20)	/* a whole config */
#define API_MAX_HEADERS		(16u << 10)

struct api_iface {
	char name[16];
	uint32_t ifindex;
	char mode[8];		/* "native" / "skb" */
	uint32_t prog_id;
};

/* What GET /v1/status reports beyond the state (filled by main from the loader). */
struct api_info {
	uint64_t start_ns;	/* CLOCK_MONOTONIC */
	char pin_dir[256];
	char xdp_mode[8];
	struct api_iface ifaces[XLB_MAX_IFACES];
	size_t n_ifaces;
};

struct api {
	struct state *st;
	struct api_info *info;
	const char *state_dir;		/* persist after mutations; NULL = don't */
	const char *config_path;	/* for SIGHUP reload; may be NULL */
	/* server (api.c) */
	struct evhttp *http;
	char socket_path[108];
};

struct api_reply {
	int status;
	json_t *body;		/* owned by the caller after api_dispatch */
};

/* Serve one request. uri includes the query. Never fails: errors are replies. */
void api_dispatch(struct api *api, const char *method, const char *uri, const char *content_type,
		  const char *body, size_t len, struct api_reply *out);

/*
 * Replace the model by a parsed config (POST /v1/apply, SIGHUP): diff,
 * commit unless dry_run, persist. Reply like POST /v1/apply.
 */
void api_apply_model(struct api *api, struct xlb_model *next, bool dry_run, struct api_reply *out);

/* Save the state file now (after a change made outside the API); logs errors. */
void api_persist(struct api *api);

/* Create the socket (mkdir -p parent, stale socket removed, mode 0600) and serve. */
int api_start(struct api *api, struct event_base *base, const char *socket_path);
void api_stop(struct api *api);

#endif /* XLBD_API_H */
