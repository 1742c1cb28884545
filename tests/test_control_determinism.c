/* test_control_determinism.c -- a controlled run is bit-identical for any
 * number of engine threads: the controllers decide from observations only
 * (no clocks, no randomness), in site order, between steps.  Full-state
 * digests (cb_engine_digest) after every 100 steps must agree. */
#include "test.h"
#include "citybrain.h"

static int run_with(const char *controller, cb_params *params, int threads, double max_speed, int rows, int cols,
                    uint64_t *digests, int n)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    if (max_speed > 0) g.max_speed = max_speed;
    g.rows = rows;
    g.cols = cols;
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
    if (!rc) rc = cb_control_open(e, controller, params, &c, &err);
    for (int i = 0; !rc && i < n * 100; i++) {
        rc = cb_control_step(c, &err);
        if ((i + 1) % 100 == 0) digests[i / 100] = cb_engine_digest(e);
    }
    if (rc && !params) fprintf(stderr, "  %s: %s\n", controller, err.msg);
    if (rc && err.code != rc) rc = -1000;           /* a failure must say why */
    cb_control_close(c);
    cb_engine_close(e);
    return rc;
}

static int run(const char *controller, int threads, double max_speed, uint64_t *digests, int n)
{
    return run_with(controller, NULL, threads, max_speed, 3, 4, digests, n);
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

/* Every parameter a controller or the protocol reads, at values from the
 * edge of any sensible range (the smallest positive double, 1e300, ...):
 * refused with a message naming it, or run safely -- never undefined
 * behaviour (this file runs under the sanitizers in CI). */
TEST(controllers_take_any_parameter_value_or_refuse_it)
{
    static const char *const values[] = { "0", "1e-300", "-1", "0.5", "1", "60", "3600", "1e9", "1e300" };
    static const char *const protocol[] = { "decision_interval", "yellow", "all_red", "min_green" };
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        ASSERT_EQ_INT(cb_controller_info_get(k, &info), CB_OK);
        /* its own keys: the "name=default: help" lines */
        char keys[32][64];
        size_t nk = 0;
        for (const char *p = info.params; p && *p && nk < 28;) {
            size_t n = strcspn(p, "=\n");
            if (n > 0 && n < 64 && p[n] == '=') { memcpy(keys[nk], p, n); keys[nk++][n] = '\0'; }
            p += strcspn(p, "\n");
            if (*p) p++;
        }
        for (size_t j = 0; j < 4; j++) snprintf(keys[nk++], 64, "%s", protocol[j]);
        size_t ran = 0, refused = 0;
        for (size_t i = 0; i < nk; i++)
            for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                cb_params *p = NULL;
                cb_error err;
                ASSERT_EQ_INT(cb_params_new(&p, &err), CB_OK);
                ASSERT_EQ_INT(cb_params_set(p, keys[i], values[v], &err), CB_OK);
                uint64_t d[1];
                int rc = run_with(info.name, p, 1, 0, 2, 2, d, 1);
                cb_params_free(p);
                if (rc == -1000) TEST_FAIL_("%s %s=%s: failed without a message", info.name, keys[i], values[v]);
                rc ? refused++ : ran++;
            }
        ASSERT(ran > 0 && refused > 0);
    }
}

TEST_MAIN()
