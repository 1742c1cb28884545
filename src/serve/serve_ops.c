/* serve_ops.c -- field operations in `citybrain serve` (serve_ops.h).
 *
 * The twin's cb_ops (citybrain_ops.h) runs on the field thread after every
 * engine step.  Its preemption holds become overrides of the sites they
 * name (the same path as an operator's override, so the request goes
 * through the safety layer and a yellow is never skipped); a hold never
 * replaces an operator's own override, and lapses two steps after the
 * vehicle stops needing it.  Its incident alerts go into the store as
 * FIWARE Alert entities (through the ingest parser, like an operator's
 * declared incident: one schema, one privacy check) and out on the event
 * stream; they are cleared in the store when the detector clears them.
 * Emergency vehicles are followed by the engine's id of a public-fleet
 * vehicle; nothing else is identified. */
#include "serve_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"
#include "../util/json.h"

#define SV_OPS_WHO "emergency vehicle"

/* A request from an HTTP thread, answered on the field thread. */
typedef struct sv_ops_req sv_ops_req;
struct sv_ops_req {
    sv_ops_req *next;
    enum { REQ_DISPATCH, REQ_LIST, REQ_INCIDENT } kind;
    size_t origin, destination;  /* DISPATCH: roads */
    int64_t t_ms;             /* field ms of the dispatch / incident start; 0: now */
    size_t lane;              /* INCIDENT: global lane */
    double position;          /* INCIDENT: m from the lane start */
    int64_t t_end_ms;         /* INCIDENT: field ms of its end; 0: until cleared */
    size_t id;                /* the vehicle's index (answer) */
    double t_dispatch;        /* field s it will be pushed at (answer) */
    sv_buf out;               /* list: the JSON (answer) */
    int status;
    cb_error err;
    bool done;
};

struct sv_ops {
    cb_ops *ops;
    int *hold;                /* per site, this step */
    uint8_t *ours;            /* per site: the override there is a hold of ours */
    uint64_t cursor;          /* alert events already published */
    int64_t *alert_ids;       /* per cb_ops alert: its store id, 0 none */
    size_t cap_ids;
    int *ev_state;            /* per vehicle: the state last published */
    size_t cap_ev;
    pthread_mutex_t lock;     /* guards reqs */
    pthread_cond_t cond;
    sv_ops_req *reqs;
};

static double field_s(const sv_field *f) { return f->sim_offset + cb_engine_time(f->e); }
static int64_t ms_of(const sv_field *f, double sim_s)
{
    return f->epoch_ms + (int64_t)llround((f->sim_offset + sim_s) * 1000.0);
}

int sv_ops_open(sv_field *f, cb_error *err)
{
    f->ops = NULL;
    if (f->srv->cfg.field != CBSV_FIELD_TWIN) return CB_OK;
    struct sv_ops *o = calloc(1, sizeof *o);
    if (!o) return cbu_err_nomem(err);
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    int rc = cb_ops_open(f->e, &cfg, &o->ops, err);
    o->hold = calloc(f->n_sites + 1, sizeof *o->hold);
    o->ours = calloc(f->n_sites + 1, 1);
    if (!rc && (!o->hold || !o->ours)) rc = cbu_err_nomem(err);
    if (rc) {
        cb_ops_close(o->ops);
        free(o->hold);
        free(o->ours);
        free(o);
        return rc;
    }
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->cond, NULL);
    f->ops = o;
    return CB_OK;
}

static void answer_all(struct sv_ops *o, const char *why)
{
    pthread_mutex_lock(&o->lock);
    for (sv_ops_req *q = o->reqs; q; q = q->next) {
        q->status = cbu_err(&q->err, CB_ESTATE, "%s", why);
        q->done = true;
    }
    o->reqs = NULL;
    pthread_cond_broadcast(&o->cond);
    pthread_mutex_unlock(&o->lock);
}

void sv_ops_close(sv_field *f)
{
    struct sv_ops *o = f->ops;
    if (!o) return;
    answer_all(o, "the server is stopping");
    cb_ops_close(o->ops);
    free(o->hold);
    free(o->ours);
    free(o->alert_ids);
    free(o->ev_state);
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->cond);
    free(o);
    f->ops = NULL;
}

void sv_ops_restart(sv_field *f)
{
    if (f->ops) cb_ops_restart(f->ops->ops);
}

/*--- on the field thread -------------------------------------------------------------------*/

static const char *state_name(cb_ev_state s)
{
    switch (s) {
    case CB_EV_SCHEDULED: return "scheduled";
    case CB_EV_ENROUTE: return "en route";
    case CB_EV_ARRIVED: return "arrived";
    default: return "failed";
    }
}

static void ev_json(const sv_field *f, sv_buf *b, size_t k, const cb_ev_status *s)
{
    sv_printf(b, "{\"emergency\":%zu,\"origin\":", k);
    sv_str(b, cb_engine_road_id(f->e, s->origin));
    sv_puts(b, ",\"destination\":");
    sv_str(b, cb_engine_road_id(f->e, s->destination));
    sv_printf(b, ",\"state\":\"%s\",\"dispatch\":", state_name(s->state));
    sv_time(b, ms_of(f, s->dispatch));
    if (s->start >= 0) {
        sv_puts(b, ",\"start\":");
        sv_time(b, ms_of(f, s->start));
        sv_puts(b, ",\"travel_time\":");
        sv_num(b, s->travel_time);
        sv_puts(b, ",\"free_flow\":");
        sv_num(b, s->free_flow);
        sv_printf(b, ",\"stops\":%d,\"preemptions\":%d,\"replans\":%d", s->stops, s->preemptions, s->replans);
    }
    if (s->arrival >= 0) {
        sv_puts(b, ",\"arrival\":");
        sv_time(b, ms_of(f, s->arrival));
    }
    if (s->road != (size_t)-1) {
        sv_puts(b, ",\"road\":");
        sv_str(b, cb_engine_road_id(f->e, s->road));
    }
    if (s->note[0]) {
        sv_puts(b, ",\"note\":");
        sv_str(b, s->note);
    }
    sv_puts(b, "}");
}

static void take_requests(sv_field *f)
{
    struct sv_ops *o = f->ops;
    pthread_mutex_lock(&o->lock);
    for (sv_ops_req *q = o->reqs; q; q = q->next) {
        double now = cb_engine_time(f->e);
        double t = q->t_ms ? ((double)(q->t_ms - f->epoch_ms) / 1000.0 - f->sim_offset) : now;
        if (t < now) t = now;      /* late by the time it got here: now */
        if (q->kind == REQ_INCIDENT) {
            double t1 = q->t_end_ms ? (double)(q->t_end_ms - f->epoch_ms) / 1000.0 - f->sim_offset : -1;
            q->status = cb_engine_add_incident(f->e, q->lane, q->position, t, t1, &q->id, &q->err);
            q->t_dispatch = f->sim_offset + t;
        } else if (q->kind == REQ_LIST) {
            sv_puts(&q->out, "{\"emergency\":[");
            for (size_t k = 0; k < cb_ops_ev_count(o->ops); k++) {
                cb_ev_status s;
                cb_ops_ev(o->ops, k, &s, NULL);
                if (k) sv_puts(&q->out, ",");
                ev_json(f, &q->out, k, &s);
            }
            sv_puts(&q->out, "]}\n");
        } else {
            q->status = cb_ops_dispatch(o->ops, q->origin, q->destination, t, &q->id, &q->err);
            q->t_dispatch = f->sim_offset + t;
        }
        q->done = true;
    }
    o->reqs = NULL;
    pthread_cond_broadcast(&o->cond);
    pthread_mutex_unlock(&o->lock);
}

/* Holds become overrides that lapse two steps after the last renewal. */
static void apply_holds(sv_field *f)
{
    struct sv_ops *o = f->ops;
    cb_ops_holds(o->ops, o->hold);
    double now = field_s(f), lapse = 2 * cb_engine_interval(f->e);
    for (size_t i = 0; i < f->n_sites; i++) {
        sv_site_ctl *sc = &f->site[i];
        if (o->ours[i] && strcmp(sc->override_who, SV_OPS_WHO) != 0) o->ours[i] = 0;   /* an operator took over */
        if (o->hold[i] < 0) {
            if (o->ours[i] && sc->override_phase >= 0) {
                sc->override_phase = -1;           /* back to the plan at once */
                f->next_step[i] = f->step;
            }
            o->ours[i] = 0;
            continue;
        }
        if (sc->override_phase >= 0 && !o->ours[i]) continue;    /* the operator's override stands */
        if (sc->override_phase != o->hold[i]) f->next_step[i] = f->step;
        sc->override_phase = o->hold[i];
        sc->override_until = now + lapse;
        snprintf(sc->override_who, sizeof sc->override_who, "%s", SV_OPS_WHO);
        o->ours[i] = 1;
    }
}

static void publish_alerts(sv_field *f)
{
    struct sv_ops *o = f->ops;
    cbsv_server *s = f->srv;
    size_t k;
    bool raised;
    while (cb_ops_alert_next(o->ops, &o->cursor, &k, &raised)) {
        cb_alert a;
        if (cb_ops_alert(o->ops, k, &a, NULL)) continue;
        if (k >= o->cap_ids) {
            size_t cap = (k + 1) * 2;
            int64_t *p = realloc(o->alert_ids, cap * sizeof *p);
            if (!p) continue;
            memset(p + o->cap_ids, 0, (cap - o->cap_ids) * sizeof *p);
            o->alert_ids = p;
            o->cap_ids = cap;
        }
        const char *road = cb_engine_road_id(f->e, a.road);
        sv_buf ev = { 0 };
        if (raised) {
            sv_buf e = { 0 };
            char desc[256];
            if (a.to_m > a.from_m)
                snprintf(desc, sizeof desc, "lane blocked %s, %.0f-%.0f m from its start (loop detectors, %d vehicles "
                         "held, confidence %.2f)", a.where, a.from_m, a.to_m, a.vehicles, a.confidence);
            else
                snprintf(desc, sizeof desc, "lane blocked %s (loop detectors, %d vehicles held, confidence %.2f)",
                         a.where, a.vehicles, a.confidence);
            sv_puts(&e, "{\"type\":\"Alert\",\"category\":\"traffic\",\"subCategory\":\"carStopped\",\"severity\":");
            sv_str(&e, a.confidence >= 0.9 ? "high" : "medium");
            sv_puts(&e, ",\"refRoadSegment\":");
            sv_str(&e, road);
            sv_printf(&e, ",\"laneId\":%d,\"dateIssued\":", a.lane_index);
            sv_time(&e, ms_of(f, a.raised));
            sv_puts(&e, ",\"validFrom\":");
            sv_time(&e, ms_of(f, a.start));
            sv_puts(&e, ",\"description\":");
            sv_str(&e, desc);
            sv_puts(&e, ",\"alertSource\":\"citybrain incident detection\"}");
            cbi_batch b;
            cbi_batch_init(&b);
            cb_error err = { 0 };
            char field[256];
            int64_t id = 0;
            if (!e.oom && cbi_parse(&s->resolver, e.p, e.n, &b, field, &err) == CB_OK &&
                cbs_ingest(s->store, &b, CBS_SRC_TWIN, NULL, &id, &err) == CB_OK)
                o->alert_ids[k] = id;
            cbi_batch_free(&b);
            sv_buf_free(&e);
            sv_printf(&ev, "{\"id\":%lld,\"category\":\"traffic\",\"subCategory\":\"carStopped\",\"road\":",
                      (long long)o->alert_ids[k]);
            sv_str(&ev, road);
            sv_printf(&ev, ",\"lane\":%d,\"where\":\"%s\",\"source\":\"detector\",\"confidence\":", a.lane_index,
                      a.where);
            sv_num(&ev, a.confidence);
            sv_puts(&ev, ",\"start\":");
            sv_time(&ev, ms_of(f, a.start));
            sv_puts(&ev, "}");
        } else {
            if (o->alert_ids[k]) cbs_alert_clear(s->store, o->alert_ids[k], ms_of(f, a.cleared), NULL);
            sv_printf(&ev, "{\"id\":%lld,\"cleared\":true,\"source\":\"detector\"}", (long long)o->alert_ids[k]);
        }
        sv_events_push(&s->events, "alert", sv_take(&ev, NULL));
    }
}

/* A vehicle that started or arrived is news for the event stream. */
static void publish_vehicles(sv_field *f)
{
    struct sv_ops *o = f->ops;
    size_t n = cb_ops_ev_count(o->ops);
    if (n > o->cap_ev) {
        size_t cap = n * 2;
        int *p = realloc(o->ev_state, cap * sizeof *p);
        if (!p) return;
        for (size_t k = o->cap_ev; k < cap; k++) p[k] = CB_EV_SCHEDULED;
        o->ev_state = p;
        o->cap_ev = cap;
    }
    for (size_t k = 0; k < n; k++) {
        cb_ev_status s;
        if (cb_ops_ev(o->ops, k, &s, NULL) || (int)s.state == o->ev_state[k]) continue;
        o->ev_state[k] = (int)s.state;
        sv_buf ev = { 0 };
        ev_json(f, &ev, k, &s);
        sv_events_push(&f->srv->events, "action", sv_take(&ev, NULL));
    }
}

void sv_ops_step(sv_field *f)
{
    if (!f->ops) return;
    take_requests(f);
    if (cb_ops_update(f->ops->ops, f->sig, NULL) != CB_OK) return;
    apply_holds(f);
    publish_alerts(f);
    publish_vehicles(f);
}

/*--- HTTP handlers ---------------------------------------------------------------------------------*/

/* Queue a request for the field thread and wait (at most 10 s of wall
 * time: a stopped or stalled field answers CB_ESTATE). */
static int ask(sv_field *f, sv_ops_req *q)
{
    struct sv_ops *o = f->ops;
    if (!o) return cbu_err(&q->err, CB_ESTATE, "emergency vehicles and twin incidents need the twin as the field (not --external-field)");
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 10;
    pthread_mutex_lock(&o->lock);
    q->next = o->reqs;
    o->reqs = q;
    while (!q->done)
        if (pthread_cond_timedwait(&o->cond, &o->lock, &dl) != 0) break;
    if (!q->done) {                      /* unlink it: nobody will answer */
        for (sv_ops_req **p = &o->reqs; *p; p = &(*p)->next)
            if (*p == q) {
                *p = q->next;
                break;
            }
        q->status = cbu_err(&q->err, CB_ESTATE, "the field did not answer (is it running?)");
    }
    pthread_mutex_unlock(&o->lock);
    return q->status;
}

static void audit_body(sv_req *r, const char *action, const char *result)
{
    char detail[1024];
    size_t n = r->body_len < sizeof detail - 1 ? r->body_len : sizeof detail - 1;
    memcpy(detail, r->body, n);
    detail[n] = '\0';
    sv_audit(r, action, n ? detail : "{}", result);
}

static bool only(sv_req *r, const cbu_jv *root, const char *const *allowed, const char *list)
{
    for (uint32_t i = 0; i < root->n; i++) {
        const char *k = root->u.kids[i].key;
        bool ok = false;
        for (int j = 0; allowed[j] && !ok; j++) ok = strcmp(k, allowed[j]) == 0;
        if (!ok) {
            sv_fail(r, CB_ESCHEMA, k, "%s: unknown field (%s)", k, list);
            return false;
        }
    }
    return true;
}

static bool time_member(sv_req *r, const cbu_jv *root, const char *key, int64_t *ms)
{
    const cbu_jv *t = cbu_jobj_get(root, key);
    if (t && (t->type != CBU_JSTR || !cbi_time_parse(t->u.s, ms))) {
        sv_fail(r, CB_ESCHEMA, key, "%s: an ISO 8601 time with a zone (2026-11-27T10:00:00Z)", key);
        return false;
    }
    return true;
}

static bool road_member(sv_req *r, const cbu_jv *root, const char *key, size_t *out)
{
    const cbu_jv *v = cbu_jobj_get(root, key);
    if (!v || v->type != CBU_JSTR) {
        sv_fail(r, CB_ESCHEMA, key, "%s: required, a road id", key);
        return false;
    }
    long k = cb_engine_road_find(r->srv->field.e, v->u.s);     /* static topology */
    if (k < 0) {
        sv_fail(r, CB_ENOTFOUND, key, "%s: no road '%s'", key, v->u.s);
        return false;
    }
    *out = (size_t)k;
    return true;
}

void sv_h_emergency_post(sv_req *r)
{
    cbu_jdoc doc;
    if (sv_body_json(r, &doc)) {
        audit_body(r, "emergency", "refused");
        return;
    }
    sv_ops_req q;
    memset(&q, 0, sizeof q);
    q.kind = REQ_DISPATCH;
    static const char *const allowed[] = { "origin", "destination", "time", NULL };
    if (!only(r, doc.root, allowed, "origin, destination, time") ||
        !road_member(r, doc.root, "origin", &q.origin) || !road_member(r, doc.root, "destination", &q.destination) ||
        !time_member(r, doc.root, "time", &q.t_ms))
        goto done;
    if (ask(&r->srv->field, &q)) {
        sv_fail_err(r, &q.err, NULL);
        goto done;
    }
    r->status = 201;
    sv_printf(&r->out, "{\"emergency\":%zu,\"status\":\"scheduled\",\"dispatch\":", q.id);
    sv_time(&r->out, r->srv->field.epoch_ms + (int64_t)llround(q.t_dispatch * 1000.0));
    sv_puts(&r->out, "}\n");
    sv_buf e = { 0 };
    sv_put(&e, r->out.p, r->out.n - 1);
    sv_events_push(&r->srv->events, "action", sv_take(&e, NULL));
done:
    audit_body(r, "emergency", r->status < 300 ? "ok" : "refused");
    cbu_json_free(&doc);
}

/* An incident in the twin: a lane blocked at a position.  The detector is
 * not told; it has to find it in the loops like any other. */
void sv_h_twin_incident(sv_req *r)
{
    cbu_jdoc doc;
    if (sv_body_json(r, &doc)) {
        audit_body(r, "twin incident", "refused");
        return;
    }
    sv_ops_req q;
    memset(&q, 0, sizeof q);
    q.kind = REQ_INCIDENT;
    static const char *const allowed[] = { "road", "lane", "position", "start", "end", NULL };
    size_t road;
    const cbu_jv *lane = cbu_jobj_get(doc.root, "lane"), *pos = cbu_jobj_get(doc.root, "position");
    if (!only(r, doc.root, allowed, "road, lane, position, start, end") || !road_member(r, doc.root, "road", &road) ||
        !time_member(r, doc.root, "start", &q.t_ms) || !time_member(r, doc.root, "end", &q.t_end_ms))
        goto done;
    cb_road_info ri;
    cb_engine_road_info(r->srv->field.e, road, &ri);        /* static topology */
    if (!lane || lane->type != CBU_JINT || lane->u.i < 0 || (uint64_t)lane->u.i >= ri.n_lanes) {
        sv_fail(r, CB_ESCHEMA, "lane", "lane: required, a lane index of the road (0..%zu)", ri.n_lanes - 1);
        goto done;
    }
    if (!pos || !cbu_jis_number(pos)) {
        sv_fail(r, CB_ESCHEMA, "position", "position: required, metres from the lane start");
        goto done;
    }
    q.lane = ri.first_lane + (size_t)lane->u.i;
    q.position = cbu_jnumber(pos);
    if (ask(&r->srv->field, &q)) {
        sv_fail_err(r, &q.err, NULL);
        goto done;
    }
    r->status = 201;
    sv_printf(&r->out, "{\"incident\":%zu,\"status\":\"scheduled\",\"start\":", q.id);
    sv_time(&r->out, r->srv->field.epoch_ms + (int64_t)llround(q.t_dispatch * 1000.0));
    sv_puts(&r->out, "}\n");
done:
    audit_body(r, "twin incident", r->status < 300 ? "ok" : "refused");
    cbu_json_free(&doc);
}

void sv_h_emergency_list(sv_req *r)
{
    sv_ops_req q;
    memset(&q, 0, sizeof q);
    q.kind = REQ_LIST;
    if (ask(&r->srv->field, &q)) sv_fail_err(r, &q.err, NULL);
    else sv_put(&r->out, q.out.p, q.out.n);
    sv_buf_free(&q.out);
}
