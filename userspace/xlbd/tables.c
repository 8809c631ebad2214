// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tables.c - Maglev tables of a VIP from its backends; contract in tables.h.
 */
#include "tables.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "maglev.h"

int table_build(const struct table_input *in, size_t n, uint32_t size, uint32_t *table)
{
	struct maglev_backend *mb = NULL;
	int err;

	if (n) {
		mb = calloc(n, sizeof(*mb));
		if (!mb)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		maglev_key_from_addr(mb[i].key, in[i].addr.family, in[i].addr.addr);
		mb[i].weight = in[i].weight;
		mb[i].id = in[i].id;
	}
	err = maglev_build(mb, n, table, size);
	free(mb);
	return err;
}

static int cmp_input(const void *a, const void *b)
{
	return xlb_addr_cmp(&((const struct table_input *)a)->addr,
			    &((const struct table_input *)b)->addr);
}

static struct table_input *sorted_copy(const struct table_input *in, size_t n)
{
	struct table_input *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	if (n)
		memcpy(s, in, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_input);
	return s;
}

static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t table_input_sig(const struct table_input *in, size_t n, uint32_t size)
{
	struct table_input *s = sorted_copy(in, n);
	uint64_t h = 0xcbf29ce484222325ull;

	if (!s)
		return 0;	/* never equal to a real signature in practice: forces a rebuild */
	h = fnv(h, &size, sizeof(size));
	for (size_t i = 0; i < n; i++) {
		h = fnv(h, &s[i].addr.family, 1);
		h = fnv(h, s[i].addr.addr, sizeof(s[i].addr.addr));
		h = fnv(h, &s[i].weight, sizeof(s[i].weight));
		h = fnv(h, &s[i].id, sizeof(s[i].id));
	}
	free(s);
	return h ? h : 1;
}

struct id_rank {
	uint32_t id, rank;
};

static int cmp_id(const void *a, const void *b)
{
	uint32_t x = ((const struct id_rank *)a)->id, y = ((const struct id_rank *)b)->id;

	return x < y ? -1 : x > y;
}

uint64_t table_fingerprint(const uint32_t *table, uint32_t size, const struct table_input *in, size_t n)
{
	struct table_input *s = sorted_copy(in, n);
	struct id_rank *map = malloc((n ? n : 1) * sizeof(*map));
	uint32_t *canon = malloc((size_t)size * sizeof(*canon));
	uint64_t fp = 0;

	if (!s || !map || !canon)
		goto out;
	for (size_t i = 0; i < n; i++)
		map[i] = (struct id_rank){ s[i].id, (uint32_t)i };
	qsort(map, n, sizeof(*map), cmp_id);
	/* ids of one VIP are mostly close together: a dense id -> rank array
	 * beats a bsearch per slot; sparse ids fall back to the bsearch */
	if (n && map[n - 1].id - map[0].id < 4 * n + 4096) {
		uint32_t lo = map[0].id, span = map[n - 1].id - lo + 1;
		uint32_t *dense = malloc((size_t)span * sizeof(*dense));

		if (!dense)
			goto out;
		for (uint32_t i = 0; i < span; i++)
			dense[i] = XLB_BACKEND_NONE;
		for (size_t i = 0; i < n; i++)
			dense[map[i].id - lo] = map[i].rank;
		for (uint32_t i = 0; i < size; i++)
			canon[i] = table[i] >= lo && table[i] - lo < span ? dense[table[i] - lo]
									  : XLB_BACKEND_NONE;
		free(dense);
	} else {
		for (uint32_t i = 0; i < size; i++) {
			struct id_rank k = { table[i], 0 }, *hit;

			hit = table[i] == XLB_BACKEND_NONE ? NULL : bsearch(&k, map, n, sizeof(*map), cmp_id);
			canon[i] = hit ? hit->rank : XLB_BACKEND_NONE;
		}
	}
	fp = maglev_fingerprint(canon, size);
	for (size_t i = 0; i < n; i++)	/* which addresses the ranks stand for */
		fp = fnv(fnv(fp, &s[i].addr.family, 1), s[i].addr.addr, sizeof(s[i].addr.addr));
out:
	free(s);
	free(map);
	free(canon);
	return fp;
}

uint32_t table_slots_of(const uint32_t *table, uint32_t size, uint32_t id)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < size; i++)
		n += table[i] == id;
	return n;
}
