/* serve_int.h -- what the files of src/serve share: the server object, the
 * field model's state, the event ring behind the SSE stream, and a small
 * JSON text buffer. */
#ifndef CB_SERVE_INT_H
#define CB_SERVE_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <sqlite3.h>

#include "serve.h"
#include "../ingest/ingest.h"
#include "../store/store.h"

/*--- text buffer (serve_buf.c) --------------------------------------------------*/

typedef struct sv_buf {
    char *p;
    size_t n, cap;
    bool oom;                 /* a failed growth: the text is incomplete */
} sv_buf;

void sv_buf_free(sv_buf *b);
void sv_put(sv_buf *b, const char *s, size_t n);
void sv_puts(sv_buf *b, const char *s);
void sv_printf(sv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_str(sv_buf *b, const char *s);       /* a JSON string, quoted and escaped */
void sv_num(sv_buf *b, double d);            /* shortest round-trip; NaN/inf: null */
void sv_time(sv_buf *b, int64_t ms);         /* "2026-...Z" quoted */
char *sv_take(sv_buf *b, size_t *len);       /* hand the text over (malloc'ed) */

/*--- events (serve_events.c): the ring the SSE stream reads --------------------------*/

#define SV_EVENTS 1024

typedef struct sv_event {
    uint64_t seq;
    const char *type;         /* "state", "decision", "alert", "action" (static) */
    char *data;               /* one line of JSON (malloc'ed) */
} sv_event;

typedef struct sv_events {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    sv_event ring[SV_EVENTS];
    uint64_t next;            /* seq of the next event; ring[seq % N] */
    bool closing;
} sv_events;

void sv_events_init(sv_events *ev);
void sv_events_destroy(sv_events *ev);
/* Publish; takes ownership of data. */
void sv_events_push(sv_events *ev, const char *type, char *data);
void sv_events_close(sv_events *ev);

/*--- the field model (serve_field.c) --------------------------------------------------*/

typedef struct sv_site_ctl {
    int plan;                 /* index into field.plans */
    int override_phase;       /* -1: none */
    double override_until;    /* field seconds */
    char override_who[64];
} sv_site_ctl;

typedef struct sv_plan {
    cb_controller *ctl;
    char name[32];
} sv_plan;

#define SV_MAX_PLANS 32

/* A command from an HTTP handler to the field thread, answered there. */
typedef struct sv_cmd sv_cmd;
struct sv_cmd {
    sv_cmd *next;
    enum { SV_CMD_OVERRIDE, SV_CMD_CANCEL, SV_CMD_PLAN } type;
    long site;                /* -1: every site (plan) */
    int phase;
    double duration;
    char controller[32];
    cb_params *params;        /* borrowed */
    char who[64];
    int status;
    cb_error err;
    bool done;
};

typedef struct sv_lane_live {
    cb_lane_obs obs;          /* latest, from the twin or the API */
    int64_t t;                /* field ms of the latest observation, 0: none */
    uint8_t source;           /* cbs_source */
} sv_lane_live;

/* The current state as JSON, shared by reference (GET /state, SSE). */
typedef struct sv_snap {
    int refs;                 /* under field.snap_lock */
    char *json;
    size_t len;
} sv_snap;

typedef struct sv_field {
    cbsv_server *srv;
    cb_engine *e;
    cb_signals *sig;
    size_t n_sites, n_lanes, n_inters;
    sv_plan plans[SV_MAX_PLANS];
    int n_plans;
    sv_site_ctl *site;
    int64_t *next_step;       /* per site: the step of its next decision */
    int *shown;               /* per site: the green last recorded */
    cb_lane_obs *scratch;     /* one site's lanes */
    cb_lane_obs *zones;       /* one site's advance zones: CB_ZONES_MAX x lanes */
    double *published;
    double zone;

    /* detector aggregation over obs_period (twin mode) */
    double *acc_speed;        /* zone speed sums since the last report */
    uint64_t *loop_count;     /* stop-line loop totals at the last report */
    double *loop_occupied, *loop_speed;
    uint32_t *acc_speed_n;
    double period_start;      /* field s */
    double next_kpi;

    pthread_mutex_t live_lock;
    sv_lane_live *live;       /* n_lanes */

    pthread_mutex_t cmd_lock;
    pthread_cond_t cmd_cond;
    sv_cmd *cmds;

    pthread_mutex_t snap_lock;
    sv_snap *snap;

    int64_t epoch_ms;         /* field time 0 */
    int64_t now_ms;           /* field time after the last step (atomic) */
    double sim_offset;        /* s of earlier demand loops */
    int64_t step;
    pthread_t thread;
    bool started;
    volatile int stop;
    cb_metrics m;
    struct sv_ops *ops;       /* emergency vehicles, incident alerts (serve_ops.c); NULL: none */
} sv_field;

int sv_field_open(cbsv_server *s, cb_error *err);
int sv_field_start(cbsv_server *s, cb_error *err);
void sv_field_stop(cbsv_server *s);
void sv_field_close(cbsv_server *s);
/* Observations arrived (from the API, after their commit, or from the twin):
 * update the live lane table. */
void sv_field_observe(sv_field *f, const cbi_batch *b, cbs_source src);
/* Run a command on the field thread and wait for its answer. */
int sv_field_command(sv_field *f, sv_cmd *c, cb_error *err);
/* A reference to the latest state (release with sv_snap_release). */
sv_snap *sv_snap_get(sv_field *f);
void sv_snap_release(sv_field *f, sv_snap *s);
int64_t sv_field_now_ms(const sv_field *f);
/* Site index of an intersection id, or -1. */
long sv_field_site(const sv_field *f, const char *inter_id);

/*--- the server ---------------------------------------------------------------------*/

typedef struct sv_asset {
    const char *name;         /* "/index.html" */
    const char *type;         /* MIME type */
    char *data;
    size_t len;
} sv_asset;

struct cbsv_server {
    cbsv_config cfg;
    char city[1024];
    bool loopback;
    cbs_store *store;
    sv_field field;
    sv_events events;
    cbi_resolver resolver;
    struct MHD_Daemon *mhd;
    char *network_json;       /* GET /network, built once */
    double *road_mid;         /* x, y of each road's middle point (bbox queries) */
    size_t network_len;
    sv_asset *assets;
    size_t n_assets;
    volatile int stopping;
    /* counters for /health */
    int64_t requests, rejected;
};

int sv_network_build(cbsv_server *s, cb_error *err);
int sv_http_start(cbsv_server *s, cbsv_info *info, cb_error *err);
void sv_http_stop(cbsv_server *s);
int sv_assets_load(cbsv_server *s, cb_error *err);
void sv_assets_free(cbsv_server *s);
const sv_asset *sv_asset_find(const cbsv_server *s, const char *url);

/*--- requests and routes (serve_http.c, serve_routes.c) -------------------------------*/

typedef struct sv_req {
    cbsv_server *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    const char *body;
    size_t body_len;
    cbs_role role;
    char who[192];            /* "tok_1a2b3c4d (operator: desk 2)" or "anonymous (loopback)" */
    const char *params[4];    /* {id} captures of the route pattern */
    /* the answer */
    int status;
    sv_buf out;
    const char *content_type;
    struct MHD_Response *custom;  /* a streamed response (SSE), or NULL */
} sv_req;

/* Who may call a route. */
enum {
    SV_R_VIEWER = 1 << CBS_ROLE_VIEWER,
    SV_R_SENSOR = 1 << CBS_ROLE_SENSOR,
    SV_R_OPERATOR = 1 << CBS_ROLE_OPERATOR,
    SV_R_ADMIN = 1 << CBS_ROLE_ADMIN,
    SV_READ = SV_R_VIEWER | SV_R_OPERATOR | SV_R_ADMIN,
    SV_INGEST = SV_R_SENSOR | SV_R_OPERATOR | SV_R_ADMIN,
    SV_OPERATE = SV_R_OPERATOR | SV_R_ADMIN,
    SV_ADMIN = SV_R_ADMIN,
};

typedef struct sv_route {
    const char *method;
    const char *pattern;      /* "/api/v1/tokens/{id}" */
    unsigned roles;           /* SV_R_* mask; 0: public */
    bool open_on_loopback;    /* reads: no token needed on a loopback listener */
    void (*handle)(sv_req *r);
    const char *summary;
} sv_route;

extern const sv_route sv_routes[];
extern const size_t sv_n_routes;

/* Fill r with an error answer: {"error": "CB_ESCHEMA", "status": 422, ...}. */
void sv_fail(sv_req *r, int code, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sv_fail_err(sv_req *r, const cb_error *err, const char *field);
/* A query-string argument, or NULL. */
const char *sv_arg(sv_req *r, const char *name);
/* Parse the request body as a JSON object into doc (root checked). */
struct cbu_jdoc;
int sv_body_json(sv_req *r, struct cbu_jdoc *doc);
void sv_audit(sv_req *r, const char *action, const char *detail, const char *result);

/* History handlers (serve_history.c). */
void sv_h_kpis(sv_req *r);
void sv_h_observations(sv_req *r);
void sv_h_air(sv_req *r);
void sv_h_decisions(sv_req *r);
void sv_h_alerts(sv_req *r);
void sv_h_audit(sv_req *r);
void sv_h_tokens_list(sv_req *r);
/* SSE (serve_sse.c). */
void sv_h_stream(sv_req *r);

/* Wall clock, ms since the epoch. */
int64_t sv_wall_ms(void);

#endif
