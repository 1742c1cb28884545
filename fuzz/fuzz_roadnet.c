/* fuzz_roadnet.c -- libFuzzer target: any bytes as roadnet.json.
 *
 * A roadnet that the loader accepts goes on to net_build (lane geometry,
 * Bezier lane links, conflict points: where arithmetic on odd coordinates
 * could go wrong) and, when that succeeds, into an engine that runs a few
 * steps with one short flow per movement (up to 8), so that the geometry
 * is also driven on.  Nothing is written to disk. */
#include "load/cityflow.h"
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_FLOWS 8
#define FUZZ_STEPS 40

static const net_vtype fuzz_car = { 5, 2, 2, 4.5, 2, 4.5, 2.5, 16.67, 1.5 };

/* One flow per roadlink with lane links: the route start road -> end road. */
static void add_flows(const net_spec *spec, demand_spec *d, uint32_t routes[][2])
{
    d->n_flows = 0;
    for (uint32_t i = 0; i < spec->n_inters; i++)
        for (uint32_t k = 0; k < spec->inters[i].n_roadlinks && d->n_flows < FUZZ_MAX_FLOWS; k++) {
            const net_spec_roadlink *rl = &spec->inters[i].roadlinks[k];
            if (rl->n_lanelinks == 0) continue;
            demand_flow *f = &d->flows[d->n_flows];
            routes[d->n_flows][0] = rl->start_road;
            routes[d->n_flows][1] = rl->end_road;
            *f = (demand_flow){ .vtype = fuzz_car, .route = routes[d->n_flows], .n_route = 2,
                                .interval = 1 + d->n_flows % 3, .start_time = 0, .end_time = -1 };
            d->n_flows++;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    cb_error err = { 0 };
    cbu_jdoc doc;
    net_spec spec;
    net_spec_init(&spec);
    int rc = cbu_json_parse(&doc, "roadnet.json", src, size, &err);   /* takes src */
    if (rc == CB_OK) rc = cf_roadnet_from_json(&doc, "roadnet.json", &spec, &err);
    if (rc == CB_OK) {
        demand_flow flows[FUZZ_MAX_FLOWS];
        uint32_t routes[FUZZ_MAX_FLOWS][2];
        demand_spec demand = { .flows = flows };
        add_flows(&spec, &demand, routes);
        cb_options opt;
        cb_options_init(&opt);
        sim_defaults def = { 1.0, 7, (size & 1) != 0, false };   /* odd sizes: lane changing on */
        cb_engine *e = NULL;
        rc = sim_engine_create(&spec, &demand, "roadnet.json", "flows", &opt, &def, &e, &err);
        for (int s = 0; rc == CB_OK && s < FUZZ_STEPS; s++) rc = cb_engine_step(e, &err);
        if (e) {
            cb_metrics m;
            cb_engine_metrics(e, &m);
            cb_engine_close(e);
        }
    }
    if (rc != CB_OK && (err.code != rc || err.msg[0] == '\0')) abort();
    net_spec_free(&spec);
    cbu_json_free(&doc);
    return 0;
}
