/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model_json.h - struct xlb_model <-> JSON (jansson): the API's wire format
 * and the daemon's persisted state, one codec for both. Field names match
 * the YAML config (vip, hash, table_size, all_down, health, backends,
 * address, weight), so a config file, `xlbctl apply` and the state file
 * describe a model the same way. Decoding validates like the YAML parser and
 * names the field in err. Returns 0 / a new reference, or negative errno / NULL.
 */
#ifndef XLB_MODEL_JSON_H
#define XLB_MODEL_JSON_H

#include <jansson.h>
#include "model.h"

json_t *xlb_model_to_json(const struct xlb_model *m);
int xlb_model_from_json(const json_t *j, struct xlb_model *out, char *err);

json_t *xlb_vip_to_json(const struct xlb_vip_spec *v);
int xlb_vip_from_json(const json_t *j, struct xlb_vip_spec *out, char *err);	/* out owns backends */
json_t *xlb_backend_to_json(const struct xlb_backend_spec *b);
int xlb_backend_from_json(const json_t *j, struct xlb_backend_spec *out, char *err);
json_t *xlb_health_to_json(const struct xlb_health_spec *h);	/* only fields in h->set */
int xlb_health_from_json(const json_t *j, struct xlb_health_spec *out, char *err);

#endif /* XLB_MODEL_JSON_H */
