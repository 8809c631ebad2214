/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * config_int.h - internals of the YAML loader shared by config.c and
 * config_errors.c (not for other users): capturing libcyaml's log and
 * turning it, or a "PATH: problem" message, into "NAME:LINE:COL: ..." text.
 */
#ifndef XLB_CONFIG_INT_H
#define XLB_CONFIG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cyaml/cyaml.h>

/* libcyaml's error-level output of one load (message, then a backtrace). */
struct xlb_cyaml_log {
	char text[2048];
	size_t n;
};

void xlb_cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args);

/* err = "NAME:LINE:COL: PATH: problem" from a failed cyaml_load_data. */
void xlb_config_describe_cyaml(const char *name, const char *yaml, size_t len,
			       const struct xlb_cyaml_log *log, const char *fallback, char *err);

/* err = "NAME:LINE:COL: msg" where msg starts with "PATH: " (line found in yaml). */
void xlb_config_describe_path(const char *name, const char *yaml, size_t len, const char *msg, char *err);

/*
 * Where PATH ("vips[0].backends[1].weight") is in the document, 1-based.
 * at: the value's position, the key's, or the last occurrence of the key
 * (a duplicate). Returns 0 (exact), 1 (only a parent of PATH was found: its
 * position) or -ENOENT.
 */
enum xlb_yaml_at { XLB_YAML_VALUE, XLB_YAML_KEY, XLB_YAML_LAST_KEY };
int xlb_yaml_locate(const char *yaml, size_t len, const char *path, enum xlb_yaml_at at, int *line, int *col);

#endif /* XLB_CONFIG_INT_H */
