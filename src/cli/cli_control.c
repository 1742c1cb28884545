/* cli_control.c -- the table of signal controllers `citybrain run
 * --control NAME` can use.
 *
 * A controller decides the traffic-light phases during a run.  "fixed"
 * leaves them to the fixed-time plans in the roadnet (the engine cycles
 * them itself), which is also what CityFlow does with rlTrafficLight false.
 * It is the default even for a config that says rlTrafficLight true,
 * because an offline run without a controller would freeze every light on
 * phase 0.  An adaptive controller (max-pressure, SOTL, ...) is one more
 * row: configure() asks for external signals, before_step() calls
 * cb_engine_set_phase. */
#include "cli.h"

#include <string.h>

static void fixed_configure(cb_options *opt)
{
    opt->external_signals = 0;
}

static const cli_controller controllers[] = {
    { "fixed", "the roadnet's fixed-time signal plans", fixed_configure, NULL, NULL, NULL },
};

enum { N_CONTROLLERS = sizeof controllers / sizeof controllers[0] };

const cli_controller *cli_controller_find(const char *name)
{
    for (int i = 0; i < N_CONTROLLERS; i++)
        if (strcmp(controllers[i].name, name) == 0) return &controllers[i];
    return NULL;
}

void cli_controller_names(char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < N_CONTROLLERS; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", controllers[i].name);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}

void cli_controller_help(FILE *f)
{
    fprintf(f, "\nControllers (--control NAME):\n");
    for (int i = 0; i < N_CONTROLLERS; i++) fprintf(f, "  %-10s %s\n", controllers[i].name, controllers[i].summary);
}
