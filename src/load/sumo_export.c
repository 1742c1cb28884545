/* sumo_export.c -- a SUMO scenario written as CityFlow files
 * (cb_sumo_write_cityflow; `citybrain convert`).
 *
 * The scenario is read exactly as cb_sumo_open reads it (sumo_open_specs:
 * the same network, programs, routes and random draws) and written with
 * cf_write.c, so that CityFlow, citybrain's CityFlow loader and the
 * research tools built on CityFlow's files can open a real city.
 *
 * CityFlow's format says less than SUMO's.  Everything it cannot carry is
 * named in the warnings with its count (the list is in docs/sumo.md); the
 * converted city then runs under CityFlow's rules: conflicts from the
 * lanes' geometry with priorities by turn type, lanes drawn from the road's
 * centre line, perfect drivers at the speed limit, vehicles entering
 * standing. */
#include "sumo.h"
#include "cf_write.h"
#include "cityflow.h"
#include "../util/err.h"
#include "../util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What CityFlow's format cannot say, one warning each (in this order). */
enum { LOST_ONE_ROAD, LOST_ROW, LOST_MINOR, LOST_SHAPES, LOST_LINK_SPEEDS, LOST_UNKNOWN, LOST_UTURN, LOST_KRAUSS,
       LOST_DEPART, LOST_TRIP, N_LOST };
static const char *const lost_text[N_LOST] = {
    [LOST_ONE_ROAD] = "vehicles or flows whose route is a single edge are left out: a CityFlow route joins "
                      "two roads at least",
    [LOST_ROW] = "junctions' right of way (SUMO's request matrix) is not in CityFlow's format: conflicts come "
                 "from the lane links' geometry and priority from the turn type",
    [LOST_MINOR] = "green movements that must yield (SUMO's g, o, m and = states) or stop first (s, w) are written "
                   "as plain greens",
    [LOST_SHAPES] = "roads' own lane shapes and lengths are not written: CityFlow draws lanes from the road's "
                    "centre line",
    [LOST_LINK_SPEEDS] = "speeds through junctions (SUMO's internal lanes) are not written: turning vehicles "
                         "use the engine's turn speed",
    [LOST_UNKNOWN] = "movements without a direction are written as go_straight",
    [LOST_UTURN] = "U-turns are written as turn_left (CityFlow has no U-turn)",
    [LOST_KRAUSS] = "the Krauss drivers of vehicles and flows (sigma, speedFactor) become CityFlow's: at the "
                    "speed limit, never dawdling",
    [LOST_DEPART] = "departSpeed and departLane are not in CityFlow's flow format: vehicles enter standing, on "
                    "a lane the engine picks",
    [LOST_TRIP] = "trips are written with their route in an empty network: SUMO (and citybrain on the SUMO "
                  "files) routes them when they depart, on the traffic of that moment",
};

/* Count, warn about, and rewrite (movement types) or leave out (one-road
 * routes) what the format cannot say.  The specs are ours to change: they
 * are freed afterwards. */
static void note_losses(net_spec *spec, demand_spec *demand, cb_warnings *warn)
{
    int64_t n[N_LOST] = { 0 };
    for (uint32_t i = 0; i < spec->n_inters; i++) {
        net_spec_inter *in = &spec->inters[i];
        n[LOST_ROW] += in->row != NULL;
        for (uint32_t p = 0; p < in->n_phases; p++) n[LOST_MINOR] += in->phases[p].n_minor;
        for (uint32_t k = 0; k < in->n_roadlinks; k++) {
            net_spec_roadlink *rl = &in->roadlinks[k];
            if (rl->type == NET_TURN_UNKNOWN) {
                rl->type = NET_TURN_STRAIGHT;
                n[LOST_UNKNOWN]++;
            }
            n[LOST_UTURN] += rl->type == NET_TURN_UTURN;
            for (uint32_t l = 0; l < rl->n_lanelinks; l++) n[LOST_LINK_SPEEDS] += rl->lanelinks[l].max_speed > 0;
        }
    }
    for (uint32_t r = 0; r < spec->n_roads; r++)
        n[LOST_SHAPES] += spec->roads[r].lane_points != NULL || spec->roads[r].lane_lengths != NULL;
    uint32_t kept = 0;
    for (uint32_t f = 0; f < demand->n_flows; f++) {
        const demand_flow *fl = &demand->flows[f];
        if (fl->n_route < 2) {
            n[LOST_ONE_ROAD]++;
            continue;
        }
        n[LOST_KRAUSS] += fl->krauss;
        n[LOST_DEPART] += fl->depart_speed != 0 || fl->depart_lane != 0;
        n[LOST_TRIP] += fl->n_trip > 0;
        demand->flows[kept++] = *fl;
    }
    demand->n_flows = kept;
    for (int k = 0; k < N_LOST; k++)
        if (n[k]) sumo_warn_n(warn, n[k], "%s", lost_text[k]);
}

/* The three files, each written under a temporary name and renamed into
 * place only when all three are complete: a failure leaves the folder as
 * it was (an earlier conversion there included). */
enum { OUT_ROADNET, OUT_FLOW, OUT_CONFIG, N_OUT };
static const char *const out_names[N_OUT] = { "roadnet.json", "flow.json", "config.json" };
static const char *const part_names[N_OUT] = { ".roadnet.json.part", ".flow.json.part", ".config.json.part" };

/* The written files, read back by citybrain's own (strict) CityFlow
 * loader, hold what was written: a file that only looks complete would
 * otherwise surface later, far from its cause. */
static int check_reads_back(const char *roadnet, const char *flow, const net_spec *spec, const demand_spec *demand,
                            const char *scenario, cb_error *err)
{
    net_spec back;
    demand_spec dback;
    net_spec_init(&back);
    demand_spec_init(&dback);
    cb_error why = { 0 };
    int rc = cf_roadnet_load(roadnet, &back, &why);
    if (rc == CB_OK) rc = cf_flow_load(flow, &back, &dback, &why);
    if (rc == CB_OK && (back.n_roads != spec->n_roads || back.n_inters != spec->n_inters ||
                        dback.n_flows != demand->n_flows))
        rc = cbu_err(&why, CB_ESCHEMA, "%u roads, %u intersections and %u flows read back instead of %u, %u, %u",
                     back.n_roads, back.n_inters, dback.n_flows, spec->n_roads, spec->n_inters, demand->n_flows);
    if (rc) rc = cbu_err(err, rc, "%s: the CityFlow files written for it do not read back (a citybrain bug; "
                         "please report it with the scenario): %s", scenario, why.msg);
    demand_spec_free(&dback);
    net_spec_free(&back);
    return rc;
}

int cb_sumo_write_cityflow(const char *path, const cb_sumo_options *so, uint32_t seed, const char *dir,
                           cb_warnings *warn, cb_error *err)
{
    sumo_cfg cfg = { 0 };                     /* freeable as they are, if the names fail */
    sumo_net net = { 0 };
    net_spec spec;
    demand_spec demand;
    net_spec_init(&spec);
    demand_spec_init(&demand);
    char *final[N_OUT] = { NULL }, *part[N_OUT] = { NULL };
    int rc = CB_OK;
    for (int i = 0; i < N_OUT; i++) {
        final[i] = cbu_path_join(dir, out_names[i]);
        part[i] = cbu_path_join(dir, part_names[i]);
        if (!final[i] || !part[i]) rc = cbu_err_nomem(err);
    }
    if (rc == CB_OK) rc = sumo_open_specs(path, so, seed, &cfg, &net, &spec, &demand, warn, err);
    bool written = false;
    if (rc == CB_OK) {
        note_losses(&spec, &demand, warn);
        written = true;
        rc = cf_roadnet_write(&spec, part[OUT_ROADNET], err);
        if (rc == CB_OK) rc = cf_flow_write(&demand, &spec, part[OUT_FLOW], err);
        if (rc == CB_OK)
            rc = cb_cityflow_config_write(part[OUT_CONFIG], cfg.step_length > 0 ? cfg.step_length : 1.0, seed,
                                          out_names[OUT_ROADNET], out_names[OUT_FLOW], err);
        if (rc == CB_OK) rc = check_reads_back(part[OUT_ROADNET], part[OUT_FLOW], &spec, &demand, path, err);
        /* three renames in one folder: each atomic, and failing only if
         * the folder itself changes under us */
        for (int i = 0; i < N_OUT && rc == CB_OK; i++)
            if (rename(part[i], final[i]) != 0) rc = cbu_err(err, CB_EIO, "%s: %s", final[i], strerror(errno));
    }
    for (int i = 0; i < N_OUT; i++) {
        if (written && rc != CB_OK && part[i]) remove(part[i]);   /* absent ones: ENOENT, harmless */
        free(final[i]);
        free(part[i]);
    }
    sumo_specs_free(&cfg, &net, &spec, &demand);
    return rc;
}
