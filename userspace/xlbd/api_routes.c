// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * api_routes.c - api_dispatch(): route a request, run the handler, build
 * the reply (contract in api.h, routes in API.md). Mutations go through
 * api_mutate(): copy the model, edit, validate whole, commit (the state rolls
 * the datapath back on failure), persist.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api_int.h"
#include "api_view.h"
#include "apply.h"
#include "log.h"
#include "model_json.h"
#include "persist.h"

void api_reply_set(struct api_reply *out, int status, json_t *body)
{
	out->status = status;
	out->body = body ? body : json_pack("{s:s}", "error", "out of memory");
	if (!body)
		out->status = 500;
}

void api_fail(struct api_reply *out, int status, const char *fmt, ...)
{
	char msg[XLB_ERR_LEN + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_reply_set(out, status, json_pack("{s:s}", "error", msg));
}

void api_persist(struct api *api)
{
	char err[XLB_ERR_LEN];

	if (api->state_dir && persist_save(api->state_dir, api->st, err))
		log_error("%s", err);
}

/* errno of a model edit -> HTTP status. */
static int edit_status(int err)
{
	switch (-err) {
	case ENOENT: return 404;
	case EEXIST: return 409;
	case ENOMEM: return 500;
	default: return 400;
	}
}


/* Copy, edit, validate, commit, persist. Returns 0 or fills out with the error. */
int api_mutate(struct api *api, edit_fn edit, void *arg, struct api_reply *out)
{
	char err[XLB_ERR_LEN] = "";
	struct xlb_model m;
	int ret;

	xlb_model_init(&m);
	ret = xlb_model_copy(&m, &api->st->model);
	if (ret) {
		api_fail(out, 500, "copying the model: %s", strerror(-ret));
		goto out;
	}
	ret = edit(&m, arg, err);
	if (ret) {
		api_fail(out, edit_status(ret), "%s", err[0] ? err : strerror(-ret));
		goto out;
	}
	ret = xlb_model_validate(&m, err);
	if (ret) {
		api_fail(out, 400, "%s", err[0] ? err : "invalid model");
		goto out;
	}
	ret = state_commit(api->st, &m, err);
	if (ret) {
		api_fail(out, 500, "%s (nothing changed)", err[0] ? err : strerror(-ret));
		goto out;
	}
	api_persist(api);
out:
	xlb_model_free(&m);
	return ret;
}

json_t *api_parse_body(const struct req *r, struct api_reply *out)
{
	json_error_t jerr;
	json_t *j;

	if (!r->len) {
		api_fail(out, 400, "body: expected a JSON object");
		return NULL;
	}
	j = json_loadb(r->body, r->len, 0, &jerr);
	if (!j)
		api_fail(out, 400, "body: invalid JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	else if (!json_is_object(j)) {
		api_fail(out, 400, "body: expected a JSON object");
		json_decref(j);
		j = NULL;
	}
	return j;
}

bool api_parse_vip_seg(const char *s, struct xlb_vip_id *id, struct api_reply *out)
{
	char e[XLB_ERR_LEN] = "";

	if (!xlb_vip_id_parse(s, id, e))
		return true;
	api_fail(out, 400, "vip '%s': %s", s, e[0] ? e : "expected ADDR:PORT/PROTO");
	return false;
}

bool api_parse_addr_seg(const char *s, struct xlb_addr *a, struct api_reply *out)
{
	char e[XLB_ERR_LEN] = "";

	if (!xlb_addr_parse(s, a, e))
		return true;
	api_fail(out, 400, "backend address '%s': %s", s, e[0] ? e : "bad address");
	return false;
}

/* ---- VIPs ---- */

static int edit_add_vip(struct xlb_model *m, void *arg, char *err)
{
	return xlb_model_add_vip(m, arg, err);
}

static void h_vip_add(struct api *api, struct req *r, struct api_reply *out)
{
	char e[XLB_ERR_LEN] = "", vip[XLB_VIP_STRLEN];
	struct xlb_vip_spec spec;
	json_t *j = api_parse_body(r, out);
	int vi;

	if (!j)
		return;
	memset(&spec, 0, sizeof(spec));
	if (xlb_vip_from_json(j, &spec, e)) {
		json_decref(j);
		api_fail(out, 400, "%s", e[0] ? e : "body: invalid VIP");
		return;
	}
	json_decref(j);
	if (!spec.table_size)
		spec.table_size = XLB_MAGLEV_DEFAULT_SIZE;
	if (!api_mutate(api, edit_add_vip, &spec, out)) {
		xlb_vip_id_format(&spec.id, vip, sizeof(vip));
		log_info("api: vip %s added (%zu backends)", vip, spec.n_backends);
		vi = state_vip_index(api->st, &spec.id);
		api_reply_set(out, 201, vi >= 0 ? view_vip(api, (size_t)vi) : NULL);
	}
	free(spec.backends);
}

static int edit_del_vip(struct xlb_model *m, void *arg, char *err)
{
	return xlb_model_del_vip(m, arg, err);
}

static void h_vip(struct api *api, struct req *r, struct api_reply *out)
{
	char vip[XLB_VIP_STRLEN];
	struct xlb_vip_id id;
	int vi;

	if (!api_parse_vip_seg(r->seg[1], &id, out))
		return;
	xlb_vip_id_format(&id, vip, sizeof(vip));
	vi = state_vip_index(api->st, &id);
	if (vi < 0) {
		api_fail(out, 404, "vip %s: no such VIP", vip);
		return;
	}
	if (!strcmp(r->method, "GET")) {
		api_reply_set(out, 200, view_vip(api, (size_t)vi));
	} else if (!strcmp(r->method, "DELETE")) {
		if (!api_mutate(api, edit_del_vip, &id, out)) {
			log_info("api: vip %s deleted", vip);
			api_reply_set(out, 200, json_pack("{s:s}", "deleted", vip));
		}
	} else {
		api_fail(out, 405, "%s /v1/vips/{vip}: method not allowed (GET, DELETE)", r->method);
	}
}

/* ---- apply, trace, config ---- */

void api_apply_model(struct api *api, struct xlb_model *next, bool dry_run, struct api_reply *out)
{
	json_t *changes = apply_changes(&api->st->model, next);
	json_t *moved = apply_moved(api->st, &api->st->model, next);
	char err[XLB_ERR_LEN] = "";
	size_t n = json_array_size(changes);
	int ret;

	if (!dry_run && n) {
		ret = xlb_model_validate(next, err);
		if (!ret && (ret = state_commit(api->st, next, err)))
			snprintf(err + strlen(err), XLB_ERR_LEN - strlen(err), " (nothing changed)");
		if (ret) {
			json_decref(changes);
			json_decref(moved);
			api_fail(out, ret == -EINVAL ? 400 : 500, "%s", err[0] ? err : strerror(-ret));
			return;
		}
		api_persist(api);
		log_info("apply: %zu changes applied", n);
	}
	api_reply_set(out, 200, json_pack("{s:b,s:o,s:o}", "applied", !dry_run && n, "changes", changes,
				  "moved", moved));
}

static void h_apply(struct api *api, struct req *r, struct api_reply *out)
{
	const char *dr = evhttp_find_header(&r->query, "dry_run");
	char err[XLB_ERR_LEN] = "";
	struct xlb_model next;
	bool dry = dr && (!strcmp(dr, "1") || !strcmp(dr, "true"));

	if (strcmp(r->method, "POST")) {
		api_fail(out, 405, "%s /v1/apply: method not allowed (POST)", r->method);
		return;
	}
	if (dr && !dry && strcmp(dr, "0") && strcmp(dr, "false")) {
		api_fail(out, 400, "dry_run '%s': expected 1 or 0", dr);
		return;
	}
	xlb_model_init(&next);
	if (apply_parse(r->body, r->len, r->ctype, &next, err))
		api_fail(out, 400, "%s", err);
	else
		api_apply_model(api, &next, dry, out);
	xlb_model_free(&next);
}

static void h_trace(struct api *api, struct req *r, struct api_reply *out)
{
	char err[XLB_ERR_LEN] = "";
	json_t *j = NULL;
	int status;

	if (strcmp(r->method, "GET")) {
		api_fail(out, 405, "%s /v1/trace: method not allowed (GET)", r->method);
		return;
	}
	status = view_trace(api, evhttp_find_header(&r->query, "client"),
			    evhttp_find_header(&r->query, "vip"), &j, err);
	if (status == 200)
		api_reply_set(out, 200, j);
	else
		api_fail(out, status, "%s", err);
}

/* ---- routing ---- */

static bool split_path(const char *path, struct req *r)
{
	const char *p = path;

	if (strncmp(p, "/v1", 3) || (p[3] && p[3] != '/'))
		return false;
	p += 3;
	while (*p == '/') {
		const char *s = ++p;
		size_t n;
		char *raw;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (!n && !*p)
			break;	/* trailing slash */
		if (r->n_seg == MAX_SEGS)
			return false;
		raw = strndup(s, n);
		r->seg[r->n_seg] = raw ? evhttp_uridecode(raw, 0, NULL) : NULL;
		free(raw);
		if (!r->seg[r->n_seg])
			return false;
		r->n_seg++;
	}
	/* "/v1/vips/203.0.113.10:80/tcp/..." with the '/' unencoded: rejoin the VIP */
	if (r->n_seg >= 3 && !strcmp(r->seg[0], "vips") &&
	    (!strcmp(r->seg[2], "tcp") || !strcmp(r->seg[2], "udp"))) {
		char *joined = malloc(strlen(r->seg[1]) + strlen(r->seg[2]) + 2);

		if (!joined)
			return false;
		sprintf(joined, "%s/%s", r->seg[1], r->seg[2]);
		free(r->seg[1]);
		free(r->seg[2]);
		r->seg[1] = joined;
		memmove(&r->seg[2], &r->seg[3], (size_t)(r->n_seg - 3) * sizeof(r->seg[0]));
		r->n_seg--;
	}
	return true;
}

static bool is_method(const char *m, const char *want)
{
	return !strcmp(m, want);
}

static void route(struct api *api, struct req *r, struct api_reply *out)
{
	const char *s0 = r->n_seg ? r->seg[0] : "";
	bool get = is_method(r->method, "GET");

	if (!strcmp(s0, "status") && r->n_seg == 1)
		get ? api_reply_set(out, 200, view_status(api)) : api_fail(out, 405, "%s /v1/status: method not allowed (GET)", r->method);
	else if (!strcmp(s0, "stats") && r->n_seg == 1)
		get ? api_reply_set(out, 200, view_stats(api)) : api_fail(out, 405, "%s /v1/stats: method not allowed (GET)", r->method);
	else if (!strcmp(s0, "config") && r->n_seg == 1)
		get ? api_reply_set(out, 200, xlb_model_to_json(&api->st->model))
		    : api_fail(out, 405, "%s /v1/config: method not allowed (GET)", r->method);
	else if (!strcmp(s0, "apply") && r->n_seg == 1)
		h_apply(api, r, out);
	else if (!strcmp(s0, "trace") && r->n_seg == 1)
		h_trace(api, r, out);
	else if (!strcmp(s0, "vips") && r->n_seg == 1) {
		if (get)
			api_reply_set(out, 200, view_vips(api));
		else if (is_method(r->method, "POST"))
			h_vip_add(api, r, out);
		else
			api_fail(out, 405, "%s /v1/vips: method not allowed (GET, POST)", r->method);
	} else if (!strcmp(s0, "vips") && r->n_seg == 2)
		h_vip(api, r, out);
	else if (!strcmp(s0, "vips") && r->n_seg >= 3 && r->n_seg <= 5 && !strcmp(r->seg[2], "backends"))
		api_h_backends(api, r, out);
	else
		api_fail(out, 404, "no such route: %s (see API.md: /v1/status, /v1/vips, /v1/stats, "
		     "/v1/apply, /v1/trace, /v1/config)", s0);
}

void api_dispatch(struct api *api, const char *method, const char *uri, const char *content_type,
		  const char *body, size_t len, struct api_reply *out)
{
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(uri, EVHTTP_URI_NONCONFORMANT);
	struct req r = { .method = method, .ctype = content_type, .body = body, .len = len };
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	const char *query = u ? evhttp_uri_get_query(u) : NULL;

	memset(out, 0, sizeof(*out));
	TAILQ_INIT(&r.query);
	if (!path || !split_path(path, &r)) {
		api_fail(out, 404, "no such route: %s (the API is under /v1/)", path ? path : uri);
	} else if (query && evhttp_parse_query_str(query, &r.query)) {
		api_fail(out, 400, "query: malformed");
	} else if (len > (r.n_seg && !strcmp(r.seg[0], "apply") ? API_MAX_APPLY_BODY : API_MAX_BODY)) {
		api_fail(out, 413, "body: %zu bytes is too large (limit %u)", len,
		     r.n_seg && !strcmp(r.seg[0], "apply") ? API_MAX_APPLY_BODY : API_MAX_BODY);
	} else {
		route(api, &r, out);
	}
	evhttp_clear_headers(&r.query);
	for (int i = 0; i < r.n_seg; i++)
		free(r.seg[i]);
	if (u)
		evhttp_uri_free(u);
}
