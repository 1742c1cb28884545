/* test_fidelity_sumo.c -- the eight SUMO scenarios of ../shared/data/sumo
 * against SUMO 1.15's own figures (../shared/reference/sumo-reference.json):
 * every scenario loads, no vehicle stands still for 300 s at seed 0 where
 * SUMO has no jam, and the mean travel time under the scenario's own
 * fixed-time programs is within 10% of SUMO's.  Over seeds 0-15, with and
 * without lane changing (CityFlow's rules, not SUMO's), the vehicles SUMO
 * inserts are inserted (to 1%, on average) and no scenario locks up.
 * ingolstadt7's trips choose their routes about as SUMO's do.
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
    double sumo_inserted;     /* vehicles SUMO 1.15 (Debian) inserted: `sumo -c CFG
                                 --duration-log.statistics`, 27 Nov 2026 (not in the
                                 reference file) */
} scenario;

static const scenario scenarios[] = {
    { "sumorl_2way_single", "single-intersection.sumocfg", "single-intersection-vhvh.rou.xml", 3600, false, 2146 },
    { "sumorl_4x4_lucas", "4x4.sumocfg", "4x4c1c2c1c2.rou.xml", 3600, false, 9600 },
    { "resco_cologne1", "cologne1.sumocfg", NULL, 0, false, 2015 },
    { "resco_cologne3", "cologne3.sumocfg", NULL, 0, false, 2856 },
    { "resco_ingolstadt1", "ingolstadt1.sumocfg", NULL, 0, false, 1715 },
    { "resco_ingolstadt7", "ingolstadt7.sumocfg", NULL, 0, false, 3027 },
    { "resco_grid4x4", "grid4x4.sumocfg", NULL, 0, false, 1473 },
    { "resco_arterial4x4", "arterial4x4.sumocfg", NULL, 0, true, 1592 },
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

/* Called after every step of run_scenario_with. */
typedef void (*step_hook)(cb_engine *e, void *ud);

/* Run scenario s for its hour, lane changing on or off; `hook` (may be
 * NULL) looks at the engine after every step. */
static int run_scenario_with(const scenario *s, bool lane_change, int64_t seed, step_hook hook, void *ud,
                             cb_trip_stats *t, cb_metrics *m)
{
    char path[1024], routes[1024];
    snprintf(path, sizeof path, "%s/sumo/%s/%s", CB_SHARED_DATA, s->name, s->cfg);
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    if (s->routes) {
        snprintf(routes, sizeof routes, "%s/sumo/%s/%s", CB_SHARED_DATA, s->name, s->routes);
        so.route_files = routes;
    }
    so.duration = s->duration;
    cb_options opt;
    cb_options_init(&opt);
    opt.lane_change = lane_change;
    opt.seed = seed;
    opt.seed_set = true;
    cb_engine *e = NULL;
    cb_error err = { 0 };
    cb_warnings *w = cb_warnings_new();
    int rc = cb_sumo_open(path, &opt, &so, &e, w, &err);
    cb_warnings_free(w);
    if (rc != CB_OK) {
        fprintf(stderr, "  %s: %s\n", s->name, err.msg);
        return rc;
    }
    double end = s->duration > 0 ? s->duration : cb_engine_scenario_end(e);
    if (end != 3600) rc = CB_EINVAL;
    while (rc == CB_OK && cb_engine_time(e) < end - 1e-9) {
        rc = cb_engine_step(e, &err);
        if (rc == CB_OK && hook) hook(e, ud);
    }
    if (rc == CB_OK) rc = cb_engine_trip_stats(e, t);
    cb_engine_metrics(e, m);
    cb_engine_close(e);
    return rc;
}

static int run_scenario(const scenario *s, bool lane_change, int64_t seed, cb_trip_stats *t, cb_metrics *m)
{
    return run_scenario_with(s, lane_change, seed, NULL, NULL, t, m);
}

static const scenario *scenario_named(const char *name)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (!strcmp(scenarios[i].name, name)) return &scenarios[i];
    return NULL;
}

TEST(every_scenario_within_ten_percent_of_sumo)
{
    if (!test_path_exists(CB_SHARED_DATA "/sumo") || !test_path_exists(CB_SHARED_REFERENCE "/sumo-reference.json"))
        TEST_SKIP("../shared/data/sumo or ../shared/reference/sumo-reference.json is absent");
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *s = &scenarios[i];
        double ref_tt, ref_loaded, ref_finished;
        ASSERT(reference(s->name, &ref_tt, &ref_loaded, &ref_finished));
        cb_trip_stats t;
        cb_metrics m;
        ASSERT_EQ_INT(run_scenario(s, false, 0, &t, &m), CB_OK);
        double dev = t.mean_travel_time / ref_tt - 1;
        fprintf(stderr, "  %-20s created %5lld (SUMO loaded %5.0f) inserted %5lld (SUMO %5.0f) finished %5lld (SUMO %5.0f) "
                        "travel time %7.2f s (SUMO %7.2f, %+5.1f%%) jammed %lld\n",
                s->name, (long long)m.created, ref_loaded, (long long)t.inserted, s->sumo_inserted,
                (long long)t.finished, ref_finished, t.mean_travel_time, ref_tt, 100 * dev, (long long)t.stuck);
        ASSERT(m.created >= ref_loaded - 0.002 * ref_loaded);  /* every vehicle SUMO loads is loaded */
        ASSERT(fabs(dev) <= 0.10);
        if (!s->sumo_jams) {
            /* (insertion: no_scenario_locks_up_for_any_seed, over 16 seeds) */
            ASSERT_EQ_INT(t.stuck, 0);
            ASSERT(t.finished >= 0.97 * ref_finished);
        }
    }
}

/* Junctions must never lock up where SUMO's do not.  They did, at one
 * junction of cologne3 for some seeds (a left-turner on the junction
 * yielding to a vehicle that stood waiting for the room the left-turner
 * would take, or behind one that did), and at ingolstadt7 and cologne1
 * for others, with hundreds of vehicles stopped; lane changes put vehicles
 * in front of others in ways the fixed lanes never do.  A lone driver
 * waiting just over 300 s is not a lock-up: SUMO 1.15 itself teleports
 * vehicles that waited 300 s in 7 of 160 seeds of ingolstadt7 and 23 of
 * 160 of cologne3 (docs/sumo.md), and ours, at ingolstadt7's service road
 * 25149219#1, kept some in 1 of 320 runs (seeds 0-159, with and without
 * lane changes) until trips were routed on SUMO's edge speeds, and none
 * since.  So: at most 5 such vehicles over the 16 runs of a scenario,
 * where a lock-up has hundreds.
 *
 * The vehicles SUMO inserts are inserted, to 1% on average over the 16
 * seeds.  One seed is chance at ingolstadt7, whose entry 124812856#0
 * queues in SUMO too (a mean depart delay of 60 s there): SUMO 1.15
 * inserts 3012-3030 of its 3031 over seeds 0-15, ours 3003-3030 (3021 on
 * average; 2998-3030, 3018 on average, with CityFlow's lane changes).
 * cologne1 misses one due in
 * the last second, behind a vehicle that SUMO's drivers move to the other
 * lane at once. */
TEST(no_scenario_locks_up_for_any_seed)
{
    if (!test_path_exists(CB_SHARED_DATA "/sumo"))
        TEST_SKIP("../shared/data/sumo is absent");
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *s = &scenarios[i];
        if (s->sumo_jams) continue;
        for (int lc = 0; lc < 2; lc++) {
            long long jammed = 0;
            double inserted = 0;
            for (int64_t seed = 0; seed < 16; seed++) {
                cb_trip_stats t;
                cb_metrics m;
                ASSERT_EQ_INT(run_scenario(s, lc, seed, &t, &m), CB_OK);
                if (t.stuck || t.stuck_now)
                    fprintf(stderr, "  %s seed %lld%s: %lld vehicles stopped > 300 s (the longest %.0f s)\n", s->name,
                            (long long)seed, lc ? " (lane changes)" : "", (long long)(t.stuck + t.stuck_now),
                            t.max_stopped);
                jammed += t.stuck + t.stuck_now;
                inserted += (double)t.inserted / 16;
            }
            fprintf(stderr, "  %-20s%s: %.1f inserted on average (SUMO %.0f), %lld stopped > 300 s\n", s->name,
                    lc ? " (lane changes)" : "", inserted, s->sumo_inserted, jammed);
            ASSERT(jammed <= 5);
            ASSERT(inserted >= 0.99 * s->sumo_inserted);
        }
    }
}

/* A gridlock whose chain of waiting drivers runs through signals red at
 * different times, and through drivers inside the junction standing behind
 * a full exit, is broken too.  ingolstadt7 at seed 108 (fixed lanes) locked
 * up so, with 294 vehicles stopped for over 300 s: deadlock breaking saw no cycle, because a driver stopped by
 * the vehicle ahead recorded nobody while its light was red, a driver on
 * the junction recorded nobody behind the exit's last vehicle, and one held
 * for want of room recorded nobody either (sim_speed.c).  Seeds beyond the
 * 0-15 the other test runs, found by a sweep over 16-159.  Seed 49 (fixed
 * lanes) kept 6 vehicles over 300 s without a cycle: a driver on a fan-out
 * link yielded inside the junction, for good, to a steady stream merging
 * into the same lane (SIM_MERGE_PATIENCE). */
TEST(gridlock_through_red_lights_and_full_exits_is_broken)
{
    if (!test_path_exists(CB_SHARED_DATA "/sumo"))
        TEST_SKIP("../shared/data/sumo is absent");
    const scenario *s = scenario_named("resco_ingolstadt7");
    ASSERT(s != NULL);
    static const struct { int64_t seed; bool lc; } cases[] = { { 108, false }, { 49, false } };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cb_trip_stats t;
        cb_metrics m;
        ASSERT_EQ_INT(run_scenario(s, cases[k].lc, cases[k].seed, &t, &m), CB_OK);
        fprintf(stderr, "  ingolstadt7 seed %lld%s: %lld stopped > 300 s, %lld inserted\n", (long long)cases[k].seed,
                cases[k].lc ? " (lane changes)" : "", (long long)(t.stuck + t.stuck_now), (long long)t.inserted);
        ASSERT_EQ_INT(t.stuck + t.stuck_now, 0);
        /* a lock-up stops insertion (294 vehicles stopped kept out a few
         * hundred); the congested hour these seeds make does not, to 3% */
        ASSERT((double)t.inserted >= 0.97 * s->sumo_inserted);
    }
}

/* Trips are routed when they depart, on edge speeds sampled as SUMO's
 * routing device samples them (src/sim/sim_dynroute.c).  Known answer:
 * at seed 0, SUMO 1.15 routes 173 of ingolstadt7's trips along the service
 * road 25149219#1 when they depart (the first routes of the trips that
 * finished, in `sumo -c CFG --seed 0 --vehroute-output F`, which writes a
 * vehicle when it arrives; 152-195 over seeds 0-7).  Ours, every vehicle
 * seen on the road in the hour, must be within a quarter of that.  With the mean over the vehicles alone as the
 * sample, a queue on one lane made a whole street look stopped, and 261
 * went that way. */
typedef struct road_users {
    const char *road;       /* road id */
    size_t lanes[8], n_lanes;
    bool ready;
    uint8_t seen[8192];     /* by the flow index of "flow_<i>_<k>" */
    unsigned count;
} road_users;

static int mark_user(const cb_vehicle *v, void *ud)
{
    road_users *u = ud;
    unsigned flow, k;
    if (!v->running || v->shadow || sscanf(v->id, "flow_%u_%u", &flow, &k) != 2 || flow >= sizeof u->seen) return 0;
    for (size_t i = 0; i < u->n_lanes; i++)
        if (v->drivable == u->lanes[i] && !u->seen[flow]) {
            u->seen[flow] = 1;
            u->count++;
        }
    return 0;
}

static void count_road_users(cb_engine *e, void *ud)
{
    road_users *u = ud;
    if (!u->ready) {
        size_t len = strlen(u->road);
        for (size_t l = 0; l < cb_engine_lane_count(e) && u->n_lanes < 8; l++) {
            const char *id = cb_engine_lane_id(e, l);
            if (!strncmp(id, u->road, len) && id[len] == '_') u->lanes[u->n_lanes++] = l;
        }
        u->ready = true;
    }
    cb_engine_foreach_vehicle(e, false, mark_user, u);
}

TEST(trips_take_ingolstadt7s_service_road_about_as_often_as_sumos)
{
    if (!test_path_exists(CB_SHARED_DATA "/sumo"))
        TEST_SKIP("../shared/data/sumo is absent");
    const scenario *s = scenario_named("resco_ingolstadt7");
    ASSERT(s != NULL);
    static road_users u;
    memset(&u, 0, sizeof u);
    u.road = "25149219#1";
    cb_trip_stats t;
    cb_metrics m;
    ASSERT_EQ_INT(run_scenario_with(s, false, 0, count_road_users, &u, &t, &m), CB_OK);
    fprintf(stderr, "  ingolstadt7 seed 0: %u trips along 25149219#1 (SUMO 1.15: 173)\n", u.count);
    ASSERT(u.n_lanes >= 1);
    ASSERT(u.count >= 0.75 * 173 && u.count <= 1.25 * 173);
}

TEST_MAIN()
