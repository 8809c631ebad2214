/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * api_int.h - between the API's route files (api_routes.c, api_backends.c):
 * the parsed request and the helpers every handler uses. Not for others.
 */
#ifndef XLBD_API_INT_H
#define XLBD_API_INT_H

#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include "api.h"

#define MAX_SEGS 8

struct req {
	const char *method;
	char *seg[MAX_SEGS];	/* decoded path segments after "/v1" */
	int n_seg;
	struct evkeyvalq query;
	const char *ctype;
	const char *body;
	size_t len;
};

/* Set the reply (body NULL: 500 out of memory). */
void api_reply_set(struct api_reply *out, int status, json_t *body);
/* {"error": message} with status. */
void api_fail(struct api_reply *out, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef int (*edit_fn)(struct xlb_model *m, void *arg, char *err);
/* Copy the model, edit, validate, commit, persist: 0, or out holds the error. */
int api_mutate(struct api *api, edit_fn edit, void *arg, struct api_reply *out);

/* The body as a JSON object, or NULL with out set to a 400. */
json_t *api_parse_body(const struct req *r, struct api_reply *out);
bool api_parse_vip_seg(const char *s, struct xlb_vip_id *id, struct api_reply *out);
bool api_parse_addr_seg(const char *s, struct xlb_addr *a, struct api_reply *out);

void api_h_backends(struct api *api, struct req *r, struct api_reply *out);

#endif /* XLBD_API_INT_H */
