// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * table.c - a column table for xlbctl's output: left-aligned cells, one
 * space between columns, each column as wide as its widest cell (so long
 * IPv6 addresses never break the layout), trailing spaces trimmed.
 * Returns 0 or -ENOMEM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlbctl.h"

struct ctl_table {
	int n_cols;
	size_t n_rows, cap;
	char **cells;		/* (1 + n_rows) * n_cols, row 0 = headers; "" when empty */
};

struct ctl_table *ctl_table_new(int n_cols, const char *const *headers)
{
	struct ctl_table *t;

	if (n_cols < 1 || n_cols > CTL_TABLE_MAX_COLS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->n_cols = n_cols;
	if (ctl_table_add(t, n_cols, headers)) {
		ctl_table_free(t);
		return NULL;
	}
	return t;
}

int ctl_table_add(struct ctl_table *t, int n, const char *const *cells)
{
	char **row;
	int i;

	if (t->n_rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, cap * t->n_cols * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		t->cells = nc;
		t->cap = cap;
	}
	row = t->cells + t->n_rows * t->n_cols;
	for (i = 0; i < t->n_cols; i++) {
		row[i] = strdup(i < n && cells[i] ? cells[i] : "");
		if (!row[i]) {
			while (i--)
				free(row[i]);
			return -ENOMEM;
		}
	}
	t->n_rows++;
	return 0;
}

void ctl_table_print(const struct ctl_table *t, FILE *f)
{
	size_t w[CTL_TABLE_MAX_COLS] = { 0 }, r;
	int c, last;

	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_cols; c++) {
			size_t l = strlen(t->cells[r * t->n_cols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r < t->n_rows; r++) {
		char **row = t->cells + r * t->n_cols;

		for (last = t->n_cols - 1; last > 0 && !row[last][0]; last--)
			;
		for (c = 0; c <= last; c++) {
			if (c == last)
				fprintf(f, "%s\n", row[c]);
			else
				fprintf(f, "%-*s ", (int)w[c], row[c]);
		}
	}
}

void ctl_table_free(struct ctl_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
