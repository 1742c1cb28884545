/* serve_net.c -- GET /api/v1/network: the city as the map draws it.
 *
 * Built once at start, entirely from the engine's public API (topology and
 * geometry), so any city the engine opens -- CityFlow files, a generated
 * grid, a SUMO import -- draws the same way.
 *
 * The answer is columnar (docs/api.md, "format": "columns"): one array per
 * attribute instead of one object per road, lane or movement.  On the
 * 100x100 grid the per-object form was 28.5 MB, most of it repeated keys
 * and identical lane objects, and the browser spent over a second fetching
 * and parsing it; the columns are about a fifth of that.  Lists of varying
 * length (a road's points, a junction's movements and phases, a signal's
 * greens) are flattened and cut by a count column.  Per-lane attributes,
 * nearly always the same for long stretches of lanes, are run-length
 * encoded.  References are indices (a road's junctions, a movement's
 * roads), never repeated id strings.  Lanes are in engine order, the order
 * of the per-lane arrays of GET /api/v1/state. */
#include "serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"

/* A movement's type as one letter (cb_movement.type: 1 right, 2 left,
 * 3 straight, 4 U-turn). */
static char turn_letter(int t)
{
    switch (t) {
    case 1: return 'R';
    case 2: return 'L';
    case 3: return 'S';
    case 4: return 'U';
    default: return '?';
    }
}

/* An intersection index, or -1 for none (an index the engine does not have). */
static long inter_ref(size_t i, size_t ni)
{
    return i < ni ? (long)i : -1;
}

/* A per-lane attribute, run-length encoded: [value, count, value, count, ...]. */
static void put_runs(sv_buf *b, const cb_engine *e, size_t nl, double (*get)(const cb_engine *, size_t))
{
    sv_puts(b, "[");
    size_t l = 0;
    while (l < nl) {
        double v = get(e, l);
        size_t n = 1;
        while (l + n < nl && get(e, l + n) == v) n++;
        if (l) sv_puts(b, ",");
        sv_num(b, v);
        sv_printf(b, ",%zu", n);
        l += n;
    }
    sv_puts(b, "]");
}

/* A column of one size_t-valued function over 0..n-1. */
#define PUT_COLUMN(b, n, expr_of_i)                                                   \
    do {                                                                              \
        sv_puts(b, "[");                                                              \
        for (size_t i = 0; i < (n); i++) sv_printf(b, i ? ",%ld" : "%ld", (long)(expr_of_i)); \
        sv_puts(b, "]");                                                              \
    } while (0)

/* roads: ids, ends, lengths, lanes and centre lines; fills s->road_mid and
 * the bounds of all points. */
static int put_roads(sv_buf *b, cbsv_server *s, double bounds[4], cb_error *err)
{
    cb_engine *e = s->field.e;
    size_t nr = cb_engine_road_count(e), ni = cb_engine_intersection_count(e);
    cb_road_info ri;
    sv_printf(b, "\"roads\":{\"count\":%zu,\"id\":[", nr);
    for (size_t i = 0; i < nr; i++) {
        if (i) sv_puts(b, ",");
        sv_str(b, cb_engine_road_id(e, i));
    }
    sv_puts(b, "],\n\"from\":");
    PUT_COLUMN(b, nr, (cb_engine_road_info(e, i, &ri), inter_ref(ri.from, ni)));
    sv_puts(b, ",\n\"to\":");
    PUT_COLUMN(b, nr, (cb_engine_road_info(e, i, &ri), inter_ref(ri.to, ni)));
    sv_puts(b, ",\n\"length\":[");
    for (size_t i = 0; i < nr; i++) {
        cb_engine_road_info(e, i, &ri);
        if (i) sv_puts(b, ",");
        sv_num(b, ri.length);
    }
    sv_puts(b, "],\n\"first_lane\":");
    PUT_COLUMN(b, nr, (cb_engine_road_info(e, i, &ri), ri.first_lane));
    sv_puts(b, ",\n\"lanes\":");
    PUT_COLUMN(b, nr, (cb_engine_road_info(e, i, &ri), ri.n_lanes));
    sv_puts(b, ",\n\"point_count\":");
    PUT_COLUMN(b, nr, cb_engine_road_points(e, i, NULL, 0));
    sv_puts(b, ",\n\"points\":[");
    size_t cap = 64;
    double *xy = malloc(2 * cap * sizeof *xy);
    if (!xy) return cbu_err_nomem(err);
    for (size_t i = 0; i < nr; i++) {
        size_t np = cb_engine_road_points(e, i, xy, cap);
        if (np > cap) {
            double *p = realloc(xy, 2 * np * sizeof *p);
            if (!p) { free(xy); return cbu_err_nomem(err); }
            xy = p;
            cap = np;
            cb_engine_road_points(e, i, xy, cap);
        }
        for (size_t p = 0; p < 2 * np; p++) {
            double v = xy[p];
            if (i || p) sv_puts(b, ",");
            sv_num(b, v);
            if (v < bounds[p & 1]) bounds[p & 1] = v;
            if (v > bounds[2 + (p & 1)]) bounds[2 + (p & 1)] = v;
        }
        if (np) {
            s->road_mid[2 * i] = (xy[0] + xy[2 * np - 2]) / 2;
            s->road_mid[2 * i + 1] = (xy[1] + xy[2 * np - 1]) / 2;
        }
    }
    free(xy);
    sv_puts(b, "]}");
    return CB_OK;
}

/* lanes: attributes as runs; ids and indices by rule, with the exceptions
 * listed (a lane's id is "<road id>_<index>" and its index its position on
 * the road in every city the loaders produce today). */
static void put_lanes(sv_buf *b, const cb_engine *e)
{
    size_t nl = cb_engine_lane_count(e), nr = cb_engine_road_count(e);
    sv_puts(b, "\"lanes\":{\"length\":");
    put_runs(b, e, nl, cb_engine_lane_length);
    sv_puts(b, ",\n\"max_speed\":");
    put_runs(b, e, nl, cb_engine_lane_max_speed);
    sv_puts(b, ",\n\"width\":");
    put_runs(b, e, nl, cb_engine_lane_width);
    sv_puts(b, ",\n\"exceptions\":[");
    int c = 0;
    char want[512];
    for (size_t r = 0; r < nr; r++) {
        cb_road_info ri;
        cb_engine_road_info(e, r, &ri);
        for (size_t j = 0; j < ri.n_lanes; j++) {
            size_t l = ri.first_lane + j;
            const char *id = cb_engine_lane_id(e, l);
            int idx = cb_engine_lane_index(e, l);
            int n = snprintf(want, sizeof want, "%s_%zu", ri.id, j);
            if ((size_t)idx == j && n > 0 && (size_t)n < sizeof want && strcmp(id, want) == 0) continue;
            sv_printf(b, "%s{\"lane\":%zu,\"id\":", c++ ? "," : "", l);
            sv_str(b, id);
            sv_printf(b, ",\"index\":%d}", idx);
        }
    }
    sv_puts(b, "]}");
}

/* intersections, and their movements and phases (flattened in junction
 * order, cut by movement_count and phase_count). */
static void put_intersections(sv_buf *b, const cb_engine *e)
{
    size_t ni = cb_engine_intersection_count(e);
    sv_printf(b, "\"intersections\":{\"count\":%zu,\"id\":[", ni);
    for (size_t i = 0; i < ni; i++) {
        if (i) sv_puts(b, ",");
        sv_str(b, cb_engine_intersection_id(e, i));
    }
    sv_puts(b, "],\n\"virtual\":");
    PUT_COLUMN(b, ni, cb_engine_intersection_virtual(e, i) ? 1 : 0);
    sv_puts(b, ",\n\"point\":[");
    for (size_t i = 0; i < ni; i++) {
        double x = NAN, y = NAN, w = 0;
        cb_engine_intersection_geometry(e, i, &x, &y, &w);
        if (i) sv_puts(b, ",");
        sv_num(b, x);
        sv_puts(b, ",");
        sv_num(b, y);
    }
    sv_puts(b, "],\n\"width\":[");
    for (size_t i = 0; i < ni; i++) {
        double x, y, w = 0;
        cb_engine_intersection_geometry(e, i, &x, &y, &w);
        if (i) sv_puts(b, ",");
        sv_num(b, w);
    }
    sv_puts(b, "],\n\"movement_count\":");
    PUT_COLUMN(b, ni, cb_engine_movement_count(e, i));
    sv_puts(b, ",\n\"phase_count\":");
    PUT_COLUMN(b, ni, cb_engine_intersection_virtual(e, i) ? 0 : cb_engine_phase_count(e, i));
    sv_puts(b, "},\n\"movements\":{\"from\":[");
    int c = 0;
    cb_movement mv;
    for (size_t i = 0; i < ni; i++)
        for (size_t k = 0; k < cb_engine_movement_count(e, i); k++) {
            cb_engine_movement(e, i, k, &mv);
            sv_printf(b, c++ ? ",%zu" : "%zu", mv.start_road);
        }
    sv_puts(b, "],\n\"to\":[");
    c = 0;
    for (size_t i = 0; i < ni; i++)
        for (size_t k = 0; k < cb_engine_movement_count(e, i); k++) {
            cb_engine_movement(e, i, k, &mv);
            sv_printf(b, c++ ? ",%zu" : "%zu", mv.end_road);
        }
    sv_puts(b, "],\n\"type\":\"");
    for (size_t i = 0; i < ni; i++)
        for (size_t k = 0; k < cb_engine_movement_count(e, i); k++) {
            cb_engine_movement(e, i, k, &mv);
            char t = turn_letter(mv.type);
            sv_put(b, &t, 1);
        }
    /* A phase's movements as a hex mask: digit d (from the left) holds
     * movements 4d..4d+3 of its junction, bit j movement 4d+j.  Eight
     * phases of twelve movements take 3 characters each, not a list. */
    sv_puts(b, "\"},\n\"phases\":{\"time\":[");
    c = 0;
    for (size_t i = 0; i < ni; i++) {
        int np = cb_engine_intersection_virtual(e, i) ? 0 : cb_engine_phase_count(e, i);
        for (int p = 0; p < np; p++) {
            if (c++) sv_puts(b, ",");
            sv_num(b, cb_engine_phase_time(e, i, p));
        }
    }
    sv_puts(b, "],\n\"movements\":[");
    c = 0;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < ni; i++) {
        int np = cb_engine_intersection_virtual(e, i) ? 0 : cb_engine_phase_count(e, i);
        size_t nm = cb_engine_movement_count(e, i);
        for (int p = 0; p < np; p++) {
            sv_puts(b, c++ ? ",\"" : "\"");
            for (size_t d = 0; d < (nm + 3) / 4; d++) {
                unsigned v = 0;
                for (size_t j = 0; j < 4 && 4 * d + j < nm; j++)
                    if (cb_engine_phase_allows(e, i, p, 4 * d + j)) v |= 1u << j;
                sv_put(b, &hex[v], 1);
            }
            sv_puts(b, "\"");
        }
    }
    sv_puts(b, "]}");
}

/* signals: the signalized junctions in /state's order. */
static void put_signals(sv_buf *b, cbsv_server *s)
{
    const cb_engine *e = s->field.e;
    const cb_site *sites = cb_signals_sites(s->field.sig);
    size_t n = s->field.n_sites;
    sv_printf(b, "\"signals\":{\"count\":%zu,\"intersection\":", n);
    PUT_COLUMN(b, n, cb_engine_intersection_find(e, sites[i].id));
    sv_puts(b, ",\n\"yellow_phase\":");
    PUT_COLUMN(b, n, sites[i].yellow_phase);
    sv_puts(b, ",\n\"green_count\":");
    PUT_COLUMN(b, n, sites[i].n_candidates);
    sv_puts(b, ",\n\"greens\":[");
    int c = 0;
    for (size_t k = 0; k < n; k++)
        for (uint32_t g = 0; g < sites[k].n_candidates; g++) sv_printf(b, c++ ? ",%d" : "%d", sites[k].candidates[g]);
    sv_puts(b, "]}");
}

int sv_network_build(cbsv_server *s, cb_error *err)
{
    cb_engine *e = s->field.e;
    size_t nr = cb_engine_road_count(e);
    s->road_mid = calloc(2 * nr + 2, sizeof *s->road_mid);
    if (!s->road_mid) return cbu_err_nomem(err);
    double bounds[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY };
    sv_buf b = { 0 };
    sv_puts(&b, "{\"city\":");
    const char *base = strrchr(s->city, '/');
    sv_str(&b, base && base[1] ? base + 1 : s->city);
    sv_puts(&b, ",\"format\":\"columns\",\"interval\":");
    sv_num(&b, cb_engine_interval(e));
    sv_printf(&b, ",\"lane_count\":%zu,\n", cb_engine_lane_count(e));
    int rc = put_roads(&b, s, bounds, err);
    if (rc) { sv_buf_free(&b); return rc; }
    sv_puts(&b, ",\n");
    put_lanes(&b, e);
    sv_puts(&b, ",\n");
    put_intersections(&b, e);
    sv_puts(&b, ",\n");
    put_signals(&b, s);
    if (isfinite(bounds[0])) {
        sv_puts(&b, ",\n\"bounds\":[");
        for (int k = 0; k < 4; k++) {
            if (k) sv_puts(&b, ",");
            sv_num(&b, bounds[k]);
        }
        sv_puts(&b, "]");
    }
    sv_puts(&b, "}\n");
    s->network_json = sv_take(&b, &s->network_len);
    return s->network_json ? CB_OK : cbu_err_nomem(err);
}
