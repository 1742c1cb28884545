/* serve_main.c -- starting and stopping a server, and its configuration.
 *
 * Start order: store (so a bad --db fails before anything else), field
 * (engine, signals, controllers, lanes registered in the store), network
 * JSON, web assets, the first admin token when the database has no token,
 * the field thread, and the listener last, so that no request ever sees a
 * half-built server.  Stop runs the other way round and ends with the
 * store's close, which commits what is queued and checkpoints the WAL. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/err.h"
#include "../util/json.h"

#ifndef CB_EXAMPLES_DIR
#define CB_EXAMPLES_DIR "examples"
#endif
#ifndef CB_WEB_DIR
#define CB_WEB_DIR "web"
#endif

void cbsv_config_init(cbsv_config *c)
{
    memset(c, 0, sizeof *c);
    c->db = "citybrain.db";
    c->listen = "127.0.0.1:8080";
    c->speed = 1;
    c->field = CBSV_FIELD_TWIN;
    c->controller = "fixedtime";
    c->obs_period = 60;
    c->kpi_period = 10;
    c->loop_seconds = 3600;
    c->retention_days = 30;
    c->aggregate_days = 730;
    c->sync_full = true;
    c->max_body = 8u << 20;
    c->conn_limit = 256;
    c->per_ip_limit = 128;
    c->timeout_s = 15;
    c->threads = 1;
}

/*--- --config FILE ------------------------------------------------------------------------*/

static cbu_jdoc config_doc;
static bool config_loaded;

void cbsv_config_release(void)
{
    if (config_loaded) cbu_json_free(&config_doc);
    config_loaded = false;
}

int cbsv_config_load(cbsv_config *c, const char *path, cb_error *err)
{
    cbsv_config_release();
    int rc = cbu_json_load(&config_doc, path, err);
    if (rc) return rc;
    config_loaded = true;
    cbu_jctx j;
    cbu_jctx_init(&j, &config_doc, path, err);
    const cbu_jv *root = config_doc.root;
    if ((rc = cbu_jas_object(&j, root))) return rc;
    static const char *const keys[] = { "city", "db", "listen", "speed", "field", "controller", "web_dir",
                                        "obs_period", "kpi_period", "loop_seconds", "retention_days",
                                        "aggregate_days", "sync", "max_body", "conn_limit", "per_ip_limit",
                                        "timeout", "threads", NULL };
    for (uint32_t i = 0; i < root->n; i++) {
        bool ok = false;
        for (int k = 0; keys[k] && !ok; k++) ok = strcmp(keys[k], root->u.kids[i].key) == 0;
        if (!ok) {
            size_t m = cbu_jpush_key(&j, root->u.kids[i].key);
            rc = cbu_jfail(&j, &root->u.kids[i], "unknown key (docs/serve.md lists them)");
            cbu_jpop(&j, m);
            return rc;
        }
    }
    const char *field = NULL, *sync = NULL;
    int64_t v;
    if ((rc = cbu_jget_string(&j, root, "city", false, &c->city)) ||
        (rc = cbu_jget_string(&j, root, "db", false, &c->db)) ||
        (rc = cbu_jget_string(&j, root, "listen", false, &c->listen)) ||
        (rc = cbu_jget_number(&j, root, "speed", false, &c->speed)) ||
        (rc = cbu_jget_string(&j, root, "field", false, &field)) ||
        (rc = cbu_jget_string(&j, root, "controller", false, &c->controller)) ||
        (rc = cbu_jget_string(&j, root, "web_dir", false, &c->web_dir)) ||
        (rc = cbu_jget_number(&j, root, "obs_period", false, &c->obs_period)) ||
        (rc = cbu_jget_number(&j, root, "kpi_period", false, &c->kpi_period)) ||
        (rc = cbu_jget_number(&j, root, "loop_seconds", false, &c->loop_seconds)) ||
        (rc = cbu_jget_number(&j, root, "retention_days", false, &c->retention_days)) ||
        (rc = cbu_jget_number(&j, root, "aggregate_days", false, &c->aggregate_days)) ||
        (rc = cbu_jget_string(&j, root, "sync", false, &sync)))
        return rc;
    v = (int64_t)c->max_body;
    if ((rc = cbu_jget_int(&j, root, "max_body", false, &v))) return rc;
    c->max_body = (size_t)(v < 1024 ? 1024 : v);
    v = c->conn_limit;
    if ((rc = cbu_jget_int(&j, root, "conn_limit", false, &v))) return rc;
    c->conn_limit = (unsigned)(v < 4 ? 4 : v > 65536 ? 65536 : v);
    v = c->per_ip_limit;
    if ((rc = cbu_jget_int(&j, root, "per_ip_limit", false, &v))) return rc;
    c->per_ip_limit = (unsigned)(v < 1 ? 1 : v > 65536 ? 65536 : v);
    v = c->timeout_s;
    if ((rc = cbu_jget_int(&j, root, "timeout", false, &v))) return rc;
    c->timeout_s = (unsigned)(v < 1 ? 1 : v > 3600 ? 3600 : v);
    v = c->threads;
    if ((rc = cbu_jget_int(&j, root, "threads", false, &v))) return rc;
    c->threads = (int)(v < 1 ? 1 : v > 256 ? 256 : v);
    if (field) {
        if (strcmp(field, "twin") == 0) c->field = CBSV_FIELD_TWIN;
        else if (strcmp(field, "external") == 0) c->field = CBSV_FIELD_EXTERNAL;
        else return cbu_err(err, CB_EINVAL, "%s: field: \"%s\" is neither \"twin\" nor \"external\"", path, field);
    }
    if (sync) {
        if (strcmp(sync, "full") == 0) c->sync_full = true;
        else if (strcmp(sync, "normal") == 0) c->sync_full = false;
        else return cbu_err(err, CB_EINVAL, "%s: sync: \"%s\" is neither \"full\" nor \"normal\"", path, sync);
    }
    if (!(c->speed >= 0 && c->speed <= 1e6)) return cbu_err(err, CB_EINVAL, "%s: speed: 0 .. 1e6", path);
    if (!(c->obs_period >= 1 && c->obs_period <= 86400)) return cbu_err(err, CB_EINVAL, "%s: obs_period: 1 .. 86400 s", path);
    if (!(c->kpi_period >= 1 && c->kpi_period <= 86400)) return cbu_err(err, CB_EINVAL, "%s: kpi_period: 1 .. 86400 s", path);
    if (!(c->loop_seconds >= 0 && c->loop_seconds <= 1e9))
        return cbu_err(err, CB_EINVAL, "%s: loop_seconds: 0 (no loop) .. 1e9 s", path);
    /* days become milliseconds in 64 bits (store.c): a century is plenty */
    if (!(c->retention_days > 0 && c->retention_days <= 36500 && c->aggregate_days > 0 && c->aggregate_days <= 36500))
        return cbu_err(err, CB_EINVAL, "%s: retention_days and aggregate_days: more than 0, at most 36500", path);
    return CB_OK;
}

/*--- locating the bundled city and dashboard ------------------------------------------------*/

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir/rel, tried in the source tree (a build) and next to the binary
 * (an installation: <prefix>/bin/citybrain, <prefix>/share/citybrain/). */
static bool locate(const char *src_dir, const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", src_dir, rel);
    if (is_dir(out)) return true;
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        const char *tries[] = { "/../share/citybrain", "/..", "" };
        for (int i = 0; i < 3; i++) {
            snprintf(out, cap, "%s%s/%s%s", exe, tries[i], strrchr(src_dir, '/') ? strrchr(src_dir, '/') + 1 : src_dir, rel);
            if (is_dir(out)) return true;
        }
    }
    return false;
}

/*--- start / stop ------------------------------------------------------------------------------*/

int cbsv_start(const cbsv_config *c, cbsv_server **out, cbsv_info *info, cb_error *err)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    cbsv_server *s = calloc(1, sizeof *s);
    if (!s) return cbu_err_nomem(err);
    s->cfg = *c;
    sv_events_init(&s->events);
    int rc = CB_OK;
    if (c->city) snprintf(s->city, sizeof s->city, "%s", c->city);
    else if (!locate(CB_EXAMPLES_DIR, "/jinan_3x4", s->city, sizeof s->city)) {
        rc = cbu_err(err, CB_ENOTFOUND, "the bundled city examples/jinan_3x4 is not where it was built (%s); "
                     "name one with --city DIR", CB_EXAMPLES_DIR "/jinan_3x4");
        goto fail;
    }
    snprintf(info->city, sizeof info->city, "%s", s->city);
    static char web[1100];
    if (!s->cfg.web_dir && locate(CB_WEB_DIR, "", web, sizeof web)) s->cfg.web_dir = web;

    cbs_options so;
    cbs_options_init(&so);
    so.path = c->db;
    so.retention_days = c->retention_days;
    so.aggregate_days = c->aggregate_days;
    so.sync_full = c->sync_full;
    if ((rc = cbs_open(&so, &s->store, err))) goto fail;
    if ((rc = sv_field_open(s, err))) goto fail;
    if ((rc = sv_network_build(s, err))) goto fail;
    if ((rc = sv_assets_load(s, err))) goto fail;
    if (cbs_token_count(s->store) == 0 &&
        (rc = cbs_token_create(s->store, CBS_ROLE_ADMIN, "first admin", info->admin_token, NULL, err)))
        goto fail;
    if ((rc = sv_field_start(s, err))) goto fail;
    if ((rc = sv_http_start(s, info, err))) goto fail;
    *out = s;
    return CB_OK;
fail:
    cbsv_stop(s);
    return rc;
}

void cbsv_stop(cbsv_server *s)
{
    if (!s) return;
    s->stopping = 1;
    sv_events_close(&s->events);     /* streams end */
    sv_http_stop(s);                  /* waits for every connection thread */
    sv_field_stop(s);
    if (s->store) cbs_flush(s->store);
    sv_field_close(s);
    cbs_close(s->store);
    sv_assets_free(s);
    free(s->network_json);
    free(s->road_mid);
    sv_events_destroy(&s->events);
    free(s);
}
