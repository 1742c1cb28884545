/* cmd_serve.c -- `citybrain serve`: run the operations centre.
 *
 * Starts the service (src/serve: the field model, the store, the HTTP API)
 * and waits for SIGINT or SIGTERM, then stops it cleanly: listener closed,
 * streams ended, the field stopped, every queued write committed and the
 * database checkpointed.  Prints the URL, and the admin token the first
 * time a database is used (it is stored only as a salted hash, so this is
 * the one chance to copy it).
 *
 * Two programs are built from the CLI sources: `citybrain`, without the
 * service, and `citybrain-serve`, with it.  The service's libraries
 * (libmicrohttpd with GnuTLS, SQLite, libsodium) cost every process ~2.5 ms
 * of dynamic loading, a third of a small city's whole run; so in
 * `citybrain` (CB_CLI_NO_SERVE) this command only replaces the process with
 * its sibling `citybrain-serve serve ...`. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CB_CLI_NO_SERVE
#include "../serve/serve.h"
#endif

enum { SV_CITY = 1, SV_DB, SV_LISTEN, SV_SPEED, SV_CONFIG, SV_CONTROL, SV_EXTERNAL, SV_RETENTION, SV_THREADS };

static const cli_opt serve_opts[] = {
    { SV_CITY, "city", 0, "DIR", "the city: a folder or config.json", "the bundled examples/jinan_3x4" },
    { SV_DB, "db", 0, "PATH", "SQLite database file (created if absent)", "citybrain.db" },
    { SV_LISTEN, "listen", 0, "ADDR:PORT", "where to listen; a non-loopback address makes reads need a token too",
      "127.0.0.1:8080" },
    { SV_SPEED, "speed", 0, "X", "simulated seconds per wall second (0: as fast as possible)", "1" },
    { SV_CONFIG, "config", 0, "FILE", "JSON file of settings (docs/serve.md); options given here win", NULL },
    { SV_CONTROL, "control", 0, "NAME", "signal controller (GET /api/v1/controllers)", "fixedtime" },
    { SV_EXTERNAL, "external-field", 0, NULL, "observations only from the API; publish decisions, do not step the twin",
      NULL },
    { SV_RETENTION, "retention-days", 0, "DAYS", "keep raw observations this long", "30" },
    { SV_THREADS, "threads", 0, "N", "engine worker threads", "1" },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int serve_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_serve = {
    .name = "serve",
    .summary = "run the operations centre: live twin, HTTP API, storage",
    .usage = "serve [options]",
    .description =
        "Run the city brain as a service.  The twin of the city is \"the field\": it\n"
        "steps in real time (times --speed), its detectors report per-lane\n"
        "observations, and the signal controller decides its phases through the\n"
        "safety layer.  Sensors may post FIWARE observations to the API instead\n"
        "(--external-field).  Everything is stored in a SQLite file; the HTTP API\n"
        "under /api/v1 (docs/api.md) serves the dashboard and operators.\n\n"
        "On the first start with a new database an admin token is printed once.\n"
        "Stop with Ctrl-C or SIGTERM: acknowledged data is always on disk.\n",
    .groups = { { NULL, serve_opts, NULL } },
    .examples =
        "  citybrain serve\n"
        "  citybrain serve --city examples/hangzhou_4x4 --speed 10 --db hz.db\n"
        "  citybrain serve --listen 127.0.0.1:0 --config serve.json\n",
    .main = serve_main,
};

#ifdef CB_CLI_NO_SERVE

/* Exec `citybrain-serve` from this program's own folder (else the PATH). */
static int serve_main(const cli_command *self, int argc, char **argv)
{
    (void)self;
    char exe[PATH_MAX], sibling[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) return CLI_EXIT_FAIL;
    args[0] = "citybrain-serve";
    for (int i = 0; i < argc; i++) args[i + 1] = argv[i];   /* argv[0] is "serve" */
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            slash[1] = '\0';
            snprintf(sibling, sizeof sibling, "%scitybrain-serve", exe);
            execv(sibling, args);
        }
    }
    execvp("citybrain-serve", args);
    fprintf(stderr, "citybrain: cannot start citybrain-serve (%s); it is built beside citybrain\n", strerror(errno));
    free(args);
    return CLI_EXIT_FAIL;
}

#else

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static int serve_main(const cli_command *self, int argc, char **argv)
{
    cbsv_config cfg;
    cbsv_config_init(&cfg);
    /* The config file first, the command line over it: two passes. */
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    const char *config = NULL;
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        if (id == CLI_BAD) return CLI_EXIT_USAGE;
        if (id == CLI_HELP) {
            cli_help_print(self, stdout);
            return CLI_EXIT_OK;
        }
        if (id == CLI_POSITIONAL) return cli_usage_error(self, "unexpected argument '%s'", p.value);
        if (id == SV_CONFIG) config = p.value;
    }
    cb_error err = { 0 };
    if (config && cbsv_config_load(&cfg, config, &err)) return cli_fail(&err);
    cli_parser_init(&p, self, argc, argv);
    long long v;
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case SV_CITY: cfg.city = p.value; break;
        case SV_DB: cfg.db = p.value; break;
        case SV_LISTEN: cfg.listen = p.value; break;
        case SV_SPEED:
            if (!cli_value_double(&p, 0, 1e6, &cfg.speed)) return CLI_EXIT_USAGE;
            break;
        case SV_CONTROL: cfg.controller = p.value; break;
        case SV_EXTERNAL: cfg.field = CBSV_FIELD_EXTERNAL; break;
        case SV_RETENTION:
            if (!cli_value_double(&p, 0.001, 36500, &cfg.retention_days)) return CLI_EXIT_USAGE;
            break;
        case SV_THREADS:
            if (!cli_value_int(&p, 1, 256, &v)) return CLI_EXIT_USAGE;
            cfg.threads = (int)v;
            break;
        default: break;
        }
    }

    /* Signals are blocked before any thread starts, so they all inherit the
     * mask and only this thread (sigwait) ever sees SIGINT / SIGTERM. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    cbsv_server *srv;
    cbsv_info info;
    if (cbsv_start(&cfg, &srv, &info, &err)) {
        cbsv_config_release();
        return cli_fail(&err);
    }
    printf("citybrain %s serving %s at %s\n", CB_VERSION, info.city, info.url);
    if (info.admin_token[0]) {
        printf("admin token: %s\n", info.admin_token);
        printf("(shown once: only a salted hash is stored; create more tokens with POST /api/v1/tokens)\n");
    }
    if (!info.loopback) printf("listening beyond this machine: every route needs a token\n");
    fflush(stdout);

    int sig = 0;
    sigwait(&set, &sig);
    (void)on_signal;
    fprintf(stderr, "citybrain: %s received, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    cbsv_stop(srv);
    cbsv_config_release();
    fprintf(stderr, "citybrain: stopped; everything acknowledged is stored in %s\n", cfg.db);
    return CLI_EXIT_OK;
}

#endif /* CB_CLI_NO_SERVE */
