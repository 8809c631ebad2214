// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * log.c - leveled logging to stderr: "PROG[level]: message\n".
 *
 * No timestamps: under systemd, journald stamps every line; on a terminal
 * the operator is watching. One fputs per message (built in a buffer) so
 * lines from a forked child or libbpf never interleave mid-line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"

static enum log_level cur_level = LOG_LVL_INFO;
static char prefix[32] = "xlb";

static const char *level_name(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_ERROR: return "error";
	case LOG_LVL_WARN: return "warn";
	case LOG_LVL_INFO: return "info";
	case LOG_LVL_DEBUG: return "debug";
	}
	return "?";
}

void log_set_level(enum log_level lvl)
{
	if (lvl <= LOG_LVL_DEBUG)
		cur_level = lvl;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	static const enum log_level all[] = {
		LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG,
	};

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, level_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

void log_set_prefix(const char *prog)
{
	if (prog)
		snprintf(prefix, sizeof(prefix), "%s", prog);
}

static void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char line[1024];
	int n, len;

	if (lvl > cur_level)
		return;
	n = snprintf(line, sizeof(line), "%s[%s]: ", prefix, level_name(lvl));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	len = n;
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n < 0)
		return;
	len += n;
	if ((size_t)len >= sizeof(line) - 1) {
		/* truncated: mark it so nobody mistakes it for the whole message */
		len = sizeof(line) - 5;
		memcpy(line + len, "...", 3);
		len += 3;
	}
	/* libbpf messages already end in '\n'; ours usually do not */
	while (len > 0 && line[len - 1] == '\n')
		len--;
	line[len++] = '\n';
	line[len] = '\0';
	fputs(line, stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

/* libbpf is chatty: its WARN is our info, its INFO and DEBUG our debug. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level lvl = LOG_LVL_DEBUG;

	switch (level) {
	case LIBBPF_WARN: lvl = LOG_LVL_INFO; break;
	case LIBBPF_INFO: lvl = LOG_LVL_DEBUG; break;
	case LIBBPF_DEBUG: lvl = LOG_LVL_DEBUG; break;
	}
	log_vmsg(lvl, fmt, ap);
	return 0;
}

void log_libbpf_setup(void)
{
	libbpf_set_print(libbpf_print);
}
