/* grid.c -- synthetic grid cities (placeholder; see gen/grid.h). */
#include "citybrain.h"
#include "../util/err.h"

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
}

int cb_engine_open_grid(const cb_grid_options *g, const cb_options *opt, cb_engine **out, cb_error *err)
{
    (void)g; (void)opt; *out = NULL;
    return cbu_err(err, CB_EUNSUPPORTED, "grid generation is not built yet");
}

int cb_grid_write(const cb_grid_options *g, const char *roadnet_path, const char *flow_path, cb_error *err)
{
    (void)g; (void)roadnet_path; (void)flow_path;
    return cbu_err(err, CB_EUNSUPPORTED, "grid generation is not built yet");
}
