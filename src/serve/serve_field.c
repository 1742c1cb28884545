/* serve_field.c -- the field model: where observations come from and where
 * signal decisions go.
 *
 * One thread owns the engine, the signal safety layer (cb_signals) and the
 * controllers; HTTP handlers never touch them, they send commands
 * (sv_field_command) and read the published state (sv_snap_get).
 *
 * Every step is the same closed loop as cb_control (src/signal/sig_loop.c):
 * the sites that are due observe and decide, the safety layer turns the
 * requests into safe phases (minimum green, yellow, all-red), and the
 * greens it starts are recorded as decisions, stored and published on the
 * event stream for external field controllers.  Two things differ by field
 * mode, and nothing else:
 *
 *   twin      the engine steps at --speed; controllers see its lanes through
 *             cb_engine_lane_observe (detector zones), and its detectors
 *             report TrafficFlowObserved records every obs_period, which
 *             enter the store and the live table by the same path as the
 *             API's batch ingest;
 *   external  nothing steps; the loop runs once per wall second and the
 *             controllers see the live table that the API's ingest fills.
 *
 * An operator override replaces a site's controller for N seconds: the
 * request still goes through the safety layer, so a yellow is never
 * skipped.  A plan change gives a site (or all) another controller. */
#include "serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve_ops.h"
#include "../util/err.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Effective length of a stopped vehicle plus its gap, m: turns an
 * occupancy into a count for the controllers in external mode. */
#define SV_VEH_SPACING 7.5

static double field_seconds(const sv_field *f)
{
    return f->sim_offset + cb_engine_time(f->e);
}

/* On the field thread: computed from the engine. */
static int64_t field_now_ms(const sv_field *f)
{
    if (f->srv->cfg.field == CBSV_FIELD_EXTERNAL) return sv_wall_ms();
    return f->epoch_ms + (int64_t)llround(field_seconds(f) * 1000.0);
}

/* On any thread: the value the field thread published after its last step
 * (HTTP threads never read the engine). */
int64_t sv_field_now_ms(const sv_field *f)
{
    if (f->srv->cfg.field == CBSV_FIELD_EXTERNAL) return sv_wall_ms();
    return __atomic_load_n(&f->now_ms, __ATOMIC_RELAXED);
}

long sv_field_site(const sv_field *f, const char *inter_id)
{
    long k = cb_engine_intersection_find(f->e, inter_id);
    if (k < 0) return -1;
    for (size_t i = 0; i < f->n_sites; i++)
        if (cb_signals_site_intersection(f->sig, i) == (size_t)k) return (long)i;
    return -1;
}

/*--- open / close -----------------------------------------------------------------------*/

static long resolve_road(void *ud, const char *id, uint32_t *first, uint32_t *n)
{
    sv_field *f = ud;
    long k = cb_engine_road_find(f->e, id);
    if (k < 0) return -1;
    cb_road_info ri;
    if (cb_engine_road_info(f->e, (size_t)k, &ri)) return -1;
    *first = (uint32_t)ri.first_lane;
    *n = (uint32_t)ri.n_lanes;
    return k;
}

int sv_field_open(cbsv_server *s, cb_error *err)
{
    sv_field *f = &s->field;
    memset(f, 0, sizeof *f);
    f->srv = s;
    pthread_mutex_init(&f->live_lock, NULL);
    pthread_mutex_init(&f->cmd_lock, NULL);
    pthread_cond_init(&f->cmd_cond, NULL);
    pthread_mutex_init(&f->snap_lock, NULL);
    cb_options opt;
    cb_options_init(&opt);
    opt.threads = s->cfg.threads;
    opt.external_signals = 1;
    opt.no_replay = true;
    int rc = cb_engine_open(s->city, &opt, &f->e, err);
    if (rc) return rc;
    cb_signal_config sc;
    cb_signal_config_init(&sc);
    if ((rc = cb_signals_open(f->e, &sc, &f->sig, err))) return rc;
    /* the twin's loops: 10 m after each lane start, 5 m before its end */
    if ((rc = cb_engine_enable_detectors(f->e, 10, 5, err))) return rc;
    f->n_sites = cb_signals_site_count(f->sig);
    f->n_lanes = cb_engine_lane_count(f->e);
    f->n_inters = cb_engine_intersection_count(f->e);
    if ((rc = cb_controller_create(s->cfg.controller, cb_signals_sites(f->sig), f->n_sites, NULL, &f->plans[0].ctl,
                                   err)))
        return rc;
    snprintf(f->plans[0].name, sizeof f->plans[0].name, "%s", cb_controller_name(f->plans[0].ctl));
    f->n_plans = 1;
    size_t n = f->n_sites + 1, nl = f->n_lanes + 1, max_lanes = 0;
    for (size_t i = 0; i < f->n_sites; i++)
        if (cb_signals_sites(f->sig)[i].n_lanes > max_lanes) max_lanes = cb_signals_sites(f->sig)[i].n_lanes;
    f->site = calloc(n, sizeof *f->site);
    f->next_step = calloc(n, sizeof *f->next_step);
    f->shown = calloc(n, sizeof *f->shown);
    f->scratch = calloc(max_lanes + 1, sizeof *f->scratch);
    f->zones = calloc((size_t)CB_ZONES_MAX * max_lanes + 1, sizeof *f->zones);
    f->published = calloc(n * CB_PUBLISH_N, sizeof *f->published);
    f->loop_count = calloc(nl, sizeof *f->loop_count);
    f->loop_occupied = calloc(nl, sizeof *f->loop_occupied);
    f->loop_speed = calloc(nl, sizeof *f->loop_speed);
    f->acc_speed = calloc(nl, sizeof *f->acc_speed);
    f->acc_speed_n = calloc(nl, sizeof *f->acc_speed_n);
    f->live = calloc(nl, sizeof *f->live);
    if (!f->site || !f->next_step || !f->shown || !f->scratch || !f->zones || !f->published || !f->acc_speed || !f->loop_count || !f->loop_occupied || !f->loop_speed ||
        !f->acc_speed_n || !f->live)
        return cbu_err_nomem(err);
    for (size_t i = 0; i < f->n_sites; i++) {
        f->site[i].override_phase = -1;
        f->shown[i] = -1;
    }
    s->resolver.ud = f;
    s->resolver.road = resolve_road;

    /* lanes into the store: (road id, index) */
    const char **roads = malloc(nl * sizeof *roads);
    int *idx = malloc(nl * sizeof *idx);
    if (!roads || !idx) {
        free(roads);
        free(idx);
        return cbu_err_nomem(err);
    }
    for (size_t l = 0; l < f->n_lanes; l++) {
        roads[l] = cb_engine_road_id(f->e, cb_engine_lane_road(f->e, l));
        idx[l] = cb_engine_lane_index(f->e, l);
    }
    rc = cbs_set_lanes(s->store, f->n_lanes, roads, idx, err);
    free(roads);
    free(idx);
    if (rc) return rc;

    /* Field time continues after the last stored observation, so a restart
     * never writes over what an earlier run stored. */
    f->epoch_ms = sv_wall_ms();
    sqlite3 *db = cbs_reader_get(s->store);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(t_to) FROM obs WHERE source = 0", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            int64_t last = sqlite3_column_int64(st, 0) + 1000;
            if (last > f->epoch_ms) f->epoch_ms = last;
        }
        sqlite3_finalize(st);
    }
    cbs_reader_put(s->store, db);
    return sv_ops_open(f, err);
}

void sv_field_close(cbsv_server *s)
{
    sv_field *f = &s->field;
    sv_ops_close(f);
    for (int i = 0; i < f->n_plans; i++) cb_controller_destroy(f->plans[i].ctl);
    if (f->sig) cb_signals_close(f->sig);
    if (f->e) cb_engine_close(f->e);
    if (f->snap) {
        free(f->snap->json);
        free(f->snap);
    }
    free(f->site);
    free(f->next_step);
    free(f->shown);
    free(f->scratch);
    free(f->zones);
    free(f->published);
    free(f->acc_speed);
    free(f->loop_count);
    free(f->loop_occupied);
    free(f->loop_speed);
    free(f->acc_speed_n);
    free(f->live);
    memset(f, 0, sizeof *f);
}

/*--- observations in ----------------------------------------------------------------------*/

void sv_field_observe(sv_field *f, const cbi_batch *b, cbs_source src)
{
    pthread_mutex_lock(&f->live_lock);
    for (size_t i = 0; i < b->traffic.n; i++) {
        const cbi_traffic *t = &b->traffic.a[i];
        if (t->lane >= f->n_lanes) continue;
        sv_lane_live *l = &f->live[t->lane];
        if (t->t_to < l->t) continue;         /* an older observation arriving late */
        double len = cb_engine_lane_length(f->e, t->lane);
        l->t = t->t_to;
        l->source = (uint8_t)src;
        if (!isnan(t->occupancy)) l->obs.occupancy = t->occupancy;
        if (!isnan(t->speed)) l->obs.mean_speed = t->speed;
        l->obs.zone = len;
        if (src != CBS_SRC_TWIN && !isnan(t->occupancy)) {
            /* An estimate for controllers and the map: vehicles that cover
             * this share of the lane, stopped when they barely move. */
            l->obs.count = (uint32_t)lround(t->occupancy * len / SV_VEH_SPACING);
            l->obs.stopped = !isnan(t->speed) && t->speed < 1.0 ? l->obs.count : 0;
        }
    }
    pthread_mutex_unlock(&f->live_lock);
}

/*--- commands ----------------------------------------------------------------------------*/

int sv_field_command(sv_field *f, sv_cmd *c, cb_error *err)
{
    c->done = false;
    c->status = CB_OK;
    pthread_mutex_lock(&f->cmd_lock);
    if (f->stop || !f->started) {
        pthread_mutex_unlock(&f->cmd_lock);
        return cbu_err(err, CB_ESTATE, "the field is not running");
    }
    c->next = f->cmds;
    f->cmds = c;
    while (!c->done) pthread_cond_wait(&f->cmd_cond, &f->cmd_lock);
    pthread_mutex_unlock(&f->cmd_lock);
    if (c->status && err) *err = c->err;
    return c->status;
}

static bool is_candidate(const cb_site *st, int phase)
{
    for (uint32_t i = 0; i < st->n_candidates; i++)
        if (st->candidates[i] == phase) return true;
    return false;
}

static void run_command(sv_field *f, sv_cmd *c)
{
    double now = f->srv->cfg.field == CBSV_FIELD_EXTERNAL ? (double)sv_wall_ms() / 1000.0 : field_seconds(f);
    const cb_site *sites = cb_signals_sites(f->sig);
    switch (c->type) {
    case SV_CMD_OVERRIDE: {
        const cb_site *st = &sites[c->site];
        if (!is_candidate(st, c->phase)) {
            char list[256];
            size_t n = 0;
            list[0] = '\0';
            for (uint32_t i = 0; i < st->n_candidates && n < sizeof list - 16; i++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%d", i ? ", " : "", st->candidates[i]);
            c->status = cbu_err(&c->err, CB_EINVAL, "phase: %d is not a green phase of %s (greens: %s)", c->phase,
                                st->id, list);
            return;
        }
        sv_site_ctl *sc = &f->site[c->site];
        sc->override_phase = c->phase;
        sc->override_until = now + c->duration;
        snprintf(sc->override_who, sizeof sc->override_who, "%s", c->who);
        f->next_step[c->site] = f->step;    /* decide at once */
        break;
    }
    case SV_CMD_CANCEL: {
        sv_site_ctl *sc = &f->site[c->site];
        if (sc->override_phase < 0) {
            c->status = cbu_err(&c->err, CB_ENOTFOUND, "no override is active at %s", sites[c->site].id);
            return;
        }
        sc->override_phase = -1;
        f->next_step[c->site] = f->step;
        break;
    }
    case SV_CMD_PLAN: {
        int k = -1;
        for (int i = 0; i < f->n_plans && k < 0; i++)
            if (!c->params && strcmp(f->plans[i].name, c->controller) == 0) k = i;
        if (k < 0) {
            if (f->n_plans == SV_MAX_PLANS) {
                c->status = cbu_err(&c->err, CB_ELIMIT, "at most %d signal plans per run", SV_MAX_PLANS);
                return;
            }
            cb_controller *ctl;
            c->status = cb_controller_create(c->controller, sites, f->n_sites, c->params, &ctl, &c->err);
            if (c->status) return;
            const char *unused = c->params ? cb_params_unused(c->params) : NULL;
            if (unused) {
                cb_controller_destroy(ctl);
                c->status = cbu_err(&c->err, CB_EINVAL, "params.%s: controller '%s' has no such parameter", unused,
                                    c->controller);
                return;
            }
            k = f->n_plans++;
            f->plans[k].ctl = ctl;
            snprintf(f->plans[k].name, sizeof f->plans[k].name, "%s", cb_controller_name(ctl));
        }
        for (size_t i = 0; i < f->n_sites; i++)
            if (c->site < 0 || (size_t)c->site == i) {
                f->site[i].plan = k;
                f->next_step[i] = f->step;
            }
        break;
    }
    }
}

static void publish_state(sv_field *f, double speed_now, bool event);

/* Commands are answered only after the published state shows their effect,
 * so a client that reads GET /state after a 200 sees what it asked for. */
static void take_commands(sv_field *f, double speed_now)
{
    pthread_mutex_lock(&f->cmd_lock);
    sv_cmd *cmds = f->cmds;
    f->cmds = NULL;
    pthread_mutex_unlock(&f->cmd_lock);
    if (!cmds) return;
    for (sv_cmd *c = cmds; c; c = c->next) run_command(f, c);
    publish_state(f, speed_now, false);
    pthread_mutex_lock(&f->cmd_lock);
    for (sv_cmd *c = cmds, *next; c; c = next) {
        next = c->next;
        c->done = true;
    }
    pthread_cond_broadcast(&f->cmd_cond);
    pthread_mutex_unlock(&f->cmd_lock);
}

/*--- one step of the loop ------------------------------------------------------------------*/

typedef CBU_VEC(cbs_decision) decision_vec;

/* Observe and decide for the sites that are due. */
static void decide_due(sv_field *f, double now)
{
    const cb_site *sites = cb_signals_sites(f->sig);
    double dt = cb_engine_interval(f->e);
    bool twin = f->srv->cfg.field == CBSV_FIELD_TWIN;
    for (size_t i = 0; i < f->n_sites; i++) {
        sv_site_ctl *sc = &f->site[i];
        if (sc->override_phase >= 0 && now >= sc->override_until) {
            sc->override_phase = -1;          /* the override ran out: back to the plan */
            f->next_step[i] = f->step;
        }
        if (f->next_step[i] > f->step) continue;
        if (sc->override_phase >= 0) {
            cb_signals_request(f->sig, i, sc->override_phase, NULL);
            f->next_step[i] = f->step + 1;
            continue;
        }
        const cb_site *st = &sites[i];
        const uint32_t *lanes = cb_signals_site_lanes(f->sig, i);
        if (twin) {
            for (uint32_t j = 0; j < st->n_lanes; j++)
                cb_engine_lane_observe(f->e, lanes[j], f->zone, &f->scratch[j], NULL);
        } else {
            pthread_mutex_lock(&f->live_lock);
            for (uint32_t j = 0; j < st->n_lanes; j++) f->scratch[j] = f->live[lanes[j]].obs;
            pthread_mutex_unlock(&f->live_lock);
        }
        /* Advance zones the site's controller asked for: the twin
         * observes them; an external field reports one zone per lane,
         * which stands in for each. */
        cb_controller *ctl = f->plans[sc->plan].ctl;
        const double *zone_m = NULL;
        uint32_t nz = cb_controller_zones(ctl, &zone_m);
        if (nz > CB_ZONES_MAX) nz = CB_ZONES_MAX;
        for (uint32_t z = 0; z < nz; z++)
            for (uint32_t j = 0; j < st->n_lanes; j++) {
                cb_lane_obs *zo = &f->zones[z * st->n_lanes + j];
                memset(zo, 0, sizeof *zo);
                if (!st->roads[st->lanes[j].road].incoming) continue;
                if (twin) cb_engine_lane_observe(f->e, lanes[j], zone_m[z], zo, NULL);
                else *zo = f->scratch[j];
            }
        cb_site_obs obs;
        memset(&obs, 0, sizeof obs);
        cb_signals_status(f->sig, i, &obs);
        obs.time = now;
        obs.lanes = f->scratch;
        obs.n_zones = nz;
        obs.zone_m = zone_m;
        obs.zones = nz ? f->zones : NULL;
        obs.published = f->published;
        cb_decision d;
        cb_controller_decide(ctl, i, &obs, &d);
        memcpy(f->published + i * CB_PUBLISH_N, d.publish, sizeof d.publish);
        if (d.phase >= 0) cb_signals_request(f->sig, i, d.phase, NULL);
        int64_t k = (int64_t)(d.next / dt + 0.5);
        f->next_step[i] = f->step + (k < 1 ? 1 : k);
    }
}

/* Greens the layer started since the last look become decisions. */
static void record_decisions(sv_field *f, decision_vec *out)
{
    const cb_site *sites = cb_signals_sites(f->sig);
    int64_t now = field_now_ms(f);
    for (size_t i = 0; i < f->n_sites; i++) {
        cb_site_obs o;
        memset(&o, 0, sizeof o);
        cb_signals_status(f->sig, i, &o);
        if (o.state != CB_SIG_GREEN || o.green == f->shown[i]) continue;
        f->shown[i] = o.green;
        sv_site_ctl *sc = &f->site[i];
        bool ov = sc->override_phase == o.green;
        cbs_decision d = { now, sites[i].id, o.green, ov ? "override" : f->plans[sc->plan].name,
                           ov ? (sc->override_until - (double)now / 1000.0) : NAN };
        if (ov && f->srv->cfg.field == CBSV_FIELD_TWIN) d.duration = sc->override_until - field_seconds(f);
        cbu_vec_push(out, d);
        sv_buf b = { 0 };
        sv_puts(&b, "{\"intersection\":");
        sv_str(&b, sites[i].id);
        sv_printf(&b, ",\"phase\":%d,\"source\":", o.green);
        sv_str(&b, d.source);
        sv_puts(&b, ",\"time\":");
        sv_time(&b, now);
        sv_puts(&b, "}");
        sv_events_push(&f->srv->events, "decision", sv_take(&b, NULL));
    }
}

/* Twin detectors: the engine's loops count; every obs_period each lane's
 * stop-line loop is read (and reset) into a TrafficFlowObserved record.
 * The zone's speeds are accumulated every step for periods in which no
 * vehicle passed the loop. */
static void sample_detectors(sv_field *f)
{
    double now = field_seconds(f);
    pthread_mutex_lock(&f->live_lock);
    for (size_t l = 0; l < f->n_lanes; l++) {
        cb_lane_obs o;
        if (cb_engine_lane_observe(f->e, l, 0, &o, NULL)) continue;
        if (o.count) {
            f->acc_speed[l] += o.mean_speed * o.count;
            f->acc_speed_n[l] += o.count;
        }
        f->live[l].obs = o;
        f->live[l].t = f->epoch_ms + (int64_t)llround(now * 1000.0);
        f->live[l].source = CBS_SRC_TWIN;
    }
    pthread_mutex_unlock(&f->live_lock);
    if (now - f->period_start + 1e-9 < f->srv->cfg.obs_period) return;

    cbi_batch *b = malloc(sizeof *b);
    if (!b) return;
    cbi_batch_init(b);
    int64_t t_from = f->epoch_ms + (int64_t)llround(f->period_start * 1000.0);
    int64_t t_to = f->epoch_ms + (int64_t)llround(now * 1000.0);
    double span = now - f->period_start;
    if (cbu_vec_reserve(&b->traffic, f->n_lanes) == 0) {
        for (size_t l = 0; l < f->n_lanes; l++) {
            /* What a stop-line loop reports, as a city's would: vehicles
             * that passed it in the period, the share of time it was
             * covered, and their mean speed (the lane zone's mean speed
             * when nobody passed, e.g. a standing queue). */
            cb_detector_reading r[2];
            if (cb_engine_read_detectors(f->e, l, false, r, NULL)) continue;   /* shared: no reset */
            if (r[1].total_count < f->loop_count[l]) {     /* re-enabled by another module */
                f->loop_count[l] = 0;
                f->loop_occupied[l] = f->loop_speed[l] = 0;
            }
            double n = (double)(r[1].total_count - f->loop_count[l]);
            double occ = span > 0 ? (r[1].total_occupied - f->loop_occupied[l]) / span : 0;
            double v = n > 0 ? (r[1].total_speed_sum - f->loop_speed[l]) / n
                             : f->acc_speed_n[l] ? f->acc_speed[l] / f->acc_speed_n[l] : NAN;
            f->loop_count[l] = r[1].total_count;
            f->loop_occupied[l] = r[1].total_occupied;
            f->loop_speed[l] = r[1].total_speed_sum;
            cbi_traffic t = { (uint32_t)l, t_from, t_to, n, occ, v };
            b->traffic.a[b->traffic.n++] = t;
        }
    }
    memset(f->acc_speed, 0, f->n_lanes * sizeof *f->acc_speed);
    memset(f->acc_speed_n, 0, f->n_lanes * sizeof *f->acc_speed_n);
    f->period_start = now;
    cb_error err;
    if (cbs_ingest_async(f->srv->store, b, CBS_SRC_TWIN, &err)) {
        cbi_batch_free(b);
        free(b);
    }
}

/*--- the published state --------------------------------------------------------------------*/

sv_snap *sv_snap_get(sv_field *f)
{
    pthread_mutex_lock(&f->snap_lock);
    sv_snap *s = f->snap;
    if (s) s->refs++;
    pthread_mutex_unlock(&f->snap_lock);
    return s;
}

void sv_snap_release(sv_field *f, sv_snap *s)
{
    if (!s) return;
    pthread_mutex_lock(&f->snap_lock);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&f->snap_lock);
    if (last) {
        free(s->json);
        free(s);
    }
}

static const char *state_name(cb_sig_state s)
{
    switch (s) {
    case CB_SIG_GREEN: return "green";
    case CB_SIG_YELLOW: return "yellow";
    case CB_SIG_ALLRED: return "allred";
    default: return "start";
    }
}

static void publish_state(sv_field *f, double speed_now, bool event)
{
    cbsv_server *s = f->srv;
    sv_buf b = { 0 };
    int64_t now = field_now_ms(f);
    cb_metrics m;
    cb_engine_metrics(f->e, &m);
    sv_puts(&b, "{\"time\":");
    sv_time(&b, now);
    sv_printf(&b, ",\"field\":\"%s\",\"sim_time\":", s->cfg.field == CBSV_FIELD_TWIN ? "twin" : "external");
    sv_num(&b, field_seconds(f));
    sv_puts(&b, ",\"speed\":");
    sv_num(&b, speed_now);
    double vsum = 0, queue = 0;
    int64_t vn = 0;
    pthread_mutex_lock(&f->live_lock);
    for (size_t l = 0; l < f->n_lanes; l++) {
        vsum += f->live[l].obs.mean_speed * f->live[l].obs.count;
        vn += f->live[l].obs.count;
        queue += f->live[l].obs.stopped;
    }
    sv_puts(&b, ",\"kpis\":{");
    sv_printf(&b, "\"created\":%lld,\"finished\":%lld,\"running\":%lld,\"waiting\":%lld,\"queued\":%lld,",
              (long long)m.created, (long long)m.finished, (long long)m.running, (long long)m.waiting,
              (long long)m.queued);
    sv_puts(&b, "\"att\":");
    sv_num(&b, m.engine_att);
    sv_puts(&b, ",\"published_att\":");
    sv_num(&b, m.published_att);
    sv_puts(&b, ",\"mean_speed\":");
    sv_num(&b, vn ? vsum / (double)vn : 0);
    sv_puts(&b, ",\"queue\":");
    sv_num(&b, queue);
    sv_puts(&b, "},\"lanes\":{\"count\":[");
    for (size_t l = 0; l < f->n_lanes; l++) sv_printf(&b, l ? ",%u" : "%u", f->live[l].obs.count);
    sv_puts(&b, "],\"stopped\":[");
    for (size_t l = 0; l < f->n_lanes; l++) sv_printf(&b, l ? ",%u" : "%u", f->live[l].obs.stopped);
    sv_puts(&b, "],\"speed\":[");
    for (size_t l = 0; l < f->n_lanes; l++) {
        if (l) sv_put(&b, ",", 1);
        sv_printf(&b, "%.2f", f->live[l].obs.mean_speed);
    }
    sv_puts(&b, "],\"occupancy\":[");
    for (size_t l = 0; l < f->n_lanes; l++) {
        if (l) sv_put(&b, ",", 1);
        sv_printf(&b, "%.3f", f->live[l].obs.occupancy);
    }
    pthread_mutex_unlock(&f->live_lock);
    sv_puts(&b, "]},\"signals\":[");
    const cb_site *sites = cb_signals_sites(f->sig);
    double fs = s->cfg.field == CBSV_FIELD_TWIN ? field_seconds(f) : (double)sv_wall_ms() / 1000.0;
    for (size_t i = 0; i < f->n_sites; i++) {
        cb_site_obs o;
        cb_signals_status(f->sig, i, &o);
        const sv_site_ctl *sc = &f->site[i];
        sv_puts(&b, i ? ",{\"intersection\":" : "{\"intersection\":");
        sv_str(&b, sites[i].id);
        sv_printf(&b, ",\"phase\":%d,\"green\":%d,\"state\":\"%s\",\"plan\":", o.phase, o.green, state_name(o.state));
        sv_str(&b, sc->override_phase >= 0 ? "override" : f->plans[sc->plan].name);
        if (sc->override_phase >= 0) {
            sv_puts(&b, ",\"override_remaining\":");
            sv_num(&b, sc->override_until - fs);
        }
        sv_puts(&b, "}");
    }
    sv_puts(&b, "]}");
    sv_snap *snap = calloc(1, sizeof *snap);
    if (!snap) {
        sv_buf_free(&b);
        return;
    }
    snap->json = sv_take(&b, &snap->len);
    if (!snap->json) {
        free(snap);
        return;
    }
    snap->refs = 1;
    if (event) sv_events_push(&s->events, "state", strdup(snap->json));
    pthread_mutex_lock(&f->snap_lock);
    sv_snap *old = f->snap;
    f->snap = snap;
    pthread_mutex_unlock(&f->snap_lock);
    sv_snap_release(f, old);
}

typedef CBU_VEC(cbs_kpi) kpi_vec;

static void store_kpis(sv_field *f, kpi_vec *out)
{
    cb_metrics m;
    cb_engine_metrics(f->e, &m);
    cbs_kpi k = { field_now_ms(f), field_seconds(f), m.created, m.finished, m.running, m.waiting,
                  m.engine_att, m.published_att, 0, 0 };
    double vsum = 0;
    int64_t vn = 0;
    pthread_mutex_lock(&f->live_lock);
    for (size_t l = 0; l < f->n_lanes; l++) {
        vsum += f->live[l].obs.mean_speed * f->live[l].obs.count;
        vn += f->live[l].obs.count;
        k.queue += f->live[l].obs.stopped;
    }
    pthread_mutex_unlock(&f->live_lock);
    k.mean_speed = vn ? vsum / (double)vn : 0;
    cbu_vec_push(out, k);
}

/*--- the thread --------------------------------------------------------------------------------*/

static int field_step(sv_field *f, decision_vec *dv, kpi_vec *kv, cb_error *err)
{
    bool twin = f->srv->cfg.field == CBSV_FIELD_TWIN;
    double now = twin ? field_seconds(f) : (double)sv_wall_ms() / 1000.0;
    int rc;
    if ((rc = cb_signals_update(f->sig, f->e, err))) return rc;
    decide_due(f, now);
    if ((rc = cb_signals_update(f->sig, f->e, err))) return rc;
    record_decisions(f, dv);
    if (twin && (rc = cb_engine_step(f->e, err))) return rc;
    cb_signals_tick(f->sig);
    f->step++;
    __atomic_store_n(&f->now_ms, field_now_ms(f), __ATOMIC_RELAXED);
    if (twin) {
        sample_detectors(f);
        sv_ops_step(f);
        double fs = field_seconds(f);
        if (fs >= f->next_kpi) {
            store_kpis(f, kv);
            f->next_kpi = fs + f->srv->cfg.kpi_period;
        }
        double loop = f->srv->cfg.loop_seconds;
        if (loop > 0 && cb_engine_time(f->e) >= loop - 1e-9) {
            /* A new day of the same demand; field time runs on. */
            f->sim_offset += cb_engine_time(f->e);
            cb_engine_reset(f->e, false);
            sv_ops_restart(f);
        }
    }
    return CB_OK;
}

/* Decisions and KPIs reach the store in one transaction per publication
 * (five a second at most): a sync per decision would slow the twin down. */
static void flush_record(sv_field *f, decision_vec *dv, kpi_vec *kv)
{
    cbs_record(f->srv->store, dv->a, dv->n, kv->a, kv->n, NULL);
    dv->n = 0;
    kv->n = 0;
}

static void *field_main(void *arg)
{
    sv_field *f = arg;
    cbsv_server *s = f->srv;
    bool twin = s->cfg.field == CBSV_FIELD_TWIN;
    double speed = s->cfg.speed;
    double dt = cb_engine_interval(f->e);
    double w0 = mono(), sim0 = field_seconds(f);
    double last_pub = 0, last_event = 0, last_maint = mono(), rate_t = w0, rate_sim = sim0, rate = 0;
    decision_vec dv = { 0 };
    kpi_vec kv = { 0 };
    while (!f->stop) {
        take_commands(f, twin ? rate : 1);
        double w = mono();
        bool stepped = false;
        if (twin) {
            /* Step while the twin is behind its schedule, for at most 50 ms
             * at a time so commands and publishing stay responsive. */
            double t_end = w + 0.05;
            while (!f->stop && mono() < t_end) {
                double target = speed > 0 ? sim0 + speed * (mono() - w0) : INFINITY;
                if (field_seconds(f) + dt > target + 1e-9) break;
                cb_error err;
                if (field_step(f, &dv, &kv, &err)) {
                    f->stop = 1;
                    break;
                }
                stepped = true;
            }
            /* Behind after a busy spell: catch up over the next steps, but
             * never by more than 10 s of wall time, so a long stall (a
             * suspended laptop) does not make the twin race for minutes. */
            if (speed > 0 && sim0 + speed * (mono() - w0) - field_seconds(f) > 10 * speed) {
                w0 = mono();
                sim0 = field_seconds(f);
            }
        } else if (w - last_event >= 1.0) {
            cb_error err;
            field_step(f, &dv, &kv, &err);
            stepped = true;
        }
        w = mono();
        if (w - rate_t >= 1.0) {
            rate = (field_seconds(f) - rate_sim) / (w - rate_t);
            rate_t = w;
            rate_sim = field_seconds(f);
        }
        if (w - last_pub >= 0.2 || w - last_event >= 1.0) {
            bool ev = w - last_event >= 1.0;
            publish_state(f, twin ? rate : 1, ev);
            flush_record(f, &dv, &kv);
            last_pub = w;
            if (ev) last_event = w;
        }
        if (w - last_maint >= 60) {
            cbs_maintain(s->store, field_now_ms(f), NULL, NULL);
            last_maint = w;
        }
        if (!stepped) {
            struct timespec ts = { 0, 5 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }
    flush_record(f, &dv, &kv);
    cbu_vec_free(&dv);
    cbu_vec_free(&kv);
    take_commands(f, rate);     /* answer whoever waits */
    return NULL;
}

int sv_field_start(cbsv_server *s, cb_error *err)
{
    sv_field *f = &s->field;
    /* A state exists before the listener opens: GET /state never 409s. */
    publish_state(f, 0, true);
    pthread_mutex_lock(&f->cmd_lock);
    f->started = true;
    pthread_mutex_unlock(&f->cmd_lock);
    if (pthread_create(&f->thread, NULL, field_main, f) != 0) {
        f->started = false;
        return cbu_err(err, CB_ENOMEM, "cannot start the field thread");
    }
    return CB_OK;
}

void sv_field_stop(cbsv_server *s)
{
    sv_field *f = &s->field;
    if (!f->started) return;
    pthread_mutex_lock(&f->cmd_lock);
    f->stop = 1;
    pthread_mutex_unlock(&f->cmd_lock);
    pthread_join(f->thread, NULL);
    f->started = false;
    /* commands that arrived after the thread's last look */
    pthread_mutex_lock(&f->cmd_lock);
    for (sv_cmd *c = f->cmds; c; c = c->next) {
        c->status = cbu_err(&c->err, CB_ESTATE, "the server is stopping");
        c->done = true;
    }
    f->cmds = NULL;
    pthread_cond_broadcast(&f->cmd_cond);
    pthread_mutex_unlock(&f->cmd_lock);
}
