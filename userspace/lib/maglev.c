// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * maglev.c - weighted Maglev table population (Eisenbud et al., NSDI'16).
 *
 * Semantics (fixed forever: two hosts with the same backends must agree):
 *  - backends are sorted by key (memcmp), so input order never matters;
 *  - backend b tries slots offset_b, offset_b + skip_b, ... (mod M) with
 *    offset = XXH64(key, SEED_OFFSET) % M, skip = XXH64(key, SEED_SKIP) %
 *    (M - 1) + 1, and takes the first free one;
 *  - turns: in each turn every backend, in key order, gains weight/max_weight
 *    of credit and places one slot when its credit reaches one. The
 *    heaviest backends place every turn; a backend with half the weight
 *    every other turn. So slot counts follow weights within one slot.
 *
 * Speed: the fill (maglev_fill.c) gives exactly the paper's result without
 * its costs; here, the input is sorted only when it is not in key order
 * already, and scratch memory is reused between builds (below).
 *
 * Measured (2-core EPYC VM, N = 1000, M = 65537, equal weights): ~0.45 ms
 * alone, ~0.6 ms alternated with the textbook loop (it evicts our state),
 * ~0.3x that loop; the paper reports 1.8 ms. Details in maglev_fill.c.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "maglev.h"
#include "maglev_fill.h"
#include "xlb_types.h"

#define SEED_OFFSET 0x786c622d6f666673ull	/* "xlb-offs" */
#define SEED_SKIP   0x786c622d736b6970ull	/* "xlb-skip" */

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline uint32_t rd32le(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

/* XXH64 of 20 bytes (its short-input path; matches libxxhash), byte order explicit. */
static uint64_t hash_key(const uint8_t key[20], uint64_t seed)
{
	uint64_t h = seed + P5 + 20;

	for (int i = 0; i < 16; i += 8) {
		uint64_t k = rotl64(rd64le(key + i) * P2, 31) * P1;

		h ^= k;
		h = rotl64(h, 27) * P1 + P4;
	}
	h ^= (uint64_t)rd32le(key + 16) * P1;
	h = rotl64(h, 23) * P2 + P3;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

static uint32_t powmod(uint64_t b, uint32_t e, uint32_t m)
{
	uint64_t r = 1;

	b %= m;
	while (e) {
		if (e & 1)
			r = r * b % m;
		b = b * b % m;
		e >>= 1;
	}
	return (uint32_t)r;
}

/* Miller-Rabin with bases 2, 7, 61: exact for every n < 2^32. */
int maglev_is_prime(uint32_t n)
{
	static const uint32_t bases[] = { 2, 7, 61 };
	uint32_t d = n - 1;
	int s = 0;

	if (n < 2)
		return 0;
	if (n < 4)
		return 1;
	if (!(n & 1))
		return 0;
	while (!(d & 1)) {
		d >>= 1;
		s++;
	}
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint64_t x;
		int r;

		if (bases[i] % n == 0)
			continue;
		x = powmod(bases[i], d, n);
		if (x == 1 || x == n - 1)
			continue;
		for (r = 1; r < s; r++) {
			x = x * x % n;
			if (x == n - 1)
				break;
		}
		if (r == s)
			return 0;
	}
	return 1;
}

static int size_ok(uint32_t size)
{
	return size >= 2 && size <= XLB_MAGLEV_MAX_SIZE && maglev_is_prime(size);
}

static void permutation(const uint8_t key[20], uint32_t size, uint32_t *offset, uint32_t *skip)
{
	*offset = (uint32_t)(hash_key(key, SEED_OFFSET) % size);
	*skip = (uint32_t)(hash_key(key, SEED_SKIP) % (size - 1)) + 1;
}

int maglev_permutation(const uint8_t key[20], uint32_t size, uint32_t *offset, uint32_t *skip)
{
	if (!size_ok(size))
		return -EINVAL;
	permutation(key, size, offset, skip);
	return 0;
}

uint64_t maglev_fingerprint(const uint32_t *table, uint32_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint32_t i = 0; i < size; i++) {
		for (int b = 0; b < 32; b += 8) {
			h ^= (table[i] >> b) & 0xff;
			h *= 0x100000001b3ull;
		}
	}
	return h;
}

uint32_t maglev_diff(const uint32_t *a, const uint32_t *b, uint32_t size)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < size; i++)
		n += a[i] != b[i];
	return n;
}

void maglev_key_from_addr(uint8_t key[20], uint8_t family, const uint32_t addr[4])
{
	memset(key, 0, 20);
	key[0] = family;
	/* IPv4 lives in word 0; ignore words 1..3 so stray bits cannot move slots */
	memcpy(key + 1, addr, family == XLB_AF_INET ? 4 : 16);
}

/* ---- the builder ---- */

/* A key as three big-endian integers, so memcmp order is integer order. */
struct sort_rec {
	uint64_t k0, k1;
	uint32_t k2;
	uint32_t idx;
};

static inline struct sort_rec rec_of(const uint8_t key[20], uint32_t idx)
{
	struct sort_rec r = { .idx = idx };
	uint32_t k2;

	memcpy(&r.k0, key, 8);
	memcpy(&r.k1, key + 8, 8);
	memcpy(&k2, key + 16, 4);
	r.k0 = be64toh(r.k0);
	r.k1 = be64toh(r.k1);
	r.k2 = be32toh(k2);
	return r;
}

/* <0, 0, >0 like memcmp of the keys */
static inline int rec_cmp(const struct sort_rec *a, const struct sort_rec *b)
{
	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	return (a->k2 > b->k2) - (a->k2 < b->k2);
}

/* Bottom-up merge sort with the comparison inlined (qsort's callbacks cost ~35 us for 1000). */
static struct sort_rec *sort_recs(struct sort_rec *a, struct sort_rec *tmp, size_t n)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				tmp[k++] = rec_cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		struct sort_rec *t = a;

		a = tmp;
		tmp = t;
	}
	return a;
}

/*
 * Scratch memory, kept per thread between builds. Fresh pages cost a fault
 * each on first touch (~10 us apiece in this VM: 80 of them made N = 5000
 * slower than the textbook), and glibc hands blocks over ~128 KiB straight
 * from mmap and back, so without reuse every build paid them again.
 * Blocks above SCRATCH_KEEP are returned after the build.
 */
#define SCRATCH_KEEP (8u << 20)

static _Thread_local struct {
	void *mem;
	size_t cap;
} scratch;

static void *scratch_get(size_t bytes)
{
	if (bytes > scratch.cap) {
		free(scratch.mem);
		scratch.cap = 0;
		scratch.mem = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
		if (!scratch.mem)
			return NULL;
		scratch.cap = bytes;
	}
	return scratch.mem;
}

static void scratch_put(void)
{
	if (scratch.cap > SCRATCH_KEEP)
		maglev_free_scratch();
}

void maglev_free_scratch(void)
{
	free(scratch.mem);
	scratch.mem = NULL;
	scratch.cap = 0;
}

int maglev_build(const struct maglev_backend *backends, size_t n, uint32_t *table, uint32_t size)
{
	struct sort_rec *sorted = NULL;
	struct maglev_lane *lanes;
	struct barrett mod_m, mod_m1;
	uint32_t active = 0, *weight;
	size_t at_weight, at_recs, at_fill, total;
	int need_sort = 0;
	uint8_t *mem;

	if (!table || (n && !backends) || !size_ok(size) || n > UINT32_MAX)
		return -EINVAL;
	/* key order: often the input already is, then no sort is needed */
	for (size_t i = 1; i < n; i++) {
		struct sort_rec a = rec_of(backends[i - 1].key, 0), b = rec_of(backends[i].key, 0);
		int c = rec_cmp(&a, &b);

		if (c == 0)
			return -EINVAL;		/* duplicate key */
		if (c > 0) {
			need_sort = 1;
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		active += backends[i].weight != 0;

	at_weight = ((size_t)active * sizeof(*lanes) + 63) & ~(size_t)63;
	at_recs = at_weight + (((size_t)active * 4 + 63) & ~(size_t)63);
	at_fill = at_recs + (need_sort ? 2 * n * sizeof(struct sort_rec) : 0);
	total = at_fill + (active ? maglev_fill_scratch_bytes(active, size) : 0);
	total = total ? total : 64;	/* n == 0 still gets a pointer that is not NULL */
	mem = scratch_get(total);
	if (!mem)
		return -ENOMEM;
	if (need_sort) {
		struct sort_rec *recs = (struct sort_rec *)(mem + at_recs);

		for (size_t i = 0; i < n; i++)
			recs[i] = rec_of(backends[i].key, (uint32_t)i);
		sorted = sort_recs(recs, recs + n, n);
		for (size_t i = 1; i < n; i++) {
			if (rec_cmp(&sorted[i - 1], &sorted[i]) == 0) {
				scratch_put();
				return -EINVAL;
			}
		}
	}
	if (!active) {
		for (uint32_t i = 0; i < size; i++)
			table[i] = XLB_BACKEND_NONE;
		scratch_put();
		return 0;
	}

	lanes = (struct maglev_lane *)mem;
	weight = (uint32_t *)(mem + at_weight);
	mod_m = barrett_of(size);
	mod_m1 = barrett_of(size - 1);
	for (size_t i = 0, j = 0; i < n; i++) {
		const struct maglev_backend *b = &backends[sorted ? sorted[i].idx : i];
		struct maglev_lane *ln = &lanes[j];
		uint32_t skip;

		if (!b->weight)
			continue;
		/* == hash % size and hash % (size - 1) + 1, as in maglev_permutation() */
		ln->pos = (uint32_t)barrett_mod(&mod_m, hash_key(b->key, SEED_OFFSET));
		skip = (uint32_t)barrett_mod(&mod_m1, hash_key(b->key, SEED_SKIP)) + 1;
		ln->m[0] = 0;
		for (int k = 1; k < 5; k++)
			ln->m[k] = add_mod(ln->m[k - 1], skip, size);
		ln->id = b->id;
		ln->inv = 0;
		weight[j++] = b->weight;
	}
	maglev_fill(lanes, weight, active, table, size, mem + at_fill);
	scratch_put();
	return 0;
}
