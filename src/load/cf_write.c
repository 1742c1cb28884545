/* cf_write.c -- net_spec / demand_spec to CityFlow JSON (see cf_write.h).
 *
 * Indices are checked before anything is written, so a bad spec never
 * produces a half-written file that looks complete. */
#include "cf_write.h"
#include "cityflow.h"
#include "../util/err.h"
#include "../util/json.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*--- primitives ---------------------------------------------------------------------*/

static void put_str(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') { putc('\\', f); putc(*p, f); }
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else putc(*p, f);          /* UTF-8 passes through */
    }
    putc('"', f);
}

static void put_num(FILE *f, double d)
{
    char buf[32];
    cbu_json_fmt_double(buf, d);
    fputs(buf, f);
}

static void put_point(FILE *f, net_point p)
{
    fputs("{\"x\": ", f);
    put_num(f, p.x);
    fputs(", \"y\": ", f);
    put_num(f, p.y);
    putc('}', f);
}

static void put_points(FILE *f, const net_point *p, uint32_t n)
{
    putc('[', f);
    for (uint32_t i = 0; i < n; i++) {
        if (i) fputs(", ", f);
        put_point(f, p[i]);
    }
    putc(']', f);
}

static int finish(FILE *f, const char *name, cb_error *err)
{
    if (fflush(f) != 0 || ferror(f))
        return cbu_err(err, CB_EIO, "%s: write error%s%s", name, errno ? ": " : "", errno ? strerror(errno) : "");
    return CB_OK;
}

/*--- roadnet.json -------------------------------------------------------------------*/

static int check_net(const net_spec *net, cb_error *err)
{
    for (uint32_t r = 0; r < net->n_roads; r++) {
        const net_spec_road *rd = &net->roads[r];
        if (!rd->id || rd->from >= net->n_inters || rd->to >= net->n_inters)
            return cbu_err(err, CB_ESCHEMA, "roads[%u]: missing id or intersection out of range", r);
    }
    for (uint32_t i = 0; i < net->n_inters; i++) {
        const net_spec_inter *in = &net->inters[i];
        if (!in->id) return cbu_err(err, CB_ESCHEMA, "intersections[%u]: missing id", i);
        for (uint32_t k = 0; k < in->n_roads; k++)
            if (in->roads[k] >= net->n_roads)
                return cbu_err(err, CB_ESCHEMA, "intersection %s: roads[%u] out of range", in->id, k);
        for (uint32_t k = 0; k < in->n_roadlinks; k++) {
            const net_spec_roadlink *rl = &in->roadlinks[k];
            if (rl->start_road >= net->n_roads || rl->end_road >= net->n_roads)
                return cbu_err(err, CB_ESCHEMA, "intersection %s: roadLinks[%u]: road out of range", in->id, k);
            if (rl->type == NET_TURN_UNKNOWN)
                return cbu_err(err, CB_EUNSUPPORTED,
                               "intersection %s: roadLinks[%u]: a movement of unknown type cannot be "
                               "written in CityFlow's format", in->id, k);
            const net_spec_road *sr = &net->roads[rl->start_road], *er = &net->roads[rl->end_road];
            for (uint32_t l = 0; l < rl->n_lanelinks; l++)
                if (rl->lanelinks[l].start_lane >= sr->n_lanes || rl->lanelinks[l].end_lane >= er->n_lanes)
                    return cbu_err(err, CB_ESCHEMA, "intersection %s: roadLinks[%u].laneLinks[%u]: lane out of range",
                                   in->id, k, l);
        }
        for (uint32_t p = 0; p < in->n_phases; p++)
            for (uint32_t k = 0; k < in->phases[p].n_links; k++)
                if (in->phases[p].links[k] >= in->n_roadlinks)
                    return cbu_err(err, CB_ESCHEMA, "intersection %s: lightphases[%u]: roadLink %u out of range",
                                   in->id, p, in->phases[p].links[k]);
    }
    return CB_OK;
}

static const char *turn_name(net_turn t)
{
    return t == NET_TURN_UTURN ? "turn_left" : cf_turn_name(t);   /* see cf_write.h */
}

static void put_roadlink(FILE *f, const net_spec *net, const net_spec_roadlink *rl)
{
    fputs("        {\n          \"type\": ", f);
    put_str(f, turn_name(rl->type));
    fputs(",\n          \"startRoad\": ", f);
    put_str(f, net->roads[rl->start_road].id);
    fputs(",\n          \"endRoad\": ", f);
    put_str(f, net->roads[rl->end_road].id);
    fputs(",\n          \"laneLinks\": [", f);
    for (uint32_t l = 0; l < rl->n_lanelinks; l++) {
        const net_spec_lanelink *ll = &rl->lanelinks[l];
        fprintf(f, "%s\n            {\"startLaneIndex\": %u, \"endLaneIndex\": %u", l ? "," : "",
                ll->start_lane, ll->end_lane);
        if (ll->points && ll->n_points) {
            fputs(", \"points\": ", f);
            put_points(f, ll->points, ll->n_points);
        }
        putc('}', f);
    }
    fputs(rl->n_lanelinks ? "\n          ]\n        }" : "]\n        }", f);
}

static void put_inter(FILE *f, const net_spec *net, const net_spec_inter *in)
{
    fputs("    {\n      \"id\": ", f);
    put_str(f, in->id);
    fputs(",\n      \"point\": ", f);
    put_point(f, in->point);
    fputs(",\n      \"width\": ", f);
    put_num(f, in->width);
    fputs(",\n      \"roads\": [", f);
    for (uint32_t k = 0; k < in->n_roads; k++) {
        if (k) fputs(", ", f);
        put_str(f, net->roads[in->roads[k]].id);
    }
    fputs("],\n      \"roadLinks\": [", f);
    for (uint32_t k = 0; k < in->n_roadlinks; k++) {
        fputs(k ? ",\n" : "\n", f);
        put_roadlink(f, net, &in->roadlinks[k]);
    }
    fputs(in->n_roadlinks ? "\n      ],\n" : "],\n", f);
    fputs("      \"trafficLight\": {\n        \"roadLinkIndices\": [", f);
    for (uint32_t k = 0; k < in->n_roadlinks; k++) fprintf(f, k ? ", %u" : "%u", k);
    fputs("],\n        \"lightphases\": [", f);
    for (uint32_t p = 0; p < in->n_phases; p++) {
        const net_spec_phase *ph = &in->phases[p];
        fputs(p ? ",\n          {\"time\": " : "\n          {\"time\": ", f);
        put_num(f, ph->time);
        fputs(", \"availableRoadLinks\": [", f);
        for (uint32_t k = 0; k < ph->n_links; k++) fprintf(f, k ? ", %u" : "%u", ph->links[k]);
        fputs("]}", f);
    }
    fputs(in->n_phases ? "\n        ]\n      },\n" : "]\n      },\n", f);
    fprintf(f, "      \"virtual\": %s\n    }", in->is_virtual ? "true" : "false");
}

static void put_road(FILE *f, const net_spec *net, const net_spec_road *rd)
{
    fputs("    {\"id\": ", f);
    put_str(f, rd->id);
    fputs(", \"points\": ", f);
    put_points(f, rd->points, rd->n_points);
    fputs(", \"lanes\": [", f);
    for (uint32_t i = 0; i < rd->n_lanes; i++) {
        fputs(i ? ", {\"width\": " : "{\"width\": ", f);
        put_num(f, rd->lanes[i].width);
        fputs(", \"maxSpeed\": ", f);
        put_num(f, rd->lanes[i].max_speed);
        putc('}', f);
    }
    fputs("], \"startIntersection\": ", f);
    put_str(f, net->inters[rd->from].id);
    fputs(", \"endIntersection\": ", f);
    put_str(f, net->inters[rd->to].id);
    putc('}', f);
}

int cf_roadnet_fwrite(const net_spec *net, FILE *f, const char *name, cb_error *err)
{
    int rc = check_net(net, err);
    if (rc) { cbu_err_prefix(err, "%s: ", name); return rc; }
    fputs("{\n  \"intersections\": [", f);
    for (uint32_t i = 0; i < net->n_inters; i++) {
        fputs(i ? ",\n" : "\n", f);
        put_inter(f, net, &net->inters[i]);
    }
    fputs(net->n_inters ? "\n  ],\n  \"roads\": [" : "],\n  \"roads\": [", f);
    for (uint32_t r = 0; r < net->n_roads; r++) {
        fputs(r ? ",\n" : "\n", f);
        put_road(f, net, &net->roads[r]);
    }
    fputs(net->n_roads ? "\n  ]\n}\n" : "]\n}\n", f);
    return finish(f, name, err);
}

/*--- flow.json ----------------------------------------------------------------------*/

static int check_demand(const demand_spec *demand, const net_spec *net, const char *name, cb_error *err)
{
    for (uint32_t i = 0; i < demand->n_flows; i++)
        for (uint32_t k = 0; k < demand->flows[i].n_route; k++)
            if (demand->flows[i].route[k] >= net->n_roads || !net->roads[demand->flows[i].route[k]].id)
                return cbu_err(err, CB_ESCHEMA, "%s: [%u].route[%u]: road %u out of range",
                               name, i, k, demand->flows[i].route[k]);
    return CB_OK;
}

int cf_flow_fwrite(const demand_spec *demand, const net_spec *net, FILE *f, const char *name,
                   cb_error *err)
{
    int rc = check_demand(demand, net, name, err);
    if (rc) return rc;
    static const struct { const char *key; size_t off; } vfields[] = {
        { "length", offsetof(net_vtype, length) },
        { "width", offsetof(net_vtype, width) },
        { "maxPosAcc", offsetof(net_vtype, max_pos_acc) },
        { "maxNegAcc", offsetof(net_vtype, max_neg_acc) },
        { "usualPosAcc", offsetof(net_vtype, usual_pos_acc) },
        { "usualNegAcc", offsetof(net_vtype, usual_neg_acc) },
        { "minGap", offsetof(net_vtype, min_gap) },
        { "maxSpeed", offsetof(net_vtype, max_speed) },
        { "headwayTime", offsetof(net_vtype, headway_time) },
    };
    fputs("[", f);
    for (uint32_t i = 0; i < demand->n_flows; i++) {
        const demand_flow *fl = &demand->flows[i];
        fputs(i ? ",\n  {\n    \"vehicle\": {" : "\n  {\n    \"vehicle\": {", f);
        for (size_t v = 0; v < sizeof vfields / sizeof vfields[0]; v++) {
            fprintf(f, "%s\"%s\": ", v ? ", " : "", vfields[v].key);
            put_num(f, *(const double *)((const char *)&fl->vtype + vfields[v].off));
        }
        fputs("},\n    \"route\": [", f);
        for (uint32_t k = 0; k < fl->n_route; k++) {
            if (k) fputs(", ", f);
            put_str(f, net->roads[fl->route[k]].id);
        }
        fputs("],\n    \"interval\": ", f);
        put_num(f, fl->interval);
        fprintf(f, ",\n    \"startTime\": %lld,\n    \"endTime\": %lld\n  }",
                (long long)fl->start_time, (long long)fl->end_time);
    }
    fputs(demand->n_flows ? "\n]\n" : "]\n", f);
    return finish(f, name, err);
}

/*--- config.json --------------------------------------------------------------------*/

typedef struct cf_config_out { double interval; uint32_t seed; const char *roadnet, *flow; } cf_config_out;

static int config_w(const void *a, const void *b, FILE *f, const char *name, cb_error *err)
{
    (void)b;
    const cf_config_out *c = a;
    fputs("{\n  \"interval\": ", f);
    char num[32];
    cbu_json_fmt_double(num, c->interval);
    fputs(strchr(num, '.') || strchr(num, 'e') ? num : strcat(num, ".0"), f);   /* CityFlow wants a double */
    fprintf(f, ",\n  \"seed\": %u,\n  \"dir\": \"\",\n  \"roadnetFile\": ", c->seed);
    put_str(f, c->roadnet);
    fputs(",\n  \"flowFile\": ", f);
    put_str(f, c->flow);
    fputs(",\n  \"rlTrafficLight\": false,\n  \"laneChange\": false,\n  \"saveReplay\": false\n}\n", f);
    return finish(f, name, err);
}

/*--- files --------------------------------------------------------------------------*/

typedef int (*writer_fn)(const void *a, const void *b, FILE *f, const char *name, cb_error *err);

static int roadnet_w(const void *a, const void *b, FILE *f, const char *name, cb_error *err)
{
    (void)b;
    return cf_roadnet_fwrite(a, f, name, err);
}

static int flow_w(const void *a, const void *b, FILE *f, const char *name, cb_error *err)
{
    return cf_flow_fwrite(a, b, f, name, err);
}

static int write_file(const char *path, writer_fn fn, const void *a, const void *b, cb_error *err)
{
    if (!path || !*path) return cbu_err(err, CB_EINVAL, "no output file name given");
    FILE *f = fopen(path, "wb");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    char *buf = malloc(1 << 20);                       /* fewer, larger writes */
    if (buf) setvbuf(f, buf, _IOFBF, 1 << 20);
    int rc = fn(a, b, f, path, err);
    if (fclose(f) != 0 && rc == CB_OK) rc = cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    free(buf);
    return rc;
}

int cf_roadnet_write(const net_spec *net, const char *path, cb_error *err)
{
    int rc = check_net(net, err);             /* before the file is created */
    if (rc) { cbu_err_prefix(err, "%s: ", path ? path : "roadnet"); return rc; }
    return write_file(path, roadnet_w, net, NULL, err);
}

int cf_flow_write(const demand_spec *demand, const net_spec *net, const char *path, cb_error *err)
{
    int rc = check_demand(demand, net, path ? path : "flow", err);   /* before the file is created */
    if (rc) return rc;
    return write_file(path, flow_w, demand, net, err);
}

int cb_cityflow_config_write(const char *path, double interval, uint32_t seed, const char *roadnet_file,
                             const char *flow_file, cb_error *err)
{
    cf_config_out c = { interval, seed, roadnet_file, flow_file };
    return write_file(path, config_w, &c, NULL, err);
}
