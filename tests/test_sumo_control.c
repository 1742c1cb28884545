/* test_sumo_control.c -- the signal layer and the controllers on SUMO
 * networks: which junctions are sites, which of a SUMO program's phases a
 * controller may request, and every built-in controller closing the loop
 * on the bundled sumo-rl intersection.
 *
 * Known answers, read off the inputs:
 *   - tests/data/sumo/cross.net.xml: junction J runs "T" = GGg / yyr / rrG.
 *     Phase 0 lets the left turn (link 2, lower-case g) go beside the
 *     straight links it crosses: it yields, so phase 0 is a green; phase 1
 *     shows amber and nothing green: the clearance; phase 2 is a green.
 *   - RESCO cologne1: one signal (cluster_357187_359543, eight phases
 *     GGGgg / yyygg / GG / yy twice over, not rotated at begin 25200 =
 *     280 cycles of 90 s).  Phases 1 and 5 keep the left turns green while
 *     the through traffic sees amber: transitions, not greens.  Phase 3 is
 *     the first with nothing but amber and red.  Its other junctions are
 *     priority junctions, not signals.
 *   - RESCO grid4x4: every program lists four north-south greens (phases
 *     0, 2, 4, 6) before the west-east ones (8, 10, 12, 14); the papers'
 *     four greens must run on to phase 10, the first to serve the turn
 *     from the west towards the south.
 *   - tests/data/sumo/chain.net.xml: the street W -> S is split at the
 *     priority junction P; the approach of the signal S is PS (26 m), P's
 *     junction (4 m) and WP (100 m), 130 m in all. */
#include "test.h"
#include "test_sumo.h"

#include <sys/stat.h>

#define DATA CB_SOURCE_DIR "/tests/data/sumo/"
#define SUMO_SHARED CB_SHARED_DATA "/sumo/"

static cb_signals *layer(cb_engine *e, int phase_set)
{
    cb_signal_config cfg;
    cb_signal_config_init(&cfg);
    cfg.phase_set = phase_set;
    cb_signals *s = NULL;
    cb_error err = { 0 };
    if (cb_signals_open(e, &cfg, &s, &err)) fprintf(stderr, "  signals: %s\n", err.msg);
    return s;
}

static bool same_list(const int *a, uint32_t na, const int *b, uint32_t nb)
{
    if (na != nb) return false;
    for (uint32_t i = 0; i < na; i++)
        if (a[i] != b[i]) return false;
    return true;
}

TEST(a_yielding_left_turn_does_not_keep_a_green_from_controllers)
{
    cb_engine *e = NULL;
    cb_error err = { 0 };
    /* the net's own program (cross.sumocfg would load cross.add.xml's) */
    ASSERT_EQ_INT(test_sumo_open_controlled(DATA "cross.net.xml", DATA "cross.rou.xml", &e, &err), CB_OK);
    cb_signals *s = layer(e, CB_PHASES_ALL);
    ASSERT(s);
    ASSERT_EQ_INT(cb_signals_site_count(s), 1);
    const cb_site *st = &cb_signals_sites(s)[0];
    ASSERT_STR_EQ(st->id, "J");
    ASSERT_EQ_INT(st->yellow_phase, 1);
    static const int want[] = { 0, 2 };
    ASSERT(same_list(st->candidates, st->n_candidates, want, 2));
    /* phase 0 does let two crossing movements go: the left one yields */
    size_t inter = cb_signals_site_intersection(s, 0);
    ASSERT(cb_engine_phase_yields(e, inter, 0, 1));
    ASSERT(!cb_engine_phase_yields(e, inter, 0, 0));
    ASSERT(cb_engine_phase_amber(e, inter, 1));
    ASSERT(!cb_engine_phase_amber(e, inter, 0));
    cb_signals_close(s);
    cb_engine_close(e);
}

TEST(priority_junctions_are_not_sites_and_transitions_not_greens)
{
    if (!test_path_exists(SUMO_SHARED "resco_cologne1")) TEST_SKIP("%sresco_cologne1 not found", SUMO_SHARED);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(test_sumo_open_controlled(SUMO_SHARED "resco_cologne1/cologne1.sumocfg", NULL, &e, &err), CB_OK);
    size_t signals = 0;
    for (size_t i = 0; i < cb_engine_intersection_count(e); i++) signals += cb_engine_intersection_signalized(e, i);
    ASSERT_EQ_INT(signals, 1);
    cb_signals *s = layer(e, CB_PHASES_ALL);
    ASSERT(s);
    ASSERT_EQ_INT(cb_signals_site_count(s), 1);
    const cb_site *st = &cb_signals_sites(s)[0];
    ASSERT_STR_EQ(st->id, "cluster_357187_359543");
    ASSERT_EQ_INT(st->yellow_phase, 3);
    static const int want[] = { 0, 2, 4, 6 };
    ASSERT(same_list(st->candidates, st->n_candidates, want, 4));
    cb_signals_close(s);
    cb_engine_close(e);
}

TEST(the_papers_greens_run_on_until_every_movement_is_served)
{
    if (!test_path_exists(SUMO_SHARED "resco_grid4x4")) TEST_SKIP("%sresco_grid4x4 not found", SUMO_SHARED);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(test_sumo_open_controlled(SUMO_SHARED "resco_grid4x4/grid4x4.sumocfg", NULL, &e, &err), CB_OK);
    cb_signals *s = layer(e, CB_PHASES_PAPERS);
    ASSERT(s);
    ASSERT_EQ_INT(cb_signals_site_count(s), 16);
    static const int want[] = { 0, 2, 4, 6, 8, 10 };
    for (size_t i = 0; i < cb_signals_site_count(s); i++) {
        const cb_site *st = &cb_signals_sites(s)[i];
        ASSERT(same_list(st->candidates, st->n_candidates, want, 6));
        for (uint32_t k = 0; k < st->n_movements; k++) {
            bool served = false;
            for (uint32_t c = 0; c < st->n_candidates; c++) served |= st->allows[st->candidates[c] * st->n_movements + k];
            ASSERT(served);
        }
    }
    cb_signals_close(s);
    cb_engine_close(e);
}

/* `citybrain convert` writes the bundled intersection's four priority junctions as CityFlow intersections with one
 * phase letting everything go (CityFlow has no other way to say "no
 * signal").  Read back, they are no sites either: one signal, "t". */
TEST(a_converted_network_keeps_its_junctions_without_signals_uncontrolled)
{
    const char *cfg = CB_SOURCE_DIR "/examples/sumo_single_intersection/single-intersection.sumocfg";
    if (!test_path_exists(cfg)) TEST_SKIP("examples/sumo_single_intersection missing");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/cb_conv_single", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    mkdir(dir, 0755);
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    so.route_files = CB_SOURCE_DIR "/examples/sumo_single_intersection/single-intersection-vhvh.rou.xml";
    so.duration = 600;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_sumo_write_cityflow(cfg, &so, 0, dir, NULL, &err), CB_OK);
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    cb_engine *e = NULL;
    ASSERT_EQ_INT(cb_engine_open(dir, &o, &e, &err), CB_OK);
    size_t always = 0;
    for (size_t i = 0; i < cb_engine_intersection_count(e); i++)
        always += !cb_engine_intersection_virtual(e, i) && cb_engine_phase_count(e, i) == 1;
    ASSERT_EQ_INT(always, 4);                     /* n, e, s, w: SUMO's priority junctions */
    cb_signals *s = layer(e, CB_PHASES_ALL);
    ASSERT(s);
    ASSERT_EQ_INT(cb_signals_site_count(s), 1);
    ASSERT_STR_EQ(cb_signals_sites(s)[0].id, "t");
    cb_signals_close(s);
    cb_engine_close(e);
}

static size_t lane_named(const cb_engine *e, const char *id)
{
    for (size_t l = 0; l < cb_engine_lane_count(e); l++)
        if (strcmp(cb_engine_lane_id(e, l), id) == 0) return l;
    return (size_t)-1;
}

typedef struct on_drv { uint32_t drivable; int n; } on_drv;
static int count_on(const cb_vehicle *v, void *ud)
{
    on_drv *o = ud;
    o->n += v->drivable == o->drivable;
    return 0;
}

/* Ten vehicles (one every 2 s from t = 25 s) meet S's red (33-60 s) and
 * stand in a 75 m queue: 26 m of it on PS, the rest behind P.  A detector
 * on PS alone sees the few on PS; the approach detector sees all ten. */
TEST(detectors_reach_past_a_junction_without_a_signal)
{
    cb_options o;
    cb_options_init(&o);
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    so.route_files = test_write_tmp("cb_chain.rou.xml",
        "<routes><vType id=\"car\" accel=\"2.6\" decel=\"4.5\" sigma=\"0\" length=\"5\" minGap=\"2.5\" "
        "maxSpeed=\"50\" tau=\"1\" speedDev=\"0\"/><route id=\"r\" edges=\"WP PS SE\"/>"
        "<flow id=\"f\" type=\"car\" route=\"r\" begin=\"25\" end=\"45\" period=\"2\"/></routes>");
    ASSERT(so.route_files);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_sumo_open(DATA "chain.net.xml", &o, &so, &e, NULL, &err), CB_OK);
    size_t ps = lane_named(e, "PS_0"), wp = lane_named(e, "WP_0"), se = lane_named(e, "SE_0");
    ASSERT(ps != (size_t)-1 && wp != (size_t)-1 && se != (size_t)-1);
    for (int t = 0; t < 58; t++) ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
    cb_lane_obs lane, appr;
    ASSERT_EQ_INT(cb_engine_lane_observe(e, ps, 0, &lane, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_approach_observe(e, ps, 0, &appr, &err), CB_OK);
    ASSERT_NEAR(lane.zone, 26, 1e-9);
    ASSERT_NEAR(appr.zone, 130, 1e-9);
    on_drv on_ps = { (uint32_t)ps, 0 };
    cb_engine_foreach_vehicle(e, false, count_on, &on_ps);
    ASSERT(on_ps.n >= 3 && on_ps.n < 10);
    ASSERT_EQ_INT(lane.count, on_ps.n);
    ASSERT_EQ_INT(appr.count, 10);
    ASSERT_EQ_INT(appr.stopped, 10);
    /* a zone shorter than the approach: the last 50 m, 6 vehicles' worth
     * of a queue of 7.5 m per vehicle (the stop line's vehicle included) */
    ASSERT_EQ_INT(cb_engine_approach_observe(e, ps, 50, &appr, &err), CB_OK);
    ASSERT_NEAR(appr.zone, 50, 1e-9);
    ASSERT(appr.count >= 6 && appr.count <= 8);
    /* downstream from WP's start: the same street on past P, 130 m; its
     * first 40 m are clear (the queue's tail stands about 57 m from W) */
    ASSERT_EQ_INT(cb_engine_exit_observe(e, wp, 0, &appr, &err), CB_OK);
    ASSERT_NEAR(appr.zone, 130, 1e-9);
    ASSERT_EQ_INT(appr.count, 10);
    ASSERT_EQ_INT(cb_engine_exit_observe(e, wp, 40, &appr, &err), CB_OK);
    ASSERT_NEAR(appr.zone, 40, 1e-9);
    ASSERT_EQ_INT(appr.count, 0);
    ASSERT_EQ_INT(cb_engine_exit_observe(e, ps, 0, &appr, &err), CB_OK);
    ASSERT_NEAR(appr.zone, 26, 1e-9);                /* S is a signal: PS ends there */
    /* no junction without a signal before SE (S has one) or WP (a dead end) */
    ASSERT_EQ_INT(cb_engine_approach_observe(e, se, 0, &appr, &err), CB_OK);
    ASSERT_NEAR(appr.zone, 96, 1e-9);
    ASSERT_EQ_INT(cb_engine_approach_observe(e, wp, 0, &appr, &err), CB_OK);
    ASSERT_NEAR(appr.zone, 100, 1e-9);
    cb_engine_close(e);
}

/* Every built-in controller closes the loop on sumo-rl's single
 * intersection (shipped in examples/, with its priority junctions at the
 * network's edges) for the hour, and an adaptive one beats the fixed
 * program it replaces: the demand is unbalanced (vhvh), which a 42 s / 42 s
 * plan cannot follow. */
TEST(every_controller_runs_the_bundled_sumo_intersection)
{
    const char *cfg = CB_SOURCE_DIR "/examples/sumo_single_intersection/single-intersection.sumocfg";
    if (!test_path_exists(cfg)) TEST_SKIP("examples/sumo_single_intersection missing");
    double fixed_tt = 0, horizon_tt = 0;
    for (size_t k = 0; k <= cb_controller_count(); k++) {   /* the last: the program itself */
        cb_controller_info info = { .name = "fixed" };
        if (k < cb_controller_count()) ASSERT_EQ_INT(cb_controller_info_get(k, &info), CB_OK);
        bool is_fixed = strcmp(info.name, "fixed") == 0;
        cb_options o;
        cb_options_init(&o);
        o.external_signals = !is_fixed;
        cb_sumo_options so;
        cb_sumo_options_init(&so);
        so.route_files = CB_SOURCE_DIR "/examples/sumo_single_intersection/single-intersection-vhvh.rou.xml";
        so.duration = 3600;
        cb_engine *e = NULL;
        cb_error err = { 0 };
        ASSERT_EQ_INT(cb_sumo_open(cfg, &o, &so, &e, NULL, &err), CB_OK);
        cb_control *c = NULL;
        if (cb_control_open(e, info.name, NULL, &c, &err)) TEST_FAIL_("%s: %s", info.name, err.msg);
        for (int t = 0; t < 3600; t++) ASSERT_EQ_INT(cb_control_step(c, &err), CB_OK);
        cb_control_stats cs;
        cb_control_stats_get(c, &cs);
        cb_trip_stats ts;
        ASSERT_EQ_INT(cb_engine_trip_stats(e, &ts), CB_OK);
        fprintf(stderr, "  %-12s %lld finished, travel time %.1f s, %lld greens, stuck %lld\n", info.name,
                (long long)ts.finished, ts.mean_travel_time, (long long)cs.switches, (long long)ts.stuck);
        ASSERT(ts.finished > 1500);
        ASSERT_EQ_INT(cs.rejected, 0);
        if (!is_fixed) ASSERT(cs.switches > 20);       /* it did control the signal */
        if (is_fixed) fixed_tt = ts.mean_travel_time;
        if (strcmp(info.name, "horizon") == 0) {
            horizon_tt = ts.mean_travel_time;
            ASSERT_EQ_INT(ts.stuck, 0);
        }
        cb_control_close(c);
        cb_engine_close(e);
    }
    ASSERT(fixed_tt > 0 && horizon_tt > 0);
    ASSERT(horizon_tt < 0.8 * fixed_tt);
}

/* One hour of RESCO ingolstadt7 (skipped without ../shared): under horizon
 * at least as many trips finish as under the scenario's own programs, and
 * (almost) nobody stands for 5 minutes.  Its signals' approaches start
 * behind priority junctions, one of them 0.92 m before the stop line;
 * with detectors one lane long, horizon saw no queue there and the city
 * gridlocked: 1,460 trips finished against 2,913, 539 vehicles stuck. */
static void run_for_hour(const char *cfg, const char *ctl, cb_trip_stats *ts)
{
    cb_options o;
    cb_options_init(&o);
    o.external_signals = strcmp(ctl, "fixed") != 0;
    cb_engine *e = NULL;
    cb_control *c = NULL;
    cb_error err = { 0 };
    memset(ts, 0, sizeof *ts);
    if (cb_sumo_open(cfg, &o, NULL, &e, NULL, &err) || cb_control_open(e, ctl, NULL, &c, &err)) {
        fprintf(stderr, "  %s: %s\n", ctl, err.msg);
        cb_engine_close(e);
        return;
    }
    for (int t = 0; t < 3600 && cb_control_step(c, &err) == CB_OK; t++) {}
    cb_engine_trip_stats(e, ts);
    fprintf(stderr, "  %-8s %lld of %lld inserted finished, %lld stuck, travel time %.1f s\n", ctl,
            (long long)ts->finished, (long long)ts->inserted, (long long)ts->stuck, ts->mean_travel_time);
    cb_control_close(c);
    cb_engine_close(e);
}

TEST(horizon_keeps_ingolstadt7_moving)
{
    const char *cfg = SUMO_SHARED "resco_ingolstadt7/ingolstadt7.sumocfg";
    if (!test_path_exists(cfg)) TEST_SKIP("%s not found", cfg);
    cb_trip_stats fixed, horizon;
    run_for_hour(cfg, "fixed", &fixed);
    run_for_hour(cfg, "horizon", &horizon);
    ASSERT(fixed.finished > 2800);
    ASSERT(horizon.finished >= fixed.finished);
    ASSERT(horizon.stuck * 100 <= horizon.inserted);
    ASSERT(horizon.mean_travel_time < fixed.mean_travel_time);
}

TEST_MAIN()
