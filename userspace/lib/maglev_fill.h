/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maglev_fill.h - the inner engine of maglev_build() (maglev.c): given the
 * active backends in key order with their permutations, fill the table by
 * turns, exactly as the paper's loop would. Internal to userspace/lib.
 */
#ifndef XLB_MAGLEV_FILL_H
#define XLB_MAGLEV_FILL_H

#include <stddef.h>
#include <stdint.h>

/* One active backend: what a placement touches, in one half cache line. */
struct maglev_lane {
	uint32_t pos;		/* next slot to try, < M (starts at offset) */
	uint32_t id;		/* value written into the table */
	uint32_t m[5];		/* 0, 1, 2, 3, 4 x skip (mod M) */
	uint32_t inv;		/* skip^-1 mod M once needed; start at 0 */
};

/* Barrett reduction by a fixed m: x % m for any 64-bit x, without a divide. */
struct barrett {
	uint64_t m;
	uint64_t r;	/* floor((2^64 - 1) / m) */
};

static inline struct barrett barrett_of(uint64_t m)
{
	return (struct barrett){ .m = m, .r = UINT64_MAX / m };
}

static inline uint64_t barrett_mod(const struct barrett *b, uint64_t x)
{
	uint64_t q = (uint64_t)(((unsigned __int128)x * b->r) >> 64);
	uint64_t rem = x - q * b->m;	/* q is floor(x / m) or one less */

	return rem >= b->m ? rem - b->m : rem;
}

static inline uint32_t add_mod(uint32_t a, uint32_t b, uint32_t m)
{
	uint32_t c = a + b;	/* a, b < m < 2^31: no overflow */

	return c >= m ? c - m : c;
}

/* Scratch bytes maglev_fill() needs for `active` backends and a table of `size`. */
size_t maglev_fill_scratch_bytes(uint32_t active, uint32_t size);

/*
 * Fill table[0..size) (size prime, >= 2) from lanes[0..active) in key order,
 * with weights weight[0..active) (all > 0, active >= 1). scratch: 64-byte
 * aligned, maglev_fill_scratch_bytes() long. Cannot fail.
 */
void maglev_fill(struct maglev_lane *lanes, const uint32_t *weight, uint32_t active,
		 uint32_t *table, uint32_t size, void *scratch);

#endif /* XLB_MAGLEV_FILL_H */
