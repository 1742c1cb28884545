/* grid_layout.h -- index arithmetic of the grid city (rules in grid.h),
 * shared by the network and demand halves of the generator.
 *
 * Positions are (x, y) with x in 0..cols+1 and y in 0..rows+1; corners do
 * not exist.  Everything here is O(1) so that no id lookup table is needed
 * even for a 1000 x 1000 grid. */
#ifndef CB_GEN_GRID_LAYOUT_H
#define CB_GEN_GRID_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "citybrain.h"
#include "../net/net_spec.h"

typedef struct grid_layout {
    uint32_t rows, cols;          /* signalized intersections per column / row */
} grid_layout;

/* Unit steps of heading k: 0 east, 1 north, 2 west, 3 south. */
static const int grid_dx[4] = { 1, 0, -1, 0 };
static const int grid_dy[4] = { 0, 1, 0, -1 };

static inline bool grid_exists(const grid_layout *L, long x, long y)
{
    if (x < 0 || y < 0 || x > (long)L->cols + 1 || y > (long)L->rows + 1) return false;
    bool xe = x == 0 || x == (long)L->cols + 1, ye = y == 0 || y == (long)L->rows + 1;
    return !(xe && ye);                          /* corners do not exist */
}

static inline bool grid_signalized(const grid_layout *L, long x, long y)
{
    return x >= 1 && y >= 1 && x <= (long)L->cols && y <= (long)L->rows;
}

static inline uint32_t grid_n_inters(const grid_layout *L)
{
    return L->rows * L->cols + 2 * L->rows + 2 * L->cols;
}

static inline uint32_t grid_n_roads(const grid_layout *L)
{
    return 4 * L->rows * L->cols + 2 * L->rows + 2 * L->cols;
}

/* Index of the intersection at an existing position. */
static inline uint32_t grid_inter_index(const grid_layout *L, uint32_t x, uint32_t y)
{
    if (y == 0) return x - 1;
    if (y <= L->rows) return L->cols + (y - 1) * (L->cols + 2) + x;
    return L->cols + L->rows * (L->cols + 2) + x - 1;
}

/* A road from (x, y) heading k is drawn when one of its ends is signalized. */
static inline bool grid_road_exists(const grid_layout *L, long x, long y, int k)
{
    long nx = x + grid_dx[k], ny = y + grid_dy[k];
    return grid_exists(L, x, y) && grid_exists(L, nx, ny) &&
           (grid_signalized(L, x, y) || grid_signalized(L, nx, ny));
}

/* Index of an existing road: boundary roads start only at virtual
 * positions (one each), signalized positions start four. */
static inline uint32_t grid_road_index(const grid_layout *L, uint32_t x, uint32_t y, int k)
{
    uint32_t row = 4 * L->cols + 2;              /* roads starting on rows 1..rows */
    if (y == 0) return x - 1;
    if (y > L->rows) return L->cols + L->rows * row + x - 1;
    uint32_t base = L->cols + (y - 1) * row;
    if (x == 0) return base;
    if (x > L->cols) return base + row - 1;
    return base + 1 + 4 * (x - 1) + (uint32_t)k;
}

/* The two halves of gen_grid_spec (options already checked). */
int gen_grid_net(const cb_grid_options *g, net_spec *net, cb_error *err);          /* grid_net.c */
int gen_grid_flows(const cb_grid_options *g, const net_spec *net, demand_spec *demand,
                   cb_error *err);                                                  /* grid_flow.c */

#endif
