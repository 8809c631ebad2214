// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * parse.c - argv -> struct ctl_parsed by walking the command table of
 * commands.c: global options anywhere, commands by exact word or unique
 * prefix (ambiguity reported), each leaf's options and positionals, then its
 * handler. Help and usage are generated from the table. No daemon I/O, so
 * tests/unit/test_xlbctl.c includes this file and checks every usage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xlbctl.h"

#define usage_err ctl_usage_err

int ctl_usage_err(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, CTL_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Child of node named word: exact name, else a unique prefix. */
static const struct ctl_cmd *find_child(const struct ctl_cmd *node, const char *word, char *err)
{
	const struct ctl_cmd *c, *hit = NULL;
	char names[256] = "";
	size_t wl = strlen(word);
	int n = 0;

	for (c = node->sub; c->name; c++)
		if (!strcmp(c->name, word))
			return c;
	for (c = node->sub; wl && c->name; c++) {
		if (strncmp(c->name, word, wl))
			continue;
		hit = c;
		n++;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", n > 1 ? ", " : "",
			 c->name);
	}
	if (n == 1)
		return hit;
	if (n > 1)
		usage_err(err, "ambiguous command '%s': %s", word, names);
	else
		usage_err(err, "unknown command '%s'", word);
	return NULL;
}

static void path_append(char *path, size_t len, const char *name)
{
	snprintf(path + strlen(path), len - strlen(path), "%s%s", path[0] ? " " : "", name);
}

/* Options and positionals of a leaf. */
static int parse_leaf_args(const struct ctl_cmd *leaf, int n, char **words, struct ctl_args *a, char *err)
{
	bool only_pos = false;
	int i, k;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < n; i++) {
		const char *w = words[i];

		if (!only_pos && !strcmp(w, "--")) {
			only_pos = true;
			continue;
		}
		if (only_pos || w[0] != '-' || !w[1]) {
			if (a->n_pos == CTL_MAX_POS)
				return usage_err(err, "unexpected argument '%s'", w);
			a->pos[a->n_pos++] = w;
			continue;
		}
		const struct ctl_opt *o = NULL;
		const char *eq = strchr(w, '=');
		size_t nl = eq ? (size_t)(eq - w) : strlen(w);

		for (k = 0; leaf->opts && leaf->opts[k].name; k++)
			if (strlen(leaf->opts[k].name) == nl && !strncmp(leaf->opts[k].name, w, nl)) {
				o = &leaf->opts[k];
				break;
			}
		if (!o)
			return usage_err(err, "unknown option '%.*s'", (int)nl, w);
		if (a->set[k])
			return usage_err(err, "%s given twice", o->name);
		a->set[k] = true;
		if (!o->has_value) {
			if (eq)
				return usage_err(err, "%s takes no value", o->name);
			continue;
		}
		if (eq) {
			a->val[k] = eq + 1;
		} else {
			if (i + 1 >= n)
				return usage_err(err, "%s needs a value", o->name);
			a->val[k] = words[++i];
		}
	}
	return 0;
}

/* Global options may stand anywhere before "--"; -o/--socket take a value. */
static int take_global(int argc, char **argv, struct ctl_parsed *out, char **words, int *n_words,
		       bool *help, char *err)
{
	int i, n = 0;
	bool rest = false;

	for (i = 1; i < argc; i++) {
		const char *w = argv[i], *v = NULL;

		if (rest || w[0] != '-') {
			words[n++] = argv[i];
			continue;
		}
		if (!strcmp(w, "--")) {
			rest = true;
			words[n++] = argv[i];
		} else if (!strcmp(w, "-h") || !strcmp(w, "--help")) {
			*help = true;
		} else if (!strcmp(w, "-o") || !strcmp(w, "--output") || !strcmp(w, "--socket")) {
			if (i + 1 >= argc)
				return usage_err(err, "%s needs a value", w);
			v = argv[++i];
		} else if (!strncmp(w, "-o", 2) && w[2] != '-' ) {
			v = w[2] == '=' ? w + 3 : w + 2;
			w = "-o";
		} else if (!strncmp(w, "--output=", 9) || !strncmp(w, "--socket=", 9)) {
			v = w + 9;
		} else {
			words[n++] = argv[i];	/* a command's own option */
		}
		if (!v)
			continue;
		if (!strncmp(w, "--socket", 8)) {
			if (!v[0])
				return usage_err(err, "--socket: empty path");
			out->socket = v;
		} else if (!strcmp(v, "table")) {
			out->output = CTL_OUT_TABLE;
		} else if (!strcmp(v, "json")) {
			out->output = CTL_OUT_JSON;
		} else {
			return usage_err(err, "-o '%s': expected table or json", v);
		}
	}
	*n_words = n;
	return 0;
}

int ctl_parse(int argc, char **argv, struct ctl_parsed *out, char *err)
{
	const struct ctl_cmd *node = &ctl_root, *c;
	struct ctl_args args;
	bool help = false;
	char **words;
	int n = 0, i = 0, ret;

	memset(out, 0, sizeof(*out));
	out->node = &ctl_root;
	out->socket = getenv("XLB_SOCKET");
	if (!out->socket || !out->socket[0])
		out->socket = CTL_DEFAULT_SOCKET;
	words = calloc((size_t)argc + 1, sizeof(*words));
	if (!words)
		return usage_err(err, "out of memory");
	if ((ret = take_global(argc, argv, out, words, &n, &help, err)))
		goto out;

	/* "help [COMMAND...]" is "COMMAND... --help" */
	if (n > 0 && !strcmp(words[0], "help")) {
		help = true;
		i = 1;
	}
	while (node->sub && i < n) {
		if (!(c = find_child(node, words[i], err))) {
			ret = -EINVAL;
			goto out;
		}
		if (!strcmp(c->name, "help") && node == &ctl_root) {
			help = true;
			i++;
			continue;
		}
		node = c;
		out->node = node;
		path_append(out->cmd_path, sizeof(out->cmd_path), node->name);
		i++;
	}
	if (help) {
		ret = CTL_PARSE_HELP;
		goto out;
	}
	if (node->sub) {
		ret = node == &ctl_root ? usage_err(err, "missing command")
					: usage_err(err, "%s: missing command", out->cmd_path);
		goto out;
	}
	if ((ret = parse_leaf_args(node, n - i, words + i, &args, err)))
		goto out;
	ret = node->handler(node, &args, &out->req, err);
	if (ret < 0)
		ctl_parsed_free(out);
out:
	free(words);
	return ret;
}

void ctl_parsed_free(struct ctl_parsed *p)
{
	free(p->req.body);
	p->req.body = NULL;
	p->req.body_len = 0;
}

/* ---- help, generated from the table ---- */

static void print_leaf_line(FILE *f, const char *prefix, const struct ctl_cmd *c)
{
	char line[160];

	snprintf(line, sizeof(line), "%s%s%s%s", prefix, c->name, c->usage[0] ? " " : "", c->usage);
	if (strlen(line) <= 44)
		fprintf(f, "  %-44s %s\n", line, c->help);
	else
		fprintf(f, "  %s\n  %-44s %s\n", line, "", c->help);
}

static void print_tree(FILE *f, const struct ctl_cmd *node, const char *prefix)
{
	const struct ctl_cmd *c;
	char p[64];

	for (c = node->sub; c->name; c++) {
		if (c->sub) {
			snprintf(p, sizeof(p), "%s%s ", prefix, c->name);
			print_tree(f, c, p);
		} else {
			print_leaf_line(f, prefix, c);
		}
	}
}

static const char help_tail[] =
	"\nArguments:\n"
	"  VIP     ADDR:PORT/PROTO | [V6ADDR]:PORT/PROTO   (PORT 0 = all ports; PROTO tcp|udp)\n"
	"  ADDR    a backend's IPv4 or IPv6 address\n"
	"  CLIENT  ADDR:PORT | [V6ADDR]:PORT\n"
	"\nOptions:\n"
	"  --socket PATH   xlbd's API socket (env XLB_SOCKET, default " CTL_DEFAULT_SOCKET ")\n"
	"  -o table|json   output format (json: the daemon's reply)\n"
	"  -h, --help      help; `xlbctl help COMMAND` for one command\n"
	"\nCommands may be shortened to any unique prefix (`xlbctl v l` = `xlbctl vip list`).\n"
	"Exit status: 0 success, 1 xlbd refused (its message on stderr), 2 usage error.\n";

void ctl_print_usage(FILE *f, const struct ctl_cmd *node, const char *path)
{
	const struct ctl_cmd *c;

	if (node == &ctl_root) {
		fprintf(f, "usage: xlbctl [--socket PATH] [-o table|json] COMMAND [ARGS]\n");
		return;
	}
	if (!node->sub) {
		fprintf(f, "usage: xlbctl %s%s%s\n", path, node->usage[0] ? " " : "", node->usage);
		return;
	}
	for (c = node->sub; c->name; c++)
		fprintf(f, "%s xlbctl %s %s%s%s\n", c == node->sub ? "usage:" : "      ", path, c->name,
			c->usage[0] ? " " : "", c->usage);
}

void ctl_print_help(FILE *f, const struct ctl_cmd *node, const char *path)
{
	char prefix[80];

	if (node == &ctl_root) {
		ctl_print_usage(f, node, path);
		fprintf(f, "\nCommands:\n");
		print_tree(f, node, "");
		fputs(help_tail, f);
		return;
	}
	if (!node->sub) {
		ctl_print_usage(f, node, path);
		fprintf(f, "\n%s\n", node->help);
		return;
	}
	fprintf(f, "xlbctl %s: %s\n\nCommands:\n", path, node->help);
	snprintf(prefix, sizeof(prefix), "%s ", path);
	print_tree(f, node, prefix);
}
