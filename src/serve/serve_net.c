/* serve_net.c -- GET /api/v1/network: the city as the map draws it.
 *
 * Built once at start, entirely from the engine's public API (topology and
 * geometry), so any city the engine opens -- CityFlow files, a generated
 * grid, a SUMO import -- draws the same way.  Lanes are listed in engine
 * order, the order of the per-lane arrays of GET /api/v1/state. */
#include "serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"

static const char *turn_name(int t)
{
    switch (t) {
    case 1: return "turn_right";
    case 2: return "turn_left";
    case 3: return "go_straight";
    case 4: return "u_turn";
    default: return "unknown";
    }
}

int sv_network_build(cbsv_server *s, cb_error *err)
{
    cb_engine *e = s->field.e;
    size_t nr = cb_engine_road_count(e), ni = cb_engine_intersection_count(e);
    s->road_mid = calloc(2 * nr + 2, sizeof *s->road_mid);
    size_t cap = 64;
    double *xy = malloc(2 * cap * sizeof *xy);
    if (!s->road_mid || !xy) { free(xy); return cbu_err_nomem(err); }
    double bx0 = INFINITY, by0 = INFINITY, bx1 = -INFINITY, by1 = -INFINITY;
    sv_buf b = { 0 };
    sv_puts(&b, "{\"city\":");
    const char *base = strrchr(s->city, '/');
    sv_str(&b, base && base[1] ? base + 1 : s->city);
    sv_printf(&b, ",\"interval\":");
    sv_num(&b, cb_engine_interval(e));
    sv_printf(&b, ",\"lane_count\":%zu,\"roads\":[", cb_engine_lane_count(e));
    for (size_t i = 0; i < nr; i++) {
        cb_road_info ri;
        cb_engine_road_info(e, i, &ri);
        sv_puts(&b, i ? ",\n{\"id\":" : "\n{\"id\":");
        sv_str(&b, ri.id);
        sv_puts(&b, ",\"from\":");
        sv_str(&b, cb_engine_intersection_id(e, ri.from));
        sv_puts(&b, ",\"to\":");
        sv_str(&b, cb_engine_intersection_id(e, ri.to));
        sv_puts(&b, ",\"length\":");
        sv_num(&b, ri.length);
        sv_printf(&b, ",\"first_lane\":%zu,\"points\":[", ri.first_lane);
        size_t np = cb_engine_road_points(e, i, xy, cap);
        if (np > cap) {
            double *p = realloc(xy, 2 * np * sizeof *p);
            if (!p) { free(xy); sv_buf_free(&b); return cbu_err_nomem(err); }
            xy = p;
            cap = np;
            cb_engine_road_points(e, i, xy, cap);
        }
        for (size_t p = 0; p < np; p++) {
            double x = xy[2 * p], y = xy[2 * p + 1];
            sv_puts(&b, p ? ",[" : "[");
            sv_num(&b, x);
            sv_puts(&b, ",");
            sv_num(&b, y);
            sv_puts(&b, "]");
            if (x < bx0) bx0 = x;
            if (x > bx1) bx1 = x;
            if (y < by0) by0 = y;
            if (y > by1) by1 = y;
        }
        if (np) {
            s->road_mid[2 * i] = (xy[0] + xy[2 * np - 2]) / 2;
            s->road_mid[2 * i + 1] = (xy[1] + xy[2 * np - 1]) / 2;
        }
        sv_puts(&b, "],\"lanes\":[");
        for (size_t j = 0; j < ri.n_lanes; j++) {
            size_t l = ri.first_lane + j;
            sv_puts(&b, j ? ",{\"id\":" : "{\"id\":");
            sv_str(&b, cb_engine_lane_id(e, l));
            sv_printf(&b, ",\"index\":%d,\"length\":", cb_engine_lane_index(e, l));
            sv_num(&b, cb_engine_lane_length(e, l));
            sv_puts(&b, ",\"max_speed\":");
            sv_num(&b, cb_engine_lane_max_speed(e, l));
            sv_puts(&b, ",\"width\":");
            sv_num(&b, cb_engine_lane_width(e, l));
            sv_puts(&b, "}");
        }
        sv_puts(&b, "]}");
    }
    sv_puts(&b, "],\"intersections\":[");
    for (size_t i = 0; i < ni; i++) {
        sv_puts(&b, i ? ",\n{\"id\":" : "\n{\"id\":");
        sv_str(&b, cb_engine_intersection_id(e, i));
        bool virt = cb_engine_intersection_virtual(e, i);
        sv_printf(&b, ",\"virtual\":%s", virt ? "true" : "false");
        double ix, iy, iw;
        cb_engine_intersection_geometry(e, i, &ix, &iy, &iw);
        sv_puts(&b, ",\"point\":[");
        sv_num(&b, ix);
        sv_puts(&b, ",");
        sv_num(&b, iy);
        sv_puts(&b, "],\"width\":");
        sv_num(&b, iw);
        size_t nm = cb_engine_movement_count(e, i);
        sv_puts(&b, ",\"movements\":[");
        for (size_t k = 0; k < nm; k++) {
            cb_movement mv;
            cb_engine_movement(e, i, k, &mv);
            sv_puts(&b, k ? ",{\"from\":" : "{\"from\":");
            sv_str(&b, cb_engine_road_id(e, mv.start_road));
            sv_puts(&b, ",\"to\":");
            sv_str(&b, cb_engine_road_id(e, mv.end_road));
            sv_printf(&b, ",\"type\":\"%s\"}", turn_name(mv.type));
        }
        sv_puts(&b, "],\"phases\":[");
        int np = virt ? 0 : cb_engine_phase_count(e, i);
        for (int p = 0; p < np; p++) {
            sv_printf(&b, "%s{\"index\":%d,\"time\":", p ? "," : "", p);
            sv_num(&b, cb_engine_phase_time(e, i, p));
            sv_puts(&b, ",\"movements\":[");
            int c = 0;
            for (size_t k = 0; k < nm; k++)
                if (cb_engine_phase_allows(e, i, p, k)) sv_printf(&b, "%s%zu", c++ ? "," : "", k);
            sv_puts(&b, "]}");
        }
        sv_puts(&b, "]}");
    }
    sv_puts(&b, "],\"signals\":[");
    const cb_site *sites = cb_signals_sites(s->field.sig);
    for (size_t k = 0; k < s->field.n_sites; k++) {
        sv_puts(&b, k ? ",{\"intersection\":" : "{\"intersection\":");
        sv_str(&b, sites[k].id);
        sv_printf(&b, ",\"yellow_phase\":%d,\"greens\":[", sites[k].yellow_phase);
        for (uint32_t c = 0; c < sites[k].n_candidates; c++) sv_printf(&b, "%s%d", c ? "," : "", sites[k].candidates[c]);
        sv_puts(&b, "]}");
    }
    sv_puts(&b, "]");
    if (isfinite(bx0)) {
        sv_puts(&b, ",\"bounds\":[");
        sv_num(&b, bx0);
        sv_puts(&b, ",");
        sv_num(&b, by0);
        sv_puts(&b, ",");
        sv_num(&b, bx1);
        sv_puts(&b, ",");
        sv_num(&b, by1);
        sv_puts(&b, "]");
    }
    sv_puts(&b, "}\n");
    free(xy);
    s->network_json = sv_take(&b, &s->network_len);
    return s->network_json ? CB_OK : cbu_err_nomem(err);
}
