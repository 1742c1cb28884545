/* serve_routes.c -- the route table of /api/v1 and the handlers that are
 * not history queries.
 *
 * The table is the single list of what the API offers: the router reads
 * it, GET /api/v1/routes prints it, docs/api.md documents it, and
 * tests/test_serve_auth.c walks it to prove that every route that changes
 * something refuses callers without the operator or admin role (the batch
 * ingest also admits the sensor role, and nothing else). */
#include "serve_int.h"
#include "serve_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/json.h"

/*--- read routes ------------------------------------------------------------------------*/

static void h_index(sv_req *r)
{
    sv_printf(&r->out, "{\"name\":\"citybrain\",\"version\":\"%s\",\"api\":\"v1\",\"docs\":\"docs/api.md\","
                       "\"routes\":\"/api/v1/routes\"}\n", CB_VERSION);
}

static void h_health(sv_req *r)
{
    cbsv_server *s = r->srv;
    sv_printf(&r->out, "{\"status\":\"ok\",\"version\":\"%s\",\"requests\":%lld,\"rejected\":%lld,\"time\":",
              CB_VERSION, (long long)s->requests, (long long)s->rejected);
    sv_time(&r->out, sv_field_now_ms(&s->field));
    sv_puts(&r->out, "}\n");
}

static void h_routes(sv_req *r)
{
    sv_puts(&r->out, "{\"routes\":[");
    for (size_t i = 0; i < sv_n_routes; i++) {
        const sv_route *rt = &sv_routes[i];
        sv_puts(&r->out, i ? ",\n{\"method\":" : "\n{\"method\":");
        sv_str(&r->out, rt->method);
        sv_puts(&r->out, ",\"path\":");
        sv_str(&r->out, rt->pattern);
        sv_puts(&r->out, ",\"roles\":[");
        int k = 0;
        for (int role = CBS_ROLE_VIEWER; role <= CBS_ROLE_ADMIN; role++)
            if (rt->roles & (1u << role)) sv_printf(&r->out, "%s\"%s\"", k++ ? "," : "", cbs_role_name((cbs_role)role));
        sv_printf(&r->out, "],\"public\":%s,\"open_on_loopback\":%s,\"mutating\":%s,\"summary\":",
                  rt->roles ? "false" : "true", rt->open_on_loopback ? "true" : "false",
                  strcmp(rt->method, "GET") ? "true" : "false");
        sv_str(&r->out, rt->summary);
        sv_puts(&r->out, "}");
    }
    sv_puts(&r->out, "]}\n");
}

static void h_whoami(sv_req *r)
{
    sv_printf(&r->out, "{\"role\":\"%s\",\"who\":", cbs_role_name(r->role));
    sv_str(&r->out, r->who);
    sv_printf(&r->out, ",\"loopback\":%s}\n", r->srv->loopback ? "true" : "false");
}

static void h_network(sv_req *r)
{
    sv_put(&r->out, r->srv->network_json, r->srv->network_len);
}

static void h_state(sv_req *r)
{
    sv_snap *s = sv_snap_get(&r->srv->field);
    if (!s) {
        sv_fail(r, CB_ESTATE, NULL, "the field has not published a state yet");
        return;
    }
    sv_put(&r->out, s->json, s->len);
    sv_put(&r->out, "\n", 1);
    sv_snap_release(&r->srv->field, s);
}

static void h_controllers(sv_req *r)
{
    sv_puts(&r->out, "{\"controllers\":[");
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info ci;
        if (cb_controller_info_get(k, &ci)) continue;
        sv_puts(&r->out, k ? ",{\"name\":" : "{\"name\":");
        sv_str(&r->out, ci.name);
        sv_puts(&r->out, ",\"summary\":");
        sv_str(&r->out, ci.summary);
        sv_puts(&r->out, ",\"params\":");
        sv_str(&r->out, ci.params);
        sv_puts(&r->out, "}");
    }
    sv_puts(&r->out, "],\"auto\":");
    sv_str(&r->out, cb_controller_auto());
    sv_puts(&r->out, "}\n");
}

/*--- ingest ----------------------------------------------------------------------------*/

/* Bulk ingest yields the CPU to interactive reads (the dashboard, operator
 * actions) and to the twin: on a small machine a burst of batches must not
 * stall GET /state.  Per thread, and each connection has its own thread. */
static void lower_priority_once(void)
{
    static _Thread_local bool done;
    if (done) return;
    done = true;
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 7);
}

static void h_ingest(sv_req *r)
{
    cbsv_server *s = r->srv;
    lower_priority_once();
    cbi_batch b;
    cbi_batch_init(&b);
    cb_error err = { 0 };
    char field[256];
    int rc = cbi_parse(&s->resolver, r->body, r->body_len, &b, field, &err);
    if (rc) {
        sv_fail_err(r, &err, field);
        cbi_batch_free(&b);
        return;
    }
    int64_t *ids = b.alerts.n ? calloc(b.alerts.n, sizeof *ids) : NULL;
    cbs_ingest_result res = { 0, 0 };
    rc = cbs_ingest(s->store, &b, CBS_SRC_API, &res, ids, &err);
    if (rc) {
        sv_fail_err(r, &err, NULL);
    } else {
        /* Durable now: only then does the live picture change. */
        sv_field_observe(&s->field, &b, CBS_SRC_API);
        for (size_t i = 0; i < b.alerts.n; i++) {
            sv_buf e = { 0 };
            sv_printf(&e, "{\"id\":%lld,\"category\":\"%s\",\"subCategory\":\"%s\",\"severity\":\"%s\"}",
                      (long long)ids[i], b.alerts.a[i].category, b.alerts.a[i].sub_category, b.alerts.a[i].severity);
            sv_events_push(&s->events, "alert", sv_take(&e, NULL));
        }
        r->status = 201;
        sv_printf(&r->out, "{\"stored\":%lld,\"duplicates\":%lld,\"traffic\":%zu,\"air\":%zu,\"alerts\":%zu}\n",
                  (long long)res.stored, (long long)res.duplicates, b.traffic.n, b.air.n, b.alerts.n);
    }
    free(ids);
    cbi_batch_free(&b);
}

/*--- operator actions ---------------------------------------------------------------------*/

/* The body's JSON (as received, bounded) for the audit log. */
static void audit_body(sv_req *r, const char *action, const char *result)
{
    char detail[2048];
    size_t n = r->body_len < sizeof detail - 1 ? r->body_len : sizeof detail - 1;
    memcpy(detail, r->body, n);
    detail[n] = '\0';
    sv_audit(r, action, n ? detail : "{}", result);
}

static long site_arg(sv_req *r, const cbu_jv *root, bool required)
{
    const cbu_jv *v = cbu_jobj_get(root, "intersection");
    if (!v) {
        if (required) sv_fail(r, CB_ESCHEMA, "intersection", "intersection: required (an intersection id)");
        return required ? -2 : -1;
    }
    if (v->type != CBU_JSTR) {
        sv_fail(r, CB_ESCHEMA, "intersection", "intersection: expected an intersection id (a string)");
        return -2;
    }
    long k = sv_field_site(&r->srv->field, v->u.s);
    if (k < 0) sv_fail(r, CB_ENOTFOUND, "intersection", "intersection: no signalized intersection \"%s\"", v->u.s);
    return k < 0 ? -2 : k;
}

static bool only_members(sv_req *r, const cbu_jv *root, const char *const *allowed)
{
    for (uint32_t i = 0; i < root->n; i++) {
        const char *k = root->u.kids[i].key;
        bool ok = false;
        for (int j = 0; allowed[j] && !ok; j++) ok = strcmp(k, allowed[j]) == 0;
        if (!ok) {
            sv_fail(r, CB_ESCHEMA, k, "%s: unknown field", k);
            return false;
        }
    }
    return true;
}

static void h_override(sv_req *r)
{
    cbu_jdoc doc;
    if (sv_body_json(r, &doc)) {
        audit_body(r, "override", "refused");
        return;
    }
    static const char *const allowed[] = { "intersection", "phase", "duration", "reason", NULL };
    sv_cmd c;
    memset(&c, 0, sizeof c);
    c.type = SV_CMD_OVERRIDE;
    const cbu_jv *ph = cbu_jobj_get(doc.root, "phase"), *du = cbu_jobj_get(doc.root, "duration");
    if (!only_members(r, doc.root, allowed) || (c.site = site_arg(r, doc.root, true)) < 0) goto done;
    if (!ph || ph->type != CBU_JINT || ph->u.i < 0 || ph->u.i > 1000) {
        sv_fail(r, CB_ESCHEMA, "phase", "phase: required, a phase index (integer)");
        goto done;
    }
    if (!du || !cbu_jis_number(du) || !(cbu_jnumber(du) >= 1 && cbu_jnumber(du) <= 3600)) {
        sv_fail(r, CB_ESCHEMA, "duration", "duration: required, seconds from 1 to 3600");
        goto done;
    }
    c.phase = (int)ph->u.i;
    c.duration = cbu_jnumber(du);
    snprintf(c.who, sizeof c.who, "%s", r->who);
    cb_error err = { 0 };
    if (sv_field_command(&r->srv->field, &c, &err)) {
        sv_fail_err(r, &err, "phase");
        goto done;
    }
    sv_printf(&r->out, "{\"intersection\":");
    sv_str(&r->out, cbu_jobj_get(doc.root, "intersection")->u.s);
    sv_printf(&r->out, ",\"phase\":%d,\"duration\":", c.phase);
    sv_num(&r->out, c.duration);
    sv_puts(&r->out, ",\"status\":\"active\"}\n");
    sv_buf e = { 0 };
    sv_put(&e, r->out.p, r->out.n - 1);
    sv_events_push(&r->srv->events, "action", sv_take(&e, NULL));
done:
    audit_body(r, "override", r->status < 300 ? "ok" : "refused");
    cbu_json_free(&doc);
}

static void h_override_cancel(sv_req *r)
{
    sv_cmd c;
    memset(&c, 0, sizeof c);
    c.type = SV_CMD_CANCEL;
    c.site = sv_field_site(&r->srv->field, r->params[0]);
    char detail[256];
    sv_buf d = { 0 };
    sv_puts(&d, "{\"intersection\":");
    sv_str(&d, r->params[0]);
    sv_puts(&d, "}");
    snprintf(detail, sizeof detail, "%s", d.p ? d.p : "{}");
    sv_buf_free(&d);
    cb_error err = { 0 };
    if (c.site < 0) sv_fail(r, CB_ENOTFOUND, NULL, "no signalized intersection \"%s\"", r->params[0]);
    else if (sv_field_command(&r->srv->field, &c, &err)) sv_fail_err(r, &err, NULL);
    else sv_printf(&r->out, "{\"status\":\"cancelled\"}\n");
    sv_audit(r, "override cancel", detail, r->status < 300 ? "ok" : "refused");
}

static void h_plan(sv_req *r)
{
    cbu_jdoc doc;
    if (sv_body_json(r, &doc)) {
        audit_body(r, "plan", "refused");
        return;
    }
    static const char *const allowed[] = { "intersection", "controller", "params", "reason", NULL };
    sv_cmd c;
    memset(&c, 0, sizeof c);
    c.type = SV_CMD_PLAN;
    cb_params *params = NULL;
    cb_error err = { 0 };
    const cbu_jv *ctl = cbu_jobj_get(doc.root, "controller"), *pv = cbu_jobj_get(doc.root, "params");
    if (!only_members(r, doc.root, allowed) || (c.site = site_arg(r, doc.root, false)) == -2) goto done;
    if (!ctl || ctl->type != CBU_JSTR || ctl->n == 0 || ctl->n >= sizeof c.controller) {
        sv_fail(r, CB_ESCHEMA, "controller", "controller: required, a controller name (GET /api/v1/controllers)");
        goto done;
    }
    snprintf(c.controller, sizeof c.controller, "%s", ctl->u.s);
    if (pv) {
        if (pv->type != CBU_JOBJ) {
            sv_fail(r, CB_ESCHEMA, "params", "params: expected an object of numbers and strings");
            goto done;
        }
        if (cb_params_new(&params, &err)) {
            sv_fail_err(r, &err, NULL);
            goto done;
        }
        for (uint32_t i = 0; i < pv->n; i++) {
            const cbu_jv *v = &pv->u.kids[i];
            char val[64];
            if (v->type == CBU_JSTR) snprintf(val, sizeof val, "%s", v->u.s);
            else if (cbu_jis_number(v)) cbu_json_fmt_double(val, cbu_jnumber(v));
            else {
                sv_fail(r, CB_ESCHEMA, v->key, "params.%s: expected a number or a string", v->key);
                goto done;
            }
            if (cb_params_set(params, v->key, val, &err)) {
                sv_fail_err(r, &err, v->key);
                goto done;
            }
        }
    }
    c.params = params;
    snprintf(c.who, sizeof c.who, "%s", r->who);
    if (sv_field_command(&r->srv->field, &c, &err)) {
        sv_fail_err(r, &err, "controller");
        goto done;
    }
    sv_puts(&r->out, "{\"controller\":");
    sv_str(&r->out, c.controller);
    sv_puts(&r->out, ",\"intersection\":");
    const cbu_jv *iv = cbu_jobj_get(doc.root, "intersection");
    sv_str(&r->out, iv ? iv->u.s : NULL);
    sv_puts(&r->out, ",\"status\":\"active\"}\n");
    sv_buf e = { 0 };
    sv_put(&e, r->out.p, r->out.n - 1);
    sv_events_push(&r->srv->events, "action", sv_take(&e, NULL));
done:
    audit_body(r, "plan", r->status < 300 ? "ok" : "refused");
    cb_params_free(params);
    cbu_json_free(&doc);
}

/* Declare an incident: an Alert from an operator, stored like any other. */
static void h_incident(sv_req *r)
{
    cbu_jdoc doc;
    if (sv_body_json(r, &doc)) {
        audit_body(r, "incident", "refused");
        return;
    }
    static const char *const allowed[] = { "road", "lane", "subCategory", "severity", "description", NULL };
    cbsv_server *s = r->srv;
    const cbu_jv *road = cbu_jobj_get(doc.root, "road"), *lane = cbu_jobj_get(doc.root, "lane"),
                 *sub = cbu_jobj_get(doc.root, "subCategory"), *sev = cbu_jobj_get(doc.root, "severity"),
                 *desc = cbu_jobj_get(doc.root, "description");
    if (!only_members(r, doc.root, allowed)) goto done;
    if (!road || road->type != CBU_JSTR) {
        sv_fail(r, CB_ESCHEMA, "road", "road: required, a road id");
        goto done;
    }
    /* Build the Alert entity and send it through the ingest parser: one
     * schema, one set of privacy checks, for sensors and operators alike. */
    sv_buf e = { 0 };
    sv_puts(&e, "{\"type\":\"Alert\",\"category\":\"traffic\",\"subCategory\":");
    sv_str(&e, sub && sub->type == CBU_JSTR ? sub->u.s : "carAccident");
    sv_puts(&e, ",\"severity\":");
    sv_str(&e, sev && sev->type == CBU_JSTR ? sev->u.s : "high");
    sv_puts(&e, ",\"refRoadSegment\":");
    sv_str(&e, road->u.s);
    if (lane) {
        if (lane->type != CBU_JINT) {
            sv_buf_free(&e);
            sv_fail(r, CB_ESCHEMA, "lane", "lane: expected a lane index (integer)");
            goto done;
        }
        sv_printf(&e, ",\"laneId\":%lld", (long long)lane->u.i);
    }
    if (desc) {
        if (desc->type != CBU_JSTR) {
            sv_buf_free(&e);
            sv_fail(r, CB_ESCHEMA, "description", "description: expected a string");
            goto done;
        }
        sv_puts(&e, ",\"description\":");
        sv_str(&e, desc->u.s);
    }
    sv_puts(&e, ",\"dateIssued\":");
    sv_time(&e, sv_field_now_ms(&s->field));
    sv_puts(&e, "}");
    cbi_batch b;
    cbi_batch_init(&b);
    cb_error err = { 0 };
    char field[256];
    int64_t id = 0;
    if (e.oom) sv_fail(r, CB_ENOMEM, NULL, "out of memory");
    else if (cbi_parse(&s->resolver, e.p, e.n, &b, field, &err)) sv_fail_err(r, &err, field);
    else if (cbs_ingest(s->store, &b, CBS_SRC_API, NULL, &id, &err)) sv_fail_err(r, &err, NULL);
    else {
        r->status = 201;
        sv_printf(&r->out, "{\"alert\":%lld,\"status\":\"declared\"}\n", (long long)id);
        sv_buf ev = { 0 };
        sv_printf(&ev, "{\"id\":%lld,\"category\":\"traffic\",\"subCategory\":\"%s\",\"road\":", (long long)id,
                  b.alerts.a[0].sub_category);
        sv_str(&ev, road->u.s);
        sv_puts(&ev, "}");
        sv_events_push(&s->events, "alert", sv_take(&ev, NULL));
    }
    cbi_batch_free(&b);
    sv_buf_free(&e);
done:
    audit_body(r, "incident", r->status < 300 ? "ok" : "refused");
    cbu_json_free(&doc);
}

static void h_alert_clear(sv_req *r)
{
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    char detail[64];
    snprintf(detail, sizeof detail, "{\"alert\":%lld}", id);
    cb_error err = { 0 };
    if (*end || id <= 0) sv_fail(r, CB_EINVAL, NULL, "alert id: expected a positive integer");
    else if (cbs_alert_clear(r->srv->store, id, sv_field_now_ms(&r->srv->field), &err)) sv_fail_err(r, &err, NULL);
    else {
        sv_printf(&r->out, "{\"alert\":%lld,\"status\":\"cleared\"}\n", id);
        sv_buf ev = { 0 };
        sv_printf(&ev, "{\"id\":%lld,\"cleared\":true}", id);
        sv_events_push(&r->srv->events, "alert", sv_take(&ev, NULL));
    }
    sv_audit(r, "alert clear", detail, r->status < 300 ? "ok" : "refused");
}

/*--- tokens --------------------------------------------------------------------------------*/

static void h_token_create(sv_req *r)
{
    cbu_jdoc doc;
    if (sv_body_json(r, &doc)) {
        sv_audit(r, "token create", "{}", "refused");
        return;
    }
    static const char *const allowed[] = { "role", "label", NULL };
    const cbu_jv *role = cbu_jobj_get(doc.root, "role"), *label = cbu_jobj_get(doc.root, "label");
    cbs_role rl = role && role->type == CBU_JSTR ? cbs_role_parse(role->u.s) : CBS_ROLE_NONE;
    char token[CBS_TOKEN_MAX], id[16];
    cb_error err = { 0 };
    sv_buf d = { 0 };
    if (!only_members(r, doc.root, allowed)) goto done;
    if (rl == CBS_ROLE_NONE) {
        sv_fail(r, CB_ESCHEMA, "role", "role: one of viewer, sensor, operator, admin");
        goto done;
    }
    if (label && (label->type != CBU_JSTR || label->n > 100)) {
        sv_fail(r, CB_ESCHEMA, "label", "label: a string of at most 100 bytes");
        goto done;
    }
    if (cbs_token_create(r->srv->store, rl, label ? label->u.s : "", token, id, &err)) {
        sv_fail_err(r, &err, NULL);
        goto done;
    }
    r->status = 201;
    sv_printf(&r->out, "{\"id\":\"%s\",\"role\":\"%s\",\"token\":\"%s\",\"note\":\"shown once; only a salted hash "
                       "is stored\"}\n", id, cbs_role_name(rl), token);
done:
    sv_printf(&d, "{\"role\":\"%s\",\"id\":\"%s\"}", cbs_role_name(rl), r->status < 300 ? id : "");
    sv_audit(r, "token create", d.p ? d.p : "{}", r->status < 300 ? "ok" : "refused");
    sv_buf_free(&d);
    cbu_json_free(&doc);
}

static void h_token_revoke(sv_req *r)
{
    cb_error err = { 0 };
    sv_buf d = { 0 };
    sv_puts(&d, "{\"id\":");
    sv_str(&d, r->params[0]);
    sv_puts(&d, "}");
    if (cbs_token_revoke(r->srv->store, r->params[0], &err)) sv_fail_err(r, &err, NULL);
    else sv_printf(&r->out, "{\"status\":\"revoked\"}\n");
    sv_audit(r, "token revoke", d.p ? d.p : "{}", r->status < 300 ? "ok" : "refused");
    sv_buf_free(&d);
}

/*--- the table ----------------------------------------------------------------------------------*/

const sv_route sv_routes[] = {
    { "GET", "/api/v1", SV_READ, true, h_index, "what this server is" },
    { "GET", "/api/v1/health", 0, false, h_health, "liveness, request counters (public)" },
    { "GET", "/api/v1/whoami", 0, false, h_whoami, "the role of the presented token (public)" },
    { "GET", "/api/v1/routes", SV_READ, true, h_routes, "this table" },
    { "GET", "/api/v1/network", SV_READ, true, h_network, "geometry for the map: roads, lanes, intersections, phases" },
    { "GET", "/api/v1/state", SV_READ, true, h_state, "live state: signals, per-lane counts and speeds, KPIs" },
    { "GET", "/api/v1/stream", SV_READ, true, sv_h_stream, "server-sent events: state at 1 Hz, decisions, alerts, actions" },
    { "GET", "/api/v1/controllers", SV_READ, true, h_controllers, "signal controllers a plan change may choose" },
    { "GET", "/api/v1/kpis", SV_READ, true, sv_h_kpis, "KPI history (from, to, limit)" },
    { "GET", "/api/v1/observations", SV_READ, true, sv_h_observations,
      "TrafficFlowObserved history by lane, road, intersection or bbox and time range" },
    { "GET", "/api/v1/air", SV_READ, true, sv_h_air, "AirQualityObserved history" },
    { "GET", "/api/v1/decisions", SV_READ, true, sv_h_decisions, "signal decisions by intersection and time range" },
    { "GET", "/api/v1/alerts", SV_READ, true, sv_h_alerts, "alerts (active=true for open ones) as Alert entities" },
    { "POST", "/api/v1/alerts/{id}/clear", SV_OPERATE, false, h_alert_clear, "clear an alert" },
    { "POST", "/api/v1/ingest", SV_INGEST, false, h_ingest, "batch ingest of FIWARE entities (sensor role)" },
    { "POST", "/ngsi-ld/v1/entityOperations/create", SV_INGEST, false, h_ingest, "NGSI-LD batch create (same as ingest)" },
    { "POST", "/api/v1/actions/override", SV_OPERATE, false, h_override, "hold a green at an intersection for N seconds" },
    { "DELETE", "/api/v1/actions/override/{intersection}", SV_OPERATE, false, h_override_cancel, "end an override early" },
    { "POST", "/api/v1/actions/plan", SV_OPERATE, false, h_plan, "change the signal plan (controller) of one or all intersections" },
    { "POST", "/api/v1/actions/incident", SV_OPERATE, false, h_incident, "declare an incident (an Alert)" },
    { "POST", "/api/v1/emergency", SV_OPERATE, false, sv_h_emergency_post, "dispatch an emergency vehicle (green wave)" },
    { "GET", "/api/v1/emergency", SV_READ, true, sv_h_emergency_list, "emergency vehicles and their trips" },
    { "POST", "/api/v1/twin/incident", SV_OPERATE, false, sv_h_twin_incident, "block a lane of the twin (detection test)" },
    { "GET", "/api/v1/audit", SV_OPERATE, false, sv_h_audit, "the audit log of operator actions" },
    { "GET", "/api/v1/tokens", SV_ADMIN, false, sv_h_tokens_list, "API tokens (ids, roles, labels; never secrets)" },
    { "POST", "/api/v1/tokens", SV_ADMIN, false, h_token_create, "create a token (shown once)" },
    { "DELETE", "/api/v1/tokens/{id}", SV_ADMIN, false, h_token_revoke, "revoke a token" },
};
const size_t sv_n_routes = sizeof sv_routes / sizeof sv_routes[0];
