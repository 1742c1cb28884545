/* citybrain_ops.h -- field operations on the twin: what the city's loop
 * detectors tell (live travel times, incidents) and emergency vehicles that
 * get green waves.
 *
 * Same conventions as citybrain.h (int status, cb_error, stated ownership).
 * docs/emergency.md and docs/incidents.md describe the methods; this header
 * is the contract.
 *
 *   cb_ops      the operations of one engine, without a signal loop of its
 *               own: after every step it reads every lane's two loops, keeps
 *               travel-time estimates, runs incident detection, follows the
 *               emergency vehicles (routing, re-planning) and says which
 *               green each signal should hold for them.  The HTTP service
 *               plugs it into its own field loop.
 *   cb_opsloop  the closed loop for offline runs and benchmarks: the engine,
 *               the signal safety layer, a controller and a cb_ops, where a
 *               preemption hold replaces the controller at that site.
 *
 * What the operations may see (the privacy line of citybrain): aggregate
 * loop readings (counts, occupancy, speeds), the signals' own state, the
 * static road network, and the emergency vehicles -- the public fleet, the
 * only vehicles citybrain follows by id.  Never another vehicle's id,
 * position or route, and never the twin's hidden state (incidents included:
 * the detector learns of them only through the loops). */
#ifndef CITYBRAIN_OPS_H
#define CITYBRAIN_OPS_H

#include "citybrain.h"

#ifdef __cplusplus
extern "C" {
#endif

/*--- Configuration ------------------------------------------------------------*/

typedef struct cb_ops_config {
    /* Detectors on every lane (docs/incidents.md): an entry loop and a
     * stop-bar detector, a presence zone over the lane's last stopline_m
     * metres that counts vehicles at its upstream edge. */
    double entry_m;           /* entry loop, m after the lane start (5) */
    double stopline_m;        /* stop-bar detector length, m (15) */
    double loop_spacing_m;    /* mid-block loops every so many metres after
                                 the entry loop (0: none, the default) */
    /* Incident detection (docs/incidents.md). */
    bool incidents;           /* detect (true) */
    double inc_stretch;       /* a vehicle is due at the stop line after its
                                 free run from the entry loop times
                                 1 + inc_stretch (0.05) ... */
    double inc_slack;         /* ... plus inc_slack seconds (1) */
    double inc_quiet;         /* s of a silent, empty stop-line loop (4) */
    double inc_block;         /* s of green with the stop-line loop covered
                                 and nobody leaving (40); also the longest a
                                 queue downstream explains a silent one */
    /* Emergency vehicles (docs/emergency.md). */
    bool preempt;             /* hold greens for them (true) */
    double replan;            /* s between re-plans en route (10) */
    double headway;           /* s per queued vehicle when a queue clears (2) */
    double margin;            /* s of extra lead before the ETA (4) */
    double max_hold;          /* s one site may be held for one vehicle (120) */
    cb_vehicle_params ev;     /* the vehicle: cb_vehicle_params_init's, with
                                 speed_factor 1.5 (lights and siren: it may
                                 drive at 1.5 times the limit) and max_speed
                                 22.22 m/s (80 km/h) */
} cb_ops_config;

void cb_ops_config_init(cb_ops_config *c);

/*--- Operations on one engine ---------------------------------------------------*/

/* Created by cb_ops_open after the engine (it enables the engine's loops),
 * closed before it.  Not thread-safe: one thread steps and calls it. */
typedef struct cb_ops cb_ops;

int cb_ops_open(cb_engine *e, const cb_ops_config *cfg, cb_ops **out, cb_error *err);
void cb_ops_close(cb_ops *o);

/* Call between steps (once before the first step, then after each):
 * reads and resets every lane's loops, updates the travel-time estimates,
 * runs incident detection, then handles the emergency vehicles: finds the
 * ones that arrived, pushes those whose dispatch time has come, re-plans
 * the ones under way.  `sig` (may be NULL: no preemption) is the safety
 * layer the holds will be requested through. */
int cb_ops_update(cb_ops *o, const cb_signals *sig, cb_error *err);

/* The twin restarted (cb_engine_reset): forget the vehicles between the
 * loops and the active alerts (cleared now); EVs under way are lost. */
void cb_ops_restart(cb_ops *o);

/* Per site of `sig`: the green to hold for an emergency vehicle, or -1.
 * `hold` has cb_signals_site_count(sig) entries (caller owns).  The caller
 * requests these phases through cb_signals_request instead of asking the
 * controller, so minimum green and yellow still apply.  Valid until the
 * next cb_ops_update. */
void cb_ops_holds(const cb_ops *o, int *hold);

/*--- Live travel times ------------------------------------------------------------*/

/* Estimated seconds from the start of `road` to the start of `next` (an
 * adjacent road), from loop data only: the time to run the lanes of that
 * movement plus the queue delay by Little's law.  CB_EINVAL if `next` does
 * not follow `road`. */
int cb_ops_travel_time(const cb_ops *o, size_t road, size_t next, double *seconds, cb_error *err);

/* The fastest route on the live estimates, from road `from` to road `to`
 * (both included).  *roads (caller owns, free()) gets the road indices,
 * *n their number; *seconds (may be NULL) the estimated time.  Ends are
 * roads, so a route starts on `from` and finishes at the end of `to`. */
int cb_ops_route(const cb_ops *o, size_t from, size_t to, size_t **roads, size_t *n, double *seconds,
                 cb_error *err);

/*--- Emergency vehicles -------------------------------------------------------------*/

typedef enum cb_ev_state {
    CB_EV_SCHEDULED = 0,      /* dispatch time not reached */
    CB_EV_ENROUTE = 1,        /* pushed: waiting to enter or driving */
    CB_EV_ARRIVED = 2,        /* left the end of its destination road */
    CB_EV_FAILED = 3          /* could not be routed or pushed (see note) */
} cb_ev_state;

typedef struct cb_ev_status {
    cb_ev_state state;
    size_t origin, destination;   /* roads */
    double dispatch;          /* requested time, s */
    double start;             /* pushed at, s (-1 before) */
    double arrival;           /* s (-1 before) */
    double travel_time;       /* arrival - start, or time so far */
    double planned;           /* the first plan's estimated seconds */
    double free_flow;         /* s the roads it drove take at its top speed
                                 (the limit times ev.speed_factor,
                                 at most ev.max_speed),
                                 crossings excluded: what no signal delays */
    char vehicle[48];         /* the engine's id ("manually_pushed_0"), "" before */
    size_t road;              /* road it is on, (size_t)-1 off a road */
    int replans;              /* route changes while under way */
    int preemptions;          /* sites that held a green for it */
    int stops;                /* times it came to a standstill (< 0.1 m/s) */
    double stopped_time;      /* s spent below 0.1 m/s after entering */
    char note[160];           /* why it failed, else "" */
} cb_ev_status;

/* Dispatch an emergency vehicle from the start of road `origin` to the end
 * of road `destination` at simulated time `time` (>= now; it is pushed at
 * the first update at or after it).  *id (may be NULL) gets its index. */
int cb_ops_dispatch(cb_ops *o, size_t origin, size_t destination, double time, size_t *id, cb_error *err);
size_t cb_ops_ev_count(const cb_ops *o);
int cb_ops_ev(const cb_ops *o, size_t id, cb_ev_status *out, cb_error *err);

/*--- Incident alerts ----------------------------------------------------------------*/

typedef struct cb_alert {
    size_t road;              /* road index */
    size_t lane;              /* global lane index */
    int lane_index;           /* within the road, 0 = innermost */
    const char *where;        /* "between the loops", "at the stop line",
                                 "at the lane start" or "between mid-block
                                 loops" (static) */
    double from_m, to_m;      /* "between mid-block loops": the obstacle is
                                 between these metres from the lane start;
                                 otherwise 0, 0 */
    double start;             /* estimated start of the incident, s */
    double raised;            /* when the alert was raised, s */
    double cleared;           /* when it was cleared, s; -1 while active */
    double confidence;        /* 0..1 when raised */
    int vehicles;             /* vehicles held up behind it when raised */
} cb_alert;

/* Alerts in the order raised, each raised once and cleared once. */
size_t cb_ops_alert_count(const cb_ops *o);
int cb_ops_alert(const cb_ops *o, size_t k, cb_alert *out, cb_error *err);

/* Alert events in order: *cursor (start at 0) advances past each returned
 * event.  Returns true and fills *k (the alert) and *raised (true: raised,
 * false: cleared) while there is one. */
bool cb_ops_alert_next(const cb_ops *o, uint64_t *cursor, size_t *k, bool *raised);

/*--- Scenario files ----------------------------------------------------------------------*/

/* Read a scenario of field events (JSON, docs/emergency.md):
 *   {"emergency": [{"origin": "road_0_1_0", "destination": "road_3_2_2", "time": 300}],
 *    "incidents": [{"road": "road_1_1_0", "lane": 1, "position": 150,
 *                   "start": 600, "end": 1500}]}
 * Emergency vehicles are dispatched through `o`; incidents are injected
 * into the engine (the detector is not told).  Errors name the file and
 * JSON path. */
int cb_ops_load_events(cb_ops *o, const char *path, cb_error *err);

/* The same parsers for one event as the command line and the API give it:
 *   ev:       "ORIGIN:DESTINATION@TIME" (road ids, seconds)
 *   incident: "ROAD:LANE:POSITION@START-END" (END may be omitted: open-ended) */
int cb_ops_parse_ev(cb_ops *o, const char *text, size_t *id, cb_error *err);
int cb_ops_parse_incident(cb_engine *e, const char *text, size_t *id, cb_error *err);

/*--- The closed loop for offline runs -----------------------------------------------------*/

/* Engine + safety layer + controller + operations, like cb_control, with
 * one difference: at a site where an emergency vehicle needs a green, the
 * hold is requested instead of the controller's decision (through the
 * safety layer), and the controller decides again as soon as it ends.
 * Controller "fixed" runs the engine's own plans: then nothing can be
 * preempted (EVs still get live routes).  Created after the engine (opened
 * with external signals unless "fixed"), closed before it. */
typedef struct cb_opsloop cb_opsloop;
int cb_opsloop_open(cb_engine *e, const char *controller, cb_params *params, const cb_ops_config *cfg,
                    cb_opsloop **out, cb_error *err);
int cb_opsloop_step(cb_opsloop *l, cb_error *err);
cb_ops *cb_opsloop_ops(cb_opsloop *l);                 /* borrowed */
const cb_signals *cb_opsloop_signals(const cb_opsloop *l); /* NULL for "fixed" */
const char *cb_opsloop_name(const cb_opsloop *l);       /* resolved controller */
/* The same statistics as cb_control_stats_get. */
void cb_opsloop_stats(const cb_opsloop *l, cb_control_stats *out);
/* Steps (so far) in which at least one site was held for an EV. */
int64_t cb_opsloop_held_steps(const cb_opsloop *l);
void cb_opsloop_close(cb_opsloop *l);

#ifdef __cplusplus
}
#endif
#endif /* CITYBRAIN_OPS_H */
