/* test_load_data.c -- the loaders on real inputs, and the one flow check
 * that only the engine can make.
 *
 * Real cities (../shared/data, skipped when absent): each loads and has the
 * counts found by reading the files independently (Python's json module:
 * intersections, signalized ones, roads, lanes, roadLinks, laneLinks,
 * phases, flows).  A route whose anchors no chain of lane links joins is
 * an error when an engine is opened, naming the flow file and
 * [flow].route[anchor]. */
#include "test_load_util.h"
#include "load/cityflow.h"
#include "net/net.h"

typedef struct city {
    const char *dir, *roadnet, *flow;
    int inters, signals, roads, lanes, roadlinks, lanelinks, phases, flows;
} city;

static const city cities[] = {
    { "jinan_3x4", "roadnet_3_4.json", "anon_3_4_jinan_real.json", 26, 12, 62, 186, 144, 432, 108, 6295 },
    { "hangzhou_4x4", "roadnet_4_4.json", "anon_4_4_hangzhou_real.json", 32, 16, 80, 240, 192, 576, 144, 2983 },
    { "newyork_16x3", "roadnet_16_3.json", "anon_16_3_newyork_real.json", 86, 48, 230, 690, 576, 1728, 432, 2824 },
    { "syn_1x1", "roadnet_1_1.json", "flow_1_1_300.json", 5, 1, 8, 16, 8, 16, 9, 8 },
    { "hangzhou_1x1_bc-tyc", "roadnet.json", "flow.json", 5, 1, 8, 16, 8, 16, 9, 2021 },
};

TEST(real_cities_load_with_the_right_counts)
{
    int found = 0;
    for (size_t i = 0; i < sizeof cities / sizeof cities[0]; i++) {
        const city *c = &cities[i];
        char rp[512], fp[512];
        snprintf(rp, sizeof rp, "%s/%s/%s", CB_SHARED_DATA, c->dir, c->roadnet);
        snprintf(fp, sizeof fp, "%s/%s/%s", CB_SHARED_DATA, c->dir, c->flow);
        if (!test_path_exists(rp) || !test_path_exists(fp)) continue;
        found++;
        net_spec s;
        demand_spec d;
        net_spec_init(&s);
        demand_spec_init(&d);
        cb_error err = { 0 };
        if (cf_roadnet_load(rp, &s, &err)) TEST_FAIL_("%s", err.msg);
        if (cf_flow_load(fp, &s, &d, &err)) TEST_FAIL_("%s", err.msg);
        int signals = 0, roadlinks = 0, lanelinks = 0, phases = 0, lanes = 0;
        for (uint32_t k = 0; k < s.n_inters; k++) {
            const net_spec_inter *in = &s.inters[k];
            signals += !in->is_virtual;
            roadlinks += (int)in->n_roadlinks;
            phases += (int)in->n_phases;
            for (uint32_t r = 0; r < in->n_roadlinks; r++) lanelinks += (int)in->roadlinks[r].n_lanelinks;
        }
        for (uint32_t r = 0; r < s.n_roads; r++) lanes += (int)s.roads[r].n_lanes;
        fprintf(stderr, "  %s: %u intersections, %u roads, %u flows\n", c->dir, s.n_inters, s.n_roads, d.n_flows);
        ASSERT_EQ_INT(s.n_inters, c->inters);
        ASSERT_EQ_INT(signals, c->signals);
        ASSERT_EQ_INT(s.n_roads, c->roads);
        ASSERT_EQ_INT(lanes, c->lanes);
        ASSERT_EQ_INT(roadlinks, c->roadlinks);
        ASSERT_EQ_INT(lanelinks, c->lanelinks);
        ASSERT_EQ_INT(phases, c->phases);
        ASSERT_EQ_INT(d.n_flows, c->flows);
        cb_net *n = NULL;
        if (net_build(&s, &n, &err)) TEST_FAIL_("%s: %s", c->dir, err.msg);
        ASSERT_EQ_INT(n->n_lanes, c->lanes);
        ASSERT_EQ_INT(n->n_links, c->lanelinks);
        net_free(n);
        net_spec_free(&s);
        demand_spec_free(&d);
    }
    if (!found) TEST_SKIP("no benchmark cities in %s", CB_SHARED_DATA);
}

/* Jinan's first flow, as written in the file (an independent reading). */
TEST(jinan_first_flow_as_written)
{
    char rp[512], fp[512];
    snprintf(rp, sizeof rp, "%s/jinan_3x4/roadnet_3_4.json", CB_SHARED_DATA);
    snprintf(fp, sizeof fp, "%s/jinan_3x4/anon_3_4_jinan_real.json", CB_SHARED_DATA);
    if (!test_path_exists(rp) || !test_path_exists(fp)) TEST_SKIP("%s absent", fp);
    net_spec s;
    demand_spec d;
    net_spec_init(&s);
    demand_spec_init(&d);
    cb_error err = { 0 };
    if (cf_roadnet_load(rp, &s, &err) || cf_flow_load(fp, &s, &d, &err)) TEST_FAIL_("%s", err.msg);
    const demand_flow *f = &d.flows[0];
    ASSERT_EQ_INT(f->start_time, 0);
    ASSERT_EQ_INT(f->end_time, 0);
    ASSERT_NEAR(f->interval, 1.0, 0);
    ASSERT_NEAR(f->vtype.max_speed, 11.111, 0);
    ASSERT_NEAR(f->vtype.min_gap, 2.5, 0);
    ASSERT_NEAR(f->vtype.headway_time, 2, 0);
    ASSERT_EQ_INT(f->n_route, 5);
    ASSERT_STR_EQ(s.roads[f->route[0]].id, "road_0_2_0");
    ASSERT_STR_EQ(s.roads[f->route[3]].id, "road_3_2_1");
    ASSERT_STR_EQ(s.roads[f->route[4]].id, "road_3_3_1");
    net_spec_free(&s);
    demand_spec_free(&d);
}

static const char *tiny_config =
    "{\"interval\": 1.0, \"seed\": 0, \"dir\": \"\", \"roadnetFile\": \"roadnet.json\","
    " \"flowFile\": \"flow.json\", \"rlTrafficLight\": false, \"saveReplay\": false}\n";

#define VEH "{\"length\": 5.0, \"width\": 2.0, \"maxPosAcc\": 2.0, \"maxNegAcc\": 4.5, \"usualPosAcc\": 2.0, " \
            "\"usualNegAcc\": 4.5, \"minGap\": 2.5, \"maxSpeed\": 16.67, \"headwayTime\": 1.5}"

/* Write the scenario folder: config, tiny roadnet, and the given flows. */
static void write_scenario(const char *flows)
{
    char *rn = tl_read_data("tiny_roadnet.json");
    tl_write("roadnet.json", rn);
    free(rn);
    tl_write("config.json", tiny_config);
    tl_write("flow.json", flows);
}

TEST(unconnectable_route_is_an_error_when_opening)
{
    /* AB -> BC is a movement at B; BC ends at the virtual C: nothing leads
     * from BC to CB, so anchor [1].route[2] cannot be reached. */
    write_scenario("[\n{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BC\"], \"interval\": 5},\n"
                   "{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BC\", \"CB\"], \"interval\": 5}\n]\n");
    cb_engine *e = NULL;
    cb_error err = { 0 };
    char flow[600];
    snprintf(flow, sizeof flow, "%s/flow.json: [1].route[2]: ", tl_dir());
    tl_expect w = { CB_ESCHEMA, { flow, "road \"CB\" cannot be reached from \"BC\"" } };
    tl_check("from folder", cb_engine_open(tl_dir(), NULL, &e, &err), &err, &w);
    ASSERT(e == NULL);

    /* the same through config.json, and the U-turn AB -> BA at the start */
    write_scenario("[{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BA\"], \"interval\": 5}]");
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/config.json", tl_dir());
    snprintf(flow, sizeof flow, "%s/flow.json: [0].route[1]: ", tl_dir());
    tl_expect w2 = { CB_ESCHEMA, { flow, "road \"BA\" cannot be reached from \"AB\"" } };
    tl_check("from config", cb_engine_open(cfg, NULL, &e, &err), &err, &w2);
    ASSERT(e == NULL);
}

/* Loader errors come through cb_engine_open unchanged. */
TEST(loader_errors_come_through_open)
{
    write_scenario("[{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BC\"], \"interval\": 5, \"startTime\": 1.5}]");
    cb_engine *e = NULL;
    cb_error err = { 0 };
    tl_expect w = { CB_ESCHEMA, { "flow.json: [0].startTime: expected an integer, got a real number 1.5" } };
    tl_check("flow error", cb_engine_open(tl_dir(), NULL, &e, &err), &err, &w);
    ASSERT(e == NULL);
}

/* Network errors found by net_build name the roadnet file. */
TEST(network_errors_name_the_roadnet)
{
    write_scenario("[{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BC\"], \"interval\": 5}]");
    char *rn = tl_read_data("tiny_roadnet.json");
    char *wide = tl_replace(rn, "\"width\": 10, ", "\"width\": 250, ");
    tl_write("roadnet.json", wide);
    free(rn);
    free(wide);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    char head[600];
    snprintf(head, sizeof head, "%s/roadnet.json: road AB: ", tl_dir());
    tl_expect w = { CB_ESCHEMA, { head, "not longer than the intersection width that trims it (0 m at A, 250 m at B)" } };
    tl_check("wide intersection", cb_engine_open(tl_dir(), NULL, &e, &err), &err, &w);
    ASSERT(e == NULL);
}

/* A network with a single lane link has no conflict point at all (found
 * by UBSan: the empty cross table was a NULL base for offsets). */
TEST(network_without_crosses_runs)
{
    write_scenario("[{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BC\"], \"interval\": 5, \"endTime\": 10}]");
    char *rn = tl_read_data("tiny_roadnet.json");
    char *one = tl_replace(rn, ", {\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "");
    char *none = tl_replace(one, "\"laneLinks\": [{\"startLaneIndex\": 0, \"endLaneIndex\": 0, \"points\"",
                            "\"laneLinks\": [], \"x\": [{\"points\"");
    tl_write("roadnet.json", none);
    free(rn); free(one); free(none);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    if (cb_engine_open(tl_dir(), NULL, &e, &err)) TEST_FAIL_("%s", err.msg);
    for (int s = 0; s < 100; s++)
        if (cb_engine_step(e, &err)) { cb_engine_close(e); TEST_FAIL_("%s", err.msg); }
    cb_metrics m;
    cb_engine_metrics(e, &m);
    cb_engine_close(e);
    ASSERT_EQ_INT(m.created, 3);
    ASSERT_EQ_INT(m.finished, 3);
}

/* The tiny scenario runs: AB -> BC vehicles are created and finish. */
TEST(tiny_scenario_runs)
{
    write_scenario("[{\"vehicle\": " VEH ", \"route\": [\"AB\", \"BC\"], \"interval\": 5, \"endTime\": 20},\n"
                   " {\"vehicle\": " VEH ", \"route\": [\"CB\", \"BA\"], \"interval\": 1, \"startTime\": 3, \"endTime\": 3}]");
    cb_engine *e = NULL;
    cb_error err = { 0 };
    if (cb_engine_open(tl_dir(), NULL, &e, &err)) TEST_FAIL_("%s", err.msg);
    for (int s = 0; s < 200; s++)
        if (cb_engine_step(e, &err)) { cb_engine_close(e); TEST_FAIL_("%s", err.msg); }
    cb_metrics m;
    cb_engine_metrics(e, &m);
    cb_engine_close(e);
    ASSERT_EQ_INT(m.created, 5 + 1);        /* t = 0, 5, 10, 15, 20; one at t = 3 */
    ASSERT_EQ_INT(m.finished, 6);           /* 200 s are plenty for ~450 m */
}

TEST_MAIN()
