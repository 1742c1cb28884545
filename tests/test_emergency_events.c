/* test_emergency_events.c -- field events as people write them: the
 * one-line forms of the command line and the API, and scenario files;
 * every bad input is refused with a message naming what is wrong. */
#include "test.h"
#include "citybrain_ops.h"

static cb_engine *open_grid(void)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 1;
    g.cols = 3;
    g.empty = true;
    cb_options o;
    cb_options_init(&o);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    if (cb_engine_open_grid(&g, &o, &e, &err)) fprintf(stderr, "  grid: %s\n", err.msg);
    return e;
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

TEST(emergency_lines)
{
    cb_engine *e = open_grid();
    ASSERT(e);
    cb_ops *o = open_ops(e);
    ASSERT(o);
    cb_error err = { 0 };
    size_t id = 99;
    ASSERT_EQ_INT(cb_ops_parse_ev(o, "road_0_1_0:road_3_1_0@30", &id, &err), CB_OK);
    ASSERT_EQ_INT(id, 0);
    cb_ev_status st;
    ASSERT_EQ_INT(cb_ops_ev(o, 0, &st, &err), CB_OK);
    ASSERT_EQ_INT(st.state, CB_EV_SCHEDULED);
    ASSERT_EQ_INT(st.origin, cb_engine_road_find(e, "road_0_1_0"));
    ASSERT_EQ_INT(st.destination, cb_engine_road_find(e, "road_3_1_0"));
    ASSERT_NEAR(st.dispatch, 30, 0);
    ASSERT_STR_EQ(st.vehicle, "");
    /* pushed at the first update at or after 30 s */
    for (int i = 0; i < 30; i++) {
        ASSERT_EQ_INT(cb_ops_update(o, NULL, &err), CB_OK);
        cb_ops_ev(o, 0, &st, NULL);
        ASSERT_EQ_INT(st.state, CB_EV_SCHEDULED);
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
    }
    ASSERT_EQ_INT(cb_ops_update(o, NULL, &err), CB_OK);
    cb_ops_ev(o, 0, &st, NULL);
    ASSERT_EQ_INT(st.state, CB_EV_ENROUTE);
    ASSERT_NEAR(st.start, 30, 1e-9);
    ASSERT_STR_EQ(st.vehicle, "manually_pushed_0");
    ASSERT_NEAR(st.planned, 1020 / 16.67, 1e-6);     /* the empty corridor at the limit */

    struct { const char *text; int code; const char *says; } bad[] = {
        { "road_0_1_0-road_3_1_0@30", CB_EINVAL, "ORIGIN:DESTINATION@TIME" },
        { "road_0_1_0:road_3_1_0", CB_EINVAL, "ORIGIN:DESTINATION@TIME" },
        { "road_0_1_0:road_3_1_0@soon", CB_EINVAL, "'soon' is not a number" },
        { "road_9_9_9:road_3_1_0@40", CB_ENOTFOUND, "no road 'road_9_9_9'" },
        { "road_0_1_0:nowhere@40", CB_ENOTFOUND, "no road 'nowhere'" },
        { "road_0_1_0:road_3_1_0@10", CB_EINVAL, "before now" },
        { "road_0_1_0:road_0_1_0@40", CB_EINVAL, "same road" },
        { "road_3_1_0:road_0_1_0@40", CB_EINVAL, "cannot be reached" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err.code = 0;
        err.msg[0] = '\0';
        ASSERT_EQ_INT(cb_ops_parse_ev(o, bad[k].text, NULL, &err), bad[k].code);
        ASSERT_CONTAINS(err.msg, bad[k].says);
        ASSERT_CONTAINS(err.msg, bad[k].text);
    }
    ASSERT_EQ_INT(cb_ops_ev_count(o), 1);
    cb_ops_close(o);
    cb_engine_close(e);
}

TEST(incident_lines)
{
    cb_engine *e = open_grid();
    ASSERT(e);
    cb_error err = { 0 };
    size_t id = 99;
    ASSERT_EQ_INT(cb_ops_parse_incident(e, "road_1_1_0:2:120.5@60-300", &id, &err), CB_OK);
    ASSERT_EQ_INT(id, 0);
    cb_incident in;
    ASSERT_EQ_INT(cb_engine_incident(e, 0, &in, &err), CB_OK);
    cb_road_info ri;
    cb_engine_road_info(e, (size_t)cb_engine_road_find(e, "road_1_1_0"), &ri);
    ASSERT_EQ_INT(in.lane, ri.first_lane + 2);
    ASSERT_NEAR(in.position, 120.5, 0);
    ASSERT_NEAR(in.t0, 60, 0);
    ASSERT_NEAR(in.t1, 300, 0);
    /* open-ended */
    ASSERT_EQ_INT(cb_ops_parse_incident(e, "road_1_1_0:0:10@5", &id, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_incident(e, 1, &in, &err), CB_OK);
    ASSERT(in.t1 < 0);
    struct { const char *text; int code; const char *says; } bad[] = {
        { "road_1_1_0:1@60-300", CB_EINVAL, "ROAD:LANE:POSITION@START-END" },
        { "road_1_1_0:3:10@60-300", CB_EINVAL, "has no lane 3" },
        { "road_1_1_0:1.5:10@60-300", CB_EINVAL, "lane must be an index" },
        { "road_1_1_0:1:far@60-300", CB_EINVAL, "position is not a number" },
        { "road_1_1_0:1:999@60-300", CB_EINVAL, "is not on lane" },
        { "road_1_1_0:1:10@x-300", CB_EINVAL, "start is not a number" },
        { "road_1_1_0:1:10@60-y", CB_EINVAL, "end is not a number" },
        { "road_1_1_0:1:10@300-60", CB_EINVAL, "t0 < t1" },
        { "nowhere:1:10@60-300", CB_ENOTFOUND, "no road 'nowhere'" },
        { "road_1_1_0:1:10@", CB_EINVAL, "start is not a number" },      /* nothing after '@' */
        { "road_1_1_0:1e300:10@60", CB_EINVAL, "lane must be an index" },
        { "road_1_1_0:-9e18:10@60", CB_EINVAL, "lane must be an index" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err.msg[0] = '\0';
        ASSERT_EQ_INT(cb_ops_parse_incident(e, bad[k].text, NULL, &err), bad[k].code);
        ASSERT_CONTAINS(err.msg, bad[k].says);
    }
    ASSERT_EQ_INT(cb_engine_incident_count(e), 2);
    cb_engine_close(e);
}

TEST(scenario_files)
{
    cb_engine *e = open_grid();
    ASSERT(e);
    cb_ops *o = open_ops(e);
    ASSERT(o);
    cb_error err = { 0 };
    const char *good = test_write_tmp("cb_emg_events.json",
        "{\"emergency\": [{\"origin\": \"road_0_1_0\", \"destination\": \"road_3_1_0\", \"time\": 5},\n"
        "                {\"origin\": \"road_2_0_1\", \"destination\": \"road_2_1_1\", \"time\": 50.5}],\n"
        " \"incidents\": [{\"road\": \"road_1_1_0\", \"lane\": 1, \"position\": 100, \"start\": 10, \"end\": 70}]}\n");
    ASSERT(good);
    ASSERT_EQ_INT(cb_ops_load_events(o, good, &err), CB_OK);
    ASSERT_EQ_INT(cb_ops_ev_count(o), 2);
    ASSERT_EQ_INT(cb_engine_incident_count(e), 1);
    cb_ev_status st;
    cb_ops_ev(o, 1, &st, NULL);
    ASSERT_NEAR(st.dispatch, 50.5, 0);

    struct { const char *name, *text, *says; } bad[] = {
        { "cb_emg_bad1.json", "{\"emergency\": [{\"origin\": \"road_0_1_0\", \"time\": 5}]}",
          "emergency[0].destination" },
        { "cb_emg_bad2.json", "{\"emergency\": [], \"incident\": []}", "unknown member 'incident'" },
        { "cb_emg_bad3.json", "{\"incidents\": [{\"road\": \"road_1_1_0\", \"lane\": 7, \"position\": 1, \"start\": 1}]}",
          "incidents[0].lane" },
        { "cb_emg_bad4.json", "{\"incidents\": [{\"road\": \"x\", \"lane\": 0, \"position\": 1, \"start\": 1}]}",
          "no road 'x'" },
        { "cb_emg_bad5.json", "{\"emergency\": {}}", "emergency" },
        { "cb_emg_bad6.json", "[1, 2", "cb_emg_bad6.json" },
        { "cb_emg_bad7.json", "{\"emergency\": [{\"origin\": \"road_0_1_0\", \"destination\": \"road_0_1_0\", \"time\": 5}]}",
          "same road" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *p = test_write_tmp(bad[k].name, bad[k].text);
        ASSERT(p);
        err.msg[0] = '\0';
        ASSERT(cb_ops_load_events(o, p, &err) != CB_OK);
        ASSERT_CONTAINS(err.msg, bad[k].says);
        ASSERT_CONTAINS(err.msg, bad[k].name);
    }
    ASSERT_EQ_INT(cb_ops_load_events(o, "/nonexistent/cb_events.json", &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "/nonexistent/cb_events.json");
    cb_ops_close(o);
    cb_engine_close(e);
}

TEST_MAIN()
