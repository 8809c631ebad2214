/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlbctl.h - the operator CLI's pieces, split so the command-line parsing
 * can be unit-tested without a daemon:
 *
 *   commands.c the command table: per command, its usage, help, options and
 *             a handler that checks the arguments and builds the HTTP request.
 *   parse.c   argv -> struct ctl_parsed (the request to make and how to show
 *             the reply) by walking that table; help generated from it.
 *             Neither does daemon I/O (apply reads its file).
 *   client.c  one HTTP request over xlbd's Unix socket (libcurl).
 *   table.c   a column table printed with widths fitted to its cells.
 *   render.c  the daemon's JSON replies -> tables (or pretty JSON).
 *   main.c    glue: parse, request, render, exit status.
 *
 * Exit status (a contract, README documents it): 0 success, 1 the daemon
 * refused or could not be reached (message on stderr), 2 usage error
 * (message and the usage of that command on stderr).
 * Functions return 0 or a negative errno unless they say otherwise.
 */
#ifndef XLBCTL_H
#define XLBCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define CTL_EXIT_OK		0
#define CTL_EXIT_REFUSED	1
#define CTL_EXIT_USAGE		2

#define CTL_DEFAULT_SOCKET	"/run/xlb/xlbd.sock"
#define CTL_ERR_LEN		512
#define CTL_PATH_LEN		512
#define CTL_MAX_POS		8	/* positional arguments per command */
#define CTL_MAX_OPTS		8	/* options per command */

enum ctl_output { CTL_OUT_TABLE = 0, CTL_OUT_JSON };

/* How main shows the reply of a command. */
enum ctl_render {
	CTL_R_STATUS,
	CTL_R_VIP_LIST,
	CTL_R_VIP,		/* one VIPVIEW (vip add) */
	CTL_R_BACKEND,		/* one BACKENDVIEW (backend add/set/drain) */
	CTL_R_DELETED,		/* {"deleted"} or 202 {"draining","pinned_flows"} */
	CTL_R_STATS,
	CTL_R_STATS_RATE,	/* two GET /v1/stats, interval apart */
	CTL_R_APPLY,
	CTL_R_TRACE,
};

struct ctl_request {
	const char *method;		/* "GET", "POST", "PATCH", "DELETE" */
	char path[CTL_PATH_LEN];	/* "/v1/vips/203.0.113.10%3A80%2Ftcp", query included */
	char *body;			/* malloc'd; NULL = no body */
	size_t body_len;
	const char *content_type;	/* of body */
	enum ctl_render render;
	double interval_sec;		/* CTL_R_STATS_RATE */
	bool dry_run;			/* CTL_R_APPLY */
	const char *file;		/* CTL_R_APPLY: the file sent ("-" = stdin) */
};

/* Parsed arguments of one command: positionals, then options by index in cmd->opts. */
struct ctl_opt {
	const char *name;		/* "--weight" */
	bool has_value;
};

struct ctl_args {
	int n_pos;
	const char *pos[CTL_MAX_POS];
	const char *val[CTL_MAX_OPTS];	/* value of opts[i] (has_value) */
	bool set[CTL_MAX_OPTS];		/* opts[i] given */
};

struct ctl_cmd;
/* Builds the request from the arguments; -EINVAL with err set on a usage error. */
typedef int (*ctl_handler_fn)(const struct ctl_cmd *cmd, const struct ctl_args *a,
			      struct ctl_request *req, char *err);

/*
 * The command tree: a node with `sub` is a group ("vip"), else a leaf
 * with a handler. Help and usage are generated from these fields.
 */
struct ctl_cmd {
	const char *name;
	ctl_handler_fn handler;
	const char *usage;		/* arguments after the name: "VIP ADDR [--weight N]" */
	const char *help;		/* one line */
	const struct ctl_opt *opts;	/* NULL-name terminated; NULL = none */
	const struct ctl_cmd *sub;	/* NULL-name terminated */
};

enum ctl_parse_result {
	CTL_PARSE_RUN = 0,	/* req is ready */
	CTL_PARSE_HELP = 1,	/* print help for `node` and exit 0 */
};

struct ctl_parsed {
	const char *socket;		/* --socket, else $XLB_SOCKET, else CTL_DEFAULT_SOCKET */
	enum ctl_output output;
	const struct ctl_cmd *node;	/* leaf or group reached (for usage/help); root when none */
	char cmd_path[64];		/* "vip add" */
	struct ctl_request req;
};

/* commands.c */
extern const struct ctl_cmd ctl_root;
/* Percent-encode everything but RFC 3986 unreserved characters. */
int ctl_url_encode(const char *in, char *out, size_t len);

/* parse.c */
/* Formats a usage error into err (CTL_ERR_LEN); returns -EINVAL. */
int ctl_usage_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * argv[0] is the program name. Returns CTL_PARSE_RUN or CTL_PARSE_HELP, or
 * -EINVAL (usage error: err says why, out->node/cmd_path say whose usage to
 * print) or another negative errno (e.g. apply's file unreadable, err set).
 * On success the caller owns out->req.body (ctl_parsed_free).
 */
int ctl_parse(int argc, char **argv, struct ctl_parsed *out, char *err);
void ctl_parsed_free(struct ctl_parsed *p);
/* Help of a node: root = everything; group = its commands; leaf = usage + help. */
void ctl_print_help(FILE *f, const struct ctl_cmd *node, const char *path);
void ctl_print_usage(FILE *f, const struct ctl_cmd *node, const char *path);

/* client.c */
struct ctl_response {
	long status;			/* HTTP status */
	char *body;			/* malloc'd, NUL-terminated */
	size_t len;
};
/* -ECONNREFUSED/-ENOENT/-EIO etc. when no reply came (err says why). */
int ctl_http(const char *socket, const struct ctl_request *req, struct ctl_response *resp, char *err);
void ctl_response_free(struct ctl_response *r);

/* table.c */
#define CTL_TABLE_MAX_COLS 12
struct ctl_table;
struct ctl_table *ctl_table_new(int n_cols, const char *const *headers);
/* Adds a row; cells beyond n or NULL are empty. Copies the strings. */
int ctl_table_add(struct ctl_table *t, int n, const char *const *cells);
/* Left-aligned columns one space apart, widths fitted; trailing empty cells trimmed. */
void ctl_table_print(const struct ctl_table *t, FILE *f);
void ctl_table_free(struct ctl_table *t);

/* render.c: print a successful reply. Returns a CTL_EXIT_* code. */
int ctl_render(const struct ctl_request *req, enum ctl_output out, json_t *reply, FILE *f);
/* stats --rate: rates from two /v1/stats replies taken `secs` apart. */
int ctl_render_rate(enum ctl_output out, json_t *before, json_t *after, double secs, FILE *f);
/* Human forms: "1h02m03s", "1.5K" */
void ctl_fmt_duration(unsigned long long sec, char *buf, size_t len);
void ctl_fmt_count(double v, char *buf, size_t len);

#endif /* XLBCTL_H */
