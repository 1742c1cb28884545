/* cmd_gen.c -- `citybrain gen <kind>`: write a synthetic city to files.
 *
 * Only `gen grid ROWSxCOLS` exists: CityFlow's classic grid, written as
 * roadnet.json, flow.json and a config.json that CityFlow itself can open,
 * so the same scenario runs in both engines. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

enum { GEN_OUT = 1 };

static const cli_opt gen_grid_opts[] = {
    { GEN_OUT, "out", 'o', "DIR", "output folder, created if missing", "./grid_ROWSxCOLS" },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int gen_grid_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_gen_grid = {
    .name = "gen grid",
    .summary = "a ROWSxCOLS grid of signalized intersections",
    .usage = "gen grid ROWSxCOLS [options]",
    .description =
        "Write a synthetic grid city: DIR/roadnet.json and DIR/flow.json (CityFlow\n"
        "format) and DIR/config.json (interval 1, seed 0, fixed-time signals, no\n"
        "lane changing, no replay).  Existing files of those names are replaced.\n"
        "The defaults reproduce CityFlow's generator grids.\n",
    .groups = {
        { NULL, gen_grid_opts, NULL },
        { "Grid options", cli_grid_opts, cli_grid_defaults },
    },
    .examples =
        "  citybrain gen grid 4x4\n"
        "  citybrain gen grid 10x10 -o city --turns --flow-interval 5\n"
        "  citybrain run city --duration 1800\n",
    .main = gen_grid_main,
};

extern const cli_command cli_cmd_gen_demand;   /* cmd_gen_demand.c */

static const cli_command *const gen_subs[] = { &cli_cmd_gen_grid, &cli_cmd_gen_demand, NULL };

const cli_command cli_cmd_gen = {
    .name = "gen",
    .summary = "generate a synthetic city or demand (gen grid, gen demand)",
    .usage = "gen <kind> [arguments]",
    .description = "Write a synthetic city as CityFlow files (gen grid), or trips for a\n"
                   "SUMO network that has no traffic (gen demand).\n",
    .groups = { { NULL, NULL, NULL } },
    .examples = "  citybrain gen grid 4x4 -o grid_4x4\n",
    .subs = gen_subs,
    .main = cli_subcommand_main,
};

static int gen_grid_main(const cli_command *self, int argc, char **argv)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    const char *size = NULL, *out = NULL;
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    int status = -1;
    for (int id; (id = cli_next_own(&p, &size, &status)) != CLI_DONE;) {
        if (id == GEN_OUT) {
            out = p.value;
        } else if (cli_grid_apply(&p, id, &g) == CLI_BAD) {
            return CLI_EXIT_USAGE;
        }
    }
    if (status >= 0) return status;
    if (!size) return cli_usage_error(self, "missing ROWSxCOLS (e.g. 4x4)");
    if (!cli_parse_size(size, &g.rows, &g.cols))
        return cli_usage_error(self, "'%s' is not a grid size; write ROWSxCOLS, e.g. 4x4", size);

    char dflt[64];
    if (!out) {
        snprintf(dflt, sizeof dflt, "grid_%dx%d", g.rows, g.cols);
        out = dflt;
    }
    cli_cityflow_out o;
    int rc = cli_cityflow_out_open(out, &o);
    if (rc) return rc;
    cb_error err = { 0 };
    if (cb_grid_write(&g, o.roadnet, o.flow, &err)) {
        if (o.created) rmdir(out);           /* leave nothing behind, if it is still empty */
        return cli_fail(&err);
    }
    if (cb_cityflow_config_write(o.config, 1.0, 0, "roadnet.json", "flow.json", &err)) return cli_fail(&err);
    printf("%s\n%s\n%s\n", o.roadnet, o.flow, o.config);
    return CLI_EXIT_OK;
}
