/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * log.h - one small logging module for every xlb program: leveled,
 * printf-checked, to stderr (journald picks it up under systemd).
 * libbpf's own messages are routed here one level lower (log_libbpf_setup).
 */
#ifndef XLB_LOG_H
#define XLB_LOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* "error" "warn" "info" "debug"; returns 0 or -EINVAL */
int log_level_parse(const char *s, enum log_level *out);
void log_set_prefix(const char *prog);	/* e.g. "xlbd" */
void log_libbpf_setup(void);		/* route libbpf prints through log_* */

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* XLB_LOG_H */
