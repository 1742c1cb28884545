/* test_control_determinism.c -- a controlled run is bit-identical for any
 * number of engine threads: the controllers decide from observations only
 * (no clocks, no randomness), in site order, between steps.  Full-state
 * digests (cb_engine_digest) after every 100 steps must agree. */
#include "test.h"
#include "citybrain.h"

static int run(const char *controller, int threads, double max_speed, uint64_t *digests, int n)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    if (max_speed > 0) g.max_speed = max_speed;
    g.rows = 3;
    g.cols = 4;
    g.turns = true;
    g.flow_interval = 4;
    cb_options o;
    cb_options_init(&o);
    o.threads = threads;
    o.lane_change = 1;
    o.external_signals = 1;
    cb_error err = { 0 };
    cb_engine *e = NULL;
    cb_control *c = NULL;
    int rc = cb_engine_open_grid(&g, &o, &e, &err);
    if (!rc) rc = cb_control_open(e, controller, NULL, &c, &err);
    for (int i = 0; !rc && i < n * 100; i++) {
        rc = cb_control_step(c, &err);
        if ((i + 1) % 100 == 0) digests[i / 100] = cb_engine_digest(e);
    }
    if (rc) fprintf(stderr, "  %s: %s\n", controller, err.msg);
    cb_control_close(c);
    cb_engine_close(e);
    return rc;
}

TEST(controlled_runs_do_not_depend_on_threads)
{
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        ASSERT_EQ_INT(cb_controller_info_get(k, &info), CB_OK);
        uint64_t one[6], two[6];
        ASSERT_EQ_INT(run(info.name, 1, 0, one, 6), CB_OK);
        ASSERT_EQ_INT(run(info.name, 2, 0, two, 6), CB_OK);
        for (int i = 0; i < 6; i++)
            if (one[i] != two[i]) TEST_FAIL_("%s: digests differ after %d steps", info.name, (i + 1) * 100);
    }
}

/* Any limit the loaders accept (> 0) is one controllers can plan with: at
 * 1e-7 m/s a 300 m road takes 3e9 s, beyond an int of seconds; horizon
 * converted that arrival time (UB, caught by the sanitizer build) before
 * seeing it was past its 45 s horizon. */
TEST(controllers_plan_on_roads_crawled_at_a_tiny_limit)
{
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        ASSERT_EQ_INT(cb_controller_info_get(k, &info), CB_OK);
        uint64_t d[1];
        ASSERT_EQ_INT(run(info.name, 1, 1e-7, d, 1), CB_OK);
    }
}

TEST_MAIN()
