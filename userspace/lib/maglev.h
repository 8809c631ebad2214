/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maglev.h - Maglev consistent-hash table builder (Eisenbud et al., NSDI'16),
 * weighted. A pure function: no BPF, no I/O, deterministic across processes.
 *
 * The table does not depend on the order of the input: backends are ordered
 * by their key before filling. A backend with weight w gets slots in
 * proportion to w (within one slot per filling turn). Weight-0 backends get
 * no slot. Returns 0 or a negative errno (-EINVAL: size not prime or out of
 * range, duplicate keys; -ENOMEM).
 */
#ifndef XLB_MAGLEV_H
#define XLB_MAGLEV_H

#include <stddef.h>
#include <stdint.h>

struct maglev_backend {
	uint8_t key[20];	/* identity hashed for offset/skip (e.g. family + address) */
	uint32_t weight;
	uint32_t id;		/* value written into the table (e.g. backend_id) */
};

/* Fill table[0..size) with ids; XLB_BACKEND_NONE everywhere when no backend has weight. */
int maglev_build(const struct maglev_backend *backends, size_t n, uint32_t *table, uint32_t size);

/*
 * maglev_build() keeps its scratch memory (about 50 bytes per backend plus
 * M/4 bytes) per thread for the next build; this returns it. Optional: call
 * it before a thread exits, or to drop the memory after a large build.
 */
void maglev_free_scratch(void);

/* 64-bit fingerprint (FNV-1a) of a table, equal on every host with the same input. */
uint64_t maglev_fingerprint(const uint32_t *table, uint32_t size);

/* Slots that differ between two tables of the same size. */
uint32_t maglev_diff(const uint32_t *a, const uint32_t *b, uint32_t size);

int maglev_is_prime(uint32_t n);

/*
 * A backend's permutation of a table of `size` slots (prime): it tries
 * slots offset, offset + skip, offset + 2*skip, ... (mod size). Fixed forever:
 * hosts that must agree compute the same. Returns 0 or -EINVAL (size).
 */
int maglev_permutation(const uint8_t key[20], uint32_t size, uint32_t *offset, uint32_t *skip);

/* Key for an address: family byte then the 16 address bytes, rest zero. */
void maglev_key_from_addr(uint8_t key[20], uint8_t family, const uint32_t addr[4]);

#endif /* XLB_MAGLEV_H */
