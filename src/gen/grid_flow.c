/* grid_flow.c -- the demand half of the grid generator: flows entering at
 * every boundary road (rules in grid.h, "Demand").
 *
 * A route is traced by walking the grid from the entry's virtual
 * intersection: take the road ahead, step onto the next position, stop on
 * reaching the boundary ring, and (for turning flows) change heading once,
 * at a chosen signalized intersection.  Routes list every road, as the
 * reference files do. */
#include "grid.h"
#include "grid_layout.h"
#include "../util/err.h"

#include <stdlib.h>

/* Vehicle of every generated flow, apart from maxSpeed (= lane limit). */
static const net_vtype grid_vehicle = {
    .length = 5, .width = 2, .max_pos_acc = 2, .max_neg_acc = 4.5, .usual_pos_acc = 2,
    .usual_neg_acc = 4.5, .min_gap = 2.5, .max_speed = 16.67, .headway_time = 1.5,
};

/* Route from position (x, y) heading k; after crossing `turn_at`
 * signalized intersections (0: never) the heading becomes `turn_to`. */
static uint32_t trace(const grid_layout *L, long x, long y, int k, uint32_t turn_at, int turn_to,
                      uint32_t *out)
{
    uint32_t n = 0, crossed = 0;
    for (;;) {
        out[n++] = grid_road_index(L, (uint32_t)x, (uint32_t)y, k);
        x += grid_dx[k];
        y += grid_dy[k];
        if (!grid_signalized(L, x, y)) return n;
        if (++crossed == turn_at) k = turn_to;
    }
}

int gen_grid_flows(const cb_grid_options *g, const net_spec *net, demand_spec *demand, cb_error *err)
{
    (void)net;          /* road indices follow from the layout alone */
    const grid_layout L = { (uint32_t)g->rows, (uint32_t)g->cols };
    const uint32_t n_entries = 2 * (L.rows + L.cols);
    demand->n_flows = g->empty ? 0 : n_entries * (g->turns ? 3 : 1);
    if (!demand->n_flows) return CB_OK;
    demand->flows = CBU_NEW(&demand->arena, demand_flow, demand->n_flows);
    uint32_t *buf = malloc(sizeof *buf * ((size_t)L.rows + L.cols + 2));
    if (!demand->flows || !buf) { free(buf); return cbu_err_nomem(err); }

    net_vtype vt = grid_vehicle;
    vt.max_speed = g->max_speed;
    uint32_t f = 0;
    for (int pass = 0; pass < (g->turns ? 3 : 1); pass++)     /* straight, left, right */
        for (uint32_t e = 0; e < n_entries; e++) {
            /* entries: per row east then west, then per column north then south */
            long x, y;
            int k;
            uint32_t crossed;                                  /* on the straight path */
            if (e < 2 * L.rows) {
                y = e / 2 + 1;
                k = e % 2 ? 2 : 0;
                x = k == 0 ? 0 : (long)L.cols + 1;
                crossed = L.cols;
            } else {
                x = (e - 2 * L.rows) / 2 + 1;
                k = e % 2 ? 3 : 1;
                y = k == 1 ? 0 : (long)L.rows + 1;
                crossed = L.rows;
            }
            uint32_t turn_at = pass == 0 ? 0 : (crossed + 1) / 2;
            int turn_to = pass == 1 ? (k + 1) % 4 : (k + 3) % 4;
            demand_flow *fl = &demand->flows[f++];
            fl->vtype = vt;
            fl->n_route = trace(&L, x, y, k, turn_at, turn_to, buf);
            fl->route = cbu_arena_dup(&demand->arena, buf, sizeof *buf * fl->n_route);
            if (!fl->route) { free(buf); return cbu_err_nomem(err); }
            fl->interval = g->flow_interval;
            fl->start_time = 0;
            fl->end_time = -1;
        }
    free(buf);
    return CB_OK;
}
