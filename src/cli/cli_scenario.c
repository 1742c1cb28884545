/* cli_scenario.c -- naming a scenario on the command line: a folder, a
 * CityFlow config.json, or "grid:ROWSxCOLS" for a synthetic grid generated in
 * memory; plus the grid generator's options, shared by `gen grid`
 * (--spacing ...) and `run grid:RxC` (--grid-spacing ...). */
#include "cli.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*--- grid options -------------------------------------------------------------*/

enum {
    GRID_SPACING = CLI_GRID_FIRST, GRID_LANES, GRID_LANE_WIDTH, GRID_MAX_SPEED, GRID_INTER_WIDTH,
    GRID_GREEN, GRID_YELLOW, GRID_FLOW_INTERVAL, GRID_TURNS, GRID_EMPTY
};

/* One row per option; `gen grid` and `run` show the same help. */
#define CLI_GRID_OPTIONS(prefix)                                                                   \
    { GRID_SPACING, prefix "spacing", 0, "M", "metres between intersections", NULL },              \
    { GRID_LANES, prefix "lanes", 0, "N", "lanes per road", NULL },                                 \
    { GRID_LANE_WIDTH, prefix "lane-width", 0, "M", "lane width in metres", NULL },                \
    { GRID_MAX_SPEED, prefix "max-speed", 0, "V", "lane speed limit in m/s", NULL },                \
    { GRID_INTER_WIDTH, prefix "intersection-width", 0, "M", "intersection width in metres", NULL }, \
    { GRID_GREEN, prefix "green", 0, "S", "seconds of each green phase", NULL },                   \
    { GRID_YELLOW, prefix "yellow", 0, "S", "seconds of each right-turns-only phase", NULL },        \
    { GRID_FLOW_INTERVAL, prefix "flow-interval", 0, "S", "seconds between vehicles of a flow", NULL }, \
    { GRID_TURNS, prefix "turns", 0, NULL, "add turning flows (default: straight only)", NULL },     \
    { GRID_EMPTY, prefix "empty", 0, NULL, "no traffic at all (to measure an empty city)", NULL },   \
    { 0, NULL, 0, NULL, NULL, NULL }

const cli_opt cli_grid_opts[] = { CLI_GRID_OPTIONS("") };
const cli_opt cli_grid_run_opts[] = { CLI_GRID_OPTIONS("grid-") };

void cli_grid_defaults(int id, char *buf, size_t n)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    switch (id) {
    case GRID_SPACING: snprintf(buf, n, "%g", g.spacing); break;
    case GRID_LANES: snprintf(buf, n, "%d", g.lanes); break;
    case GRID_LANE_WIDTH: snprintf(buf, n, "%g", g.lane_width); break;
    case GRID_MAX_SPEED: snprintf(buf, n, "%g", g.max_speed); break;
    case GRID_INTER_WIDTH: snprintf(buf, n, "%g", g.intersection_width); break;
    case GRID_GREEN: snprintf(buf, n, "%g", g.green_time); break;
    case GRID_YELLOW: snprintf(buf, n, "%g", g.yellow_time); break;
    case GRID_FLOW_INTERVAL: snprintf(buf, n, "%g", g.flow_interval); break;
    default: buf[0] = '\0'; break;
    }
}

int cli_grid_apply(cli_parser *p, int id, cb_grid_options *g)
{
    long long v;
    bool ok = true;
    /* The ranges only catch typos; the generator checks what it supports. */
    switch (id) {
    case GRID_SPACING: ok = cli_value_double(p, 1, 100000, &g->spacing); break;
    case GRID_LANES:
        ok = cli_value_int(p, 1, 16, &v);
        if (ok) g->lanes = (int)v;
        break;
    case GRID_LANE_WIDTH: ok = cli_value_double(p, 0.5, 20, &g->lane_width); break;
    case GRID_MAX_SPEED: ok = cli_value_double(p, 0.1, 100, &g->max_speed); break;
    case GRID_INTER_WIDTH: ok = cli_value_double(p, 0, 1000, &g->intersection_width); break;
    case GRID_GREEN: ok = cli_value_double(p, 1, 3600, &g->green_time); break;
    case GRID_YELLOW: ok = cli_value_double(p, 0, 3600, &g->yellow_time); break;
    case GRID_FLOW_INTERVAL: ok = cli_value_double(p, 0.1, 86400, &g->flow_interval); break;
    case GRID_TURNS: g->turns = true; break;
    case GRID_EMPTY: g->empty = true; break;
    default: return 0;
    }
    return ok ? 1 : CLI_BAD;
}

/*--- scenarios ----------------------------------------------------------------*/

void cli_scenario_init(cli_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    cb_grid_options_init(&sc->grid);
}

bool cli_scenario_parse(const cli_command *cmd, const char *text, cli_scenario *sc)
{
    sc->path = text;
    sc->is_grid = strncmp(text, "grid:", 5) == 0;
    if (sc->is_grid && !cli_parse_size(text + 5, &sc->grid.rows, &sc->grid.cols)) {
        cli_usage_error(cmd, "'%s' is not a grid; write grid:ROWSxCOLS, e.g. grid:4x4", text);
        return false;
    }
    return true;
}

void cli_print_warnings(const cb_warnings *w)
{
    for (size_t i = 0; i < cb_warnings_count(w); i++)
        fprintf(stderr, "citybrain: warning: %s\n", cb_warnings_text(w, i));
}

/* A SUMO scenario; its warnings go to stderr here, since only the CLI prints. */
static int open_sumo(const cli_scenario *sc, cb_options *opt, cb_engine **out, cb_error *err)
{
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    so.net_file = sc->roadnet;
    so.route_files = sc->flow;
    so.duration = sc->duration;
    cb_warnings *w = cb_warnings_new();
    int rc = cb_sumo_open(sc->path, opt, &so, out, w, err);
    cli_print_warnings(w);
    cb_warnings_free(w);
    return rc;
}

int cli_scenario_open(const cli_scenario *sc, cb_options *opt, cb_engine **out, cb_error *err)
{
    if (sc->is_grid) return cb_engine_open_grid(&sc->grid, opt, out, err);
    if (cb_sumo_path(sc->path)) return open_sumo(sc, opt, out, err);
    opt->roadnet_file = sc->roadnet;
    opt->flow_file = sc->flow;
    return cb_engine_open(sc->path, opt, out, err);
}
