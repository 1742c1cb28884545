/* test_fidelity_sumo.c -- the eight SUMO scenarios of ../shared/data/sumo
 * against SUMO 1.15's own figures (../shared/reference/sumo-reference.json):
 * every scenario loads, at least as many vehicles enter the network as SUMO
 * loaded minus those SUMO itself could not insert, no vehicle stands still
 * for 300 s where SUMO has no jam, and the mean travel time under the
 * scenario's own fixed-time programs is within 10% of SUMO's.
 *
 * The two sumo-rl scenarios name a route file that is not in their folder
 * and run to 100000 s; SUMO's figures were made with their one route file
 * and one hour, so those are given here (as `--flow` and `--duration`
 * would).  Skips, saying why, without ../shared. */
#include "test.h"
#include "citybrain_sumo.h"
#include "util/json.h"

typedef struct scenario {
    const char *name, *cfg, *routes;
    double duration;          /* 0: the .sumocfg's own */
    bool sumo_jams;           /* SUMO's own run has vehicles waiting to enter for the whole hour */
} scenario;

static const scenario scenarios[] = {
    { "sumorl_2way_single", "single-intersection.sumocfg", "single-intersection-vhvh.rou.xml", 3600, false },
    { "sumorl_4x4_lucas", "4x4.sumocfg", "4x4c1c2c1c2.rou.xml", 3600, false },
    { "resco_cologne1", "cologne1.sumocfg", NULL, 0, false },
    { "resco_cologne3", "cologne3.sumocfg", NULL, 0, false },
    { "resco_ingolstadt1", "ingolstadt1.sumocfg", NULL, 0, false },
    { "resco_ingolstadt7", "ingolstadt7.sumocfg", NULL, 0, false },
    { "resco_grid4x4", "grid4x4.sumocfg", NULL, 0, false },
    { "resco_arterial4x4", "arterial4x4.sumocfg", NULL, 0, true },
};

static bool reference(const char *name, double *tt, double *loaded, double *finished)
{
    cbu_jdoc doc;
    cb_error err = { 0 };
    if (cbu_json_load(&doc, CB_SHARED_REFERENCE "/sumo-reference.json", &err) != CB_OK) return false;
    const cbu_jv *sc = cbu_jobj_get(cbu_jobj_get(doc.root, "scenarios"), name);
    bool ok = sc && cbu_jobj_get(sc, "mean_travel_time");
    if (ok) {
        *tt = cbu_jnumber(cbu_jobj_get(sc, "mean_travel_time"));
        *loaded = cbu_jnumber(cbu_jobj_get(sc, "loaded"));
        *finished = cbu_jnumber(cbu_jobj_get(sc, "finished"));
    }
    cbu_json_free(&doc);
    return ok;
}

TEST(every_scenario_within_ten_percent_of_sumo)
{
    if (!test_path_exists(CB_SHARED_DATA "/sumo") || !test_path_exists(CB_SHARED_REFERENCE "/sumo-reference.json"))
        TEST_SKIP("../shared/data/sumo or ../shared/reference/sumo-reference.json is absent");
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *s = &scenarios[i];
        char path[1024], routes[1024];
        snprintf(path, sizeof path, "%s/sumo/%s/%s", CB_SHARED_DATA, s->name, s->cfg);
        double ref_tt, ref_loaded, ref_finished;
        ASSERT(reference(s->name, &ref_tt, &ref_loaded, &ref_finished));
        cb_sumo_options so;
        cb_sumo_options_init(&so);
        if (s->routes) {
            snprintf(routes, sizeof routes, "%s/sumo/%s/%s", CB_SHARED_DATA, s->name, s->routes);
            so.route_files = routes;
        }
        so.duration = s->duration;
        cb_engine *e = NULL;
        cb_error err = { 0 };
        cb_warnings *w = cb_warnings_new();
        int rc = cb_sumo_open(path, NULL, &so, &e, w, &err);
        cb_warnings_free(w);
        if (rc != CB_OK) fprintf(stderr, "  %s: %s\n", s->name, err.msg);
        ASSERT_EQ_INT(rc, CB_OK);
        double end = s->duration > 0 ? s->duration : cb_engine_scenario_end(e);
        ASSERT_NEAR(end, 3600, 0);
        while (cb_engine_time(e) < end - 1e-9) ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        cb_trip_stats t;
        cb_metrics m;
        ASSERT_EQ_INT(cb_engine_trip_stats(e, &t), CB_OK);
        cb_engine_metrics(e, &m);
        double dev = t.mean_travel_time / ref_tt - 1;
        fprintf(stderr, "  %-20s created %5lld (SUMO loaded %5.0f) inserted %5lld finished %5lld (SUMO %5.0f) "
                        "travel time %7.2f s (SUMO %7.2f, %+5.1f%%) jammed %lld\n",
                s->name, (long long)m.created, ref_loaded, (long long)t.inserted, (long long)t.finished, ref_finished,
                t.mean_travel_time, ref_tt, 100 * dev, (long long)t.stuck);
        ASSERT(m.created >= ref_loaded - 0.002 * ref_loaded);  /* every vehicle SUMO loads is loaded */
        ASSERT(fabs(dev) <= 0.10);
        if (!s->sumo_jams) {
            ASSERT_EQ_INT(t.stuck, 0);
            ASSERT(t.finished >= 0.97 * ref_finished);
        }
        cb_engine_close(e);
    }
}

TEST_MAIN()
