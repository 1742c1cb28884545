/* fuzz_sumo.c -- libFuzzer target: any bytes as a SUMO network or route
 * file (the XML importer, src/load/sumo_*.c).
 *
 * Input whose text contains "<routes" is read as a route file against one
 * fixed network, tests/data/sumo/cross.net.xml (FUZZ_SUMO_NET, loaded once
 * at start-up), so that mutated routes name real edges; anything else is
 * read as a .net.xml.  What the importer accepts goes on: a network is
 * built (conflict points from the right-of-way matrix, fan-out links) and
 * driven by one SUMO vehicle per movement for 40 steps, then written as a
 * CityFlow roadnet (in memory) that must read back; a demand is written
 * as a CityFlow flow.json that must read back, then opens an engine on the
 * fixed network and runs 60 steps.  No file is written. */
#include "load/sumo.h"
#include "load/cf_write.h"
#include "load/cityflow.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_FLOWS 8
/* a demand's vehicles and flows: the default 1e7 would pass libFuzzer's
 * 2 GB memory limit before the importer's own CB_ELIMIT */
#define FUZZ_MAX_ENTRIES 20000

static sumo_net g_net;
static net_spec g_spec;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    cb_error err = { 0 };
    net_spec_init(&g_spec);
    if (sumo_net_load(&g_net, FUZZ_SUMO_NET, NULL, 0, NULL, &err) || sumo_net_to_spec(&g_net, 0, &g_spec, NULL, &err)) {
        fprintf(stderr, "fuzz_sumo: %s\n", err.msg);
        exit(2);
    }
    return 0;
}

static const net_vtype fuzz_car = { .length = 5, .width = 1.8, .max_pos_acc = 2.6, .max_neg_acc = 4.5,
                                    .usual_pos_acc = 2.6, .usual_neg_acc = 4.5, .min_gap = 2.5,
                                    .max_speed = 55.55, .headway_time = 1 };

static void run(const net_spec *spec, const demand_spec *demand, cb_error *err, int steps)
{
    cb_options opt;
    cb_options_init(&opt);
    sim_defaults def = { 1.0, 3, false, false };
    cb_engine *e = NULL;
    int rc = sim_engine_create(spec, demand, "fuzz.net.xml", "fuzz.rou.xml", &opt, &def, &e, err);
    if (rc == CB_OK) e->s.trip_stats = true;
    for (int s = 0; rc == CB_OK && s < steps; s++) rc = cb_engine_step(e, err);
    if (e) {
        cb_trip_stats t;
        cb_engine_trip_stats(e, &t);
        cb_engine_close(e);
    }
    if (rc != CB_OK && (err->code != rc || err->msg[0] == '\0')) abort();
}

/* What `citybrain convert` writes for an imported network must read back
 * through the strict CityFlow loader with the same shape (sumo_export.c
 * checks the same at run time and calls a failure a bug). */
static void roundtrip(net_spec *spec)
{
    for (uint32_t i = 0; i < spec->n_inters; i++)       /* as sumo_export.c rewrites them */
        for (uint32_t k = 0; k < spec->inters[i].n_roadlinks; k++)
            if (spec->inters[i].roadlinks[k].type == NET_TURN_UNKNOWN)
                spec->inters[i].roadlinks[k].type = NET_TURN_STRAIGHT;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    cb_error err = { 0 };
    int rc = cf_roadnet_fwrite(spec, f, "roadnet.json", &err);
    fclose(f);
    if (rc == CB_OK) {
        cbu_jdoc doc;
        net_spec back;
        net_spec_init(&back);
        rc = cbu_json_parse(&doc, "roadnet.json", buf, len, &err);   /* takes buf */
        buf = NULL;
        if (rc == CB_OK) rc = cf_roadnet_from_json(&doc, "roadnet.json", &back, &err);
        if (rc != CB_OK || back.n_roads != spec->n_roads || back.n_inters != spec->n_inters) {
            fprintf(stderr, "fuzz_sumo: the CityFlow roadnet written does not read back: %s\n", err.msg);
            abort();
        }
        net_spec_free(&back);
        cbu_json_free(&doc);
    } else if (rc != CB_ENOMEM) {
        fprintf(stderr, "fuzz_sumo: cannot write the CityFlow roadnet: %s\n", err.msg);
        abort();
    }
    free(buf);
}

/* The same for a demand: its flow.json (one-edge routes left out, as
 * sumo_export.c does) reads back against the fixed network, all of it. */
static void roundtrip_demand(const demand_spec *demand)
{
    demand_spec kept = *demand;
    kept.flows = malloc((demand->n_flows + 1) * sizeof *kept.flows);
    if (!kept.flows) return;
    kept.n_flows = 0;
    for (uint32_t f = 0; f < demand->n_flows; f++)
        if (demand->flows[f].n_route >= 2) kept.flows[kept.n_flows++] = demand->flows[f];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) { free(kept.flows); return; }
    cb_error err = { 0 };
    int rc = cf_flow_fwrite(&kept, &g_spec, f, "flow.json", &err);
    fclose(f);
    if (rc != CB_OK) {
        fprintf(stderr, "fuzz_sumo: cannot write the CityFlow flows: %s\n", err.msg);
        abort();
    }
    cbu_jdoc doc;
    demand_spec back;
    demand_spec_init(&back);
    rc = cbu_json_parse(&doc, "flow.json", buf, len, &err);      /* takes buf */
    if (rc == CB_OK) rc = cf_flow_from_json(&doc, "flow.json", &g_spec, &back, &err);
    if (rc == CB_ENOMEM) {
        /* a resource limit, not a disagreement */
    } else if (rc != CB_OK || back.n_flows != kept.n_flows) {
        fprintf(stderr, "fuzz_sumo: the CityFlow flows written do not read back: %s\n", err.msg);
        abort();
    }
    demand_spec_free(&back);
    cbu_json_free(&doc);
    free(kept.flows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    cb_error err = { 0 };
    cb_warnings *w = cb_warnings_new();
    int rc;
    if (strstr(src, "<routes")) {
        demand_spec demand;
        demand_spec_init(&demand);
        sumo_demand_opts o = { 0, 3600, 1, FUZZ_MAX_ENTRIES };
        rc = sumo_demand_parse(&g_net, &g_spec, "fuzz.rou.xml", src, size, &o, &demand, w, &err);
        if (rc == CB_OK) roundtrip_demand(&demand);
        if (rc == CB_OK) run(&g_spec, &demand, &err, 60);
        else if (err.code != rc || err.msg[0] == '\0') abort();
        demand_spec_free(&demand);
    } else {
        sumo_net n;
        net_spec spec;
        net_spec_init(&spec);
        rc = sumo_net_parse(&n, "fuzz.net.xml", src, size, w, &err);
        if (rc == CB_OK) rc = sumo_net_to_spec(&n, 0, &spec, w, &err);
        if (rc == CB_OK) {
            demand_flow flows[FUZZ_MAX_FLOWS];
            uint32_t routes[FUZZ_MAX_FLOWS][2];
            demand_spec demand = { .flows = flows };
            for (uint32_t i = 0; i < spec.n_inters; i++)
                for (uint32_t k = 0; k < spec.inters[i].n_roadlinks && demand.n_flows < FUZZ_MAX_FLOWS; k++) {
                    const net_spec_roadlink *rl = &spec.inters[i].roadlinks[k];
                    if (rl->n_lanelinks == 0) continue;
                    routes[demand.n_flows][0] = rl->start_road;
                    routes[demand.n_flows][1] = rl->end_road;
                    flows[demand.n_flows] = (demand_flow){ .vtype = fuzz_car, .route = routes[demand.n_flows],
                                                           .n_route = 2, .interval = 2, .start_time = 0,
                                                           .end_time = -1, .krauss = true, .sigma = 0.5,
                                                           .speed_dev = 0.1, .depart_speed = DEMAND_DEPART_MAX };
                    demand.n_flows++;
                }
            run(&spec, &demand, &err, 40);
            roundtrip(&spec);
        } else if (err.code != rc || err.msg[0] == '\0') {
            abort();
        }
        net_spec_free(&spec);
        sumo_net_free(&n);
    }
    cb_warnings_free(w);
    free(src);
    return 0;
}
