/* cli_control.h -- the signal-control options shared by `citybrain run` and
 * `citybrain bench control`: which controller, its parameters (--param,
 * --control-file) and the protocol (--decision-interval, --yellow).
 *
 * The controllers themselves live in the library (cb_controller); this is
 * only how the command line names and configures them. */
#ifndef CB_CLI_CONTROL_H
#define CB_CLI_CONTROL_H

#include "cli.h"

typedef struct cli_ctl_args {
    const char *name;         /* --control, NULL: not given */
    const char *file;         /* --control-file, NULL: none */
    cb_params *params;        /* --param and the protocol options; owned */
} cli_ctl_args;

/* Returns false (after printing) if memory runs out. */
bool cli_ctl_args_init(cli_ctl_args *a);
void cli_ctl_args_free(cli_ctl_args *a);

/* Handle one of the controller options of cli_ctl_opts (ids CLI_CTL_FIRST
 * and up).  Returns 1 when handled, 0 when `id` is not one of them, CLI_BAD
 * after a usage error. */
enum { CLI_CTL_FIRST = 2000 };
extern const cli_opt cli_ctl_opts[];
int cli_ctl_apply(cli_parser *p, int id, cli_ctl_args *a);

/* After parsing: read --control-file (its "controller" key names the
 * controller unless --control did) and fill opt for that controller.
 * *name gets the controller to open ("fixed" by default). */
int cli_ctl_finish(cli_ctl_args *a, cb_options *opt, const char **name, cb_error *err);

/* The extra members of `run --json` and lines of the KPI table. */
void cli_ctl_report_json(const cb_control_stats *st, FILE *f);
void cli_ctl_report_table(const cb_control_stats *st, FILE *f);
double cli_ctl_decision_us(const cb_control_stats *st);

#endif
