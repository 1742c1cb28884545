/* cli_ops.c -- the field-operations options of `citybrain run` and the loop
 * they select (cli_ops.h). */
#include "cli_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { OPS_EV = CLI_OPS_FIRST, OPS_INCIDENT, OPS_EVENTS, OPS_NO_PREEMPT, OPS_LOOP_SPACING };

const cli_opt cli_ops_opts[] = {
    { OPS_EV, "ev", 0, "ORIGIN:DEST@T", "dispatch an emergency vehicle from road ORIGIN to road DEST at T s "
      "(repeatable)", NULL },
    { OPS_INCIDENT, "incident", 0, "ROAD:LANE:POS@T0-T1", "block lane LANE of ROAD at POS m from T0 to T1 s "
      "(repeatable; -T1 may be left out)", NULL },
    { OPS_EVENTS, "events", 0, "FILE", "emergency vehicles and incidents from a JSON file (docs/emergency.md)", NULL },
    { OPS_NO_PREEMPT, "no-preempt", 0, NULL, "route emergency vehicles but hold no greens for them", NULL },
    { OPS_LOOP_SPACING, "loop-spacing", 0, "M", "incident detection with mid-block loops every M metres too "
      "(docs/incidents.md)", "0: lane ends only" },
    { 0, NULL, 0, NULL, NULL, NULL }
};

bool cli_ops_args_init(cli_ops_args *a, int argc)
{
    memset(a, 0, sizeof *a);
    a->cap = argc > 0 ? argc : 1;
    a->ev = calloc((size_t)a->cap, sizeof *a->ev);
    a->incident = calloc((size_t)a->cap, sizeof *a->incident);
    if (a->ev && a->incident) return true;
    cli_ops_args_free(a);
    fprintf(stderr, "citybrain: out of memory\n");
    return false;
}

void cli_ops_args_free(cli_ops_args *a)
{
    free(a->ev);
    free(a->incident);
    a->ev = a->incident = NULL;
}

int cli_ops_apply(cli_parser *p, int id, cli_ops_args *a)
{
    switch (id) {
    case OPS_EV:
        if (a->n_ev < a->cap) a->ev[a->n_ev++] = p->value;
        return 1;
    case OPS_INCIDENT:
        if (a->n_incident < a->cap) a->incident[a->n_incident++] = p->value;
        return 1;
    case OPS_EVENTS: a->events = p->value; return 1;
    case OPS_NO_PREEMPT: a->no_preempt = true; return 1;
    case OPS_LOOP_SPACING:
        if (!cli_value_double(p, 0, 10000, &a->loop_spacing)) return CLI_BAD;
        if (a->loop_spacing > 0 && a->loop_spacing < 10)
            return cli_usage_error(p->cmd, "--loop-spacing: 0 (none) or at least 10 m, not %g", a->loop_spacing),
                   CLI_BAD;
        return 1;
    default: return 0;
    }
}

static bool wanted(const cli_ops_args *a)
{
    return a && (a->n_ev || a->n_incident || a->events || a->loop_spacing > 0);
}

int cli_loop_open(cli_loop *l, cb_engine *e, const char *controller, cb_params *params, const cli_ops_args *a,
                  cb_error *err)
{
    memset(l, 0, sizeof *l);
    if (!wanted(a)) return cb_control_open(e, controller, params, &l->ctl, err);
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.preempt = !a->no_preempt;
    cfg.loop_spacing_m = a->loop_spacing;
    if (strcmp(controller, "fixed") == 0 && (a->n_ev || a->events) && !a->no_preempt)
        fprintf(stderr, "citybrain: note: the roadnet's own plans cannot be preempted; emergency vehicles are "
                        "routed only (preemption needs a controller, e.g. --control fixedtime)\n");
    int rc = cb_opsloop_open(e, controller, params, &cfg, &l->ops, err);
    cb_ops *o = rc ? NULL : cb_opsloop_ops(l->ops);
    for (int k = 0; !rc && k < a->n_ev; k++) rc = cb_ops_parse_ev(o, a->ev[k], NULL, err);
    for (int k = 0; !rc && k < a->n_incident; k++) rc = cb_ops_parse_incident(e, a->incident[k], NULL, err);
    if (!rc && a->events) rc = cb_ops_load_events(o, a->events, err);
    if (rc) cli_loop_close(l);
    return rc;
}

int cli_loop_step(cli_loop *l, cb_error *err)
{
    return l->ops ? cb_opsloop_step(l->ops, err) : cb_control_step(l->ctl, err);
}

const char *cli_loop_name(const cli_loop *l) { return l->ops ? cb_opsloop_name(l->ops) : cb_control_name(l->ctl); }

void cli_loop_stats(const cli_loop *l, cb_control_stats *st)
{
    if (l->ops) cb_opsloop_stats(l->ops, st);
    else cb_control_stats_get(l->ctl, st);
}

void cli_loop_close(cli_loop *l)
{
    cb_opsloop_close(l->ops);
    cb_control_close(l->ctl);
    l->ops = NULL;
    l->ctl = NULL;
}

/*--- the report ---------------------------------------------------------------------*/

static const char *state_name(cb_ev_state s)
{
    switch (s) {
    case CB_EV_SCHEDULED: return "scheduled";
    case CB_EV_ENROUTE: return "en route";
    case CB_EV_ARRIVED: return "arrived";
    default: return "failed";
    }
}

static const char *road_id(const cb_engine *e, size_t r)
{
    const char *id = r < cb_engine_road_count(e) ? cb_engine_road_id(e, r) : NULL;
    return id ? id : "?";
}

/* A JSON string: ids come from input files and may hold anything. */
static void str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

void cli_loop_report_table(const cli_loop *l, const cb_engine *e, FILE *f)
{
    if (!l->ops) return;
    const cb_ops *o = cb_opsloop_ops(l->ops);
    fprintf(f, "%-20s %lld steps with a green held\n", "preemption", (long long)cb_opsloop_held_steps(l->ops));
    for (size_t k = 0; k < cb_ops_ev_count(o); k++) {
        cb_ev_status s;
        if (cb_ops_ev(o, k, &s, NULL)) continue;
        char label[32];
        snprintf(label, sizeof label, "emergency %zu", k);
        fprintf(f, "%-20s %s -> %s at %g s: %s", label, road_id(e, s.origin), road_id(e, s.destination), s.dispatch,
                state_name(s.state));
        if (s.state == CB_EV_ARRIVED || s.state == CB_EV_ENROUTE)
            fprintf(f, ", %.0f s%s (free flow %.0f s), %d stops, %d holds, %d re-plans", s.travel_time,
                    s.state == CB_EV_ENROUTE ? " so far" : "", s.free_flow, s.stops, s.preemptions, s.replans);
        if (s.state == CB_EV_FAILED) fprintf(f, ": %s", s.note);
        fputc('\n', f);
    }
    for (size_t k = 0; k < cb_ops_alert_count(o); k++) {
        cb_alert a;
        if (cb_ops_alert(o, k, &a, NULL)) continue;
        char label[32];
        snprintf(label, sizeof label, "incident alert %zu", k);
        fprintf(f, "%-20s %s lane %d, %s: since ~%.0f s, raised %.0f s, ", label, road_id(e, a.road), a.lane_index,
                a.where, a.start, a.raised);
        if (a.cleared >= 0) fprintf(f, "cleared %.0f s", a.cleared);
        else fprintf(f, "active");
        fprintf(f, ", confidence %.2f\n", a.confidence);
    }
    if (!cb_ops_alert_count(o)) fprintf(f, "%-20s none\n", "incident alerts");
}

static void num(FILE *f, const char *key, double v)
{
    char b[32];
    if (isfinite(v)) cli_fmt_double(b, v);
    else snprintf(b, sizeof b, "null");
    fprintf(f, ", \"%s\": %s", key, b);
}

void cli_loop_report_json(const cli_loop *l, const cb_engine *e, FILE *f)
{
    if (!l->ops) return;
    const cb_ops *o = cb_opsloop_ops(l->ops);
    fprintf(f, ", \"preemption_steps\": %lld, \"emergency\": [", (long long)cb_opsloop_held_steps(l->ops));
    for (size_t k = 0; k < cb_ops_ev_count(o); k++) {
        cb_ev_status s;
        if (cb_ops_ev(o, k, &s, NULL)) continue;
        fprintf(f, "%s{\"origin\": ", k ? ", " : "");
        str(f, road_id(e, s.origin));
        fputs(", \"destination\": ", f);
        str(f, road_id(e, s.destination));
        fprintf(f, ", \"state\": \"%s\"", state_name(s.state));
        num(f, "dispatch", s.dispatch);
        num(f, "start", s.start >= 0 ? s.start : NAN);
        num(f, "arrival", s.arrival >= 0 ? s.arrival : NAN);
        num(f, "travel_time", s.state == CB_EV_SCHEDULED || s.state == CB_EV_FAILED ? NAN : s.travel_time);
        num(f, "free_flow", s.free_flow);
        num(f, "stopped_time", s.stopped_time);
        fprintf(f, ", \"stops\": %d, \"preemptions\": %d, \"replans\": %d}", s.stops, s.preemptions, s.replans);
    }
    fputs("], \"alerts\": [", f);
    for (size_t k = 0; k < cb_ops_alert_count(o); k++) {
        cb_alert a;
        if (cb_ops_alert(o, k, &a, NULL)) continue;
        fprintf(f, "%s{\"road\": ", k ? ", " : "");
        str(f, road_id(e, a.road));
        fprintf(f, ", \"lane\": %d, \"where\": \"%s\"", a.lane_index, a.where);
        num(f, "start", a.start);
        num(f, "raised", a.raised);
        num(f, "cleared", a.cleared >= 0 ? a.cleared : NAN);
        num(f, "confidence", a.confidence);
        fputc('}', f);
    }
    fputs("], \"incidents\": [", f);
    for (size_t k = 0; k < cb_engine_incident_count(e); k++) {
        cb_incident in;
        if (cb_engine_incident(e, k, &in, NULL)) continue;
        fprintf(f, "%s{\"road\": ", k ? ", " : "");
        str(f, road_id(e, cb_engine_lane_road(e, in.lane)));
        fprintf(f, ", \"lane\": %d", cb_engine_lane_index(e, in.lane));
        num(f, "position", in.position);
        num(f, "start", in.t0);
        num(f, "end", in.t1 >= 0 ? in.t1 : NAN);
        fputc('}', f);
    }
    fputc(']', f);
}
