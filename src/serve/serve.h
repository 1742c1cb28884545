/* serve.h -- `citybrain serve`: the operations centre as a library.
 *
 * A server is the field model (src/serve/serve_field.c: the twin or an
 * external field, the signal controllers and their safety layer), the
 * store (src/store), and the HTTP API under /api/v1 (serve_http.c,
 * serve_routes.c; docs/api.md).  The CLI (src/cli/cmd_serve.c) parses
 * options, starts a server, prints what it says and waits for a signal.
 *
 * The library does not print: everything the operator must see (the URL,
 * the first admin token) is returned in cbsv_info for the CLI to print. */
#ifndef CB_SERVE_H
#define CB_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citybrain.h"

typedef enum cbsv_field_mode {
    CBSV_FIELD_TWIN = 0,      /* the twin is the field: it steps and its
                                 detectors produce the observations */
    CBSV_FIELD_EXTERNAL = 1   /* observations arrive through the API only;
                                 decisions are published for field
                                 controllers (the twin does not step) */
} cbsv_field_mode;

/* Everything configurable.  cbsv_config_init sets the defaults;
 * cbsv_config_load reads a JSON file over them (keys as in docs/serve.md).
 * Strings are borrowed and must outlive the server. */
typedef struct cbsv_config {
    const char *city;         /* folder or config.json (default: the bundled
                                 examples/jinan_3x4) */
    const char *db;           /* SQLite file ("citybrain.db") */
    const char *listen;       /* "127.0.0.1:8080"; port 0 picks a free one */
    double speed;             /* simulated seconds per wall second (1); 0: as
                                 fast as possible */
    cbsv_field_mode field;
    const char *controller;   /* signal controller ("fixedtime") */
    const char *web_dir;      /* dashboard files (web/ next to the city's
                                 source tree if found); NULL: none */
    double obs_period;        /* s of field time per detector observation (60) */
    double kpi_period;        /* s of field time between stored KPIs (10) */
    double loop_seconds;      /* restart the twin's demand after this many
                                 simulated seconds (3600); 0: never */
    double retention_days;    /* raw observations (30) */
    double aggregate_days;    /* aggregates, KPIs, decisions (730) */
    bool sync_full;           /* fsync each commit (true) */
    size_t max_body;          /* request body cap, bytes (8 MiB) */
    unsigned conn_limit;      /* simultaneous connections (256) */
    unsigned per_ip_limit;    /* per client address (128) */
    unsigned timeout_s;       /* idle / slow-client timeout (15) */
    int threads;              /* engine worker threads (1) */
} cbsv_config;

void cbsv_config_init(cbsv_config *c);
/* Read FILE's keys into c.  Strings are kept in memory owned by the
 * config loader until cbsv_config_release.  An unknown key or a value of
 * the wrong type is CB_ESCHEMA naming it; a value out of range CB_EINVAL. */
int cbsv_config_load(cbsv_config *c, const char *path, cb_error *err);
void cbsv_config_release(void);

typedef struct cbsv_server cbsv_server;

typedef struct cbsv_info {
    char url[128];            /* "http://127.0.0.1:8080/" */
    char admin_token[96];     /* set only when this start created it */
    char city[1024];          /* the city folder served */
    bool loopback;            /* reads need no token */
} cbsv_info;

/* Open the store and the city, start the field and the HTTP listener.
 * Caller owns *out; stop with cbsv_stop. */
int cbsv_start(const cbsv_config *c, cbsv_server **out, cbsv_info *info, cb_error *err);
/* Stop accepting, close streams, stop the field, flush and close the
 * store.  Every acknowledged write is on disk when it returns. */
void cbsv_stop(cbsv_server *s);

#endif
