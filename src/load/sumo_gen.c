/* sumo_gen.c -- demand for a network that has none (`citybrain gen demand`):
 * random trips, or trips from an origin-destination table, written as a
 * SUMO route file of <trip> elements that citybrain and SUMO both read.
 *
 * Random trips go from a fringe edge (one leaving a junction no road comes
 * into: where traffic enters the modelled area) to a fringe edge (one
 * entering a junction no road leaves), like SUMO's randomTrips.py --fringe;
 * a network without fringe uses all roads.  Departures are evenly spaced
 * at the chosen rate.  Every trip is checked to be routable by car;
 * unroutable draws are drawn again (and counted in a warning if they keep
 * failing).
 *
 * The OD table is CSV, one pair per line:  origin_edge,destination_edge,vehicles_per_hour
 * ('#' starts a comment).  Each pair gets evenly spaced departures at its
 * rate, with a random phase so that pairs do not all start at once.
 * Counts are aggregate by nature: no vehicle or person is identified. */
#include "sumo.h"
#include "../util/err.h"
#include "../util/rng.h"
#include "../util/vec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_demand_options_init(cb_demand_options *o)
{
    memset(o, 0, sizeof *o);
    o->rate = 1000;
    o->duration = 3600;
}

typedef struct gen_trip { double depart; uint32_t from, to; } gen_trip;
typedef CBU_VEC(gen_trip) trip_vec;

static int trip_cmp(const void *a, const void *b)
{
    const gen_trip *x = a, *y = b;
    if (x->depart != y->depart) return x->depart < y->depart ? -1 : 1;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

static double uniform(cbu_rng *r) { return (double)cbu_rng_next(r) / 4294967296.0; }

static net_point road_mid(const net_spec_road *r) { return r->points[r->n_points / 2]; }

/* Routable by car (and far enough apart)? */
static int trip_ok(sumo_router *rt, const net_spec *spec, uint32_t a, uint32_t b, double min_dist, bool *ok)
{
    *ok = false;
    if (a == b) return CB_OK;
    if (min_dist > 0) {
        net_point p = road_mid(&spec->roads[a]), q = road_mid(&spec->roads[b]);
        if (hypot(p.x - q.x, p.y - q.y) < min_dist) return CB_OK;
    }
    uint32_t pts[2] = { a, b }, *route, n, bad;
    int rc = sumo_route(rt, pts, 2, &route, &n, &bad);
    if (rc == CB_ENOMEM) return rc;
    if (rc == CB_OK) { free(route); *ok = true; }
    return CB_OK;
}

static int read_od(const char *path, const net_spec *spec, const cbu_strmap *roads, const cb_demand_options *o,
                   cbu_rng *rng, sumo_router *rt, trip_vec *trips, cb_warnings *warn, cb_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    char line[4096];
    int rc = CB_OK;
    for (unsigned ln = 1; fgets(line, sizeof line, f) && rc == CB_OK; ln++) {
        if (!strchr(line, '\n') && !feof(f)) {      /* the rest would pass for the next line */
            rc = cbu_err(err, CB_ESYNTAX, "%s:%u: line longer than %zu characters", path, ln, sizeof line - 2);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '\n' || *p == '\r') continue;
        char from[1024], to[1024];
        double vph;
        if (sscanf(p, " %1023[^, \t] , %1023[^, \t] , %lf", from, to, &vph) != 3) {
            rc = cbu_err(err, CB_ESYNTAX, "%s:%u: expected origin_edge,destination_edge,vehicles_per_hour", path, ln);
            break;
        }
        uint32_t a, b;
        if (!cbu_strmap_get(roads, from, &a)) {
            rc = cbu_err(err, CB_ESCHEMA, "%s:%u: unknown edge \"%s\" (or not open to cars)", path, ln, from);
            break;
        }
        if (!cbu_strmap_get(roads, to, &b)) {
            rc = cbu_err(err, CB_ESCHEMA, "%s:%u: unknown edge \"%s\" (or not open to cars)", path, ln, to);
            break;
        }
        if (!(vph >= 0) || vph > 1e6) {
            rc = cbu_err(err, CB_ESCHEMA, "%s:%u: vehicles per hour must be between 0 and 1e6", path, ln);
            break;
        }
        bool ok;
        if ((rc = trip_ok(rt, spec, a, b, 0, &ok))) break;
        if (!ok) {
            sumo_warn_n(warn, 1, "origin-destination pairs that cars cannot drive are skipped");
            continue;
        }
        if (vph == 0) continue;
        if (trips->n + vph * o->duration / 3600.0 > SUMO_MAX_DEMAND_ENTRIES) {
            rc = cbu_err(err, CB_ELIMIT, "%s:%u: the table asks for more than %d trips, more than a route file may "
                         "hold; lower the rates or --duration", path, ln, SUMO_MAX_DEMAND_ENTRIES);
            break;
        }
        double period = 3600.0 / vph, t = o->begin + uniform(rng) * period;
        for (; t < o->begin + o->duration; t += period) {
            gen_trip g = { t, a, b };
            if (cbu_vec_push(trips, g)) { rc = cbu_err(err, CB_ENOMEM, "out of memory"); break; }
        }
    }
    fclose(f);
    return rc;
}

static int write_trips(const char *out_path, const net_spec *spec, const gen_trip *t, size_t n,
                       const char *what, cb_error *err)
{
    FILE *f = fopen(out_path, "w");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", out_path, strerror(errno));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- %s, by citybrain gen demand -->\n<routes>\n", what);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "    <trip id=\"t%zu\" depart=\"%.2f\" from=\"%s\" to=\"%s\" departLane=\"best\" departSpeed=\"max\"/>\n",
                i, t[i].depart, spec->roads[t[i].from].id, spec->roads[t[i].to].id);
    fputs("</routes>\n", f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) return cbu_err(err, CB_EIO, "%s: write error", out_path);
    return CB_OK;
}

int cb_sumo_gen_demand(const char *net_path, const cb_demand_options *o_in, const char *out_path,
                       size_t *n_trips, cb_warnings *warn, cb_error *err)
{
    cb_demand_options o;
    if (o_in) o = *o_in;
    else cb_demand_options_init(&o);
    if (n_trips) *n_trips = 0;
    if (!(o.rate >= 0) || o.rate > 1e7) return cbu_err(err, CB_EINVAL, "rate must be between 0 and 1e7 vehicles per hour");
    if (!(o.duration > 0) || o.duration > 1e7) return cbu_err(err, CB_EINVAL, "duration must be between 0 and 1e7 s");
    if (!(o.begin >= 0) || o.begin > 1e9) return cbu_err(err, CB_EINVAL, "begin must be between 0 and 1e9 s");
    if (!o.od_file && o.rate * o.duration / 3600.0 > SUMO_MAX_DEMAND_ENTRIES)
        return cbu_err(err, CB_ELIMIT, "%g vehicles per hour for %g s are more than the %d trips a route file may "
                       "hold; lower --rate or --duration", o.rate, o.duration, SUMO_MAX_DEMAND_ENTRIES);
    sumo_cfg cfg;
    size_t len = strlen(net_path);
    bool is_cfg = len >= 8 && strcmp(net_path + len - 8, ".sumocfg") == 0;
    int rc = is_cfg ? sumo_cfg_load(net_path, NULL, &cfg, warn, err) : sumo_cfg_from_net(net_path, NULL, &cfg, err);
    if (rc) return rc;
    sumo_net net;
    net_spec spec;
    net_spec_init(&spec);
    sumo_router *rt = NULL;
    trip_vec trips = { 0 };
    CBU_VEC(uint32_t) origins = { 0 }, dests = { 0 };
    cbu_strmap roads;
    cbu_strmap_init(&roads);
    rc = sumo_net_load(&net, cfg.net_file, NULL, 0, warn, err);
    if (rc == CB_OK) rc = sumo_net_to_spec(&net, 0, &spec, NULL, err);
    if (rc == CB_OK && sumo_router_new(&spec, &rt)) rc = cbu_err(err, CB_ENOMEM, "out of memory");
    for (uint32_t r = 0; rc == CB_OK && r < spec.n_roads; r++)
        if (cbu_strmap_put(&roads, spec.roads[r].id, r, NULL) < 0) rc = cbu_err(err, CB_ENOMEM, "out of memory");
    cbu_rng rng;
    cbu_rng_seed(&rng, o.seed);
    if (rc == CB_OK && o.od_file) {
        rc = read_od(o.od_file, &spec, &roads, &o, &rng, rt, &trips, warn, err);
    } else if (rc == CB_OK) {
        /* fringe: roads out of junctions nothing enters, into junctions nothing leaves */
        uint32_t *in = calloc(spec.n_inters + 1, sizeof *in), *out = calloc(spec.n_inters + 1, sizeof *out);
        if (!in || !out) rc = cbu_err(err, CB_ENOMEM, "out of memory");
        for (uint32_t r = 0; rc == CB_OK && r < spec.n_roads; r++) { out[spec.roads[r].from]++; in[spec.roads[r].to]++; }
        for (uint32_t r = 0; rc == CB_OK && r < spec.n_roads; r++) {
            const net_spec_road *rd = &spec.roads[r];
            /* a road out of a dead end that only its own return road enters */
            bool o_fringe = in[rd->from] <= 1 && out[rd->from] <= 1, d_fringe = out[rd->to] <= 1 && in[rd->to] <= 1;
            if ((o_fringe && cbu_vec_push(&origins, r)) || (d_fringe && cbu_vec_push(&dests, r)))
                rc = cbu_err(err, CB_ENOMEM, "out of memory");
        }
        free(in);
        free(out);
        if (rc == CB_OK && (origins.n == 0 || dests.n == 0)) {
            origins.n = dests.n = 0;
            for (uint32_t r = 0; rc == CB_OK && r < spec.n_roads; r++)
                if (cbu_vec_push(&origins, r) || cbu_vec_push(&dests, r)) rc = cbu_err(err, CB_ENOMEM, "out of memory");
        }
        double period = o.rate > 0 ? 3600.0 / o.rate : INFINITY;
        int64_t failed = 0;
        for (double t = o.begin; rc == CB_OK && t < o.begin + o.duration; t += period) {
            bool ok = false;
            uint32_t a = 0, b = 0;
            for (int tries = 0; tries < 64 && !ok && rc == CB_OK; tries++) {
                a = origins.a[cbu_rng_next(&rng) % origins.n];
                b = dests.a[cbu_rng_next(&rng) % dests.n];
                rc = trip_ok(rt, &spec, a, b, o.min_distance, &ok);
            }
            if (!ok) { failed++; continue; }
            gen_trip g = { t, a, b };
            if (cbu_vec_push(&trips, g)) rc = cbu_err(err, CB_ENOMEM, "out of memory");
        }
        if (failed) sumo_warn_n(warn, failed, "departures without a drivable origin-destination pair (64 draws each) are left out");
    }
    if (rc == CB_OK) {
        qsort(trips.a, trips.n, sizeof *trips.a, trip_cmp);
        char what[256];
        if (o.od_file) snprintf(what, sizeof what, "trips from an origin-destination table, seed %u", o.seed);
        else snprintf(what, sizeof what, "random fringe-to-fringe trips at %g vehicles/hour, seed %u", o.rate, o.seed);
        rc = write_trips(out_path, &spec, trips.a, trips.n, what, err);
        if (rc == CB_OK && n_trips) *n_trips = trips.n;
    }
    cbu_vec_free(&trips);
    cbu_vec_free(&origins);
    cbu_vec_free(&dests);
    cbu_strmap_free(&roads);
    sumo_router_free(rt);
    net_spec_free(&spec);
    sumo_net_free(&net);
    sumo_cfg_free(&cfg);
    return rc;
}
