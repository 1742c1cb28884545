/* serve_net.c -- GET /api/v1/network: the city as the map draws it.
 *
 * Built once at start.  Topology (lanes, movements, phases) comes from the
 * engine's public API; coordinates come from the roadnet file itself,
 * because the public API has no geometry accessors yet (road points and
 * intersection points are an item for include/citybrain.h).  Lanes are
 * listed in engine order, the order of the per-lane arrays of
 * GET /api/v1/state. */
#include "serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../load/cityflow.h"
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

/* The roadnet file of a city folder or config.json, or "" if unknown. */
static void find_roadnet(cbsv_server *s)
{
    char cfg[1100];
    struct stat st;
    s->roadnet[0] = '\0';
    if (stat(s->city, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) snprintf(cfg, sizeof cfg, "%s/config.json", s->city);
    else snprintf(cfg, sizeof cfg, "%s", s->city);
    cf_config c;
    memset(&c, 0, sizeof c);
    if (cf_config_load(cfg, &c, NULL) == CB_OK && c.roadnet_file)
        snprintf(s->roadnet, sizeof s->roadnet, "%s", c.roadnet_file);
    cf_config_free(&c);
}

int sv_network_build(cbsv_server *s, cb_error *err)
{
    cb_engine *e = s->field.e;
    net_spec spec;
    net_spec_init(&spec);
    find_roadnet(s);
    bool geo = s->roadnet[0] && cf_roadnet_load(s->roadnet, &spec, NULL) == CB_OK;
    size_t nr = cb_engine_road_count(e), ni = cb_engine_intersection_count(e);
    /* spec indices by engine index (matched by id) */
    long *spec_road = malloc((nr + 1) * sizeof *spec_road);
    long *spec_inter = malloc((ni + 1) * sizeof *spec_inter);
    s->road_mid = calloc(2 * nr + 2, sizeof *s->road_mid);
    if (!spec_road || !spec_inter || !s->road_mid) {
        free(spec_road);
        free(spec_inter);
        net_spec_free(&spec);
        return cbu_err_nomem(err);
    }
    for (size_t i = 0; i < nr; i++) spec_road[i] = -1;
    for (size_t i = 0; i < ni; i++) spec_inter[i] = -1;
    if (geo) {
        for (uint32_t k = 0; k < spec.n_roads; k++) {
            long i = cb_engine_road_find(e, spec.roads[k].id);
            if (i >= 0) spec_road[i] = k;
        }
        for (uint32_t k = 0; k < spec.n_inters; k++) {
            long i = cb_engine_intersection_find(e, spec.inters[k].id);
            if (i >= 0) spec_inter[i] = k;
        }
    }
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
        if (spec_road[i] >= 0) {
            const net_spec_road *sr = &spec.roads[spec_road[i]];
            for (uint32_t p = 0; p < sr->n_points; p++) {
                double x = sr->points[p].x, y = sr->points[p].y;
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
            const net_point *a = &sr->points[0], *z = &sr->points[sr->n_points - 1];
            s->road_mid[2 * i] = (a->x + z->x) / 2;
            s->road_mid[2 * i + 1] = (a->y + z->y) / 2;
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
            if (spec_road[i] >= 0 && j < spec.roads[spec_road[i]].n_lanes) {
                sv_puts(&b, ",\"width\":");
                sv_num(&b, spec.roads[spec_road[i]].lanes[j].width);
            }
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
        if (spec_inter[i] >= 0) {
            const net_spec_inter *si = &spec.inters[spec_inter[i]];
            sv_puts(&b, ",\"point\":[");
            sv_num(&b, si->point.x);
            sv_puts(&b, ",");
            sv_num(&b, si->point.y);
            sv_puts(&b, "],\"width\":");
            sv_num(&b, si->width);
        }
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
    free(spec_road);
    free(spec_inter);
    net_spec_free(&spec);
    s->network_json = sv_take(&b, &s->network_len);
    return s->network_json ? CB_OK : cbu_err_nomem(err);
}
