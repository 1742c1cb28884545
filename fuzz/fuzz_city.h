/* fuzz_city.h -- the small CityFlow city several fuzz targets drive: the
 * 1x1 grid of the seed corpus (FUZZ_CITY_ROADNET) with straight flows
 * from three sides, opened in memory.  Header-only: each target is its
 * own program. */
#ifndef CB_FUZZ_CITY_H
#define CB_FUZZ_CITY_H

#include "citybrain.h"
#include "load/cityflow.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Straight through the 1x1 grid from three sides, one every 2-3 s. */
static const char FUZZ_CITY_FLOWS[] =
    "[{\"vehicle\":{\"length\":5,\"width\":2,\"maxPosAcc\":2,\"maxNegAcc\":4.5,\"usualPosAcc\":2,"
    "\"usualNegAcc\":4.5,\"minGap\":2.5,\"maxSpeed\":11.111,\"headwayTime\":2},"
    "\"route\":[\"road_0_1_0\",\"road_1_1_0\"],\"interval\":2,\"startTime\":0,\"endTime\":-1},"
    "{\"vehicle\":{\"length\":5,\"width\":2,\"maxPosAcc\":2,\"maxNegAcc\":4.5,\"usualPosAcc\":2,"
    "\"usualNegAcc\":4.5,\"minGap\":2.5,\"maxSpeed\":11.111,\"headwayTime\":2},"
    "\"route\":[\"road_1_0_1\",\"road_1_1_1\"],\"interval\":3,\"startTime\":0,\"endTime\":-1},"
    "{\"vehicle\":{\"length\":8,\"width\":2,\"maxPosAcc\":2,\"maxNegAcc\":4.5,\"usualPosAcc\":2,"
    "\"usualNegAcc\":4.5,\"minGap\":2.5,\"maxSpeed\":11.111,\"headwayTime\":2},"
    "\"route\":[\"road_2_1_2\",\"road_1_1_2\"],\"interval\":2,\"startTime\":1,\"endTime\":-1}]";

static void fuzz_die(const char *what, const cb_error *err)
{
    fprintf(stderr, "fuzz: %s: %s\n", what, err ? err->msg : "");
    exit(2);
}

/* lane_change: CityFlow's lane changing on; external: phases change only
 * through cb_engine_set_phase.  Exits (2) on failure. */
static cb_engine *fuzz_city_open_ex(bool lane_change, bool external)
{
    cb_error err = { 0 };
    net_spec net;
    demand_spec demand;
    net_spec_init(&net);
    demand_spec_init(&demand);
    char *src = strdup(FUZZ_CITY_FLOWS);
    cbu_jdoc doc;
    if (!src || cf_roadnet_load(FUZZ_CITY_ROADNET, &net, &err) ||
        cbu_json_parse(&doc, "flow.json", src, strlen(FUZZ_CITY_FLOWS), &err) ||   /* takes src */
        cf_flow_from_json(&doc, "flow.json", &net, &demand, &err))
        fuzz_die("the grid city", &err);
    cb_options opt;
    cb_options_init(&opt);
    sim_defaults def = { 1.0, 5, lane_change, external };
    cb_engine *e = NULL;
    if (sim_engine_create(&net, &demand, "roadnet.json", "flow.json", &opt, &def, &e, &err)) fuzz_die("the grid city", &err);
    cbu_json_free(&doc);
    demand_spec_free(&demand);
    net_spec_free(&net);
    return e;
}

static inline cb_engine *fuzz_city_open(bool lane_change) { return fuzz_city_open_ex(lane_change, false); }

#endif
