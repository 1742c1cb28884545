/* fuzz_flow.c -- libFuzzer target: any bytes as flow.json.
 *
 * Flows are read against one fixed network, the 1x1 grid of the seed
 * corpus (FUZZ_FLOW_ROADNET, loaded once at start-up), so that mutated
 * routes name real roads often.  A flow file the loader accepts opens an
 * engine (routing: where an unconnectable route must become an error) and
 * runs a minute of simulated time with the fuzzed vehicle parameters. */
#include "load/cityflow.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_STEPS 60

static net_spec g_net;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    cb_error err = { 0 };
    net_spec_init(&g_net);
    if (cf_roadnet_load(FUZZ_FLOW_ROADNET, &g_net, &err)) {
        fprintf(stderr, "fuzz_flow: %s\n", err.msg);
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    cb_error err = { 0 };
    cbu_jdoc doc;
    demand_spec demand;
    demand_spec_init(&demand);
    int rc = cbu_json_parse(&doc, "flow.json", src, size, &err);   /* takes src */
    if (rc == CB_OK) rc = cf_flow_from_json(&doc, "flow.json", &g_net, &demand, &err);
    if (rc == CB_OK) {
        cb_options opt;
        cb_options_init(&opt);
        sim_defaults def = { 1.0, 11, (size & 1) != 0, false };   /* odd sizes: lane changing on */
        cb_engine *e = NULL;
        rc = sim_engine_create(&g_net, &demand, "roadnet.json", "flow.json", &opt, &def, &e, &err);
        for (int s = 0; rc == CB_OK && s < FUZZ_STEPS; s++) rc = cb_engine_step(e, &err);
        if (e) cb_engine_close(e);
    }
    if (rc != CB_OK && (err.code != rc || err.msg[0] == '\0')) abort();
    demand_spec_free(&demand);
    cbu_json_free(&doc);
    return 0;
}
