/* cli.h -- what the files of the `citybrain` command share: the command and
 * option tables, the argument parser, error reporting, the progress line,
 * the run report (KPI table and JSON), the controller table and scenario
 * opening.
 *
 * The CLI is the reference client of the library: it includes only the
 * public citybrain.h, never a header under src/ outside src/cli.  It is also
 * the only part of citybrain that prints.
 *
 * Exit codes (the same for every command):
 *   0  success
 *   1  a runtime or input error: "citybrain: <cb_error message>" on stderr
 *   2  a usage error: unknown option, missing argument, bad number
 *   130 interrupted by Ctrl-C (SIGINT) during a run */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "citybrain.h"
#include "citybrain_sumo.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INTERRUPTED = 130 };

/*--- Options and commands --------------------------------------------------*/

/* One option of a command.  A table of them drives both the parser and the
 * --help text, so the two cannot disagree.  Tables end with an entry whose
 * id is 0. */
typedef struct cli_opt {
    int id;                   /* > 0; returned by cli_next() */
    const char *name;         /* long name without "--" ("duration") */
    char short_name;          /* 'o' for -o; 0 when there is none */
    const char *metavar;      /* "SECONDS"; NULL: a flag that takes no value */
    const char *help;         /* one line, no default in it */
    const char *dflt;         /* default as shown in --help; NULL: none */
} cli_opt;

/* A titled group of options ("Grid options").  `defaults`, when set, gives
 * the default of an option at run time, for values owned by the library
 * (cb_grid_options_init) that the CLI must not restate. */
typedef struct cli_optgroup {
    const char *title;        /* NULL for the command's main options */
    const cli_opt *opts;
    void (*defaults)(int id, char *buf, size_t n);
} cli_optgroup;

#define CLI_MAX_GROUPS 4

typedef struct cli_command cli_command;
struct cli_command {
    const char *name;         /* "run", "gen grid" */
    const char *summary;      /* one line for the command list */
    const char *usage;        /* after "citybrain ": "run <scenario> [options]" */
    const char *description;  /* paragraphs, lines of at most 78 columns */
    cli_optgroup groups[CLI_MAX_GROUPS]; /* ends at the first NULL opts */
    const char *examples;     /* lines, each a full command */
    void (*more_help)(FILE *f); /* optional section after the options */
    const cli_command *const *subs; /* subcommands ("gen grid"), NULL-terminated;
                                       NULL when there are none */
    int (*main)(const cli_command *self, int argc, char **argv);
                              /* argv[0] is the command name */
};

/* The commands, in the order `citybrain help` lists them. */
extern const cli_command cli_cmd_run, cli_cmd_gen, cli_cmd_gen_grid, cli_cmd_validate, cli_cmd_help;
/* Find a top-level command by name; NULL if there is none. */
const cli_command *cli_command_find(const char *name);
/* Find "gen grid" given "gen" and "grid"; NULL if there is none. */
const cli_command *cli_subcommand_find(const cli_command *parent, const char *name);
/* The main of a command made of subcommands ("gen", "bench", "import"):
 * runs the one argv[1] names, prints help, or a usage error that lists the
 * kinds available (from parent->subs). */
int cli_subcommand_main(const cli_command *parent, int argc, char **argv);
/* The list of top-level commands, NULL-terminated (main.c owns it). */
extern const cli_command *const cli_commands[];

/*--- Parsing ---------------------------------------------------------------*/

enum {
    CLI_DONE = 0,             /* no arguments left */
    CLI_POSITIONAL = -1,      /* p->value is a positional argument */
    CLI_BAD = -2,             /* a usage error was printed: exit 2 */
    CLI_HELP = -3             /* -h or --help */
};

/* Walks argv[1..argc-1] of one command.  "--name value", "--name=value",
 * "-o value", "-ovalue" and "--" (end of options) are understood; options
 * and positional arguments may be mixed. */
typedef struct cli_parser {
    const cli_command *cmd;   /* whose options; borrowed */
    int argc;
    char **argv;              /* borrowed */
    int i;                    /* next argv index to read */
    bool only_positional;     /* after "--" */
    const char *value;        /* the option's value or the positional */
    char opt_text[64];        /* how the current option is named in
                                 messages: "--duration" */
} cli_parser;

void cli_parser_init(cli_parser *p, const cli_command *cmd, int argc, char **argv);
/* The next option id, or CLI_POSITIONAL / CLI_DONE / CLI_BAD / CLI_HELP. */
int cli_next(cli_parser *p);
/* cli_next for a command with one positional argument, doing what every
 * such loop does: the argument goes into *arg (a second is a usage error),
 * --help prints the help.  Returns the command's own option ids, then
 * CLI_DONE; when the command must end instead (help, a usage error),
 * CLI_DONE with *status set to its exit status (left alone otherwise:
 * start it at -1). */
int cli_next_own(cli_parser *p, const char **arg, int *status);

/* Parse the current option's value as a number within [lo, hi].  On a bad
 * value prints the usage error (naming the option) and returns false. */
bool cli_value_int(cli_parser *p, long long lo, long long hi, long long *out);
bool cli_value_double(cli_parser *p, double lo, double hi, double *out);

/* "3x4" -> rows 3, cols 4 (both >= 1).  Returns false for anything else. */
bool cli_parse_size(const char *text, int *rows, int *cols);

/* Print "citybrain <cmd>: <message>" and a hint to try --help on stderr;
 * returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print "citybrain: <message>" for a failed library call; returns
 * CLI_EXIT_FAIL. */
int cli_fail(const cb_error *err);
/* The same for an error the CLI found itself (a folder it cannot make). */
int cli_failf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The --help text of a command. */
void cli_help_print(const cli_command *cmd, FILE *f);
/* The overview: usage, commands, global options. */
void cli_help_overview(FILE *f);

/*--- Files -----------------------------------------------------------------*/

/* mkdir -p.  *created (may be NULL) tells whether the last component was
 * made by this call.  Returns 0 or an errno value. */
int cli_mkdirs(const char *path, bool *created);
/* dir + "/" + name into buf; false if it does not fit. */
bool cli_path_join(char *buf, size_t n, const char *dir, const char *name);

/* The CityFlow files of an output folder (gen grid, convert). */
typedef struct cli_cityflow_out {
    char roadnet[4096], flow[4096], config[4096];   /* DIR/roadnet.json, ... */
    bool created;                                    /* DIR was made here */
} cli_cityflow_out;
/* Fill the paths and create `dir` if missing: 0, or an exit status after
 * printing why. */
int cli_cityflow_out_open(const char *dir, cli_cityflow_out *o);

/*--- Scenarios -------------------------------------------------------------*/

/* A scenario as named on the command line: a folder or config.json, a
 * generated grid ("grid:ROWSxCOLS"), or a SUMO .sumocfg / .net.xml[.gz]
 * (whose --roadnet and --flow replace its net-file and route-files). */
typedef struct cli_scenario {
    const char *path;         /* as given; borrowed from argv */
    bool is_grid;
    cb_grid_options grid;     /* used when is_grid */
    const char *roadnet;      /* --roadnet; NULL: none */
    const char *flow;         /* --flow; NULL: none */
    double duration;          /* SUMO: > 0 when the run's length was given,
                                 so that later demand is not loaded */
} cli_scenario;

/* Empty scenario with the library's grid defaults (call before parsing). */
void cli_scenario_init(cli_scenario *sc);
/* Recognise `text` (checking the grid size); false on a malformed grid spec
 * after printing a usage error for `cmd`. */
bool cli_scenario_parse(const cli_command *cmd, const char *text, cli_scenario *sc);
/* Open it with cb_engine_open, cb_engine_open_grid or cb_sumo_open.
 * opt->roadnet_file and opt->flow_file are filled from sc.  What a SUMO
 * import could not represent is printed on stderr as warnings. */
int cli_scenario_open(const cli_scenario *sc, cb_options *opt, cb_engine **out, cb_error *err);
/* What an importer could not represent, one "citybrain: warning:" line
 * each on stderr (NULL: none). */
void cli_print_warnings(const cb_warnings *w);

/* Grid generator options, shared by `gen grid` ("--spacing") and `run
 * grid:RxC` ("--grid-spacing").  Ids are CLI_GRID_FIRST and up. */
enum { CLI_GRID_FIRST = 1000 };
extern const cli_opt cli_grid_opts[];      /* "spacing", ... */
extern const cli_opt cli_grid_run_opts[];  /* "grid-spacing", ... */
void cli_grid_defaults(int id, char *buf, size_t n);
/* Apply option `id` (with p->value) to g.  Returns 1 when applied, 0 when
 * `id` is not a grid option, CLI_BAD after a usage error. */
int cli_grid_apply(cli_parser *p, int id, cb_grid_options *g);

/*--- Controllers -----------------------------------------------------------*/

/* A way of running the traffic signals during `citybrain run`.  Only "fixed"
 * exists now; adaptive controllers go into the table in cli_control.c. */
typedef struct cli_controller {
    const char *name;         /* "fixed" */
    const char *summary;      /* one line for --help and error messages */
    /* Set the open options the controller needs (e.g. external signals). */
    void (*configure)(cb_options *opt);
    /* Optional: create per-run state after the engine is open. */
    int (*start)(cb_engine *e, void **state, cb_error *err);
    /* Optional: called before every step to set phases. */
    int (*before_step)(cb_engine *e, void *state, cb_error *err);
    /* Optional: release the state. */
    void (*stop)(void *state);
} cli_controller;

const cli_controller *cli_controller_find(const char *name);
/* "fixed, ..." into buf. */
void cli_controller_names(char *buf, size_t n);
/* Lines "  fixed   the roadnet's fixed-time plans" for --help. */
void cli_controller_help(FILE *f);

/*--- Progress --------------------------------------------------------------*/

typedef enum cli_progress_mode {
    CLI_PROGRESS_OFF,
    CLI_PROGRESS_BAR,         /* a terminal: one line redrawn ~10 times/s */
    CLI_PROGRESS_LINES        /* a log: a plain line at every 10% */
} cli_progress_mode;

typedef struct cli_progress {
    cli_progress_mode mode;
    FILE *f;                  /* stderr */
    double duration;          /* simulated seconds of the whole run */
    double wall_start;        /* monotonic seconds when stepping began */
    double wall_drawn;        /* when the bar was last drawn */
    int next_tenth;           /* LINES: the next 10% mark to report (1..10) */
    bool drawn;               /* BAR: a line is on screen to be cleared */
} cli_progress;

/* Choose the mode: OFF if quiet, else BAR when stderr is a terminal (and
 * TERM is not "dumb"), else LINES. */
cli_progress_mode cli_progress_auto(bool quiet);
void cli_progress_start(cli_progress *p, cli_progress_mode mode, double duration);
/* Cheap enough to call after every step. */
void cli_progress_update(cli_progress *p, const cb_engine *e);
/* Clear the bar so that what follows starts on a clean line. */
void cli_progress_finish(cli_progress *p);

double cli_now(void);         /* monotonic seconds */

/*--- Run report --------------------------------------------------------------*/

/* Everything `citybrain run` reports; bench will report the same. */
typedef struct cli_report {
    const char *scenario;     /* as given */
    const char *control;      /* controller name */
    cb_metrics m;             /* at the end of the run */
    double duration;          /* requested simulated seconds */
    double interval;          /* seconds per step */
    double load_seconds;      /* wall: opening the scenario (+ replay start) */
    double step_seconds;      /* wall: the stepping loop */
    double wall_seconds;      /* wall: the whole run, load included */
    int threads;
    bool lane_change;
    bool seed_known;          /* false: taken from a config.json we cannot see */
    int64_t seed;
    bool interrupted;         /* stopped early by SIGINT */
    bool has_trips;           /* a SUMO import: trips holds SUMO-comparable means */
    cb_trip_stats trips;
    double peak_memory_mb;    /* cli_peak_memory_mb() at the end; NaN: unknown */
} cli_report;

/* This program's peak resident memory so far, in MB; NaN where the system
 * does not say (no /proc). */
double cli_peak_memory_mb(void);

void cli_report_table(const cli_report *r, FILE *f);
/* Exactly one JSON object on one line. */
void cli_report_json(const cli_report *r, FILE *f);

/*--- JSON writing -------------------------------------------------------------*/

/* A flat JSON object written member by member: {"a": 1, "b": "x"}. */
typedef struct cli_json {
    FILE *f;
    int members;              /* written so far, for the commas */
} cli_json;

void cli_json_begin(cli_json *j, FILE *f);
void cli_json_num(cli_json *j, const char *key, double v);   /* NaN/inf: null */
void cli_json_int(cli_json *j, const char *key, int64_t v);
void cli_json_bool(cli_json *j, const char *key, bool v);
void cli_json_str(cli_json *j, const char *key, const char *v); /* NULL: null */
void cli_json_null(cli_json *j, const char *key);
void cli_json_end(cli_json *j);   /* "}\n" */
/* The shortest decimal that reads back as exactly d; buf needs 32 bytes. */
void cli_fmt_double(char *buf, double d);

#endif
