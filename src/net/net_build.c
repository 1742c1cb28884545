/* net_build.c -- turn a net_spec into the network model (net.h).
 *
 * Order of work, which is also the order of the rules in
 * cityflow-semantics.md section 3:
 *   1. check every index in the spec (a bad spec is an error, not a crash);
 *   2. intersections and roads; lane polylines: the centre line trimmed by
 *      the intersection widths, then offset right by the lanes inside;
 *   3. roadlinks and lane links; a lane link's path is taken from the
 *      input or generated as a Bezier curve between the lane ends;
 *   4. geometry templates and their conflict points ("crosses"); with a
 *      right-of-way matrix (SUMO), only between foes, with who yields;
 *   5. adjacency (lane -> links, road -> successor roads) and phases. */
#include "net.h"
#include "net_geom.h"
#include "../util/err.h"
#include "../util/vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef CBU_VEC(net_point) point_vec;
typedef CBU_VEC(double) double_vec;

/* Builder state that is not part of the finished network. */
typedef struct build {
    cb_net *net;
    const net_spec *spec;
    cb_error *err;
    point_vec pts;
    double_vec cum;
    /* template lookup: open addressing on the geometry hash */
    uint64_t *th_keys;
    uint32_t *th_vals;
    size_t th_cap;
    CBU_VEC(net_template) tmpls;
    CBU_VEC(uint32_t) xoff;
    CBU_VEC(net_xview) xviews;
    CBU_VEC(net_poly) tpolys;
    CBU_VEC(uint32_t) link_tmp;   /* scratch */
    /* per template: offset of its right-of-way matrix in `rows`, or
     * SIZE_MAX when it has none (templates are shared only between
     * intersections whose matrices are equal too) */
    CBU_VEC(size_t) trow;
    CBU_VEC(uint8_t) rows;
} build;

static int oom(build *b) { return cbu_err(b->err, CB_ENOMEM, "out of memory while building the network"); }

/* Append a polyline to the shared point store. */
static int push_poly(build *b, const net_point *p, uint32_t n, net_poly *out, double *length)
{
    if (cbu_vec_reserve(&b->pts, n) || cbu_vec_reserve(&b->cum, n)) return oom(b);
    out->first = (uint32_t)b->pts.n;
    out->n = n;
    memcpy(b->pts.a + b->pts.n, p, n * sizeof *p);
    double len = geom_poly_length(p, n, b->cum.a + b->cum.n);
    b->pts.n += n;
    b->cum.n += n;
    if (length) *length = len;
    return CB_OK;
}

/*--- 1. validation ------------------------------------------------------------*/

static int check_spec(build *b)
{
    const net_spec *s = b->spec;
    if (s->n_roads == 0) return cbu_err(b->err, CB_ESCHEMA, "the network has no roads");
    for (uint32_t r = 0; r < s->n_roads; r++) {
        const net_spec_road *rd = &s->roads[r];
        if (rd->from >= s->n_inters || rd->to >= s->n_inters)
            return cbu_err(b->err, CB_ESCHEMA, "road %s: intersection index out of range", rd->id);
        if (rd->n_points < 2)
            return cbu_err(b->err, CB_ESCHEMA, "road %s: needs at least 2 points", rd->id);
        if (rd->n_lanes == 0)
            return cbu_err(b->err, CB_ESCHEMA, "road %s: has no lanes", rd->id);
        for (uint32_t i = 0; i < rd->n_lanes; i++) {
            if (!(rd->lanes[i].max_speed > 0) || !(rd->lanes[i].width >= 0))
                return cbu_err(b->err, CB_ESCHEMA, "road %s: lane %u needs width >= 0 and maxSpeed > 0", rd->id, i);
            if (rd->lane_lengths && (!(rd->lane_lengths[i] >= 0) || rd->lane_lengths[i] > 1e9))
                return cbu_err(b->err, CB_ESCHEMA, "road %s: lane %u: length must be >= 0", rd->id, i);
            if (rd->lane_points && rd->lane_points[i] && rd->n_lane_points[i] < 2)
                return cbu_err(b->err, CB_ESCHEMA, "road %s: lane %u: needs at least 2 points", rd->id, i);
        }
    }
    for (uint32_t i = 0; i < s->n_inters; i++) {
        const net_spec_inter *in = &s->inters[i];
        uint32_t n_ll = 0;
        for (uint32_t k = 0; k < in->n_roadlinks; k++) n_ll += in->roadlinks[k].n_lanelinks;
        if (in->row && in->n_row != n_ll)
            return cbu_err(b->err, CB_ESCHEMA, "intersection %s: right-of-way matrix is for %u lane links, it has %u",
                           in->id, in->n_row, n_ll);
        for (uint32_t k = 0; k < in->n_roads; k++)
            if (in->roads[k] >= s->n_roads)
                return cbu_err(b->err, CB_ESCHEMA, "intersection %s: road index out of range", in->id);
        for (uint32_t k = 0; k < in->n_roadlinks; k++) {
            const net_spec_roadlink *rl = &in->roadlinks[k];
            if (rl->start_road >= s->n_roads || rl->end_road >= s->n_roads)
                return cbu_err(b->err, CB_ESCHEMA, "intersection %s: roadLinks[%u]: road index out of range", in->id, k);
            const net_spec_road *sr = &s->roads[rl->start_road], *er = &s->roads[rl->end_road];
            if (sr->to != i)
                return cbu_err(b->err, CB_ESCHEMA, "intersection %s: roadLinks[%u]: startRoad %s does not end at this intersection", in->id, k, sr->id);
            if (er->from != i)
                return cbu_err(b->err, CB_ESCHEMA, "intersection %s: roadLinks[%u]: endRoad %s does not start at this intersection", in->id, k, er->id);
            for (uint32_t l = 0; l < rl->n_lanelinks; l++) {
                const net_spec_lanelink *ll = &rl->lanelinks[l];
                if (ll->start_lane >= sr->n_lanes || ll->end_lane >= er->n_lanes)
                    return cbu_err(b->err, CB_ESCHEMA, "intersection %s: roadLinks[%u].laneLinks[%u]: lane index out of range", in->id, k, l);
                if (ll->points && ll->n_points < 2)
                    return cbu_err(b->err, CB_ESCHEMA, "intersection %s: roadLinks[%u].laneLinks[%u]: needs 0 or at least 2 points", in->id, k, l);
                if (!(ll->max_speed >= 0))
                    return cbu_err(b->err, CB_ESCHEMA, "intersection %s: roadLinks[%u].laneLinks[%u]: max speed must be >= 0", in->id, k, l);
            }
        }
        for (uint32_t p = 0; p < in->n_phases; p++) {
            for (uint32_t k = 0; k < in->phases[p].n_links; k++)
                if (in->phases[p].links[k] >= in->n_roadlinks)
                    return cbu_err(b->err, CB_ESCHEMA, "intersection %s: phase %u: roadLink %u does not exist", in->id, p, in->phases[p].links[k]);
            for (uint32_t k = 0; k < in->phases[p].n_minor; k++)
                if (in->phases[p].minor[k] >= in->n_roadlinks)
                    return cbu_err(b->err, CB_ESCHEMA, "intersection %s: phase %u: minor roadLink %u does not exist", in->id, p, in->phases[p].minor[k]);
            for (uint32_t k = 0; k < in->phases[p].n_stop; k++)
                if (in->phases[p].stop[k] >= in->n_roadlinks)
                    return cbu_err(b->err, CB_ESCHEMA, "intersection %s: phase %u: stop roadLink %u does not exist", in->id, p, in->phases[p].stop[k]);
        }
        if (!in->is_virtual && in->n_phases == 0 && in->n_roadlinks > 0)
            return cbu_err(b->err, CB_ESCHEMA, "intersection %s: a signalized intersection needs at least one phase", in->id);
    }
    return CB_OK;
}

/*--- 2. roads and lanes ----------------------------------------------------------*/

static void move_toward(net_point *p, net_point q, double by)
{
    double dx = q.x - p->x, dy = q.y - p->y, len = hypot(dx, dy);
    if (len > 0) { p->x += dx / len * by; p->y += dy / len * by; }
}

/* Does the trimmed segment t[0]-t[1] still point the way o[0]-o[1] did? */
static bool segment_kept(const net_point *o, const net_point *t)
{
    return (t[1].x - t[0].x) * (o[1].x - o[0].x) + (t[1].y - t[0].y) * (o[1].y - o[0].y) > 0;
}

static int build_roads(build *b)
{
    cb_net *n = b->net;
    const net_spec *s = b->spec;
    uint32_t lane = 0;
    for (uint32_t r = 0; r < s->n_roads; r++) {
        const net_spec_road *sr = &s->roads[r];
        net_road *rd = &n->roads[r];
        rd->id = cbu_arena_strdup(&n->arena, sr->id);
        if (!rd->id) return oom(b);
        rd->from = sr->from;
        rd->to = sr->to;
        rd->first_lane = lane;
        rd->n_lanes = sr->n_lanes;
        rd->n_closed_lanes = sr->n_closed_lanes;
        rd->closed_speed_sum = sr->closed_speed_sum;
        if (push_poly(b, sr->points, sr->n_points, &rd->centre, NULL)) return CB_ENOMEM;

        net_point *trim = malloc(sr->n_points * sizeof *trim);
        net_point *off = malloc(sr->n_points * sizeof *off);
        if (!trim || !off) { free(trim); free(off); return oom(b); }
        memcpy(trim, sr->points, sr->n_points * sizeof *trim);
        uint32_t np = sr->n_points;
        double w0 = s->inters[sr->from].is_virtual ? 0 : s->inters[sr->from].width;
        double w1 = s->inters[sr->to].is_virtual ? 0 : s->inters[sr->to].width;
        move_toward(&trim[0], trim[1], w0);
        move_toward(&trim[np - 1], trim[np - 2], w1);
        /* An end moved past its neighbour point turns the lane around
         * (positive length, wrong direction): refuse, like no length.
         * Explicit lane geometry (SUMO) is not trimmed. */
        if (!sr->lane_points && ((w0 > 0 && !segment_kept(&sr->points[0], &trim[0])) ||
                                 (w1 > 0 && !segment_kept(&sr->points[np - 2], &trim[np - 2])))) {
            free(trim);
            free(off);
            return cbu_err(b->err, CB_ESCHEMA, "road %s: an end segment is not longer than the intersection "
                           "width that trims it (%g m at %s, %g m at %s)", sr->id,
                           w0, s->inters[sr->from].id, w1, s->inters[sr->to].id);
        }

        double inside = 0, total = 0;
        int rc = CB_OK;
        for (uint32_t i = 0; i < sr->n_lanes && rc == CB_OK; i++, lane++) {
            net_lane *ln = &n->lanes[lane];
            ln->road = r;
            ln->index = i;
            ln->width = sr->lanes[i].width;
            ln->max_speed = sr->lanes[i].max_speed;
            if (sr->lane_points && sr->lane_points[i]) {
                rc = push_poly(b, sr->lane_points[i], sr->n_lane_points[i], &ln->poly, &ln->length);
            } else {
                geom_offset_right(trim, np, inside + ln->width / 2, off);
                rc = push_poly(b, off, np, &ln->poly, &ln->length);
            }
            if (sr->lane_lengths && sr->lane_lengths[i] > 0) ln->length = sr->lane_lengths[i];
            inside += ln->width;
            if (rc == CB_OK && !(ln->length > 0))
                rc = cbu_err(b->err, CB_ESCHEMA, "road %s: lane %u has no length left after trimming by the intersection widths", sr->id, i);
            char buf[32];
            snprintf(buf, sizeof buf, "_%u", i);
            size_t idl = strlen(sr->id);
            char *id = cbu_arena_alloc(&n->arena, idl + strlen(buf) + 1);
            if (!id && rc == CB_OK) rc = oom(b);
            if (id) { memcpy(id, sr->id, idl); strcpy(id + idl, buf); }
            ln->id = id;
            total += ln->length;
        }
        free(trim);
        free(off);
        if (rc) return rc;
        rd->length = total / sr->n_lanes;
    }
    return CB_OK;
}

/*--- 3. roadlinks, lane links, templates -----------------------------------------*/

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) { h ^= c[i]; h *= 1099511628211ull; }
    return h;
}

/* The generated path of a lane link without points in the input: a cubic
 * Bezier from the end of the start lane to the start of the end lane, its
 * control points half the chord along the lanes' directions (at least 5 m
 * when the intersection is at least 5 m wide). */
static void default_link_path(const cb_net *n, const build *b, uint32_t sl, uint32_t el,
                              double width, net_point *out, uint32_t count)
{
    const net_lane *a = &n->lanes[sl], *c = &n->lanes[el];
    const net_point *pa = b->pts.a + a->poly.first, *pc = b->pts.a + c->poly.first;
    net_point p0 = pa[a->poly.n - 1], p3 = pc[0];
    double dx0 = p0.x - pa[a->poly.n - 2].x, dy0 = p0.y - pa[a->poly.n - 2].y;
    double dx3 = pc[1].x - p3.x, dy3 = pc[1].y - p3.y;
    double l0 = hypot(dx0, dy0), l3 = hypot(dx3, dy3);
    if (l0 > 0) { dx0 /= l0; dy0 /= l0; }
    if (l3 > 0) { dx3 /= l3; dy3 /= l3; }
    double k = hypot(p3.x - p0.x, p3.y - p0.y) / 2;
    if (width >= 5 && k < 5) k = 5;
    net_point p1 = { p0.x + dx0 * k, p0.y + dy0 * k };
    net_point p2 = { p3.x - dx3 * k, p3.y - dy3 * k };
    geom_bezier(p0, p1, p2, p3, count, out);
}

/* Conflict points of one template: every pair of paths, walked segment by
 * segment, meets at its first common point if any.  Paths that share a
 * start (diverging) or an end (merging) meet there, which is intended: it
 * is how vehicles entering the same lane, or leaving the same lane, get
 * ordered. */
typedef struct raw_cross { uint32_t a, b; double da, db; uint8_t rule_a, rule_b; } raw_cross;

static int xview_cmp(const void *x, const void *y)
{
    const net_xview *p = x, *q = y;
    if (p->dist != q->dist) return p->dist < q->dist ? -1 : 1;
    return (int)p->other - (int)q->other;
}

/* Where two paths that do not cross come closest (foes by the input's
 * matrix, e.g. two paths merging into one lane whose last segments are
 * parallel): the distances along each path of the closest pair of a
 * vertex of one and a point of the other. */
static void closest_approach(const net_point *p, const double *cp, uint32_t np,
                             const net_point *q, const double *cq, uint32_t nq, double *dp, double *dq)
{
    double best = INFINITY;
    *dp = cp[np - 1];
    *dq = cq[nq - 1];
    for (int pass = 0; pass < 2; pass++) {
        const net_point *v = pass ? q : p, *w = pass ? p : q;
        const double *cv = pass ? cq : cp, *cw = pass ? cp : cq;
        uint32_t nv = pass ? nq : np, nw = pass ? np : nq;
        for (uint32_t i = 0; i < nv; i++)
            for (uint32_t k = 1; k < nw; k++) {
                double sx = w[k].x - w[k - 1].x, sy = w[k].y - w[k - 1].y;
                double l2 = sx * sx + sy * sy;
                double u = l2 > 0 ? ((v[i].x - w[k - 1].x) * sx + (v[i].y - w[k - 1].y) * sy) / l2 : 0;
                u = u < 0 ? 0 : u > 1 ? 1 : u;
                double dx = w[k - 1].x + u * sx - v[i].x, dy = w[k - 1].y + u * sy - v[i].y;
                double dd = dx * dx + dy * dy;
                if (dd < best) {
                    best = dd;
                    double along_w = cw[k - 1] + (cw[k] - cw[k - 1]) * u;
                    if (pass) { *dq = cv[i]; *dp = along_w; }
                    else { *dp = cv[i]; *dq = along_w; }
                }
            }
    }
}

/* The rule of link i at its cross with link j, from the matrix. */
static uint8_t row_rule(const uint8_t *row, uint32_t n, uint32_t i, uint32_t j)
{
    bool iy = row[(size_t)i * n + j] & NET_ROW_YIELD, jy = row[(size_t)j * n + i] & NET_ROW_YIELD;
    if (iy && !jy) return NET_XRULE_YIELD;
    if (jy && !iy) return NET_XRULE_GO;
    return NET_XRULE_TYPE;
}

static int build_crosses(build *b, net_template *t, const uint8_t *row)
{
    const net_poly *polys = b->tpolys.a + t->first_poly;
    uint32_t nl = t->n_links;
    CBU_VEC(raw_cross) raw = {0};
    double (*box)[4] = malloc((nl ? nl : 1) * sizeof *box);
    if (!box) return oom(b);
    for (uint32_t i = 0; i < nl; i++) {
        const net_point *p = b->pts.a + polys[i].first;
        box[i][0] = box[i][2] = p[0].x;
        box[i][1] = box[i][3] = p[0].y;
        for (uint32_t k = 1; k < polys[i].n; k++) {
            box[i][0] = fmin(box[i][0], p[k].x); box[i][2] = fmax(box[i][2], p[k].x);
            box[i][1] = fmin(box[i][1], p[k].y); box[i][3] = fmax(box[i][3], p[k].y);
        }
    }
    const double tol = 1e-6;
    for (uint32_t i = 0; i < nl; i++) {
        const net_point *pi = b->pts.a + polys[i].first;
        const double *ci = b->cum.a + polys[i].first;
        for (uint32_t j = i + 1; j < nl; j++) {
            bool foes = row && ((row[(size_t)i * nl + j] | row[(size_t)j * nl + i]) & NET_ROW_FOE);
            if (row && !foes) continue;
            const net_point *pj = b->pts.a + polys[j].first;
            const double *cj = b->cum.a + polys[j].first;
            uint8_t ra = row ? row_rule(row, nl, i, j) : NET_XRULE_TYPE;
            uint8_t rb = row ? row_rule(row, nl, j, i) : NET_XRULE_TYPE;
            if (box[i][0] > box[j][2] + tol || box[j][0] > box[i][2] + tol ||
                box[i][1] > box[j][3] + tol || box[j][1] > box[i][3] + tol) {
                if (!foes) continue;
                raw_cross rc = { i, j, 0, 0, ra, rb };
                closest_approach(pi, ci, polys[i].n, pj, cj, polys[j].n, &rc.da, &rc.db);
                if (cbu_vec_push(&raw, rc)) { free(box); cbu_vec_free(&raw); return oom(b); }
                continue;
            }
            bool found = false;
            /* a segment of i clear of j's box meets none of j's segments
             * (margin as in geom_segments_meet, over j's whole extent) */
            double mj = 1e-3 * (box[j][2] - box[j][0] + box[j][3] - box[j][1]) + 1e-6;
            for (uint32_t si = 1; si < polys[i].n && !found; si++) {
                net_point a0 = pi[si - 1], a1 = pi[si];
                double m = mj + 1e-3 * (fabs(a1.x - a0.x) + fabs(a1.y - a0.y));
                if (fmax(a0.x, a1.x) + m < box[j][0] || box[j][2] + m < fmin(a0.x, a1.x) ||
                    fmax(a0.y, a1.y) + m < box[j][1] || box[j][3] + m < fmin(a0.y, a1.y))
                    continue;
                for (uint32_t sj = 1; sj < polys[j].n && !found; sj++) {
                    double ta, tb;
                    if (!geom_segments_meet(pi[si - 1], pi[si], pj[sj - 1], pj[sj], &ta, &tb)) continue;
                    raw_cross rc = { i, j, ci[si - 1] + (ci[si] - ci[si - 1]) * ta,
                                     cj[sj - 1] + (cj[sj] - cj[sj - 1]) * tb, ra, rb };
                    if (cbu_vec_push(&raw, rc)) { free(box); cbu_vec_free(&raw); return oom(b); }
                    found = true;
                }
            }
            if (!found && foes) {
                raw_cross rc = { i, j, 0, 0, ra, rb };
                closest_approach(pi, ci, polys[i].n, pj, cj, polys[j].n, &rc.da, &rc.db);
                if (cbu_vec_push(&raw, rc)) { free(box); cbu_vec_free(&raw); return oom(b); }
            }
        }
    }
    free(box);
    /* two views per cross, grouped by link */
    /* +1: xviews.a is never NULL, so `xviews + offset` is defined even in a
     * network without any cross (UBSan: zero offset to a null pointer) */
    uint32_t *count = calloc(nl + 1, sizeof *count);
    if (!count || cbu_vec_reserve(&b->xoff, nl + 1) || cbu_vec_reserve(&b->xviews, raw.n * 2 + 1)) {
        free(count); cbu_vec_free(&raw); return oom(b);
    }
    for (size_t k = 0; k < raw.n; k++) { count[raw.a[k].a]++; count[raw.a[k].b]++; }
    t->first_xoff = (uint32_t)b->xoff.n;
    uint32_t base = (uint32_t)b->xviews.n, acc = base;
    for (uint32_t i = 0; i < nl; i++) {
        b->xoff.a[b->xoff.n++] = acc;
        acc += count[i];
        count[i] = b->xoff.a[b->xoff.n - 1];   /* reuse as fill cursor */
    }
    b->xoff.a[b->xoff.n++] = acc;
    for (size_t k = 0; k < raw.n; k++) {
        const raw_cross *r = &raw.a[k];
        b->xviews.a[count[r->a]++] = (net_xview){ (float)r->da, (float)r->db, (uint16_t)r->b, r->rule_a, 0 };
        b->xviews.a[count[r->b]++] = (net_xview){ (float)r->db, (float)r->da, (uint16_t)r->a, r->rule_b, 0 };
    }
    b->xviews.n = acc;
    for (uint32_t i = 0; i < nl; i++) {
        uint32_t lo = b->xoff.a[t->first_xoff + i], hi = b->xoff.a[t->first_xoff + i + 1];
        qsort(b->xviews.a + lo, hi - lo, sizeof(net_xview), xview_cmp);
    }
    (void)base;
    b->net->n_crosses += raw.n;
    free(count);
    cbu_vec_free(&raw);
    return CB_OK;
}

/* Intersections share a template when their local geometry agrees to
 * within 1e-6 m: input files write the same curve around different centres
 * with different rounding noise (7.440000000000009 vs 7.439999999999998),
 * and sub-micrometre differences cannot change a simulation.  The hash uses
 * coordinates rounded to 1 mm so that noise does not change it. */
#define TEMPLATE_TOL 1e-6

static int template_find_or_add(build *b, const net_point *rel, const uint32_t *npts,
                                uint32_t nl, const uint8_t *row, uint32_t *out)
{
    size_t total = 0;
    for (uint32_t i = 0; i < nl; i++) total += npts[i];
    uint64_t h = hash_bytes(1469598103934665603ull, &nl, sizeof nl);
    h = hash_bytes(h, npts, nl * sizeof *npts);
    if (row) h = hash_bytes(h ^ 0x5b, row, (size_t)nl * nl);
    for (size_t i = 0; i < total; i++) {
        int64_t q[2] = { llround(rel[i].x * 1000), llround(rel[i].y * 1000) };
        h = hash_bytes(h, q, sizeof q);
    }
    if ((b->tmpls.n + 1) * 2 > b->th_cap) {             /* grow the table */
        size_t cap = b->th_cap ? b->th_cap * 2 : 64;
        uint64_t *k = malloc(cap * sizeof *k);
        uint32_t *v = malloc(cap * sizeof *v);
        if (!k || !v) { free(k); free(v); return oom(b); }
        for (size_t i = 0; i < cap; i++) v[i] = NET_NONE;
        for (size_t i = 0; i < b->th_cap; i++) {
            if (b->th_vals[i] == NET_NONE) continue;
            size_t j = b->th_keys[i] & (cap - 1);
            while (v[j] != NET_NONE) j = (j + 1) & (cap - 1);
            k[j] = b->th_keys[i];
            v[j] = b->th_vals[i];
        }
        free(b->th_keys); free(b->th_vals);
        b->th_keys = k; b->th_vals = v; b->th_cap = cap;
    }
    size_t j = h & (b->th_cap - 1);
    for (; b->th_vals[j] != NET_NONE; j = (j + 1) & (b->th_cap - 1)) {
        if (b->th_keys[j] != h) continue;
        const net_template *t = &b->tmpls.a[b->th_vals[j]];
        if (t->n_links != nl) continue;
        size_t ro = b->trow.a[b->th_vals[j]];
        if ((ro == SIZE_MAX) != (row == NULL)) continue;
        if (row && memcmp(b->rows.a + ro, row, (size_t)nl * nl) != 0) continue;
        bool same = true;
        const net_point *q = rel;
        for (uint32_t i = 0; i < nl && same; i++) {
            const net_poly *p = &b->tpolys.a[t->first_poly + i];
            same = p->n == npts[i];
            for (uint32_t k = 0; k < npts[i] && same; k++)
                same = fabs(b->pts.a[p->first + k].x - q[k].x) <= TEMPLATE_TOL &&
                       fabs(b->pts.a[p->first + k].y - q[k].y) <= TEMPLATE_TOL;
            q += npts[i];
        }
        if (same) { *out = b->th_vals[j]; return CB_OK; }
    }
    net_template t = { .n_links = nl, .first_poly = (uint32_t)b->tpolys.n };
    if (cbu_vec_reserve(&b->tpolys, nl)) return oom(b);
    const net_point *q = rel;
    for (uint32_t i = 0; i < nl; i++) {
        net_poly p;
        if (push_poly(b, q, npts[i], &p, NULL)) return CB_ENOMEM;
        b->tpolys.a[b->tpolys.n++] = p;
        q += npts[i];
    }
    if (build_crosses(b, &t, row)) return CB_ENOMEM;
    size_t ro = SIZE_MAX;
    if (row) {
        if (cbu_vec_reserve(&b->rows, (size_t)nl * nl)) return oom(b);
        ro = b->rows.n;
        memcpy(b->rows.a + ro, row, (size_t)nl * nl);
        b->rows.n += (size_t)nl * nl;
    }
    if (cbu_vec_push(&b->trow, ro)) return oom(b);
    if (cbu_vec_push(&b->tmpls, t)) return oom(b);
    b->th_keys[j] = h;
    b->th_vals[j] = (uint32_t)(b->tmpls.n - 1);
    *out = (uint32_t)(b->tmpls.n - 1);
    return CB_OK;
}

static int build_links(build *b)
{
    cb_net *n = b->net;
    const net_spec *s = b->spec;
    uint32_t rlk = 0, lk = 0;
    point_vec rel = {0};
    CBU_VEC(uint32_t) npts = {0};
    int rc = CB_OK;
    for (uint32_t i = 0; i < s->n_inters && rc == CB_OK; i++) {
        const net_spec_inter *si = &s->inters[i];
        net_inter *in = &n->inters[i];
        in->first_roadlink = rlk;
        in->n_roadlinks = si->n_roadlinks;
        in->first_link = lk;
        in->tmpl = NET_NONE;
        rel.n = 0;
        npts.n = 0;
        for (uint32_t k = 0; k < si->n_roadlinks && rc == CB_OK; k++, rlk++) {
            const net_spec_roadlink *sl = &si->roadlinks[k];
            net_roadlink *rl = &n->roadlinks[rlk];
            rl->inter = i;
            rl->index = k;
            rl->turn = (uint8_t)sl->type;
            rl->start_road = sl->start_road;
            rl->end_road = sl->end_road;
            rl->first_link = lk;
            rl->n_links = sl->n_lanelinks;
            for (uint32_t l = 0; l < sl->n_lanelinks; l++, lk++) {
                const net_spec_lanelink *ll = &sl->lanelinks[l];
                net_link *link = &n->links[lk];
                link->roadlink = rlk;
                link->inter = i;
                link->local = lk - in->first_link;
                link->start_lane = n->roads[sl->start_road].first_lane + ll->start_lane;
                link->end_lane = n->roads[sl->end_road].first_lane + ll->end_lane;
                link->turn = rl->turn;
                link->max_speed = ll->max_speed > 0 ? ll->max_speed : INFINITY;
                link->synth = ll->synth;
                link->cont = ll->cont;
                link->allway = ll->allway;
                if (ll->allway) n->lanes[link->start_lane].allway = 1;
                uint32_t np = ll->points ? ll->n_points : 11;
                if (cbu_vec_reserve(&rel, np) || cbu_vec_push(&npts, np)) { rc = oom(b); break; }
                net_point *dst = rel.a + rel.n;
                if (ll->points) memcpy(dst, ll->points, np * sizeof *dst);
                else default_link_path(n, b, link->start_lane, link->end_lane, si->width, dst, np);
                for (uint32_t p = 0; p < np; p++) { dst[p].x -= si->point.x; dst[p].y -= si->point.y; }
                link->length = geom_poly_length(dst, np, NULL);
                rel.n += np;
            }
        }
        in->n_links = lk - in->first_link;
        if (in->n_links > UINT16_MAX) {
            rc = cbu_err(b->err, CB_ESCHEMA, "intersection %s: more than %u lane links", si->id, UINT16_MAX);
            break;
        }
        if (rc == CB_OK && in->n_links)
            rc = template_find_or_add(b, rel.a, npts.a, in->n_links, si->row, &in->tmpl);
    }
    cbu_vec_free(&rel);
    cbu_vec_free(&npts);
    return rc;
}

/*--- 5. adjacency and phases --------------------------------------------------------*/

/* Of a lane's links in or out (`k` of them at `links`): the one link of
 * the input (fan-outs aside) if it goes straight across a junction without
 * a signal, the same street split in two edges there (net_lane.feed,
 * onward); NET_NONE otherwise. */
static uint32_t same_street(const cb_net *n, const uint32_t *links, uint32_t k)
{
    uint32_t real = 0, last = NET_NONE;
    for (uint32_t i = 0; i < k; i++)
        if (!n->links[links[i]].synth) { real++; last = links[i]; }
    if (real != 1 || n->links[last].turn != NET_TURN_STRAIGHT || !n->inters[n->links[last].inter].unsignalized)
        return NET_NONE;
    return last;
}

static int build_adjacency(build *b)
{
    cb_net *n = b->net;
    uint32_t *cnt_out = calloc(n->n_lanes + 1, sizeof *cnt_out);
    uint32_t *cnt_in = calloc(n->n_lanes + 1, sizeof *cnt_in);
    if (!cnt_out || !cnt_in) { free(cnt_out); free(cnt_in); return oom(b); }
    for (uint32_t k = 0; k < n->n_links; k++) {
        cnt_out[n->links[k].start_lane]++;
        cnt_in[n->links[k].end_lane]++;
    }
    n->lane_out = CBU_NEW(&n->arena, uint32_t, n->n_links + 1);
    n->lane_in = CBU_NEW(&n->arena, uint32_t, n->n_links + 1);
    if (!n->lane_out || !n->lane_in) { free(cnt_out); free(cnt_in); return oom(b); }
    uint32_t ao = 0, ai = 0;
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        n->lanes[l].first_out = ao; ao += cnt_out[l]; n->lanes[l].n_out = 0;
        n->lanes[l].first_in = ai; ai += cnt_in[l]; n->lanes[l].n_in = 0;
    }
    for (uint32_t k = 0; k < n->n_links; k++) {
        net_lane *s = &n->lanes[n->links[k].start_lane], *e = &n->lanes[n->links[k].end_lane];
        n->lane_out[s->first_out + s->n_out++] = k;
        n->lane_in[e->first_in + e->n_in++] = k;
    }
    free(cnt_out);
    free(cnt_in);
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        net_lane *ln = &n->lanes[l];
        ln->feed = same_street(n, n->lane_in + ln->first_in, ln->n_in);
        ln->onward = same_street(n, n->lane_out + ln->first_out, ln->n_out);
    }
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        net_lane *ln = &n->lanes[l];
        ln->reach_road = NET_NONE;
        for (uint32_t k = 0; k < ln->n_out; k++) {
            uint32_t road = n->lanes[n->links[n->lane_out[ln->first_out + k]].end_lane].road;
            if (ln->reach_road == NET_NONE) ln->reach_road = road;
            else if (ln->reach_road != road) ln->reach_road = NET_MANY;
        }
    }

    /* successor roads, in order of first appearance */
    CBU_VEC(uint32_t) succ = {0};
    for (uint32_t r = 0; r < n->n_roads; r++) {
        net_road *rd = &n->roads[r];
        rd->first_succ = (uint32_t)succ.n;
        for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes; l++)
            for (uint32_t k = 0; k < n->lanes[l].n_out; k++) {
                uint32_t road = n->lanes[n->links[n->lane_out[n->lanes[l].first_out + k]].end_lane].road;
                bool seen = false;
                for (uint32_t q = rd->first_succ; q < succ.n; q++) seen |= succ.a[q] == road;
                if (!seen && cbu_vec_push(&succ, road)) { cbu_vec_free(&succ); return oom(b); }
            }
        rd->n_succ = (uint32_t)succ.n - rd->first_succ;
    }
    /* no successor at all (a network without lane links): nothing to copy */
    n->road_succ = succ.n ? cbu_arena_dup(&n->arena, succ.a, succ.n * sizeof(uint32_t))
                          : CBU_NEW(&n->arena, uint32_t, 1);
    cbu_vec_free(&succ);
    if (!n->road_succ) return oom(b);

    for (uint32_t k = 0; k < n->n_roadlinks; k++)
        if (!n->inters[n->roadlinks[k].inter].is_virtual && !n->inters[n->roadlinks[k].inter].unsignalized)
            n->roads[n->roadlinks[k].start_road].incoming_signal = true;
    return CB_OK;
}

/* An optional set of an intersection's roadlinks as bits at phase_bits[*w]
 * (n_words words, *w advanced past them); returns where, or NET_NONE for
 * an empty set, which takes no words. */
static uint32_t put_bits(cb_net *n, uint32_t *w, uint32_t n_words, const uint32_t *rl, uint32_t count)
{
    if (!count) return NET_NONE;
    uint32_t first = *w;
    for (uint32_t k = 0; k < count; k++) n->phase_bits[first + (rl[k] >> 6)] |= 1ull << (rl[k] & 63);
    *w += n_words;
    return first;
}

static int build_phases(build *b)
{
    cb_net *n = b->net;
    const net_spec *s = b->spec;
    size_t words = 0;
    for (uint32_t i = 0; i < s->n_inters; i++) {
        n->inters[i].n_words = (s->inters[i].n_roadlinks + 63) / 64;
        if (!n->inters[i].n_words) n->inters[i].n_words = 1;
        words += (size_t)n->inters[i].n_words * s->inters[i].n_phases;
        for (uint32_t p = 0; p < s->inters[i].n_phases; p++)
            words += n->inters[i].n_words * (uint32_t)(!!s->inters[i].phases[p].n_minor + !!s->inters[i].phases[p].n_stop);
    }
    n->phase_bits = CBU_NEW(&n->arena, uint64_t, words ? words : 1);
    if (!n->phase_bits) return oom(b);
    uint32_t ph = 0, w = 0;
    for (uint32_t i = 0; i < s->n_inters; i++) {
        net_inter *in = &n->inters[i];
        in->first_phase = ph;
        in->n_phases = s->inters[i].n_phases;
        for (uint32_t p = 0; p < in->n_phases; p++, ph++) {
            const net_spec_phase *sp = &s->inters[i].phases[p];
            net_phase *np = &n->phases[ph];
            np->time = sp->time;
            np->amber = sp->amber;
            np->first_word = w;
            np->all_right = true;
            for (uint32_t k = 0; k < sp->n_links; k++) {
                uint32_t rl = sp->links[k];
                n->phase_bits[w + (rl >> 6)] |= 1ull << (rl & 63);
                if (n->roadlinks[in->first_roadlink + rl].turn != NET_TURN_RIGHT) np->all_right = false;
            }
            w += in->n_words;
            np->first_minor = put_bits(n, &w, in->n_words, sp->minor, sp->n_minor);
            np->first_stop = put_bits(n, &w, in->n_words, sp->stop, sp->n_stop);
        }
    }
    return CB_OK;
}

/*--- entry point ------------------------------------------------------------------*/

int net_build(const net_spec *spec, cb_net **out, cb_error *err)
{
    build b = { .spec = spec, .err = err };
    *out = NULL;
    int rc = check_spec(&b);
    if (rc) return rc;
    cb_net *n = calloc(1, sizeof *n);
    if (!n) return oom(&b);
    b.net = n;
    cbu_arena_init(&n->arena);
    n->n_inters = spec->n_inters;
    n->n_roads = spec->n_roads;
    for (uint32_t r = 0; r < spec->n_roads; r++) n->n_lanes += spec->roads[r].n_lanes;
    for (uint32_t i = 0; i < spec->n_inters; i++) {
        n->n_roadlinks += spec->inters[i].n_roadlinks;
        n->n_phases += spec->inters[i].n_phases;
        for (uint32_t k = 0; k < spec->inters[i].n_roadlinks; k++)
            n->n_links += spec->inters[i].roadlinks[k].n_lanelinks;
    }
    n->inters = CBU_NEW(&n->arena, net_inter, n->n_inters + 1);
    n->roads = CBU_NEW(&n->arena, net_road, n->n_roads + 1);
    n->lanes = CBU_NEW(&n->arena, net_lane, n->n_lanes + 1);
    n->links = CBU_NEW(&n->arena, net_link, n->n_links + 1);
    n->roadlinks = CBU_NEW(&n->arena, net_roadlink, n->n_roadlinks + 1);
    n->phases = CBU_NEW(&n->arena, net_phase, n->n_phases + 1);
    if (!n->inters || !n->roads || !n->lanes || !n->links || !n->roadlinks || !n->phases) {
        rc = oom(&b);
        goto fail;
    }
    cbu_strmap_init(&n->road_by_id);
    cbu_strmap_init(&n->inter_by_id);
    for (uint32_t i = 0; i < spec->n_inters; i++) {
        const net_spec_inter *si = &spec->inters[i];
        net_inter *in = &n->inters[i];
        in->id = cbu_arena_strdup(&n->arena, si->id);
        in->point = si->point;
        in->width = si->width;
        in->is_virtual = si->is_virtual;
        in->unsignalized = si->unsignalized;
        in->n_roads = si->n_roads;
        in->roads = si->n_roads ? cbu_arena_dup(&n->arena, si->roads, si->n_roads * sizeof(uint32_t)) : NULL;
        if (!in->id || (si->n_roads && !in->roads)) { rc = oom(&b); goto fail; }
        if (cbu_strmap_put(&n->inter_by_id, in->id, i, NULL) < 0) { rc = oom(&b); goto fail; }
    }
    if ((rc = build_roads(&b))) goto fail;
    for (uint32_t r = 0; r < n->n_roads; r++)
        if (cbu_strmap_put(&n->road_by_id, n->roads[r].id, r, NULL) < 0) { rc = oom(&b); goto fail; }
    if ((rc = build_links(&b))) goto fail;
    if ((rc = build_adjacency(&b))) goto fail;
    if ((rc = build_phases(&b))) goto fail;

    n->n_templates = (uint32_t)b.tmpls.n;
    n->templates = b.tmpls.a; b.tmpls.a = NULL;
    n->tmpl_xoff = b.xoff.a; b.xoff.a = NULL;
    n->tmpl_xviews = b.xviews.a; b.xviews.a = NULL;
    n->n_xviews = b.xviews.n;
    n->tmpl_polys = b.tpolys.a; b.tpolys.a = NULL;
    n->pts = b.pts.a; b.pts.a = NULL;
    n->cum = b.cum.a; b.cum.a = NULL;
    n->n_pts = b.pts.n;
    rc = CB_OK;
    *out = n;
    goto done;
fail:
    net_free(n);
done:
    cbu_vec_free(&b.pts);
    cbu_vec_free(&b.cum);
    cbu_vec_free(&b.tmpls);
    cbu_vec_free(&b.xoff);
    cbu_vec_free(&b.xviews);
    cbu_vec_free(&b.tpolys);
    cbu_vec_free(&b.link_tmp);
    cbu_vec_free(&b.trow);
    cbu_vec_free(&b.rows);
    free(b.th_keys);
    free(b.th_vals);
    return rc;
}

void net_free(cb_net *n)
{
    if (!n) return;
    free(n->templates);
    free(n->tmpl_xoff);
    free(n->tmpl_xviews);
    free(n->tmpl_polys);
    free(n->pts);
    free(n->cum);
    cbu_strmap_free(&n->road_by_id);
    cbu_strmap_free(&n->inter_by_id);
    cbu_arena_free(&n->arena);
    free(n);
}
