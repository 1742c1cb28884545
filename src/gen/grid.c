/* grid.c -- the grid generator's entry points: option defaults and checks,
 * the in-memory spec, an engine on it, and the CityFlow files. */
#include "grid.h"
#include "grid_layout.h"
#include "../load/cf_write.h"
#include "../sim/sim.h"
#include "../util/err.h"

#include <stdio.h>
#include <string.h>

void cb_grid_options_init(cb_grid_options *g)
{
    memset(g, 0, sizeof *g);
    g->rows = g->cols = 10;
    g->spacing = 300;
    g->lanes = 3;
    g->lane_width = 4;
    g->max_speed = 16.67;
    g->intersection_width = 30;
    g->green_time = 30;
    g->yellow_time = 5;
    g->flow_interval = 10;
    g->turns = false;
}

/* lo < v <= hi (or lo <= v when inclusive); NaN fails every comparison. */
static int check_range(cb_error *err, const char *name, double v, double lo, bool inclusive,
                       double hi, const char *unit)
{
    if ((inclusive ? v >= lo : v > lo) && v <= hi) return CB_OK;
    return cbu_err(err, CB_EINVAL, "grid option %s must be %s %g and at most %g %s (got %g)", name,
                   inclusive ? "at least" : "greater than", lo, hi, unit, v);
}

int gen_grid_check(const cb_grid_options *g, cb_error *err)
{
    if (!g) return cbu_err(err, CB_EINVAL, "grid options: NULL");
    if (g->rows < 1 || g->rows > GEN_GRID_MAX_SIDE)
        return cbu_err(err, CB_EINVAL, "grid option rows must be between 1 and %d (got %d)",
                       GEN_GRID_MAX_SIDE, g->rows);
    if (g->cols < 1 || g->cols > GEN_GRID_MAX_SIDE)
        return cbu_err(err, CB_EINVAL, "grid option cols must be between 1 and %d (got %d)",
                       GEN_GRID_MAX_SIDE, g->cols);
    if (g->lanes < 1 || g->lanes > GEN_GRID_MAX_LANES)
        return cbu_err(err, CB_EINVAL, "grid option lanes must be between 1 and %d (got %d)",
                       GEN_GRID_MAX_LANES, g->lanes);
    int rc;
    /* The loaders' limits, so that written files load back. */
    if ((rc = check_range(err, "lane_width", g->lane_width, 0, false, 100, "m"))) return rc;
    if ((rc = check_range(err, "max_speed", g->max_speed, 0, false, 1000, "m/s"))) return rc;
    if ((rc = check_range(err, "intersection_width", g->intersection_width, 0, false, 1000, "m")))
        return rc;
    if ((rc = check_range(err, "spacing", g->spacing, 0, false, 100000, "m"))) return rc;
    /* Lanes are trimmed by the width at both ends and must keep a length. */
    if (!(g->spacing > 2 * g->intersection_width))
        return cbu_err(err, CB_EINVAL,
                       "grid option spacing (%g m) must exceed twice intersection_width (%g m): "
                       "roads are shortened by the intersection width at both ends",
                       g->spacing, g->intersection_width);
    if ((rc = check_range(err, "green_time", g->green_time, NET_MIN_PHASE_S, true, 1e6, "s"))) return rc;
    if ((rc = check_range(err, "yellow_time", g->yellow_time, NET_MIN_PHASE_S, true, 1e6, "s"))) return rc;
    /* CityFlow aborts on a flow interval below 1 s. */
    if ((rc = check_range(err, "flow_interval", g->flow_interval, 1, true, 1e9, "s"))) return rc;
    /* Each lane link costs ~200 bytes of spec (11 points); refuse sizes that
     * could only end in an allocation failure or the OOM killer. */
    /* start lanes per approach, summed over left/straight/right (grid.h) */
    uint64_t start_lanes = (uint64_t)g->lanes + (g->lanes >= 3 ? 0 : 2);
    uint64_t links = (uint64_t)g->rows * (uint64_t)g->cols * 4 * start_lanes * (uint64_t)g->lanes;
    if (links > GEN_GRID_MAX_LANELINKS)
        return cbu_err(err, CB_ELIMIT, "grid %dx%d with %d lanes would have %llu lane links (at most %llu)",
                       g->rows, g->cols, g->lanes, (unsigned long long)links,
                       (unsigned long long)GEN_GRID_MAX_LANELINKS);
    return CB_OK;
}

int gen_grid_spec(const cb_grid_options *g, net_spec *net, demand_spec *demand, cb_error *err)
{
    int rc = gen_grid_check(g, err);
    if (!rc) rc = gen_grid_net(g, net, err);
    if (!rc && demand) rc = gen_grid_flows(g, net, demand, err);
    return rc;
}

int cb_engine_open_grid(const cb_grid_options *g, const cb_options *opt, cb_engine **out, cb_error *err)
{
    *out = NULL;
    net_spec net;
    demand_spec demand;
    net_spec_init(&net);
    demand_spec_init(&demand);
    int rc = gen_grid_spec(g, &net, &demand, err);
    if (rc == CB_OK) {
        char label[64];
        snprintf(label, sizeof label, "grid %dx%d", g->rows, g->cols);
        sim_defaults def = { 1.0, 0, false, false };
        rc = sim_engine_create(&net, &demand, label, label, opt, &def, out, err);
    }
    net_spec_free(&net);
    demand_spec_free(&demand);
    return rc;
}

/* A NULL path skips that file. */
int cb_grid_write(const cb_grid_options *g, const char *roadnet_path, const char *flow_path, cb_error *err)
{
    net_spec net;
    demand_spec demand;
    net_spec_init(&net);
    demand_spec_init(&demand);
    int rc = gen_grid_spec(g, &net, flow_path ? &demand : NULL, err);
    if (rc == CB_OK && roadnet_path) rc = cf_roadnet_write(&net, roadnet_path, err);
    if (rc == CB_OK && flow_path) rc = cf_flow_write(&demand, &net, flow_path, err);
    net_spec_free(&net);
    demand_spec_free(&demand);
    return rc;
}
