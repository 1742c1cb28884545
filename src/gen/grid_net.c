/* grid_net.c -- the network half of the grid generator: intersections,
 * roads, road links with their lane-link curves, signal plans (rules in
 * grid.h).
 *
 * Memory.  A 100 x 100 grid has 40,400 roads and 360,000 lane links of 11
 * points each, so nothing is allocated per object: each kind of record is
 * one arena array sized from the layout up front, and objects point into
 * those arrays.  The 36 (for 3 lanes) lane-link curves are the same around
 * every signalized intersection, so they are computed once relative to the
 * centre and only translated per intersection. */
#include "grid.h"
#include "grid_layout.h"
#include "../util/err.h"

#include <stdio.h>
#include <string.h>

/* Roles of lanes (grid.h, "Lane roles"): first..last lane serving a turn. */
static void lane_role(uint32_t lanes, net_turn t, uint32_t *first, uint32_t *last)
{
    if (t == NET_TURN_LEFT) { *first = *last = 0; return; }
    if (t == NET_TURN_RIGHT) { *first = *last = lanes - 1; return; }
    *first = lanes >= 3 ? 1 : 0;
    *last = lanes >= 3 ? lanes - 2 : lanes - 1;
}

static net_turn turn_of(int a, int b)
{
    int d = (b - a + 4) % 4;
    return d == 0 ? NET_TURN_STRAIGHT : d == 1 ? NET_TURN_LEFT : NET_TURN_RIGHT;
}

/* One intersection's road links, in order, as (approach a, exit b). */
typedef struct link_shape {
    int a, b;
    net_turn turn;
    uint32_t first_lane, n_start;   /* start lanes of the role */
} link_shape;

#define GRID_ROADLINKS 12

static void link_shapes(uint32_t lanes, link_shape out[GRID_ROADLINKS])
{
    int n = 0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            if (b == (a + 2) % 4) continue;                  /* no U-turns */
            link_shape *s = &out[n++];
            uint32_t f, l;
            s->a = a;
            s->b = b;
            s->turn = turn_of(a, b);
            lane_role(lanes, s->turn, &f, &l);
            s->first_lane = f;
            s->n_start = l - f + 1;
        }
}

/* The Hermite spline of grid.h, relative to the intersection point, written
 * in its Bezier form: control points w/3 along the end tangents. */
static void link_curve(const cb_grid_options *g, int a, uint32_t la, int b, uint32_t lb,
                       net_point *out)
{
    double w = g->intersection_width;
    double sa = (la + 0.5) * g->lane_width, sb = (lb + 0.5) * g->lane_width;
    double ax = grid_dx[a], ay = grid_dy[a], bx = grid_dx[b], by = grid_dy[b];
    net_point p0 = { -w * ax + sa * ay, -w * ay - sa * ax };
    net_point p3 = { w * bx + sb * by, w * by - sb * bx };
    net_point p1 = { p0.x + w / 3 * ax, p0.y + w / 3 * ay };
    net_point p2 = { p3.x - w / 3 * bx, p3.y - w / 3 * by };
    for (int i = 0; i < GEN_GRID_LINK_POINTS; i++) {
        double t = i / (double)(GEN_GRID_LINK_POINTS - 1), u = 1 - t;
        double c0 = u * u * u, c1 = 3 * u * u * t, c2 = 3 * u * t * t, c3 = t * t * t;
        out[i].x = c0 * p0.x + c1 * p1.x + c2 * p2.x + c3 * p3.x;
        out[i].y = c0 * p0.y + c1 * p1.y + c2 * p2.y + c3 * p3.y;
    }
}

static char *fmt_id(cbu_arena *a, const char *kind, uint32_t x, uint32_t y, int k)
{
    char buf[64];
    if (k < 0) snprintf(buf, sizeof buf, "%s_%u_%u", kind, x, y);
    else snprintf(buf, sizeof buf, "%s_%u_%u_%d", kind, x, y, k);
    return cbu_arena_strdup(a, buf);
}

static void sort_u32(uint32_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint32_t t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
        }
}

/* Road-link indices listed by the eight phases: four greens of 2 movements
 * plus the 4 right turns, four rights-only phases. */
#define GRID_PHASE_LINKS (4 * (2 + 4) + 4 * 4)

/* The eight phases of a signalized intersection (grid.h, "Signal plan").
 * `links` has room for GRID_PHASE_LINKS indices. */
static void fill_phases(const cb_grid_options *g, const link_shape *sh, net_spec_phase *ph,
                        uint32_t *links)
{
    uint32_t right[4], nr = 0;
    for (uint32_t k = 0; k < GRID_ROADLINKS; k++)
        if (sh[k].turn == NET_TURN_RIGHT) right[nr++] = k;
    /* greens: (axis, turn) = E-W straight, E-W left, N-S straight, N-S left */
    static const struct { int axis; net_turn turn; } greens[4] = {
        { 0, NET_TURN_STRAIGHT }, { 0, NET_TURN_LEFT }, { 1, NET_TURN_STRAIGHT }, { 1, NET_TURN_LEFT },
    };
    for (int p = 0; p < 4; p++) {
        net_spec_phase *gp = &ph[2 * p], *yp = &ph[2 * p + 1];
        gp->time = g->green_time;
        gp->links = links;
        for (uint32_t k = 0; k < GRID_ROADLINKS; k++)
            if (sh[k].turn == NET_TURN_RIGHT ||
                (sh[k].turn == greens[p].turn && sh[k].a % 2 == greens[p].axis))
                gp->links[gp->n_links++] = k;
        sort_u32(gp->links, gp->n_links);
        links += gp->n_links;
        yp->time = g->yellow_time;
        yp->links = links;
        yp->links[yp->n_links++] = right[nr - 1];         /* the reference's order */
        for (uint32_t r = 0; r + 1 < nr; r++) yp->links[yp->n_links++] = right[r];
        links += yp->n_links;
    }
}

int gen_grid_net(const cb_grid_options *g, net_spec *net, cb_error *err)
{
    const grid_layout L = { (uint32_t)g->rows, (uint32_t)g->cols };
    const uint32_t lanes = (uint32_t)g->lanes;
    cbu_arena *A = &net->arena;
    link_shape sh[GRID_ROADLINKS];
    link_shapes(lanes, sh);

    /* The lane links of one intersection and their relative curves. */
    uint32_t links_per_inter = 0;
    for (int k = 0; k < GRID_ROADLINKS; k++) links_per_inter += sh[k].n_start * lanes;
    net_point *tmpl = CBU_NEW(A, net_point, (size_t)links_per_inter * GEN_GRID_LINK_POINTS);
    if (!tmpl) return cbu_err_nomem(err);
    for (uint32_t k = 0, m = 0; k < GRID_ROADLINKS; k++)
        for (uint32_t c = 0; c < sh[k].n_start; c++)
            for (uint32_t d = 0; d < lanes; d++, m++)
                link_curve(g, sh[k].a, sh[k].first_lane + c, sh[k].b, d,
                           tmpl + (size_t)m * GEN_GRID_LINK_POINTS);

    const uint32_t n_sig = L.rows * L.cols, n_inters = grid_n_inters(&L), n_roads = grid_n_roads(&L);
    const size_t n_ll = (size_t)n_sig * links_per_inter;
    net->n_inters = n_inters;
    net->n_roads = n_roads;
    net->inters = CBU_NEW(A, net_spec_inter, n_inters);
    net->roads = CBU_NEW(A, net_spec_road, n_roads);
    net_point *road_pts = CBU_NEW(A, net_point, (size_t)2 * n_roads);
    net_spec_lane *lane_arr = CBU_NEW(A, net_spec_lane, (size_t)lanes * n_roads);
    uint32_t *road_lists = CBU_NEW(A, uint32_t, (size_t)8 * n_sig + 2 * (n_inters - n_sig));
    net_spec_roadlink *rl_arr = CBU_NEW(A, net_spec_roadlink, (size_t)GRID_ROADLINKS * n_sig);
    net_spec_lanelink *ll_arr = CBU_NEW(A, net_spec_lanelink, n_ll);
    net_point *ll_pts = CBU_NEW(A, net_point, n_ll * GEN_GRID_LINK_POINTS);
    net_spec_phase *ph_arr = CBU_NEW(A, net_spec_phase, (size_t)8 * n_sig);
    uint32_t *ph_links = CBU_NEW(A, uint32_t, (size_t)GRID_PHASE_LINKS * n_sig);
    if (!net->inters || !net->roads || !road_pts || !lane_arr || !road_lists || !rl_arr ||
        !ll_arr || !ll_pts || !ph_arr || !ph_links)
        return cbu_err_nomem(err);

    /* Roads, in (y, x, k) order. */
    uint32_t r = 0;
    for (uint32_t y = 0; y <= L.rows + 1; y++)
        for (uint32_t x = 0; x <= L.cols + 1; x++)
            for (int k = 0; k < 4; k++) {
                if (!grid_road_exists(&L, x, y, k)) continue;
                uint32_t nx = (uint32_t)((long)x + grid_dx[k]), ny = (uint32_t)((long)y + grid_dy[k]);
                net_spec_road *rd = &net->roads[r];
                rd->id = fmt_id(A, "road", x, y, k);
                if (!rd->id) return cbu_err_nomem(err);
                rd->from = grid_inter_index(&L, x, y);
                rd->to = grid_inter_index(&L, nx, ny);
                rd->points = road_pts + 2 * (size_t)r;
                rd->n_points = 2;
                rd->points[0] = (net_point){ ((double)x - 1) * g->spacing, ((double)y - 1) * g->spacing };
                rd->points[1] = (net_point){ ((double)nx - 1) * g->spacing, ((double)ny - 1) * g->spacing };
                rd->lanes = lane_arr + (size_t)lanes * r;
                rd->n_lanes = lanes;
                for (uint32_t i = 0; i < lanes; i++)
                    rd->lanes[i] = (net_spec_lane){ g->lane_width, g->max_speed };
                r++;
            }
    if (r != n_roads)     /* the layout formulas and this loop disagree: a bug */
        return cbu_err(err, CB_ESCHEMA, "grid generator: made %u roads, expected %u", r, n_roads);

    /* Intersections, in (y, x) order. */
    uint32_t i = 0, s = 0;
    size_t ll = 0;
    uint32_t *rlist = road_lists;
    for (uint32_t y = 0; y <= L.rows + 1; y++)
        for (uint32_t x = 0; x <= L.cols + 1; x++) {
            if (!grid_exists(&L, x, y)) continue;
            net_spec_inter *in = &net->inters[i++];
            in->id = fmt_id(A, "intersection", x, y, -1);
            if (!in->id) return cbu_err_nomem(err);
            in->point = (net_point){ ((double)x - 1) * g->spacing, ((double)y - 1) * g->spacing };
            in->is_virtual = !grid_signalized(&L, x, y);
            in->width = in->is_virtual ? 0 : g->intersection_width;
            in->roads = rlist;
            for (int k = 0; k < 4; k++) {                   /* incoming, by heading */
                long fx = (long)x - grid_dx[k], fy = (long)y - grid_dy[k];
                if (grid_road_exists(&L, fx, fy, k))
                    in->roads[in->n_roads++] = grid_road_index(&L, (uint32_t)fx, (uint32_t)fy, k);
            }
            for (int k = 0; k < 4; k++)                      /* outgoing, by heading */
                if (grid_road_exists(&L, x, y, k))
                    in->roads[in->n_roads++] = grid_road_index(&L, x, y, k);
            rlist += in->n_roads;
            if (in->is_virtual) continue;

            in->roadlinks = rl_arr + (size_t)GRID_ROADLINKS * s;
            in->n_roadlinks = GRID_ROADLINKS;
            const net_point *t = tmpl;
            for (int k = 0; k < GRID_ROADLINKS; k++) {
                net_spec_roadlink *rl = &in->roadlinks[k];
                int a = sh[k].a, b = sh[k].b;
                rl->type = sh[k].turn;
                rl->start_road = grid_road_index(&L, (uint32_t)((long)x - grid_dx[a]),
                                                 (uint32_t)((long)y - grid_dy[a]), a);
                rl->end_road = grid_road_index(&L, x, y, b);
                rl->lanelinks = ll_arr + ll;
                rl->n_lanelinks = sh[k].n_start * lanes;
                for (uint32_t c = 0; c < sh[k].n_start; c++)
                    for (uint32_t d = 0; d < lanes; d++, ll++) {
                        net_spec_lanelink *lk = &ll_arr[ll];
                        lk->start_lane = sh[k].first_lane + c;
                        lk->end_lane = d;
                        lk->points = ll_pts + ll * GEN_GRID_LINK_POINTS;
                        lk->n_points = GEN_GRID_LINK_POINTS;
                        for (int p = 0; p < GEN_GRID_LINK_POINTS; p++, t++) {
                            lk->points[p].x = in->point.x + t->x;
                            lk->points[p].y = in->point.y + t->y;
                        }
                    }
            }
            in->phases = ph_arr + (size_t)8 * s;
            in->n_phases = 8;
            fill_phases(g, sh, in->phases, ph_links + (size_t)GRID_PHASE_LINKS * s);
            s++;
        }
    if (i != n_inters || s != n_sig || ll != n_ll)
        return cbu_err(err, CB_ESCHEMA, "grid generator: made %u intersections, expected %u", i, n_inters);
    return CB_OK;
}
