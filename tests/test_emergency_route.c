/* test_emergency_route.c -- live travel times and routes from loop data.
 *
 * On an empty network every lane's estimate is its run at the limit (no
 * vehicle between the loops), so routes and times follow from the
 * geometry alone: the 1x3 grid's corridor road_0_1_0, road_1_1_0,
 * road_2_1_0, road_3_1_0 is 270 + 240 + 240 + 270 m at 16.67 m/s.  With
 * traffic, a blocked lane fills with vehicles that never leave, and the
 * estimates (Little's law on the counts) must steer routes around it. */
#include "test.h"
#include "citybrain_ops.h"

static cb_engine *open_grid(int rows, int cols, bool empty, double flow_interval)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = rows;
    g.cols = cols;
    g.empty = empty;
    g.turns = true;
    g.flow_interval = flow_interval;
    cb_options o;
    cb_options_init(&o);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    if (cb_engine_open_grid(&g, &o, &e, &err)) fprintf(stderr, "  grid: %s\n", err.msg);
    return e;
}

static size_t road(const cb_engine *e, const char *id)
{
    long k = cb_engine_road_find(e, id);
    return k < 0 ? (size_t)-1 : (size_t)k;
}

static cb_ops *open_ops(cb_engine *e)
{
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cb_ops *o = NULL;
    cb_error err = { 0 };
    if (cb_ops_open(e, &cfg, &o, &err)) fprintf(stderr, "  ops: %s\n", err.msg);
    return o;
}

static bool route_has(const size_t *r, size_t n, size_t a, size_t b)
{
    for (size_t j = 0; j + 1 < n; j++)
        if (r[j] == a && r[j + 1] == b) return true;
    return false;
}

TEST(free_flow_routes_follow_the_geometry)
{
    cb_engine *e = open_grid(1, 3, true, 10);
    ASSERT(e);
    cb_ops *o = open_ops(e);
    ASSERT(o);
    cb_error err;
    ASSERT_EQ_INT(cb_ops_update(o, NULL, &err), CB_OK);
    size_t *r = NULL, n = 0;
    double sec = 0;
    ASSERT_EQ_INT(cb_ops_route(o, road(e, "road_0_1_0"), road(e, "road_3_1_0"), &r, &n, &sec, &err), CB_OK);
    ASSERT_EQ_INT(n, 4);
    ASSERT_EQ_INT(r[0], road(e, "road_0_1_0"));
    ASSERT_EQ_INT(r[1], road(e, "road_1_1_0"));
    ASSERT_EQ_INT(r[2], road(e, "road_2_1_0"));
    ASSERT_EQ_INT(r[3], road(e, "road_3_1_0"));
    ASSERT_NEAR(sec, 1020 / 16.67, 1e-6);
    free(r);
    double t;
    ASSERT_EQ_INT(cb_ops_travel_time(o, road(e, "road_0_1_0"), road(e, "road_1_1_0"), &t, &err), CB_OK);
    ASSERT_NEAR(t, 270 / 16.67, 1e-6);
    /* not adjacent, the same road, out of range */
    ASSERT_EQ_INT(cb_ops_travel_time(o, road(e, "road_0_1_0"), road(e, "road_2_1_0"), &t, &err), CB_EINVAL);
    ASSERT_EQ_INT(cb_ops_route(o, road(e, "road_0_1_0"), road(e, "road_0_1_0"), &r, &n, &sec, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "same road");
    ASSERT_EQ_INT(cb_ops_route(o, 9999, road(e, "road_0_1_0"), &r, &n, &sec, &err), CB_EINVAL);
    /* a road leaving the network leads nowhere */
    ASSERT_EQ_INT(cb_ops_route(o, road(e, "road_3_1_0"), road(e, "road_0_1_0"), &r, &n, &sec, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "cannot be reached");
    cb_ops_close(o);
    cb_engine_close(e);
}

/* The 3x3 grid's middle row road_1_2_0 -> road_2_2_0 goes straight
 * through intersection_2_2.  Blocking the straight lane of road_1_2_0
 * (lane index 1) holds every vehicle that enters it: after ten minutes
 * the estimate of that movement is many times the same city's without the
 * incident (near its free run, 240 m at 16.67 m/s plus signal waits), and
 * the fastest route from road_1_2_0 to road_3_2_0 leaves it by a turn. */
TEST(routes_avoid_a_lane_that_stopped_moving)
{
    double straight[2] = { 0, 0 };
    for (int k = 0; k < 2; k++) {
        cb_engine *e = open_grid(3, 3, false, 10);
        ASSERT(e);
        cb_ops *o = open_ops(e);
        ASSERT(o);
        cb_error err;
        size_t a = road(e, "road_1_2_0"), b = road(e, "road_2_2_0");
        cb_road_info ri;
        ASSERT_EQ_INT(cb_engine_road_info(e, a, &ri), CB_OK);
        if (k == 1) ASSERT_EQ_INT(cb_engine_add_incident(e, ri.first_lane + 1, 100, 0, -1, NULL, &err), CB_OK);
        for (int i = 0; i < 600; i++) {
            ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
            ASSERT_EQ_INT(cb_ops_update(o, NULL, &err), CB_OK);
        }
        ASSERT_EQ_INT(cb_ops_travel_time(o, a, b, &straight[k], &err), CB_OK);
        if (k == 1) {
            size_t *r = NULL, n = 0;
            ASSERT_EQ_INT(cb_ops_route(o, a, road(e, "road_3_2_0"), &r, &n, NULL, &err), CB_OK);
            ASSERT(n >= 3);
            ASSERT(!route_has(r, n, a, b));
            free(r);
        }
        cb_ops_close(o);
        cb_engine_close(e);
    }
    ASSERT(straight[0] >= 240 / 16.67 && straight[0] < 120);
    ASSERT(straight[1] > 10 * straight[0]);
}

/* Emergency vehicles on the 3x5 grid's middle row, road_0_2_0 to
 * road_5_2_0, with road_3_2_0's straight lane blocked from t = 100 (its
 * vehicles then stand until the end).  One dispatched at 400 s, when the
 * block shows in the counts, is planned around it from the start; one
 * dispatched at 100 s leaves on the straight route (nothing to see yet)
 * and is re-planned on the way, before its lane commits it.  Neither ever
 * drives the blocked road, and both arrive. */
TEST(vehicles_are_planned_and_replanned_around_it)
{
    cb_engine *e = open_grid(3, 5, false, 10);
    ASSERT(e);
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cb_opsloop *l = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_opsloop_open(e, "fixed", NULL, &cfg, &l, &err), CB_OK);
    cb_ops *o = cb_opsloop_ops(l);
    size_t a = road(e, "road_3_2_0");
    cb_road_info ri;
    ASSERT_EQ_INT(cb_engine_road_info(e, a, &ri), CB_OK);
    ASSERT_EQ_INT(cb_engine_add_incident(e, ri.first_lane + 1, 100, 100, -1, NULL, &err), CB_OK);
    size_t id[2];
    ASSERT_EQ_INT(cb_ops_dispatch(o, road(e, "road_0_2_0"), road(e, "road_5_2_0"), 100, &id[0], &err), CB_OK);
    ASSERT_EQ_INT(cb_ops_dispatch(o, road(e, "road_0_2_0"), road(e, "road_5_2_0"), 400, &id[1], &err), CB_OK);
    bool drove_blocked[2] = { false, false };
    cb_ev_status s[2];
    do {
        ASSERT_EQ_INT(cb_opsloop_step(l, &err), CB_OK);
        for (int k = 0; k < 2; k++) {
            cb_ops_ev(o, id[k], &s[k], NULL);
            if (s[k].state == CB_EV_ENROUTE && s[k].road == a) drove_blocked[k] = true;
        }
    } while ((s[0].state != CB_EV_ARRIVED || s[1].state != CB_EV_ARRIVED) && cb_engine_time(e) < 1800);
    for (int k = 0; k < 2; k++) {
        ASSERT_EQ_INT(s[k].state, CB_EV_ARRIVED);
        ASSERT(!drove_blocked[k]);
    }
    ASSERT(s[0].replans >= 1);
    cb_opsloop_close(l);
    cb_engine_close(e);
}

TEST_MAIN()
