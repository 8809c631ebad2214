// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * config_errors.c - messages of the YAML loader that point at the line.
 *
 * libcyaml reports an error as a message ("Unexpected key: wieght") and a
 * backtrace of the enclosing mappings/sequences with their lines. We turn
 * that into the model's path syntax ("vips[0].backends[1]") and then find the
 * exact line and column of the offending key by walking the document with
 * libyaml (xlb_yaml_locate), which also places errors found after loading
 * ("vips[0].backends[1].weight: 70000 is out of range").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "config_int.h"
#include "model.h"


void xlb_cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct xlb_cyaml_log *log = ctx;
	int n;

	if (level < CYAML_LOG_ERROR || log->n + 1 >= sizeof(log->text))
		return;
	n = vsnprintf(log->text + log->n, sizeof(log->text) - log->n, fmt, args);
	if (n > 0)
		log->n += (size_t)n < sizeof(log->text) - log->n ? (size_t)n : sizeof(log->text) - log->n - 1;
}

/* ---- libyaml walk: where is PATH ---- */

#define MAX_DEPTH 64
#define PATH_LEN 256

struct frame {
	bool map;		/* else sequence */
	bool in_key;		/* map: next scalar is a key */
	unsigned next;		/* sequence: index of the next entry */
	char path[PATH_LEN];
	char key[PATH_LEN];
};

struct locate {
	const char *target;
	bool want_key;
	int found;		/* -ENOENT, 1 (a parent), 0 (exact) */
	yaml_mark_t mark;
};

/* Note a node (or key) at path p with mark m. Returns true when done. */
static bool consider(struct locate *l, const char *p, yaml_mark_t m)
{
	size_t n = strlen(p);

	if (!strcmp(p, l->target)) {
		l->found = 0;
		l->mark = m;
		return true;
	}
	if (!strncmp(p, l->target, n) && (n == 0 || l->target[n] == '.' || l->target[n] == '[')) {
		l->found = 1;
		l->mark = m;
	}
	return false;
}

/* The path of the node that starts now under frame f (NULL: document root). */
static void child_path(struct frame *f, char *out)
{
	if (!f)
		out[0] = '\0';
	else if (f->map)
		xlb_strf(out, PATH_LEN, "%s%s%s", f->path, f->path[0] ? "." : "", f->key);
	else
		xlb_strf(out, PATH_LEN, "%s[%u]", f->path, f->next++);
}

int xlb_yaml_locate(const char *yaml, size_t len, const char *path, enum xlb_yaml_at at, int *line, int *col)
{
	struct locate l = { .target = path, .want_key = at != XLB_YAML_VALUE, .found = -ENOENT };
	struct frame *st = calloc(MAX_DEPTH, sizeof(*st));
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0;
	bool done = false;

	if (!st || !yaml_parser_initialize(&parser)) {
		free(st);
		return -ENOENT;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	while (!done && yaml_parser_parse(&parser, &ev)) {
		struct frame *top = depth ? &st[depth - 1] : NULL;
		yaml_event_type_t t = ev.type;
		char p[PATH_LEN];

		if (t == YAML_STREAM_END_EVENT)
			done = true;
		else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
			depth--;
			if (depth && st[depth - 1].map)
				st[depth - 1].in_key = true;
		} else if (top && top->map && top->in_key && t == YAML_SCALAR_EVENT) {
			xlb_strf(top->key, PATH_LEN, "%s", (const char *)ev.data.scalar.value);
			top->in_key = false;
			child_path(top, p);
			if (l.want_key)
				done = consider(&l, p, ev.start_mark) && at != XLB_YAML_LAST_KEY;
		} else if (t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT || t == YAML_MAPPING_START_EVENT ||
			   t == YAML_SEQUENCE_START_EVENT) {
			child_path(top, p);
			if (!(l.want_key && !strcmp(p, l.target)))
				done = consider(&l, p, ev.start_mark);
			if (top && top->map)
				top->in_key = true;
			if ((t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) && !done) {
				if (depth == MAX_DEPTH)
					done = true;
				else {
					struct frame *f = &st[depth++];

					memset(f, 0, sizeof(*f));
					f->map = t == YAML_MAPPING_START_EVENT;
					f->in_key = f->map;
					xlb_strf(f->path, PATH_LEN, "%s", p);
				}
				if (top && top->map)
					top->in_key = false;	/* until this container ends */
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(st);
	if (l.found >= 0) {
		*line = (int)l.mark.line + 1;
		*col = (int)l.mark.column + 1;
	}
	return l.found;
}

/* libyaml's own description of a syntax error: true when there is one. */
static bool syntax_error(const char *yaml, size_t len, char *msg, size_t n, int *line, int *col)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	bool failed = false;

	if (!yaml_parser_initialize(&parser))
		return false;
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			failed = true;
			break;
		}
		yaml_event_type_t t = ev.type;

		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	if (failed) {
		*line = (int)parser.problem_mark.line + 1;
		*col = (int)parser.problem_mark.column + 1;
		xlb_strf(msg, n, "YAML syntax error: %s%s%s%s", parser.problem ? parser.problem : "unknown",
			 parser.context ? " (" : "", parser.context ? parser.context : "",
			 parser.context ? ")" : "");
	}
	yaml_parser_delete(&parser);
	return failed;
}

/* A document that is only "---", "~" or "null": libcyaml calls it a bad value. */
static bool null_document(const char *yaml, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	bool null = false;
	int nodes = 0;

	if (!yaml_parser_initialize(&parser))
		return false;
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	while (nodes < 2 && yaml_parser_parse(&parser, &ev)) {
		yaml_event_type_t t = ev.type;

		if (t == YAML_SCALAR_EVENT) {
			const char *v = (const char *)ev.data.scalar.value;

			null = ev.data.scalar.plain_implicit &&
			       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
			nodes++;
		} else if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT ||
			   t == YAML_ALIAS_EVENT) {
			nodes = 2;
		}
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return null && nodes == 1;
}

/* ---- libcyaml's log -> our words ---- */

static const char *kind(const char *cyaml_word)
{
	static const struct { const char *in, *out; } words[] = {
		{ "STRING", "a single value" }, { "SCALAR", "a single value" },
		{ "MAPPING_START", "a mapping" }, { "MAPPING", "a mapping" },
		{ "SEQUENCE_START", "a list" }, { "SEQUENCE", "a list" }, { "ALIAS", "an alias" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(cyaml_word, words[i].in))
			return words[i].out;
	return cyaml_word;
}

/* Does line `line` (1-based) read "vip: [" - an IPv6 VIP YAML took for a list? */
static bool unquoted_v6_vip(const char *yaml, size_t len, int line)
{
	const char *p = yaml, *end = yaml + len, *eol;

	for (int l = 1; l < line && p < end; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return false;
		p++;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	for (const char *v = p; v + 4 < eol; v++) {
		if (!memcmp(v, "vip:", 4)) {
			for (v += 4; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			return v < eol && *v == '[';
		}
	}
	return false;
}

struct bt_entry {
	char field[64];		/* mapping field name, "" if none */
	int entry;		/* sequence entry index, -1 if none */
	int line, col;
};

/* Parse the backtrace lines (innermost first); returns their count. */
static int backtrace(const char *text, struct bt_entry *bt, int max)
{
	const char *p = strstr(text, "Backtrace:");
	int n = 0;

	while (p && (p = strstr(p, "  in ")) && n < max) {
		struct bt_entry *e = &bt[n];
		unsigned idx;

		p += 5;
		memset(e, 0, sizeof(*e));
		e->entry = -1;
		if (sscanf(p, "mapping field '%63[^']' (line: %d, column: %d)", e->field, &e->line, &e->col) == 3 ||
		    sscanf(p, "mapping (line: %d, column: %d)", &e->line, &e->col) == 2)
			n++;
		else if (sscanf(p, "sequence entry '%u' (line: %d, column: %d)", &idx, &e->line, &e->col) == 3) {
			e->entry = idx ? (int)idx - 1 : 0;	/* libcyaml counts entries from 1 once started */
			n++;
		}
	}
	return n;
}

static void append(char *path, size_t size, const struct bt_entry *e)
{
	size_t n = strlen(path);

	if (e->entry >= 0)
		xlb_strf(path + n, size - n, "[%d]", e->entry);
	else if (e->field[0])
		xlb_strf(path + n, size - n, "%s%s", n ? "." : "", e->field);
}

void xlb_config_describe_cyaml(const char *name, const char *yaml, size_t len,
			       const struct xlb_cyaml_log *log, const char *fallback, char *err)
{
	char first[160] = "", path[PATH_LEN] = "", what[200], arg[64] = "", got[32], want[32], target[PATH_LEN];
	struct bt_entry bt[MAX_DEPTH];
	int n, line = 0, col = 0, sline, scol;
	enum xlb_yaml_at key = XLB_YAML_VALUE;
	const char *hint = "";
	unsigned min;

	if (syntax_error(yaml, len, what, sizeof(what), &sline, &scol)) {
		xlb_strf(err, XLB_ERR_LEN, "%.100s:%d:%d: %s%s", name, sline, scol, what,
		    unquoted_v6_vip(yaml, len, sline) ? " (quote IPv6 VIPs: \"[2001:db8::10]:80/tcp\")" : "");
		return;
	}
	if (null_document(yaml, len)) {
		xlb_strf(err, XLB_ERR_LEN, "%.100s: empty configuration (expected keys interfaces, settings, vips)", name);
		return;
	}
	sscanf(log->text, "Load: %159[^\n]", first);
	n = backtrace(log->text, bt, MAX_DEPTH);
	if (n) {
		line = bt[0].line;
		col = bt[0].col;
	}
	if (sscanf(first, "Missing required mapping field: %63[^\n]", arg) == 1 && n && bt[0].field[0])
		memmove(bt, bt + 1, (size_t)--n * sizeof(bt[0]));	/* names the last key seen, not the owner */
	if (strstr(first, "Insufficient entries") && n && bt[0].entry >= 0)
		memmove(bt, bt + 1, (size_t)--n * sizeof(bt[0]));	/* the list, not an entry */
	for (int i = n - 1; i >= 0; i--)
		append(path, sizeof(path), &bt[i]);

	if (sscanf(first, "Unexpected key: %63[^\n]", arg) == 1) {
		xlb_strf(what, sizeof(what), "unexpected key '%s'", arg);
		xlb_strf(target, sizeof(target), "%s%s%s", path, path[0] ? "." : "", arg);
		key = XLB_YAML_KEY;
	} else if (sscanf(first, "Missing required mapping field: %63[^\n]", arg) == 1) {
		xlb_strf(what, sizeof(what), "missing required key '%s'", arg);
		xlb_strf(target, sizeof(target), "%s", path);
	} else if (sscanf(first, "Mapping field already seen: %63[^\n]", arg) == 1) {
		xlb_strf(what, sizeof(what), "key '%s' given twice", arg);
		xlb_strf(target, sizeof(target), "%s", path);
		key = XLB_YAML_LAST_KEY;	/* point at the second one */
		size_t pl = strlen(path), al = strlen(arg);

		if (pl >= al && !strcmp(path + pl - al, arg))	/* the path of the mapping, not the key */
			path[pl > al ? pl - al - 1 : 0] = '\0';
	} else if (sscanf(first, "Insufficient entries (%*u of %u min)", &min) == 1) {
		xlb_strf(what, sizeof(what), "needs at least %u entr%s", min, min == 1 ? "y" : "ies");
		xlb_strf(target, sizeof(target), "%s", path);
	} else if (sscanf(first, "Expecting %31[A-Z_], got event: %31[A-Z_]", want, got) == 2) {
		size_t pl = strlen(path);

		if (pl >= 4 && !strcmp(path + pl - 4, ".vip") && !strcmp(got, "SEQUENCE_START"))
			hint = " (quote IPv6 VIPs: \"[2001:db8::10]:80/tcp\")";
		else if (!strcmp(want, "STRING") && !strcmp(got, "SEQUENCE_START"))
			hint = " (quote values that start with '[')";
		xlb_strf(what, sizeof(what), "expected %s, got %s%s", kind(want), kind(got), hint);
		xlb_strf(target, sizeof(target), "%s", path);
	} else {
		xlb_strf(what, sizeof(what), "%s", first[0] ? first : fallback);
		xlb_strf(target, sizeof(target), "%s", path);
	}
	if (target[0] && xlb_yaml_locate(yaml, len, target, key, &sline, &scol) == 0) {
		line = sline;
		col = scol;
	}
	if (line)
		xlb_strf(err, XLB_ERR_LEN, "%.100s:%d:%d: %s%s%s", name, line, col, path, path[0] ? ": " : "",
			 what);
	else
		xlb_strf(err, XLB_ERR_LEN, "%.100s: %s%s%s", name, path, path[0] ? ": " : "", what);
}

void xlb_config_describe_path(const char *name, const char *yaml, size_t len, const char *msg, char *err)
{
	const char *colon = strstr(msg, ": ");
	char path[PATH_LEN];
	size_t n = colon ? (size_t)(colon - msg) : 0;
	int line, col;

	/* a path has no spaces; anything else is a message without one */
	if (n && n < sizeof(path) && !memchr(msg, ' ', n)) {
		memcpy(path, msg, n);
		path[n] = '\0';
		if (xlb_yaml_locate(yaml, len, path, XLB_YAML_VALUE, &line, &col) >= 0) {
			xlb_strf(err, XLB_ERR_LEN, "%.100s:%d:%d: %s", name, line, col, msg);
			return;
		}
	}
	xlb_strf(err, XLB_ERR_LEN, "%.100s: %s", name, msg);
}
