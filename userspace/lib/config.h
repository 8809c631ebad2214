/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * config.h - the declarative YAML configuration (libcyaml) <-> struct
 * xlb_model. Parsing validates the whole file; on any error the output
 * model is left empty and err names the place: "FILE:LINE: vips[0].vip:
 * bad address '203.0.113.300'" where libcyaml gives a line, else the path.
 * Returns 0 or a negative errno.
 */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include "model.h"

int xlb_config_load_file(const char *path, struct xlb_model *out, char *err);
int xlb_config_load_string(const char *yaml, size_t len, struct xlb_model *out, char *err);
/* Addition: as load_string, with NAME in messages instead of "config" (e.g. "body"). */
int xlb_config_load_named(const char *name, const char *yaml, size_t len, struct xlb_model *out, char *err);

#endif /* XLB_CONFIG_H */
