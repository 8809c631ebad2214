/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * api_view.h - the JSON objects the API returns (API.md: VIPVIEW,
 * BACKENDVIEW, status, stats, trace), built from the state and the
 * datapath's counters. Each returns a new reference (NULL: out of memory).
 */
#ifndef XLBD_API_VIEW_H
#define XLBD_API_VIEW_H

#include <jansson.h>
#include "api.h"

json_t *view_vip(struct api *api, size_t vi);
json_t *view_vips(struct api *api);
json_t *view_backend(struct api *api, size_t vi, size_t bi);
json_t *view_status(struct api *api);
json_t *view_stats(struct api *api);
/* 400 with err set on a bad query, 404 for an unknown VIP, else 200 and *out. */
int view_trace(struct api *api, const char *client, const char *vip, json_t **out, char *err);

#endif /* XLBD_API_VIEW_H */
