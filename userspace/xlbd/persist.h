/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * persist.h - xlbd's state file (DIR/state.json, default
 * /var/lib/xlb/state.json): the model (model_json.h, the same JSON as
 * GET /v1/config) plus the id assignment, because conn-table entries name
 * backend_id + gen and must still mean the same backend after a restart:
 *
 *   {"version": 1, "model": {...},
 *    "ids": {"next_gen": N, "vips": [{"vip": "...", "id": N}],
 *            "backends": [{"vip": "...", "address": "...", "id": N, "gen": N}]}}
 *
 * Saving is atomic: write DIR/state.json.tmp, fsync, rename, fsync DIR.
 * Returns 0 or -errno (-ENOENT: no state file); err names file and field.
 */
#ifndef XLBD_PERSIST_H
#define XLBD_PERSIST_H

#include <sys/types.h>
#include "state.h"

#define PERSIST_FILE	"state.json"

/* mkdir -p: the missing parts get mode. Also used for the API socket's directory. */
int persist_mkdir_p(const char *dir, mode_t mode);

int persist_save(const char *dir, const struct state *st, char *err);
/* Load the model into *out and hand the ids to the state as hints. */
int persist_load(const char *dir, struct state *st, struct xlb_model *out, char *err);

#endif /* XLBD_PERSIST_H */
