/* test_signal_layer.c -- the signal layer's sites and state machine with
 * answers derived by hand: what the benchmark data's intersections look
 * like (control-protocol.md: 12 roadLinks, phase 0 the right-turns-only
 * clearance, phases 1-4 the papers' greens), which movements conflict in
 * their geometry, and the exact step-by-step timeline of a change. */
#include "test.h"
#include "citybrain.h"

static cb_engine *open_jinan(int external)
{
    cb_options o;
    cb_options_init(&o);
    o.external_signals = external;
    cb_error err;
    cb_engine *e = NULL;
    if (cb_engine_open(CB_SOURCE_DIR "/examples/jinan_3x4", &o, &e, &err)) fprintf(stderr, "  %s\n", err.msg);
    return e;
}

static cb_engine *open_grid(void)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 2;
    g.cols = 2;
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    cb_error err;
    cb_engine *e = NULL;
    if (cb_engine_open_grid(&g, &o, &e, &err)) fprintf(stderr, "  %s\n", err.msg);
    return e;
}

TEST(refuses_an_engine_running_its_own_plans)
{
    cb_engine *e = open_jinan(0);
    ASSERT(e);
    cb_signal_config cfg;
    cb_signal_config_init(&cfg);
    cb_signals *s = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_ESTATE);
    ASSERT_CONTAINS(err.msg, "external signals");
    ASSERT(s == NULL);
    cb_engine_close(e);
}

TEST(refuses_bad_timings)
{
    cb_engine *e = open_grid();
    ASSERT(e);
    cb_signal_config cfg;
    cb_signal_config_init(&cfg);
    cfg.yellow = -1;
    cb_signals *s = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "yellow -1");
    cb_signal_config_init(&cfg);
    cfg.phase_set = 7;
    ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_EINVAL);
    cb_engine_close(e);
}

TEST(jinan_sites_follow_the_protocol_description)
{
    if (!test_path_exists(CB_SOURCE_DIR "/examples/jinan_3x4/config.json")) TEST_SKIP("examples/jinan_3x4 missing");
    cb_engine *e = open_jinan(1);
    ASSERT(e);
    for (int set = 0; set < 2; set++) {
        cb_signal_config cfg;
        cb_signal_config_init(&cfg);
        cfg.phase_set = set ? CB_PHASES_ALL : CB_PHASES_PAPERS;
        cb_signals *s = NULL;
        cb_error err = { 0 };
        ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_OK);
        ASSERT_EQ_INT(cb_signals_site_count(s), 12);           /* 3 x 4 signalized */
        const cb_site *st = cb_signals_sites(s);
        for (size_t i = 0; i < 12; i++) {
            ASSERT_EQ_INT(st[i].n_movements, 12);
            ASSERT_EQ_INT(st[i].n_phases, 9);
            ASSERT_EQ_INT(st[i].yellow_phase, 0);              /* right turns only */
            ASSERT_EQ_INT(st[i].allred_phase, -1);             /* no empty phase in the data */
            ASSERT_EQ_INT(st[i].n_roads, 8);                   /* 4 approaches, 4 exits, 3 lanes each */
            ASSERT_EQ_INT(st[i].n_lanes, 24);
            ASSERT_EQ_INT(st[i].n_candidates, set ? 8 : 4);
            for (uint32_t c = 0; c < st[i].n_candidates; c++) ASSERT_EQ_INT(st[i].candidates[c], (int)c + 1);
            int incoming = 0;
            for (uint32_t r = 0; r < st[i].n_roads; r++) incoming += st[i].roads[r].incoming;
            ASSERT_EQ_INT(incoming, 4);
            for (uint32_t k = 0; k < 12; k++) {
                const cb_site_movement *m = &st[i].movements[k];
                ASSERT_EQ_INT(m->n_in, 1);                      /* one start lane, three end lanes */
                ASSERT_EQ_INT(m->n_out, 3);
                ASSERT(st[i].roads[m->in_road].incoming);
                ASSERT(!st[i].roads[m->out_road].incoming);
                /* the lane a movement starts from: 0 left, 1 straight, 2 right */
                uint32_t lane = st[i].lane_refs[m->first_in];
                ASSERT_EQ_INT(st[i].lanes[lane].index, m->type == 2 ? 0 : m->type == 3 ? 1 : 2);
            }
        }
        /* intersection_1_1's neighbours: roads to and from the virtual
         * boundary have none; its east and north neighbours are sites. */
        int neighbours = 0;
        for (uint32_t r = 0; r < st[0].n_roads; r++) neighbours += st[0].roads[r].neighbour >= 0;
        ASSERT_EQ_INT(neighbours, 4);                          /* corner: 2 approaches + 2 exits inside */
        cb_signals_close(s);
    }
    cb_engine_close(e);
}

/* roadLinks of every Jinan intersection, from roadnet_3_4.json:
 *  0 W straight, 1 W left, 2 W right, 3 S right, 4 S straight, 5 S left,
 *  6 E right, 7 E straight, 8 E left, 9 N left, 10 N right, 11 N straight
 * (W = from road_0_1_0 heading east, etc.). */
TEST(conflicts_follow_the_geometry)
{
    if (!test_path_exists(CB_SOURCE_DIR "/examples/jinan_3x4/config.json")) TEST_SKIP("examples/jinan_3x4 missing");
    cb_engine *e = open_jinan(1);
    cb_signal_config cfg;
    cb_signal_config_init(&cfg);
    cb_signals *s = NULL;
    cb_error err;
    ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_OK);
    ASSERT(cb_signals_conflict(s, 0, 0, 4));      /* crossing straights */
    ASSERT(cb_signals_conflict(s, 0, 0, 11));
    ASSERT(!cb_signals_conflict(s, 0, 0, 7));     /* opposite straights run side by side */
    ASSERT(!cb_signals_conflict(s, 0, 1, 8));     /* opposite lefts pass each other */
    ASSERT(cb_signals_conflict(s, 0, 1, 7));      /* a left crosses the opposing straight */
    ASSERT(!cb_signals_conflict(s, 0, 0, 1));     /* same approach */
    for (size_t k = 0; k < 12; k++) {             /* right turns conflict with nothing */
        ASSERT(!cb_signals_conflict(s, 0, 2, k));
        ASSERT(!cb_signals_conflict(s, 0, k, 10));
    }
    for (size_t a = 0; a < 12; a++)
        for (size_t b = 0; b < 12; b++) ASSERT(cb_signals_conflict(s, 0, a, b) == cb_signals_conflict(s, 0, b, a));
    cb_signals_close(s);
    cb_engine_close(e);
}

TEST(generator_grid_has_its_yellow_at_phase_1)
{
    cb_engine *e = open_grid();
    ASSERT(e);
    cb_signal_config cfg;
    cb_signal_config_init(&cfg);
    cfg.phase_set = CB_PHASES_ALL;
    cb_signals *s = NULL;
    cb_error err;
    ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_OK);
    const cb_site *st = cb_signals_sites(s);
    /* 30 s green, 5 s right-turns-only, four times: greens 0, 2, 4, 6 */
    ASSERT_EQ_INT(st[0].yellow_phase, 1);
    ASSERT_EQ_INT(st[0].n_candidates, 4);
    ASSERT_EQ_INT(st[0].candidates[0], 0);
    ASSERT_EQ_INT(st[0].candidates[3], 6);
    cb_signals_close(s);
    cb_engine_close(e);
}

static void expect(cb_signals *s, cb_engine *e, int t, int phase, cb_sig_state state)
{
    cb_site_obs o;
    cb_signals_status(s, 0, &o);
    if (cb_engine_phase(e, cb_signals_site_intersection(s, 0)) != phase || o.state != state)
        TEST_FAIL_("t=%d: engine phase %d state %d, expected phase %d state %d", t,
                   cb_engine_phase(e, cb_signals_site_intersection(s, 0)), o.state, phase, state);
}

/* min_green 5, yellow 3, all-red 2 on the generator grid (greens 0, 2,
 * 4, 6; yellow 1; no empty phase, so the all-red holds the yellow):
 *   t=0 request 0 -> green 0 at once (nothing to clear)
 *   t=2 request 2 -> too young: pending, green 0 continues
 *   t=5 the minimum is reached: yellow on t = 5, 6, 7, all-red t = 8, 9
 *   t=6 request 4 during the yellow: retargets, the clearance continues
 *   t=10 green 4. */
TEST(a_change_follows_the_timeline)
{
    cb_engine *e = open_grid();
    cb_signal_config cfg = { .min_green = 5, .yellow = 3, .all_red = 2, .phase_set = CB_PHASES_ALL };
    cb_signals *s = NULL;
    cb_error err;
    ASSERT_EQ_INT(cb_signals_open(e, &cfg, &s, &err), CB_OK);
    static const struct { int phase, state; } want[12] = {
        { 0, CB_SIG_GREEN }, { 0, CB_SIG_GREEN }, { 0, CB_SIG_GREEN }, { 0, CB_SIG_GREEN }, { 0, CB_SIG_GREEN },
        { 1, CB_SIG_YELLOW }, { 1, CB_SIG_YELLOW }, { 1, CB_SIG_YELLOW }, { 1, CB_SIG_ALLRED }, { 1, CB_SIG_ALLRED },
        { 4, CB_SIG_GREEN }, { 4, CB_SIG_GREEN },
    };
    for (int t = 0; t < 12; t++) {
        ASSERT_EQ_INT(cb_signals_update(s, e, &err), CB_OK);
        if (t == 0) ASSERT_EQ_INT(cb_signals_request(s, 0, 0, &err), CB_OK);
        if (t == 2) {
            ASSERT_EQ_INT(cb_signals_request(s, 0, 2, &err), CB_OK);
            cb_site_obs o;
            cb_signals_status(s, 0, &o);
            ASSERT_EQ_INT(o.pending, 2);
        }
        if (t == 6) ASSERT_EQ_INT(cb_signals_request(s, 0, 4, &err), CB_OK);
        ASSERT_EQ_INT(cb_signals_update(s, e, &err), CB_OK);
        expect(s, e, t, want[t].phase, (cb_sig_state)want[t].state);
        if (t == 10) {
            cb_site_obs o;
            cb_signals_status(s, 0, &o);
            ASSERT_EQ_INT(o.green, 4);
            ASSERT_NEAR(o.state_time, 0, 1e-12);
        }
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        cb_signals_tick(s);
    }
    /* the yellow and the all-red are not requestable; nor is a bad index */
    ASSERT_EQ_INT(cb_signals_request(s, 0, 1, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "phase 1");
    ASSERT_EQ_INT(cb_signals_request(s, 0, 99, &err), CB_EINVAL);
    ASSERT_EQ_INT(cb_signals_request(s, 0, -3, &err), CB_EINVAL);
    ASSERT_EQ_INT(cb_signals_request(s, 99, 0, &err), CB_EINVAL);
    /* a request for the green showing cancels a pending change */
    ASSERT_EQ_INT(cb_signals_update(s, e, &err), CB_OK);
    ASSERT_EQ_INT(cb_signals_request(s, 0, 6, &err), CB_OK);
    ASSERT_EQ_INT(cb_signals_request(s, 0, 4, &err), CB_OK);
    cb_site_obs o;
    cb_signals_status(s, 0, &o);
    ASSERT_EQ_INT(o.pending, -1);
    for (int t = 0; t < 10; t++) {
        ASSERT_EQ_INT(cb_signals_update(s, e, &err), CB_OK);
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        cb_signals_tick(s);
    }
    expect(s, e, 22, 4, CB_SIG_GREEN);
    cb_signals_close(s);
    cb_engine_close(e);
}

TEST_MAIN()
