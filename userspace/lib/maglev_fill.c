// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * maglev_fill.c - the table fill of maglev_build(); contract in maglev_fill.h.
 *
 * The result is exactly the paper's loop (tests compare slot for slot):
 * turns in key order, each placing backend taking the first free slot of
 * offset, offset + skip, ... (mod M). What makes it fast:
 *  - no modulo per probe: occupancy has 2M entries (q and q + M agree), so
 *    pos + k * skip (pos < M, k * skip mod M precomputed) is tested as is;
 *  - w candidates per round (2, 4, then 8 as the table fills): independent
 *    loads and a loop exit that is rarely mispredicted;
 *  - searches of 8 placements first, claims after (see place_run);
 *  - the coupon-collector tail: when ~sqrt(M/2) slots are left, each free
 *    slot's distance along the permutation is computed instead of probing;
 *  - equal weights need no credit; a few heavy backends use a heap of turns.
 *
 * Where the time goes (N = 1000, M = 65537, ~0.45 ms alone): filling to 70%
 * ~40%, at ~35 instructions per placement; 70% to the tail ~45%, bound by
 * ~300k probe loads and about one mispredicted loop exit per placement;
 * the tail ~10%. Tried and dropped: a bitmap at this size (fits L1, but
 * more instructions per probe: ~10% slower), 16 probes per AVX-512 gather
 * (no faster: a gather is 16 loads through the same ports), wider rounds.
 */
#include <string.h>
#include "maglev_fill.h"

/* Inverse of a mod m (m prime, 0 < a < m); 32-bit division is the cheap kind. */
static uint32_t inverse_mod(uint32_t a, uint32_t m)
{
	int32_t t = 0, nt = 1;
	uint32_t r = m, nr = a;

	while (nr) {
		uint32_t q = r / nr, tr;
		int32_t tt;

		tt = t - (int32_t)q * nt; t = nt; nt = tt;
		tr = r - q * nr; r = nr; nr = tr;
	}
	return (uint32_t)(t < 0 ? t + (int32_t)m : t);
}

/*
 * Occupancy of 2M entries where entry q and entry q + M always agree: a
 * candidate p + k * skip (p < M, k * skip mod M precomputed, < M) is then
 * tested as is, below 2M, with no reduction mod M per probe. One byte per
 * entry (one load per probe) while 2M bytes stay in L2 (M <= BYTEMAP_MAX);
 * a bitmap above that, which stays 8x smaller at a few more instructions.
 */
#define BYTEMAP_MAX 131071u

static inline __attribute__((always_inline)) uint32_t
taken_at(const void *occ, uint32_t c, const int bits)
{
	if (bits)
		return (uint32_t)(((const uint64_t *)occ)[c >> 6] >> (c & 63)) & 1;
	return ((const uint8_t *)occ)[c];
}

static inline __attribute__((always_inline)) void
occ_set(void *occ, uint32_t q, uint32_t size, const int bits)
{
	if (bits) {
		uint64_t *o = occ;

		o[q >> 6] |= 1ull << (q & 63);
		q += size;
		o[q >> 6] |= 1ull << (q & 63);
	} else {
		((uint8_t *)occ)[q] = 1;
		((uint8_t *)occ)[q + size] = 1;
	}
}

static size_t occ_bytes(uint32_t size)
{
	return size <= BYTEMAP_MAX ? 2 * (size_t)size : (2 * (size_t)size + 63) / 64 * 8;
}

/*
 * First free slot of ln's permutation from p, testing w candidates
 * per round (all independent loads, one loop exit test). w follows the fill:
 * it is chosen so that "all w taken" is rare, so the exit is predicted
 * right, and the few extra probes cost less than a mispredicted branch.
 */
static inline __attribute__((always_inline)) uint32_t
first_free(const void *occ, const struct maglev_lane *ln, uint32_t p, uint32_t size,
	   const unsigned w, const int bits)
{
	const uint32_t m1 = ln->m[1], m2 = ln->m[2], m3 = ln->m[3], m4 = ln->m[4];

	for (;;) {
		uint32_t taken, p4 = 0;

		taken = taken_at(occ, p, bits) | taken_at(occ, p + m1, bits) << 1;
		if (w >= 4)
			taken |= taken_at(occ, p + m2, bits) << 2 | taken_at(occ, p + m3, bits) << 3;
		if (w == 8) {
			p4 = add_mod(p, m4, size);
			taken |= taken_at(occ, p4, bits) << 4 | taken_at(occ, p4 + m1, bits) << 5 |
				 taken_at(occ, p4 + m2, bits) << 6 | taken_at(occ, p4 + m3, bits) << 7;
		}
		if (__builtin_expect(taken != (1u << w) - 1, 1)) {
			uint32_t k = (uint32_t)__builtin_ctz(~taken);
			uint32_t q = w == 2 ? p + ((taken & 1) ? m1 : 0) : (k < 4 ? p : p4) + ln->m[k & 3];

			return q >= size ? q - size : q;
		}
		p = w == 2 ? add_mod(p, m2, size) : add_mod(w == 8 ? p4 : p, m4, size);
	}
}

/*
 * Placements in batches: first every search of the batch against the
 * current occupancy (loads only), then the claims in order, each checking
 * that its slot was not claimed earlier in the batch (rare; then it probes
 * on from there). Searching and claiming in one loop measured ~25% slower
 * past half full: each search's loads waited on the previous claim's
 * stores (they sometimes alias), so independent searches became a chain.
 * seq: the placing backends are lanes[0..n) (equal weights), no index list.
 */
#define BATCH 8

static inline __attribute__((always_inline)) void
place_run(struct maglev_lane *lanes, const uint32_t *placing, uint32_t n, void *occ,
	  uint32_t *table, uint32_t size, const unsigned w, const int seq, const int bits)
{
	uint32_t found[BATCH];

	for (uint32_t j0 = 0; j0 < n; j0 += BATCH) {
		uint32_t nb = n - j0 < BATCH ? n - j0 : BATCH;

		for (uint32_t j = 0; j < nb; j++) {
			const struct maglev_lane *ln = &lanes[seq ? j0 + j : placing[j0 + j]];

			found[j] = first_free(occ, ln, ln->pos, size, w, bits);
		}
		for (uint32_t j = 0; j < nb; j++) {
			struct maglev_lane *ln = &lanes[seq ? j0 + j : placing[j0 + j]];
			uint32_t q = found[j];

			if (__builtin_expect(taken_at(occ, q, bits), 0))
				q = first_free(occ, ln, q, size, w, bits);
			occ_set(occ, q, size, bits);
			table[q] = ln->id;
			ln->pos = add_mod(q, ln->m[1], size);
		}
	}
}

typedef void place_fn(struct maglev_lane *lanes, const uint32_t *placing, uint32_t n, void *occ,
		      uint32_t *table, uint32_t size);

#define PLACE_FN(name, w, seq, bits)							\
	static void name(struct maglev_lane *l, const uint32_t *pl, uint32_t n, void *occ,	\
			 uint32_t *table, uint32_t size)				\
	{										\
		place_run(l, pl, n, occ, table, size, w, seq, bits);			\
	}
PLACE_FN(place_w2_list_bytes, 2, 0, 0)
PLACE_FN(place_w4_list_bytes, 4, 0, 0)
PLACE_FN(place_w8_list_bytes, 8, 0, 0)
PLACE_FN(place_w2_seq_bytes, 2, 1, 0)
PLACE_FN(place_w4_seq_bytes, 4, 1, 0)
PLACE_FN(place_w8_seq_bytes, 8, 1, 0)
PLACE_FN(place_w2_list_bits, 2, 0, 1)
PLACE_FN(place_w4_list_bits, 4, 0, 1)
PLACE_FN(place_w8_list_bits, 8, 0, 1)
PLACE_FN(place_w2_seq_bits, 2, 1, 1)
PLACE_FN(place_w4_seq_bits, 4, 1, 1)
PLACE_FN(place_w8_seq_bits, 8, 1, 1)

/* [bits][seq][phase]: each loop compiled for its case, constants folded in */
static place_fn *const place_fns[2][2][3] = {
	{ { place_w2_list_bytes, place_w4_list_bytes, place_w8_list_bytes },
	  { place_w2_seq_bytes, place_w4_seq_bytes, place_w8_seq_bytes } },
	{ { place_w2_list_bits, place_w4_list_bits, place_w8_list_bits },
	  { place_w2_seq_bits, place_w4_seq_bits, place_w8_seq_bits } },
};

/*
 * The tail: once few slots are free, probing costs ~M/free tries per
 * placement, so instead every free slot's distance along the backend's
 * permutation is computed directly, (slot - pos) * skip^-1 mod M, and the
 * nearest taken. Same slot as probing would find, at O(free) per placement.
 */
struct tail {
	uint32_t *free;
	uint32_t n;
	struct barrett mod;
};

static void tail_start(struct tail *t, const void *occ, uint32_t size)
{
	uint32_t p = 0;

	t->n = 0;
	if (size <= BYTEMAP_MAX) {
		/* eight entries at a time: nearly all are taken by now */
		for (; p + 8 <= size; p += 8) {
			uint64_t eight;

			memcpy(&eight, (const uint8_t *)occ + p, 8);
			if (eight == 0x0101010101010101ull)
				continue;
			for (uint32_t i = p; i < p + 8; i++) {
				t->free[t->n] = i;
				t->n += !taken_at(occ, i, 0);
			}
		}
	}
	for (; p < size && size <= BYTEMAP_MAX; p++) {
		t->free[t->n] = p;
		t->n += !taken_at(occ, p, 0);
	}
	for (uint32_t w = 0; w * 64 < size && size > BYTEMAP_MAX; w++) {
		uint64_t freebits = ~((const uint64_t *)occ)[w];

		while (freebits) {
			p = w * 64 + (uint32_t)__builtin_ctzll(freebits);
			if (p >= size)
				break;
			t->free[t->n++] = p;
			freebits &= freebits - 1;
		}
	}
	t->mod = barrett_of(size);
}

static uint32_t tail_take(struct tail *t, struct maglev_lane *ln, uint32_t size)
{
	uint64_t best = UINT64_MAX;
	uint32_t pos = ln->pos, slot, i;

	if (!ln->inv)
		ln->inv = inverse_mod(ln->m[1], size);
	for (i = 0; i < t->n; i++) {
		uint32_t e = t->free[i];
		uint64_t d = e >= pos ? e - pos : e + size - pos;
		/* steps < 2^32: the index rides in the low half, min picks both */
		uint64_t key = barrett_mod(&t->mod, d * ln->inv) << 32 | i;

		best = key < best ? key : best;
	}
	i = (uint32_t)best;
	slot = t->free[i];
	t->free[i] = t->free[--t->n];
	return slot;
}

/* Free slots left when probing stops; ~sqrt(M/2) balances both costs. */
static uint32_t tail_threshold(uint32_t size)
{
	uint32_t t = 1;

	while ((uint64_t)t * t * 2 < size)
		t++;
	return t;
}

struct filler {
	struct maglev_lane *lanes;
	void *occ;
	uint32_t *table;
	uint32_t size, filled;
	uint32_t ends[3];	/* fill counts where w = 2, 4, 8 probing ends; ends[2]: the tail */
	int seq, bits;
	struct tail tail;
};

/* Place placing[0..n) in order; returns 1 once the table is full. */
static int place(struct filler *f, const uint32_t *placing, uint32_t n)
{
	while (n) {
		uint32_t k = 1, phase = 0;

		while (phase < 3 && f->filled >= f->ends[phase])
			phase++;
		if (phase == 3) {
			struct maglev_lane *ln = &f->lanes[*placing];
			uint32_t q;

			if (f->filled == f->ends[2])
				tail_start(&f->tail, f->occ, f->size);
			q = tail_take(&f->tail, ln, f->size);
			f->table[q] = ln->id;
			ln->pos = add_mod(q, ln->m[1], f->size);
		} else {
			k = f->ends[phase] - f->filled;
			k = n < k ? n : k;
			place_fns[f->bits][f->seq][phase](f->seq ? f->lanes + *placing : f->lanes,
							  placing, k, f->occ, f->table, f->size);
		}
		f->filled += k;
		placing += k;
		n -= k;
		if (f->filled == f->size)
			return 1;
	}
	return 0;
}

/*
 * Turns. Equal weights: everyone places every turn, in key order. Other
 * weights: every backend gains weight/maxw credit per turn and places once
 * it reaches one (scan_turn). When a few heavy backends dominate, most turns
 * place almost nobody and scanning all costs turns x N (1.1 s for
 * 1 x 65535 + 999 x 1 at the largest M); instead a heap keyed by (turn of
 * the next placement, key order) yields the same placements in the same
 * order. A backend's k-th placement falls in turn ceil(k * maxw / w).
 */
struct turns {
	uint32_t active, maxw;
	const uint32_t *weight;
	uint32_t *credit;	/* counts placements in heap mode */
	uint32_t *placing;
	uint64_t *heap;		/* turn << 32 | backend index */
	uint32_t heap_n;
};

static uint64_t next_turn_key(uint64_t placed, uint32_t w, uint32_t maxw, uint32_t i)
{
	uint64_t t = ((placed + 1) * maxw + w - 1) / w;

	/* the table is full by turn size + 1 (< 2^21): a clamped turn never comes */
	return (t > UINT32_MAX ? (uint64_t)UINT32_MAX : t) << 32 | i;
}

static void heap_push(struct turns *h, uint64_t key)
{
	uint32_t c = h->heap_n++;

	while (c) {
		uint32_t parent = (c - 1) / 2;

		if (h->heap[parent] <= key)
			break;
		h->heap[c] = h->heap[parent];
		c = parent;
	}
	h->heap[c] = key;
}

static uint64_t heap_pop(struct turns *h)
{
	uint64_t top = h->heap[0], last = h->heap[--h->heap_n];
	uint32_t c = 0;

	for (;;) {
		uint32_t kid = 2 * c + 1;

		if (kid >= h->heap_n)
			break;
		if (kid + 1 < h->heap_n && h->heap[kid + 1] < h->heap[kid])
			kid++;
		if (last <= h->heap[kid])
			break;
		h->heap[c] = h->heap[kid];
		c = kid;
	}
	if (h->heap_n)
		h->heap[c] = last;
	return top;
}

static uint32_t heap_turn(struct turns *h)
{
	uint64_t turn = h->heap[0] >> 32;
	uint32_t n = 0;

	while (h->heap_n && h->heap[0] >> 32 == turn)
		h->placing[n++] = (uint32_t)heap_pop(h);
	for (uint32_t j = 0; j < n; j++) {
		uint32_t i = h->placing[j];

		heap_push(h, next_turn_key(++h->credit[i], h->weight[i], h->maxw, i));
	}
	return n;
}

static uint32_t scan_turn(struct turns *h)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < h->active; i++) {
		/* credit < maxw and weight <= maxw: the sum fits 33 bits */
		uint64_t c = (uint64_t)h->credit[i] + h->weight[i];
		uint32_t placed = c >= h->maxw;

		h->credit[i] = (uint32_t)(c - (placed ? h->maxw : 0));
		h->placing[n] = i;
		n += placed;
	}
	return n;
}


enum turn_mode { TURN_EQUAL, TURN_SCAN, TURN_HEAP };

/* Scratch layout of one fill; offsets in bytes, each 64-byte aligned. */
struct layout {
	size_t credit, placing, heap, occ, free, total;
};

static size_t take(size_t *at, size_t bytes)
{
	size_t o = *at;

	*at += (bytes + 63) & ~(size_t)63;
	return o;
}

static void plan(struct layout *ly, uint32_t active, uint32_t size)
{
	size_t at = 0;

	ly->credit = take(&at, (size_t)active * 4);
	ly->placing = take(&at, (size_t)active * 4);
	ly->heap = take(&at, (size_t)active * 8);
	ly->occ = take(&at, occ_bytes(size));
	ly->free = take(&at, (tail_threshold(size) + 1) * 4);	/* + 1: tail_start writes ahead */
	ly->total = at;
}

size_t maglev_fill_scratch_bytes(uint32_t active, uint32_t size)
{
	struct layout ly;

	plan(&ly, active, size);
	return ly.total;
}

/*
 * Phase ends: w = 2 while at most 40% is full (all taken: <= 16%), w = 4 to
 * 70% (<= 24%), then 8; the tail last. Measured best of 0.3-0.5 / 0.6-0.8.
 */
static void phases(struct filler *f, uint32_t size)
{
	uint32_t tail_at = size - tail_threshold(size);

	f->ends[0] = (uint32_t)((uint64_t)size * 2 / 5);
	f->ends[1] = (uint32_t)((uint64_t)size * 7 / 10);
	f->ends[0] = f->ends[0] < tail_at ? f->ends[0] : tail_at;
	f->ends[1] = f->ends[1] < tail_at ? f->ends[1] : tail_at;
	f->ends[2] = tail_at;
}

void maglev_fill(struct maglev_lane *lanes, const uint32_t *weight, uint32_t active,
		 uint32_t *table, uint32_t size, void *scratch)
{
	struct filler f = { .lanes = lanes, .table = table, .size = size };
	struct turns h = { .active = active, .weight = weight };
	enum turn_mode mode = TURN_SCAN;
	uint32_t minw = UINT32_MAX;
	uint64_t sumw = 0;
	uint8_t *mem = scratch;
	struct layout ly;

	for (uint32_t i = 0; i < active; i++) {
		h.maxw = weight[i] > h.maxw ? weight[i] : h.maxw;
		minw = weight[i] < minw ? weight[i] : minw;
		sumw += weight[i];
	}
	/* scanning costs ~maxw * active / sum(w) per placement, the heap ~60 cycles */
	if (minw == h.maxw)
		mode = TURN_EQUAL;
	else if ((uint64_t)h.maxw * active > 32 * sumw)
		mode = TURN_HEAP;

	plan(&ly, active, size);
	h.credit = (uint32_t *)(mem + ly.credit);
	h.placing = (uint32_t *)(mem + ly.placing);
	h.heap = (uint64_t *)(mem + ly.heap);
	f.occ = mem + ly.occ;
	f.tail.free = (uint32_t *)(mem + ly.free);
	memset(f.occ, 0, occ_bytes(size));
	phases(&f, size);
	f.seq = mode == TURN_EQUAL;
	f.bits = size > BYTEMAP_MAX;

	for (uint32_t i = 0; i < active; i++) {
		h.placing[i] = i;
		h.credit[i] = 0;
		if (mode == TURN_HEAP)
			heap_push(&h, next_turn_key(0, weight[i], h.maxw, i));
	}
	for (;;) {
		uint32_t n = active;

		if (mode == TURN_SCAN)
			n = scan_turn(&h);
		else if (mode == TURN_HEAP)
			n = heap_turn(&h);
		if (place(&f, h.placing, n))
			return;
	}
}
