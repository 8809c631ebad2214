/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * apply.h - POST /v1/apply (and SIGHUP): a whole new model against the
 * current one. Parsing takes YAML (config.h) or model JSON (model_json.h);
 * the diff lists what changes, per VIP, and for every changed VIP the share
 * of Maglev slots (= of new flows) that would go to another backend,
 * computed by building the old and the new table. Pure: the state is only
 * read (current health decides which backends would serve).
 * Return 0 or -errno; err names the place.
 */
#ifndef XLBD_APPLY_H
#define XLBD_APPLY_H

#include <jansson.h>
#include "state.h"

/* YAML unless content_type says json or the body starts with '{'. body need not end in NUL. */
int apply_parse(const char *body, size_t len, const char *content_type, struct xlb_model *out, char *err);

/* [{"op":"add"|"del"|"change","vip","detail"}]; settings changes use vip "settings". */
json_t *apply_changes(const struct xlb_model *cur, const struct xlb_model *next);

/* [{"vip","moved_slots","table_size","share"}] for VIPs in both models whose table would differ. */
json_t *apply_moved(const struct state *st, const struct xlb_model *cur, const struct xlb_model *next);

#endif /* XLBD_APPLY_H */
