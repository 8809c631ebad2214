/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * metrics_source.h - struct metrics_source (metrics.h) over xlbd's state:
 * pass the struct state * as metrics_start()'s arg.
 */
#ifndef XLBD_METRICS_SOURCE_H
#define XLBD_METRICS_SOURCE_H

#include "metrics.h"
#include "state.h"

void metrics_source_init(struct metrics_source *src);

#endif /* XLBD_METRICS_SOURCE_H */
