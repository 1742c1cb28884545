/* sumo_open.c -- cb_sumo_open: a .sumocfg or .net.xml to a running engine
 * (and sumo_open_specs: the same scenario as specs, for sumo_export.c).
 *
 * The order: the config (file names, begin, end), the network with the
 * additional files' programs, the specs, the demand (routed on the spec),
 * then the engine, told to keep SUMO-style trip statistics.  Simulation
 * time 0 is SUMO's `begin`. */
#include "sumo.h"
#include "../sim/sim.h"
#include "../util/err.h"

#include <stdlib.h>
#include <string.h>

void cb_sumo_options_init(cb_sumo_options *o) { memset(o, 0, sizeof *o); }

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool cb_sumo_path(const char *path)
{
    return path && (ends_with(path, ".sumocfg") || ends_with(path, ".net.xml") || ends_with(path, ".net.xml.gz"));
}

/* A short label for several route files in messages. */
static const char *routes_label(const sumo_cfg *c) { return c->n_route_files ? c->route_files[0] : "(no demand)"; }

int sumo_open_specs(const char *path, const cb_sumo_options *so, uint32_t seed, sumo_cfg *cfg, sumo_net *net,
                    net_spec *spec, demand_spec *demand, cb_warnings *warn, cb_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    memset(net, 0, sizeof *net);
    net_spec_init(spec);
    demand_spec_init(demand);
    int rc = ends_with(path, ".sumocfg") ? sumo_cfg_load(path, so, cfg, warn, err) : sumo_cfg_from_net(path, so, cfg, err);
    if (rc) return rc;
    if (so && so->duration > 0 && (cfg->end < 0 || cfg->begin + so->duration < cfg->end)) cfg->end = cfg->begin + so->duration;
    rc = sumo_net_load(net, cfg->net_file, (const char *const *)cfg->additional_files, cfg->n_additional_files, warn, err);
    if (rc == CB_OK) rc = sumo_net_to_spec(net, cfg->begin, spec, warn, err);
    if (rc == CB_OK) {
        sumo_demand_opts dopt = { cfg->begin, cfg->end, seed, 0 };
        rc = sumo_demand_load(net, spec, (const char *const *)cfg->route_files, cfg->n_route_files, &dopt, demand,
                              warn, err);
    }
    return rc;
}

void sumo_specs_free(sumo_cfg *cfg, sumo_net *net, net_spec *spec, demand_spec *demand)
{
    sumo_net_free(net);
    net_spec_free(spec);
    demand_spec_free(demand);
    sumo_cfg_free(cfg);
}

int cb_sumo_open(const char *path, const cb_options *opt_in, const cb_sumo_options *so, cb_engine **out,
                 cb_warnings *warn, cb_error *err)
{
    cb_options defaults;
    const cb_options *opt = opt_in;
    if (!opt) { cb_options_init(&defaults); opt = &defaults; }
    *out = NULL;
    sumo_cfg cfg;
    sumo_net net;
    net_spec spec;
    demand_spec demand;
    uint32_t seed = (uint32_t)(opt->seed_set ? opt->seed : 0);
    int rc = sumo_open_specs(path, so, seed, &cfg, &net, &spec, &demand, warn, err);
    cb_engine *e = NULL;
    if (rc == CB_OK) {
        sim_defaults def = { cfg.step_length > 0 ? cfg.step_length : 1.0, seed, false, false };
        rc = sim_engine_create(&spec, &demand, cfg.net_file, routes_label(&cfg), opt, &def, &e, err);
    }
    if (rc == CB_OK) {
        e->s.trip_stats = true;
        e->s.insert_after_move = true;
        e->s.depart_at_length = true;
        e->s.scenario_end = cfg.end >= 0 ? cfg.end - cfg.begin : 0;
        *out = e;
    }
    sumo_specs_free(&cfg, &net, &spec, &demand);
    return rc;
}
