/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tables.h - a VIP's Maglev table from (address, weight, id) inputs: the
 * build itself (maglev_build over address keys), a signature of the input
 * (equal input => equal table, so an unchanged VIP is not rewritten) and a
 * fingerprint that does not depend on the ids (ids are per host; addresses
 * are not), so two hosts with the same config show the same fingerprint.
 * Pure functions, no BPF. Return 0 or -errno.
 */
#ifndef XLBD_TABLES_H
#define XLBD_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct table_input {
	struct xlb_addr addr;
	uint32_t weight;	/* 0 = no slots */
	uint32_t id;		/* written into the slots */
};

int table_build(const struct table_input *in, size_t n, uint32_t size, uint32_t *table);
uint64_t table_input_sig(const struct table_input *in, size_t n, uint32_t size);
/* FNV-1a of the table with each id replaced by its address's rank among in[],
 * then of the sorted addresses. */
uint64_t table_fingerprint(const uint32_t *table, uint32_t size, const struct table_input *in, size_t n);
/* Slots held by id (a linear count). */
uint32_t table_slots_of(const uint32_t *table, uint32_t size, uint32_t id);

#endif /* XLBD_TABLES_H */
