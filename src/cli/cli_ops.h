/* cli_ops.h -- field operations in `citybrain run`: emergency vehicles
 * (--ev), incidents injected into the twin (--incident), scenario files of
 * both (--events), mid-block loops for their detection (--loop-spacing),
 * and the loop that runs them.
 *
 * Without any of these options a run is exactly what it was: cb_control.
 * With one, the run's loop is cb_opsloop (citybrain_ops.h), which is the
 * same loop plus preemption holds, detector routing and incident
 * detection, and the report gains the vehicles and the alerts. */
#ifndef CB_CLI_OPS_H
#define CB_CLI_OPS_H

#include "cli.h"
#include "citybrain_ops.h"

enum { CLI_OPS_FIRST = 3000 };
extern const cli_opt cli_ops_opts[];

typedef struct cli_ops_args {
    const char **ev;          /* --ev values (borrowed from argv) */
    int n_ev;
    const char **incident;    /* --incident values */
    int n_incident;
    const char *events;       /* --events FILE, or NULL */
    bool no_preempt;          /* --no-preempt */
    double loop_spacing;      /* --loop-spacing (m; 0: loops at lane ends only) */
    int cap;                  /* room in ev[] and incident[] */
} cli_ops_args;

/* Room for every argument of the command line; false if out of memory. */
bool cli_ops_args_init(cli_ops_args *a, int argc);
void cli_ops_args_free(cli_ops_args *a);
/* Handle an option of cli_ops_opts: 1 handled, 0 not one, CLI_BAD. */
int cli_ops_apply(cli_parser *p, int id, cli_ops_args *a);

/* A run's closed loop: cb_control, or cb_opsloop when operations are asked. */
typedef struct cli_loop {
    cb_control *ctl;
    cb_opsloop *ops;
} cli_loop;

/* Open the loop on an open engine; with operations, also dispatch the
 * vehicles and inject the incidents (errors name the option's value). */
int cli_loop_open(cli_loop *l, cb_engine *e, const char *controller, cb_params *params, const cli_ops_args *a,
                  cb_error *err);
int cli_loop_step(cli_loop *l, cb_error *err);
const char *cli_loop_name(const cli_loop *l);
void cli_loop_stats(const cli_loop *l, cb_control_stats *st);
/* The operations' part of the report: table lines, or JSON members
 * (", \"emergency\": [...], ...") to put before the closing brace.
 * Nothing without operations. */
void cli_loop_report_table(const cli_loop *l, const cb_engine *e, FILE *f);
void cli_loop_report_json(const cli_loop *l, const cb_engine *e, FILE *f);
void cli_loop_close(cli_loop *l);

#endif
