/* cmd_bench_emergency.c -- `citybrain bench emergency`: how much faster an
 * emergency vehicle gets through the city with green waves, and what it
 * costs everyone else.
 *
 * For each city (Jinan and Hangzhou at their heaviest flows) a seeded list
 * of random trips (origin road, destination road, dispatch time) is drawn.
 * Each trip is simulated twice from time 0 with the same seed -- so the
 * background traffic is identical until the dispatch, which the digests
 * of the two runs prove -- once without preemption and once with it, both
 * with live detector routing, under the same signal controller.  Both runs
 * use the same vehicle: an emergency vehicle on duty, which may drive at
 * its speed factor (1.5) times the limit, so that the comparison measures
 * the green waves alone.  Reported: the vehicle's travel time (median, p90)
 * in both, everyone else's ATT at the end of the hour, and how long after
 * the vehicle's arrival the queues at signals take to come back to the run
 * without preemption.  As context, a third run per trip sends an ordinary
 * vehicle (speed factor 1) without preemption: the reduction against it is
 * what speed and green waves give together, reported apart and labelled.
 *
 * Output: a table (and the marked section "bench emergency" of
 * docs/benchmarks.md), or with --json one object. */
#include "cli_bench_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const bops_city em_cities[] = {
    { "JN", "jinan_3x4", "roadnet_3_4.json", "anon_3_4_jinan_real.json", "jinan_3x4" },
    { "HZ", "hangzhou_4x4", "roadnet_4_4.json", "anon_4_4_hangzhou_real_5816.json", "hangzhou_4x4" },
};
enum { EM_N_CITIES = sizeof em_cities / sizeof em_cities[0] };

typedef struct em_args {
    const char *data, *examples, *out, *control, *only;
    int trips;
    uint64_t seed;
    double hour;              /* background measured at this time (3600) */
    bool no_ordinary;         /* skip the ordinary-vehicle context run */
    bool json, no_write, quiet;
    cb_ops_config cfg;
} em_args;

typedef struct em_trip {
    size_t origin, dest;
    double time;
    int signals;              /* signalized intersections on the free-flow route */
    char origin_id[64], dest_id[64];
} em_trip;

#define EM_MAX_EXTRA 3600.0   /* s after the hour an unfinished vehicle may take */

typedef struct em_run {
    bool arrived;
    double tt;                /* EV travel time (censored at the cap if not arrived) */
    double bg_att;            /* everyone else's engine ATT at the hour */
    double ev_arrival;        /* s */
    uint64_t digest;          /* engine state just before the dispatch */
    int preemptions, stops, replans;
    double stopped;           /* s the EV stood */
    double free_flow;         /* s its roads take at its top speed */
    double *queue;            /* stopped vehicles on approaches per step from the dispatch */
    size_t n_queue;
} em_run;

/*--- trips ----------------------------------------------------------------------------*/

/* Random trips across at least three signalized intersections, dispatched
 * between 600 s (traffic built up) and 2400 s (time left in the hour). */
static int draw_trips(const bops_city *c, const em_args *a, size_t city_index, em_trip *trips, cb_error *err)
{
    cb_engine *e;
    int rc = bops_open(c, a->data, a->examples, false, 0, &e, err);
    if (rc) return rc;
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.incidents = false;
    cb_ops *o;
    if ((rc = cb_ops_open(e, &cfg, &o, err))) {
        cb_engine_close(e);
        return rc;
    }
    bops_rng r;
    bops_rng_seed(&r, a->seed * 1000003ULL + city_index);
    size_t n_roads = cb_engine_road_count(e);
    for (int k = 0; k < a->trips; k++) {
        for (int tries = 0; tries < 10000; tries++) {
            em_trip t = { .origin = bops_rng_below(&r, n_roads), .dest = bops_rng_below(&r, n_roads) };
            t.time = 600 + floor(bops_rng_uniform(&r) * 1800);
            size_t *route, n;
            if (t.origin == t.dest || cb_ops_route(o, t.origin, t.dest, &route, &n, NULL, NULL)) continue;
            for (size_t j = 0; j + 1 < n; j++) {
                cb_road_info ri;
                cb_engine_road_info(e, route[j], &ri);
                t.signals += bops_signalized(e, ri.to);
            }
            free(route);
            if (t.signals < 3) continue;
            snprintf(t.origin_id, sizeof t.origin_id, "%s", cb_engine_road_id(e, t.origin));
            snprintf(t.dest_id, sizeof t.dest_id, "%s", cb_engine_road_id(e, t.dest));
            trips[k] = t;
            break;
        }
    }
    cb_ops_close(o);
    cb_engine_close(e);
    return CB_OK;
}

/*--- one run ------------------------------------------------------------------------------*/

/* ordinary: the vehicle keeps to the limit (speed factor 1). */
static int run_trip(const bops_city *c, const em_args *a, const em_trip *t, bool preempt, bool ordinary, em_run *out,
                    cb_error *err)
{
    memset(out, 0, sizeof *out);
    bool fixed = strcmp(a->control, "fixed") == 0;
    cb_engine *e = NULL;
    cb_opsloop *l = NULL;
    cb_params *p = NULL;
    int rc = bops_open(c, a->data, a->examples, !fixed, 0, &e, err);
    if (!rc) rc = cb_params_new(&p, err);
    cb_ops_config cfg = a->cfg;
    cfg.preempt = preempt;
    cfg.incidents = false;
    if (ordinary) cfg.ev.speed_factor = 1;
    if (!rc) rc = cb_opsloop_open(e, a->control, p, &cfg, &l, err);
    size_t id = 0;
    if (!rc) rc = cb_ops_dispatch(cb_opsloop_ops(l), t->origin, t->dest, t->time, &id, err);
    double dt = e ? cb_engine_interval(e) : 1;
    size_t cap = (size_t)((a->hour + EM_MAX_EXTRA - t->time) / dt) + 2;
    if (!rc && !(out->queue = malloc(cap * sizeof *out->queue))) {
        err->code = rc = CB_ENOMEM;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    bool measured = false;
    cb_ev_status st = { 0 };
    while (!rc) {
        double now = cb_engine_time(e);
        if (now < t->time - 1e-9 && now + dt >= t->time - 1e-9) out->digest = cb_engine_digest(e);
        if ((rc = cb_opsloop_step(l, err))) break;
        now = cb_engine_time(e);
        cb_ops_ev(cb_opsloop_ops(l), id, &st, NULL);
        if (now >= t->time - 1e-9 && out->n_queue < cap) {
            cb_metrics m;
            cb_engine_metrics(e, &m);
            out->queue[out->n_queue++] = (double)m.stopped_on_approaches;
        }
        if (!measured && now >= a->hour - 1e-9) {
            cb_metrics m;
            cb_engine_metrics(e, &m);
            /* The EV's own share of CityFlow's ATT, taken out: its time so
             * far, or its travel time if it has arrived (same convention). */
            double ev = st.state == CB_EV_ARRIVED ? st.travel_time : (st.start >= 0 ? now - st.start : 0);
            double n = (double)m.created - (st.start >= 0 ? 1 : 0);
            out->bg_att = n > 0 ? (m.engine_att * (double)m.created - ev) / n : NAN;
            measured = true;
        }
        bool done = st.state == CB_EV_ARRIVED || st.state == CB_EV_FAILED;
        if ((measured && done) || now >= a->hour + EM_MAX_EXTRA - 1e-9) break;
    }
    if (!rc && st.state == CB_EV_FAILED) {
        err->code = rc = CB_ESTATE;
        snprintf(err->msg, sizeof err->msg, "emergency vehicle failed: %s", st.note);
    }
    if (!rc) {
        out->arrived = st.state == CB_EV_ARRIVED;
        out->tt = st.travel_time;
        out->ev_arrival = out->arrived ? st.arrival : NAN;
        out->preemptions = st.preemptions;
        out->stops = st.stops;
        out->replans = st.replans;
        out->stopped = st.stopped_time;
        out->free_flow = st.free_flow;
    }
    cb_opsloop_close(l);
    cb_engine_close(e);
    cb_params_free(p);
    return rc;
}

/*--- results ------------------------------------------------------------------------------*/

/* Seconds after the vehicle's arrival (run with preemption) until the
 * queues at signals stay within 10% (+2 vehicles) of the run without it
 * for a minute; NAN if they do not within the record. */
static double recovery(const em_run *without, const em_run *with, double dispatch, double dt)
{
    if (!with->arrived) return NAN;
    size_t from = (size_t)((with->ev_arrival - dispatch) / dt), win = (size_t)(60 / dt);
    size_t n = without->n_queue < with->n_queue ? without->n_queue : with->n_queue;
    for (size_t k = from; k + win <= n; k++) {
        bool ok = true;
        for (size_t j = k; j < k + win && ok; j++) ok = with->queue[j] <= without->queue[j] * 1.1 + 2;
        if (ok) return (double)(k - from) * dt;
    }
    return NAN;
}

typedef struct em_summary {
    int trips, same_background, arrived_without, arrived_with;
    double med_without, med_with, p90_without, p90_with;
    double bg_change, bg_change_max, recovery_median;
    double stops_without, stops_with, preemptions, replans;
    double ff_without, ff_with;   /* medians of the free-flow times */
    double med_ordinary, p90_ordinary; /* the ordinary vehicle without preemption (NAN: not run) */
} em_summary;

/* od: the ordinary vehicle's runs, or NULL. */
static void summarise(const em_trip *t, const em_run *wo, const em_run *wi, const em_run *od, int n, double dt,
                      em_summary *s)
{
    memset(s, 0, sizeof *s);
    s->trips = n;
    double *a = malloc((size_t)(n + 1) * sizeof *a), *b = malloc((size_t)(n + 1) * sizeof *b);
    double *rec = malloc((size_t)(n + 1) * sizeof *rec);
    double *fa = malloc((size_t)(n + 1) * sizeof *fa), *fb = malloc((size_t)(n + 1) * sizeof *fb);
    if (!a || !b || !rec || !fa || !fb) {
        free(a);
        free(b);
        free(rec);
        free(fa);
        free(fb);
        return;
    }
    size_t nr = 0;
    s->bg_change_max = -INFINITY;
    for (int k = 0; k < n; k++) {
        a[k] = wo[k].tt;
        b[k] = wi[k].tt;
        fa[k] = wo[k].free_flow;
        fb[k] = wi[k].free_flow;
        s->same_background += wo[k].digest == wi[k].digest;
        s->arrived_without += wo[k].arrived;
        s->arrived_with += wi[k].arrived;
        double d = wi[k].bg_att / wo[k].bg_att - 1;
        s->bg_change += d / n;
        if (d > s->bg_change_max) s->bg_change_max = d;
        s->stops_without += (double)wo[k].stops / n;
        s->stops_with += (double)wi[k].stops / n;
        s->preemptions += (double)wi[k].preemptions / n;
        s->replans += (double)wi[k].replans / n;
        double r = recovery(&wo[k], &wi[k], t[k].time, dt);
        if (!isnan(r)) rec[nr++] = r;
    }
    s->med_without = bops_quantile(a, (size_t)n, 0.5);
    s->p90_without = bops_quantile(a, (size_t)n, 0.9);
    s->med_with = bops_quantile(b, (size_t)n, 0.5);
    s->p90_with = bops_quantile(b, (size_t)n, 0.9);
    s->recovery_median = bops_quantile(rec, nr, 0.5);
    s->ff_without = bops_quantile(fa, (size_t)n, 0.5);
    s->ff_with = bops_quantile(fb, (size_t)n, 0.5);
    s->med_ordinary = s->p90_ordinary = NAN;
    if (od) {
        for (int k = 0; k < n; k++) a[k] = od[k].tt;
        s->med_ordinary = bops_quantile(a, (size_t)n, 0.5);
        s->p90_ordinary = bops_quantile(a, (size_t)n, 0.9);
    }
    free(a);
    free(b);
    free(rec);
    free(fa);
    free(fb);
}

static void json_num(FILE *f, const char *key, double v, bool comma)
{
    char b[32];
    if (isfinite(v)) cli_fmt_double(b, v);
    else snprintf(b, sizeof b, "null");
    fprintf(f, "\"%s\": %s%s", key, b, comma ? ", " : "");
}

static void json_summary(FILE *f, const em_summary *s)
{
    json_num(f, "ev_median_reduction", 1 - s->med_with / s->med_without, true);
    json_num(f, "ev_p90_reduction", 1 - s->p90_with / s->p90_without, true);
    json_num(f, "background_att_change", s->bg_change, true);
    fprintf(f, "\"trips\": %d, ", s->trips);
    json_num(f, "ev_median_without_s", s->med_without, true);
    json_num(f, "ev_median_with_s", s->med_with, true);
    json_num(f, "ev_p90_without_s", s->p90_without, true);
    json_num(f, "ev_p90_with_s", s->p90_with, true);
    json_num(f, "ev_free_flow_median_without_s", s->ff_without, true);
    json_num(f, "ev_free_flow_median_with_s", s->ff_with, true);
    json_num(f, "background_att_change_max", s->bg_change_max, true);
    json_num(f, "recovery_median_s", s->recovery_median, true);
    json_num(f, "ev_stops_without", s->stops_without, true);
    json_num(f, "ev_stops_with", s->stops_with, true);
    json_num(f, "preemptions_per_trip", s->preemptions, true);
    json_num(f, "replans_per_trip", s->replans, true);
    json_num(f, "ordinary_ev_median_without_s", s->med_ordinary, true);
    json_num(f, "ordinary_ev_p90_without_s", s->p90_ordinary, true);
    json_num(f, "ev_median_reduction_vs_ordinary", 1 - s->med_with / s->med_ordinary, true);
    json_num(f, "ev_p90_reduction_vs_ordinary", 1 - s->p90_with / s->p90_ordinary, true);
    fprintf(f, "\"arrived_without\": %d, \"arrived_with\": %d, \"same_background\": %d", s->arrived_without,
            s->arrived_with, s->same_background);
}

static void table_row(FILE *f, const char *name, const em_summary *s)
{
    fprintf(f, "| %s | %d | %.0f | %.0f | **%.1f%%** | %.0f (%.1f%%) | %.0f | %.0f | %.1f%% | **%+.2f%%** (max %+.2f%%) | "
               "%.1f / %.1f | %.1f | ",
            name, s->trips, s->med_without, s->med_with, 100 * (1 - s->med_with / s->med_without), s->ff_without,
            100 * (1 - s->ff_without / s->med_without), s->p90_without, s->p90_with,
            100 * (1 - s->p90_with / s->p90_without), 100 * s->bg_change, 100 * s->bg_change_max, s->stops_without,
            s->stops_with, s->preemptions);
    if (isnan(s->med_ordinary)) fprintf(f, "- | ");
    else fprintf(f, "%.0f (%.0f, %.1f%%) | ", s->med_ordinary, s->med_with, 100 * (1 - s->med_with / s->med_ordinary));
    if (isnan(s->recovery_median)) fprintf(f, "- |\n");
    else fprintf(f, "%.0f |\n", s->recovery_median);
}

/*--- the command ------------------------------------------------------------------------------*/

enum { E_DATA = 1, E_EXAMPLES, E_OUT, E_NO_WRITE, E_TRIPS, E_SEED, E_CONTROL, E_CITIES, E_JSON, E_QUIET, E_HOUR,
       E_HEADWAY, E_MARGIN, E_MAX_HOLD, E_SPEED_FACTOR, E_NO_ORDINARY };

static const cli_opt em_opts[] = {
    { E_TRIPS, "trips", 0, "N", "random trips per city", "20" },
    { E_SEED, "seed", 0, "N", "seed of the trips", "1" },
    { E_CONTROL, "control", 0, "NAME", "signal controller of both runs", "auto" },
    { E_CITIES, "cities", 0, "LIST", "JN, HZ or both", "JN,HZ" },
    { E_HOUR, "hour", 0, "SECONDS", "background ATT measured at this time", "3600" },
    { E_HEADWAY, "headway", 0, "S", "preemption: seconds per queued vehicle", "2" },
    { E_MARGIN, "margin", 0, "S", "preemption: extra lead before the ETA", "4" },
    { E_MAX_HOLD, "max-hold", 0, "S", "preemption: longest hold of one site", "120" },
    { E_SPEED_FACTOR, "speed-factor", 0, "F", "the EV may drive at F times the limit (both runs)", "1.5" },
    { E_NO_ORDINARY, "no-ordinary", 0, NULL, "skip the ordinary vehicle's runs (context only)", NULL },
    { E_DATA, "data", 0, "DIR", "the benchmark cities", "../shared/data" },
    { E_EXAMPLES, "examples", 0, "DIR", "bundled copies used first when present", "examples" },
    { E_OUT, "out", 'o', "FILE", "markdown file whose marked section is rewritten", "docs/benchmarks.md" },
    { E_NO_WRITE, "no-write", 0, NULL, "print only", NULL },
    { E_JSON, "json", 0, NULL, "print one JSON object (implies --no-write)", NULL },
    { E_QUIET, "quiet", 'q', NULL, "no progress on stderr", NULL },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int em_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_bench_emergency = {
    .name = "bench emergency",
    .summary = "emergency vehicles with and without green waves (travel time, everyone else's ATT)",
    .usage = "bench emergency [options]",
    .description =
        "Draw --trips random emergency trips (seeded) on Jinan and Hangzhou at their\n"
        "heaviest flows and run each twice from time 0 with the same seed: without\n"
        "and with signal preemption, both routed on live detector estimates, under\n"
        "the same controller, the same vehicle (an EV on duty: --speed-factor times\n"
        "the limit).  Report the vehicle's travel time (median, p90), the change in\n"
        "everyone else's ATT at the end of the hour, and how long the queues at\n"
        "signals take to recover after the vehicle's arrival.  As context, a third\n"
        "run sends an ordinary vehicle (at the limit) without preemption.  Targets:\n"
        "median travel time at least 50% lower, background ATT at most 3% higher.\n"
        "Methods: docs/emergency.md.\n",
    .groups = { { NULL, em_opts, NULL } },
    .examples =
        "  citybrain bench emergency\n"
        "  citybrain bench emergency --trips 5 --cities JN --json\n",
    .main = em_main,
};

static bool listed(const char *list, const char *name)
{
    if (!list) return true;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return true;
    return false;
}

static int em_main(const cli_command *self, int argc, char **argv)
{
    em_args a = { .data = "../shared/data", .examples = "examples", .out = "docs/benchmarks.md", .control = "auto",
                  .trips = 20, .seed = 1, .hour = 3600 };
    cb_ops_config_init(&a.cfg);
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    long long v;
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_BAD: return CLI_EXIT_USAGE;
        case CLI_HELP: cli_help_print(self, stdout); return CLI_EXIT_OK;
        case CLI_POSITIONAL: return cli_usage_error(self, "unexpected argument '%s'", p.value);
        case E_DATA: a.data = p.value; break;
        case E_EXAMPLES: a.examples = p.value; break;
        case E_OUT: a.out = p.value; break;
        case E_NO_WRITE: a.no_write = true; break;
        case E_JSON: a.json = a.no_write = true; break;
        case E_QUIET: a.quiet = true; break;
        case E_CONTROL: a.control = p.value; break;
        case E_CITIES: a.only = p.value; break;
        case E_TRIPS:
            if (!cli_value_int(&p, 1, 1000, &v)) return CLI_EXIT_USAGE;
            a.trips = (int)v;
            break;
        case E_SEED:
            if (!cli_value_int(&p, 0, 4294967295LL, &v)) return CLI_EXIT_USAGE;
            a.seed = (uint64_t)v;
            break;
        case E_HOUR:
            if (!cli_value_double(&p, 2500, 86400, &a.hour)) return CLI_EXIT_USAGE;
            break;
        case E_HEADWAY:
            if (!cli_value_double(&p, 0, 60, &a.cfg.headway)) return CLI_EXIT_USAGE;
            break;
        case E_MARGIN:
            if (!cli_value_double(&p, 0, 600, &a.cfg.margin)) return CLI_EXIT_USAGE;
            break;
        case E_MAX_HOLD:
            if (!cli_value_double(&p, 1, 3600, &a.cfg.max_hold)) return CLI_EXIT_USAGE;
            break;
        case E_SPEED_FACTOR:
            if (!cli_value_double(&p, 0.2, 3, &a.cfg.ev.speed_factor)) return CLI_EXIT_USAGE;
            break;
        case E_NO_ORDINARY: a.no_ordinary = true; break;
        default: return CLI_EXIT_USAGE;
        }
    }
    size_t nt = (size_t)a.trips;
    em_trip *trips = calloc(nt * EM_N_CITIES, sizeof *trips);
    em_run *wo = calloc(nt * EM_N_CITIES, sizeof *wo), *wi = calloc(nt * EM_N_CITIES, sizeof *wi);
    em_run *od = calloc(nt * EM_N_CITIES, sizeof *od);
    if (!trips || !wo || !wi || !od) {
        free(trips);
        free(wo);
        free(wi);
        free(od);
        return cli_failf("out of memory");
    }
    bool ordinary = !a.no_ordinary;
    em_summary per[EM_N_CITIES];
    bool ran[EM_N_CITIES] = { false };
    char skipped[EM_N_CITIES][512];
    int rc = CLI_EXIT_OK;
    double dt = 1;
    for (size_t c = 0; c < EM_N_CITIES && rc == CLI_EXIT_OK; c++) {
        skipped[c][0] = '\0';
        if (!listed(a.only, em_cities[c].tag)) continue;
        cb_error err = { 0 };
        em_trip *t = trips + c * nt;
        if (draw_trips(&em_cities[c], &a, c, t, &err)) {
            if (err.code == CB_ENOTFOUND || err.code == CB_EIO) {
                snprintf(skipped[c], sizeof skipped[c], "%s", err.msg);
                if (!a.quiet) fprintf(stderr, "citybrain bench emergency: %s skipped: %s\n", em_cities[c].tag, err.msg);
                continue;
            }
            rc = cli_fail(&err);
            break;
        }
        for (size_t k = 0; k < nt; k++) {
            if (run_trip(&em_cities[c], &a, &t[k], false, false, &wo[c * nt + k], &err) ||
                run_trip(&em_cities[c], &a, &t[k], true, false, &wi[c * nt + k], &err) ||
                (ordinary && run_trip(&em_cities[c], &a, &t[k], false, true, &od[c * nt + k], &err))) {
                fprintf(stderr, "citybrain bench emergency: %s trip %zu: ", em_cities[c].tag, k);
                rc = cli_fail(&err);
                break;
            }
            if (!a.quiet)
                fprintf(stderr,
                        "  %s trip %2zu  %s:%s@%g  %d signals  without %4.0f s  with %4.0f s  (%d holds)  "
                        "ordinary vehicle without %4.0f s\n",
                        em_cities[c].tag, k, t[k].origin_id, t[k].dest_id, t[k].time, t[k].signals, wo[c * nt + k].tt,
                        wi[c * nt + k].tt, wi[c * nt + k].preemptions, ordinary ? od[c * nt + k].tt : NAN);
        }
        if (rc) break;
        summarise(t, wo + c * nt, wi + c * nt, ordinary ? od + c * nt : NULL, a.trips, dt, &per[c]);
        ran[c] = true;
    }
    em_summary all;
    int n_ran = 0;
    if (rc == CLI_EXIT_OK) {
        /* All trips of the cities that ran, as one sample. */
        em_trip *t2 = calloc(nt * EM_N_CITIES, sizeof *t2);
        em_run *wo2 = calloc(nt * EM_N_CITIES, sizeof *wo2), *wi2 = calloc(nt * EM_N_CITIES, sizeof *wi2);
        em_run *od2 = calloc(nt * EM_N_CITIES, sizeof *od2);
        if (!t2 || !wo2 || !wi2 || !od2) rc = cli_failf("out of memory");
        for (size_t c = 0; c < EM_N_CITIES && !rc; c++)
            if (ran[c]) {
                memcpy(t2 + n_ran * nt, trips + c * nt, nt * sizeof *t2);
                memcpy(wo2 + n_ran * nt, wo + c * nt, nt * sizeof *wo2);
                memcpy(wi2 + n_ran * nt, wi + c * nt, nt * sizeof *wi2);
                memcpy(od2 + n_ran * nt, od + c * nt, nt * sizeof *od2);
                n_ran++;
            }
        if (!rc && n_ran) summarise(t2, wo2, wi2, ordinary ? od2 : NULL, n_ran * a.trips, dt, &all);
        else if (!rc) rc = cli_failf("no city found under %s", a.data);
        free(t2);
        free(wo2);
        free(wi2);
        free(od2);
    }
    if (rc == CLI_EXIT_OK) {
        if (a.json) {
            fputc('{', stdout);
            json_summary(stdout, &all);
            char sf[32];
            cli_fmt_double(sf, a.cfg.ev.speed_factor);
            fprintf(stdout, ", \"control\": \"%s\", \"seed\": %llu, \"ev_speed_factor\": %s, \"cities\": {",
                    a.control, (unsigned long long)a.seed, sf);
            bool first = true;
            for (size_t c = 0; c < EM_N_CITIES; c++) {
                if (!ran[c]) continue;
                fprintf(stdout, "%s\"%s\": {", first ? "" : ", ", em_cities[c].tag);
                json_summary(stdout, &per[c]);
                fprintf(stdout, ", \"flow\": \"%s\"}", em_cities[c].flow);
                first = false;
            }
            fputs("}, \"skipped\": [", stdout);
            first = true;
            for (size_t c = 0; c < EM_N_CITIES; c++)
                if (skipped[c][0]) {
                    fprintf(stdout, "%s\"%s\"", first ? "" : ", ", em_cities[c].tag);
                    first = false;
                }
            fputs("]}\n", stdout);
        } else {
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            if (!f) {
                rc = cli_failf("out of memory");
            } else {
                fprintf(f, "## Emergency vehicles (`citybrain bench emergency`)\n\n");
                fprintf(f, "%d random trips per city (seed %llu) across at least three signals, dispatched between "
                           "600 s and 2400 s, each run twice from time 0 with the same seed: without and with "
                           "preemption, both on live detector routes, controller `%s`, lane changing off. "
                           "Both runs send the same vehicle, an EV on duty that may drive at %g times the lane "
                           "limit (at most %g m/s): *without* is that vehicle without green waves, the fair "
                           "baseline, and *reduction* is what preemption alone gives. "
                           "Background traffic identical until the dispatch in %d of %d pairs (engine digests). "
                           "EV travel time from dispatch to arrival, s; background ATT is CityFlow's ATT without "
                           "the EV at %g s; recovery is the time after the EV's arrival until the queues at "
                           "signals stay within 10%% of the run without preemption for a minute. *Free flow* is the "
                           "median time of the same roads at the EV's top speed with no signal "
                           "and nobody ahead, and the reduction that would be: no preemption can do better. "
                           "*Ordinary vehicle without* (context, not the target's baseline): the median of a third "
                           "run per trip, a vehicle keeping to the limit without preemption, and the reduction of "
                           "the EV with preemption against it (speed and green waves together). Targets: median "
                           "-50%% or better, background +3%% or less. Method: docs/emergency.md. Regenerate with "
                           "`citybrain bench emergency --control %s`.\n\n",
                        a.trips, (unsigned long long)a.seed, a.control, a.cfg.ev.speed_factor, a.cfg.ev.max_speed,
                        all.same_background, all.trips, a.hour, a.control);
                fprintf(f, "| city (flow) | trips | EV median without | with | reduction | free flow (its "
                           "reduction) | EV p90 without | with | reduction | background ATT | EV stops without / "
                           "with | holds per trip | ordinary vehicle without (EV with, reduction vs it) | recovery "
                           "median, s |\n"
                           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
                for (size_t c = 0; c < EM_N_CITIES; c++) {
                    char name[160];
                    snprintf(name, sizeof name, "%s (%s)", em_cities[c].tag, em_cities[c].flow);
                    if (ran[c]) table_row(f, name, &per[c]);
                    else if (skipped[c][0]) fprintf(f, "| %s | skipped: %s |\n", name, skipped[c]);
                }
                table_row(f, "**all**", &all);
                fprintf(f, "\n");
                fclose(f);
                fputs(text, stdout);
                if (!a.no_write) {
                    int e = bops_write_section(a.out, "emergency", text);
                    if (e) rc = cli_failf("%s: cannot write: %s", a.out, strerror(e));
                    else if (!a.quiet) fprintf(stderr, "citybrain bench emergency: wrote %s\n", a.out);
                }
                free(text);
            }
        }
    }
    for (size_t k = 0; k < nt * EM_N_CITIES; k++) {
        free(wo[k].queue);
        free(wi[k].queue);
        free(od[k].queue);
    }
    free(trips);
    free(wo);
    free(wi);
    free(od);
    return rc;
}
