/* sim.h -- the engine's internal state: vehicles, drivables, signals.
 *
 * Semantics follow ../shared/docs/cityflow-semantics.md; docs/engine.md
 * explains each rule as implemented and where we chose differently.
 *
 * Data layout (docs/ARCHITECTURE.md, "Why arrays of vehicles per lane").
 * A vehicle's hot state -- position, speed, type and its next drivable --
 * lives in a 48-byte sim_slot stored *inside the array of the drivable it
 * is on*, front vehicle first.  The step walks each busy drivable's array
 * from front to back, so a vehicle's leader is the slot just before it in
 * memory and the whole car-following pass streams through contiguous
 * memory.  Crossing to the next drivable moves the slot (a 48-byte copy,
 * about once every 20 steps per vehicle).  What is rarely needed (route,
 * creation time, ids, published-ATT bookkeeping) stays in a per-vehicle
 * sim_veh record in the pool, indexed by the slot's `vid`.
 *
 * Only drivables that hold vehicles are visited ("active" list), so an
 * empty part of the city costs nothing per step; conflict points are
 * examined lazily by the vehicles that approach them.
 *
 * Determinism.  Within a step every decision reads the state at the start
 * of the step and writes only its own slot; vehicles that change drivable
 * are gathered and appended in an order that depends on positions and
 * vehicle indices only; sums are kept in integers (steps).  Hence results
 * are bit-identical for any thread count.  The RNG is used only in serial
 * code (vehicle creation). */
#ifndef CB_SIM_H
#define CB_SIM_H

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "citybrain.h"
#include "../net/net.h"
#include "../util/err.h"
#include "../util/rng.h"

#define SIM_NONE UINT32_MAX
/* In the blocker arrays: held before the junction, yielding to nobody (a
 * vehicle that will not pass is no foe; SUMO's willPass = false). */
#define SIM_HELD (UINT32_MAX - 1)
/* In the blocker arrays, SIM_FOLLOW | v: standing behind vehicle v (a SUMO
 * driver stopped by the vehicle ahead, yielding to nobody), a link in the
 * chain deadlock breaking follows; with SIM_AT_LINK too, the front vehicle
 * of a lane standing so at a green link, or held there until the exit's
 * last vehicle v makes room, which is held as SIM_HELD is.
 * Vehicle indices stay below SIM_AT_LINK. */
#define SIM_FOLLOW 0x80000000u
#define SIM_AT_LINK 0x40000000u
static inline bool sim_blocker_follows(uint32_t b) { return b < SIM_HELD && (b & SIM_FOLLOW); }
static inline uint32_t sim_blocker_vehicle(uint32_t b) { return b & ~(SIM_FOLLOW | SIM_AT_LINK); }
static inline bool sim_blocker_held(uint32_t b) { return b == SIM_HELD || (b < SIM_HELD && (b & SIM_AT_LINK)); }
/* The next vehicle in the chain from a blocker entry (>= SIM_HELD: none). */
static inline uint32_t sim_blocker_next(uint32_t b) { return sim_blocker_follows(b) ? sim_blocker_vehicle(b) : b; }

/* Constants of the vehicle model that CityFlow does not read from files. */
#define SIM_YIELD_DISTANCE 5.0      /* m, how far before a conflict a yielding vehicle stops */
#define SIM_TURN_SPEED 8.3333       /* m/s, speed limit when approaching a turn */
#define SIM_WAITING_SPEED 0.1       /* m/s, below this a vehicle counts as waiting */
#define SIM_CANENTER_SPEED 2.0      /* m/s, a lane whose tail moves this fast can be entered */
#define SIM_MINOR_GAP 1.0           /* s, SUMO's time gap a yielding vehicle leaves before a foe */
#define SIM_MERGE_PATIENCE 60.0     /* s inside a fan-out link before it merges in turn (ours) */

/* A vehicle on a drivable.  Invariant: in sim_drv.v[0..n), slots are in
 * the order vehicles arrived (front first); positions normally decrease
 * along the array, but the model does not forbid overlap. */
typedef struct sim_slot {
    double dist;           /* front bumper, metres from the drivable's start */
    double speed;          /* m/s at the start of the step */
    double nspeed;         /* speed chosen this step (phase A) */
    double ndist;          /* position after this step; > length means it moves on */
    uint32_t vid;          /* index into sim_engine.veh */
    uint32_t next;         /* next drivable on its path, SIM_NONE if the route ends here */
    uint32_t prev;         /* drivable it came from, SIM_NONE if it entered from the queue */
    uint16_t vtype;        /* index into sim_engine.vtypes */
    uint16_t flags;        /* SIM_SLOT_* */
} sim_slot;

#define SIM_PUB_SLOTS 8    /* intersections a route may have "open" (left, to come back
                              to) at once; the data need 6; beyond, a visit counts alone */

#define SIM_SLOT_CUSTOM_SPEED 1u  /* sim_veh.custom_speed applies this step */
#define SIM_SLOT_SHADOW 2u        /* the copy of a lane-changing vehicle in its target lane */
#define SIM_SLOT_DROP 4u          /* the original of a finished lane change: removed in phase B */

/* 16 bytes, so that the counts the conflict checks read for many lane links
 * stay in cache on a 10,000-intersection city; what the step touches once
 * per drivable lives in sim_drv_aux. */
typedef struct sim_drv {
    sim_slot *v;           /* vehicles on it, front first (malloc'ed, grows) */
    uint32_t n, cap;
} sim_drv;

typedef struct sim_drv_aux {
    double length;         /* copy of the network's */
    int64_t arrived_step;  /* step of the last merge that appended to it */
    uint32_t arrived;      /* vehicles that merge appended (they are the last ones) */
    uint32_t active_pos;   /* position in the active list, SIM_NONE if idle */
} sim_drv_aux;

/* Entering queue of a lane: a FIFO of vehicle indices. */
typedef struct sim_queue {
    uint32_t *q;
    uint32_t head, n, cap; /* entries q[head .. head+n) */
} sim_queue;

enum { SIM_VEH_FREE = 0, SIM_VEH_QUEUED, SIM_VEH_RUNNING };

/* Per-vehicle record; cold data only. */
typedef struct sim_veh {
    uint8_t state;         /* SIM_VEH_* */
    uint8_t pub_has;       /* has completed at least one published-ATT pair */
    uint16_t vtype;
    uint32_t flow;         /* creating flow, SIM_NONE if pushed through the API */
    uint32_t seq;          /* k of "flow_<flow>_<k>" */
    uint32_t route;        /* index into sim_engine.routes */
    uint32_t route_pos;    /* index in the route of the road it is on, or
                              enters when on a lane link */
    uint32_t drv;          /* current drivable (RUNNING), first lane (QUEUED) */
    uint32_t priority;     /* random, breaks the last ties at conflicts */
    int64_t create_step;   /* step at which a flow created it */
    int64_t enter_link_step; /* step it entered its current/last lane link */
    int64_t stand_step;    /* on a lane before an all-way stop (net_lane.allway,
                              SUMO inputs): the first step of its current stand
                              (speed <= SIM_WAITING_SPEED), meaningful while it
                              stands there; written only between phases A and
                              B (sim_step.c) and at insertion, so phase A may
                              read anyone's */
    int64_t pub_enter_step;  /* step+1 it appeared on a signal's incoming lanes, -1 if not there */
    int32_t pub_leave[SIM_PUB_SLOTS]; /* when it last left an intersection it will
                                         come back to; slots per route (sim_pub.c) */
    double custom_speed;   /* set_vehicle_speed target, < 0: none */
    double depart_speed;   /* speed when it enters its first lane (pushed vehicles) */
    uint32_t lc_lane;      /* target lane of a lane change in progress, SIM_NONE if none */
    double lc_offset;      /* metres moved sideways so far */
    int64_t lc_done_step;  /* step its last lane change finished */
    int64_t lc_pub_enter;  /* published ATT of its shadow: step+1 it appeared */
    uint8_t lc_pub_counted;/* its shadow already counted as a published vehicle */
    /* SUMO-style trip statistics (sim_trips.c), kept when trip_stats is on */
    uint8_t trip_stuck;    /* was stopped longer than SIM_JAM_SECONDS */
    int64_t insert_step;   /* step it entered its first lane */
    int64_t trip_wait;     /* steps at or below SIM_WAITING_SPEED */
    int64_t trip_stop_run; /* ... in a row, up to now */
    int64_t trip_max_run;  /* longest such run */
    double trip_loss;      /* seconds lost to driving below the allowed speed */
} sim_veh;

#define SIM_JAM_SECONDS 300.0       /* SUMO's time-to-teleport: a stop this long is a jam */

/* A full route, and what the published ATT needs to know about it: for
 * each position, the signalized intersection its road leads into (or
 * SIM_NONE) and whether that intersection was already visited earlier in
 * the route or will be visited again later (routes that loop). */
typedef struct sim_route {
    uint32_t *roads;       /* NULL: a free slot (API-added routes only) */
    uint32_t n;
    uint32_t refs;         /* API-added routes: vehicles that follow it; the
                              slot is freed for reuse when it drops to 0 */
    uint32_t *pub_inter;   /* per position */
    uint8_t *pub_flags;    /* per position: SIM_PUB_* */
    int8_t *pub_slot;      /* per position: its intersection's memo slot, -1 if none */
    /* A memo of net_next_link, which drivers ask for every step while they
     * look ahead and which depends only on the lane and the route: for
     * lane i of the road at position k, next_memo[memo_first[k] + i] is 1 +
     * the lane link sim_plan_next chose there, 0 until it was asked.
     * Filled by any worker (relaxed: two workers can only store the same
     * value). */
    uint32_t *memo_first;  /* per position; next_memo follows it in one block */
    _Atomic uint32_t *next_memo;
    uint8_t one_path;      /* trips: 0 not yet asked, 1 the road graph offers
                              no other way through this route's roads to its
                              end, 2 it may (sim_dynroute_one_path) */
} sim_route;

#define SIM_PUB_REVISIT 1u /* the intersection was visited before in this route */
#define SIM_PUB_LATER 2u   /* it will be visited again later */

/* Flow schedule state (CityFlow's Flow::nextStep with its accumulator). */
typedef struct sim_flow {
    double now_time;       /* accumulator: a vehicle is due when >= interval */
    uint32_t count;        /* vehicles created */
    uint32_t route;        /* index into routes */
    uint16_t vtype;
    bool active;           /* started, in the heap */
    bool done;             /* past endTime, or disabled */
    double depart_speed;   /* demand_flow's: 0, m/s, or DEMAND_DEPART_MAX */
    uint32_t depart_lane;  /* demand_flow's: lane index + 1, 0: the engine picks */
    double speed_mean, speed_dev;  /* demand_flow's: dev > 0, each vehicle draws its speed factor */
} sim_flow;

typedef struct sim_flow_event {
    int64_t step;          /* step at which the flow fires next */
    uint32_t flow;
} sim_flow_event;

/* A vehicle that leaves its drivable this step (phase B output). */
typedef struct sim_mover {
    sim_slot slot;         /* the slot as it will be on its new drivable */
    uint32_t dest;         /* new drivable, SIM_NONE: finished */
} sim_mover;

typedef struct sim_worker sim_worker;

/* A vehicle on `lane` that would like to move to lane `target`. */
typedef struct sim_lc_cand { uint32_t lane, vid, target; } sim_lc_cand;

/* Per-worker scratch and partial sums of a step; merged serially in a
 * fixed order (sums are integers, so the merge order cannot matter).
 * Aligned to its own cache lines: workers update these counters for every
 * drivable, and two workers' records sharing a line made two threads
 * slower than one. */
typedef struct sim_wctx {
    _Alignas(128) int64_t updates; /* vehicles decided (first: the hottest) */
    sim_mover *movers;     /* vehicles leaving their drivable */
    uint32_t n_movers, cap_movers;
    uint32_t *done;        /* vids that finished their route */
    uint32_t n_done, cap_done;
    int64_t pub_sum_steps, pub_count;
    int64_t stopped_approach;  /* stopped vehicles kept on signal approach lanes */
    uint32_t *link_left;       /* start lanes of lane links vehicles left (link_occ) */
    uint32_t n_link_left, cap_link_left;
    sim_lc_cand *lc;       /* lane-change wishes found this step */
    uint32_t n_lc, cap_lc;
    bool oom;              /* a scratch array could not grow */
} sim_wctx;

/* A point detector's running sums (sim_detect.c). */
typedef struct sim_det {
    uint32_t count;        /* vehicles whose front crossed the point */
    uint32_t occ_steps;    /* steps at whose end a vehicle covered the point */
    double speed_sum;      /* speeds of the crossing vehicles */
    int64_t occ_stamp;     /* last step counted in occ_steps */
    /* the same since the detectors were enabled, never reset, so that
     * several readers can each take their own differences */
    uint64_t total_count, total_occ_steps;
    double total_speed_sum;
} sim_det;

/* Incidents one engine keeps, cleared ones included (CB_ELIMIT beyond):
 * switching one on or off scans them all, and an API caller adding them
 * in a loop must not be able to slow the twin without bound.  A city-day
 * has tens. */
#define SIM_MAX_INCIDENTS 10000

/* A lane blocked at a position, from start_step to end_step. */
typedef struct sim_incident {
    uint32_t lane;
    double pos;            /* metres from the lane start: the obstacle's rear */
    int64_t start_step, end_step;  /* end_step < 0: until cleared */
    bool active, cleared;
} sim_incident;

/* Signal state of one intersection. */
typedef struct sim_signal {
    uint32_t phase;        /* local phase index */
    double remain;         /* seconds left in the fixed-time plan */
} sim_signal;

/* Per vehicle type: the numbers car following needs, with reciprocals
 * precomputed so the hot path has no divisions. */
typedef struct sim_vparam {
    double max_neg_acc, usual_neg_acc, min_gap;
    double inv_max_neg, inv_usual_neg;     /* 1/d */
    double inv_2max_neg, inv_2usual_neg;   /* 1/(2d) */
    double inv_headway;                     /* 1/(headwayTime + dt/2) */
    bool same_decel;                        /* maxNegAcc == usualNegAcc and minGap >= 0 */
    /* SUMO drivers (demand_flow): false, 0 and 1 for every CityFlow vehicle */
    bool krauss;                            /* Krauss safe speed, Euler position update */
    double sigma;                           /* Krauss dawdling */
    double speed_factor;                    /* times the lane's speed limit */
    double inv_kb, inv_dt;                  /* Krauss: 1/(decel dt), 1/dt */
    double inv_max_speed, inv_speed_factor; /* trip statistics: 1/maxSpeed, 1/speed_factor */
} sim_vparam;

typedef struct sim_engine {
    cb_net *net;
    double dt;             /* seconds per step */
    int64_t step;          /* steps done */
    bool lane_change;
    bool external_signals; /* phases change only through set_phase */
    cbu_rng rng;
    uint32_t seed;         /* what rng was seeded with */

    net_vtype *vtypes;     /* distinct vehicle types */
    uint32_t n_vtypes;

    sim_drv *drv;          /* per drivable */
    sim_drv_aux *aux;      /* per drivable */
    atomic_uint *link_occ; /* per lane: vehicles on its outgoing lane links.  Lets
                              a leader search skip a lane's links without
                              touching them.  Incremented by the serial merge,
                              decremented (atomically) by phase B. */
    uint32_t *active;      /* drivables with vehicles; order is deterministic */
    uint32_t n_active, cap_active;

    sim_queue *queues;     /* per lane entering queues */
    uint64_t *queue_bits;  /* lanes with a non-empty queue */

    sim_veh *veh;          /* vehicle pool */
    uint32_t n_veh, cap_veh;
    uint32_t *free_vids;   /* free list, used LIFO */
    uint32_t n_free, cap_free;
    uint32_t *blocker;     /* per vid: the vehicle it yielded to last step;
                              for a SUMO driver yielding to nobody,
                              SIM_FOLLOW | v if it stood behind vehicle v
                              (on its lane, across a junction, or at a red
                              light; | SIM_AT_LINK at the front of its lane
                              at a green link, and when it stood or braked
                              there for want of room beyond, v being the
                              exit's last vehicle), SIM_HELD if it did so
                              for another reason (an empty exit blocked);
                              else SIM_NONE.  Every standing driver thus
                              names whom it waits for, so that deadlock
                              breaking sees a cycle through red lights
                              and full exits */
    uint32_t *blocker_next;/* per vid: ... this step */

    sim_route *routes;
    uint32_t n_routes;
    sim_flow *flows;
    uint32_t n_flows;
    /* SUMO trips (from, via..., to), routed at each departure: flow f's
     * roads are trip_roads[trip_first[f] .. trip_first[f + 1]), none for a
     * flow that drives its route.  Kept outside sim_flow, whose records an
     * archive copies byte for byte. */
    uint32_t *trip_first, *trip_roads;
    struct sim_dynroute *dyn;  /* travel times for routing trips at departure;
                                  NULL when no flow is a trip */
    sim_flow_event *fheap; /* min-heap on (step, flow) */
    uint32_t n_fheap;
    uint32_t *flow_pending;/* flows not started yet, sorted by start time */
    uint32_t n_pending, pending_pos;
    int64_t *flow_start, *flow_end;  /* per flow, from the demand */
    double *flow_interval;
    double flow_clock;     /* CityFlow's Flow::currentTime, common to all flows */

    uint64_t *idx_keys;    /* id index: (flow << 32 | seq) -> vid, open addressing */
    uint32_t *idx_vals;    /* SIM_NONE = empty slot */
    uint32_t idx_cap, idx_n;
    uint32_t n_pushed;     /* vehicles created through cb_engine_push_vehicle */
    uint32_t n_routes_init;/* routes of the flows; later ones were added by the API */
    uint32_t cap_routes;
    uint32_t *free_routes; /* free slots among the API-added routes, reused
                              first, so re-routing does not grow memory */
    uint32_t n_free_routes, cap_free_routes;

    sim_det *det;          /* per lane det_first[l] .. det_first[l + 1] - 1:
                              the entry loop, the mid-block loops in order,
                              the stop-line loop (>= 2 per lane); NULL: off */
    double *det_pos;       /* their positions on the lane, increasing */
    uint32_t *det_first;   /* per lane, n_lanes + 1 entries */
    int64_t *det_since;    /* per lane: step of the last reset */
    sim_incident *incidents;
    uint32_t n_incidents, cap_incidents;
    double *block_pos;     /* per lane: rear of the nearest active obstacle,
                              INFINITY if none; NULL until an incident exists */

    sim_signal *signals;   /* per intersection */
    uint8_t *green;        /* per roadlink: non-zero if its intersection's phase
                              allows it; 3 when it is a minor link in that phase,
                              7 when its drivers must also stop first */

    /* metrics, kept in integers so that sums do not depend on order */
    int64_t created, finished, running, queued;
    int64_t sum_tt_steps;        /* over finished: exit_step - create_step */
    int64_t sum_create_unfinished; /* over created, unfinished: create_step */
    int64_t veh_updates;
    int64_t pub_sum_steps, pub_count;
    int64_t stopped_approach;    /* after the last step: stopped vehicles on the
                                    lanes of signalized intersections' approaches */
    int64_t queue_sum;           /* sum over steps of stopped_approach */

    /* SUMO-style trip statistics over finished vehicles (citybrain_sumo.h);
     * only engines opened from SUMO inputs keep them (trip_stats).  Summed
     * in the serial merge in retirement order, so they are deterministic. */
    bool trip_stats;
    /* SUMO's order within a step (MSNet::simulationStep): vehicles move,
     * then the due ones are inserted, behind vehicles that have already
     * moved; they first move in the next step.  CityFlow inserts first.
     * Set with trip_stats for engines opened from SUMO inputs. */
    bool insert_after_move;
    /* Vehicles enter with their back, not their front, at the lane's
     * start (SUMO's default departPos "base"); set with insert_after_move. */
    bool depart_at_length;
    double scenario_end;         /* seconds, 0: the scenario names no end */
    int64_t trip_finished, trip_stuck;
    int64_t trip_tt_steps, trip_wait_steps, trip_delay_steps, trip_max_run;
    double trip_loss;

    /* per step scratch, one per worker (index 0: the calling thread) */
    sim_wctx *wctx;
    double *vt_reach;      /* per vtype: look-ahead distance, see sim_speed.c */
    uint32_t *allway_lanes, n_allway_lanes;   /* lanes with net_lane.allway */
    sim_vparam *vparams;   /* per vtype */
    double inv_dt;
    uint32_t *lc_active;   /* vehicles in the middle of a lane change, ascending */
    uint32_t n_lc_active, cap_lc_active;
    sim_lc_cand *lc_all;   /* merged wishes */
    uint32_t cap_lc_all;

    /* threads */
    int n_threads;
    sim_worker *workers;

    /* replay */
    FILE *replay;
    char *id_buf;          /* scratch for vehicle ids returned by the API */
    size_t id_cap;
} sim_engine;

/* sim_dynroute.c: SUMO trips routed at departure on the traffic of the
 * moment.  init: 0 or -1 (out of memory); pick: a route index (the flow's
 * own, or a new one), SIM_NONE when out of memory. */
typedef struct sim_dynroute sim_dynroute;
int sim_dynroute_init(sim_engine *s);
void sim_dynroute_free(sim_dynroute *d);
void sim_dynroute_sample(sim_engine *s);
void sim_dynroute_reset(sim_dynroute *d);
/* What an archive saves and restores (sim_archive.c): the ring position,
 * the time of the next sample, per road its mean speed and whether it has
 * been sampled, and the samples (n_samples x n_roads). */
typedef struct sim_dynroute_state {
    uint32_t n_roads, n_samples;
    uint32_t *k;
    double *next_sample;
    double *speed;
    uint8_t *used;
    float *past;
} sim_dynroute_state;
sim_dynroute_state sim_dynroute_view(sim_dynroute *d);
/* After an archive has written the state through the view. */
void sim_dynroute_loaded(sim_dynroute *d);
uint32_t sim_dynroute_pick(sim_engine *s, uint32_t flow);
/* Does the road graph let a trip on this route (a trip flow's own) go only
 * the route's way, from its first road through the later ones to its
 * last?  Then pick needs no search.  Worked out once per route. */
bool sim_dynroute_one_path(sim_engine *s, uint32_t route);
/* The cost of the cheapest leg from road a to road b (b's cost included,
 * a's not) on the travel times of now, INFINITY if there is none, -1 when
 * out of memory; by A* with landmark bounds (`landmarks`) or by Dijkstra,
 * whatever the network's size, so that tests can compare the two. */
double sim_dynroute_leg_cost(sim_engine *s, uint32_t a, uint32_t b, bool landmarks);

struct cb_engine { sim_engine s; };

/* Settings a scenario supplies when the caller's cb_options leave them open. */
typedef struct sim_defaults {
    double interval;       /* seconds per step */
    int64_t seed;
    bool lane_change;
    bool external_signals;
} sim_defaults;

/* sim_api.c: build the network from `spec` and start an engine on
 * `demand`.  Labels name the inputs in messages ("roadnet.json").  The specs
 * stay owned by the caller and may be freed afterwards. */
int sim_engine_create(const net_spec *spec, const demand_spec *demand, const char *roadnet_label,
                      const char *flow_label, const cb_options *opt, const sim_defaults *def,
                      cb_engine **out, cb_error *err);

/* sim_engine.c */
int sim_open(sim_engine *s, cb_net *net, const demand_spec *demand, const char *flow_file,
             double dt, uint32_t seed, bool lane_change, bool external_signals, int threads,
             cb_error *err);
void sim_close(sim_engine *s);

/* sim_step.c */
int sim_step(sim_engine *s, cb_error *err);
int sim_drv_reserve(sim_drv *d, uint32_t extra);
void sim_activate(sim_engine *s, uint32_t d);
/* The drivable after `drv` on vehicle v's path.  *k is the route index
 * belonging to drv (the road of a lane; the road entered, for a link) and
 * is advanced to the one of the returned drivable. */
uint32_t sim_plan_next(const sim_engine *s, const sim_veh *v, uint32_t drv, uint32_t *k);
/* The same on a route given as its roads (sim_plan_next's rule, shared
 * with the archive check, whose routes are not in an engine yet): a link
 * leads to its end lane; a lane, to the link towards the route's next
 * road (net_next_link), SIM_NONE at the route's end or if it has none. */
static inline uint32_t sim_next_on_route(const cb_net *n, const uint32_t *roads, uint32_t rn, uint32_t drv,
                                         uint32_t *k)
{
    if (drv >= n->n_lanes) return n->links[drv - n->n_lanes].end_lane;
    if (*k + 1 >= rn) return SIM_NONE;
    uint32_t link = net_next_link(n, drv, roads[*k + 1], *k + 2 < rn ? roads[*k + 2] : NET_NONE);
    if (link == NET_NONE) return SIM_NONE;
    (*k)++;
    return net_link_drivable(n, link);
}

/* sim_vehicle.c: what a route needs besides its roads (published-ATT
 * bookkeeping, the next-link memo); -1 when out of memory, with what was
 * allocated left for sim_route_free.  sim_route_free frees all of a
 * route, its roads too, and clears it. */
int sim_route_init(sim_engine *s, sim_route *r);
void sim_route_free(sim_route *r);

/* sim_pub.c: published-ATT bookkeeping for a vehicle that, after this
 * step, is on the lane at its route position (enter) or has left it. */
int sim_pub_route_init(sim_engine *s, sim_route *r);
void sim_pub_enter(const sim_engine *s, sim_veh *v);
void sim_pub_leave(const sim_engine *s, sim_veh *v, sim_wctx *w);

/* sim_speed.c: the vehicle ahead of `me` (front of drivable d), looking
 * along its path up to its reach; false if none. */
bool sim_find_leader(const sim_engine *s, const sim_slot *me, uint32_t d, double len,
                     const sim_slot **lead, double *gap);

/* sim_lanechange.c */
int sim_lc_plan(sim_engine *s, cb_error *err);
void sim_lc_couple(sim_engine *s);

/* sim_speed.c: phase A for one drivable (its slots' nspeed/ndist). */
void sim_decide_drivable(sim_engine *s, uint32_t d, sim_wctx *w);

/* sim_vehicle.c: a new vehicle joins its first lane's entering queue
 * (uniform random among the lanes of its first road that lead to the
 * second; `lane_hint` + 1, when not 0, names the lane index wanted instead
 * if that lane leads on -- the random draw is made either way).  flow is
 * SIM_NONE for vehicles pushed through the API.  speed < 0 (SUMO's "max"):
 * the highest safe speed when it enters. */
int sim_vehicle_spawn(sim_engine *s, uint32_t flow, uint32_t seq, uint16_t vtype, uint32_t route,
                      double speed, uint32_t lane_hint, uint32_t *vid_out, cb_error *err);
/* Retire a finished vehicle (serial code only). */
void sim_vehicle_retire(sim_engine *s, uint32_t vid);
uint32_t sim_vehicle_find(const sim_engine *s, uint32_t flow, uint32_t seq);
int sim_index_rebuild(sim_engine *s);
int sim_intern_vtype(sim_engine *s, const net_vtype *vt, uint16_t *out);
/* The same for a SUMO driver: Krauss car following, dawdling sigma and
 * speed factor (false, 0 and 1 are the CityFlow driver of sim_intern_vtype). */
int sim_intern_vtype_ex(sim_engine *s, const net_vtype *vt, bool krauss, double sigma, double speed_factor,
                        uint16_t *out);
/* The same, always as a new type at the end, even if an equal one exists
 * (archives: the restored types must keep their saved indices). */
int sim_vtype_add(sim_engine *s, const net_vtype *vt, bool krauss, double sigma, double speed_factor, uint16_t *out);
/* Append a route (takes ownership of roads); returns its index or SIM_NONE. */
uint32_t sim_route_add(sim_engine *s, uint32_t *roads, uint32_t n);
/* A vehicle starts or stops following route r (API-added routes are
 * counted; a route nobody follows is freed and its slot reused). */
void sim_route_hold(sim_engine *s, uint32_t r);
void sim_route_release(sim_engine *s, uint32_t r);
/* An empty slot at the end of the routes (archives; sim_routes_recount
 * lists it as free). */
int sim_route_add_empty(sim_engine *s);
/* Count the vehicles of every API-added route again and free the unused. */
int sim_routes_recount(sim_engine *s);

/* sim_trips.c: account one step of a running vehicle (phase A, its own
 * record only) and a finished vehicle (serial merge). */
static inline void sim_trip_step(const sim_engine *s, sim_veh *v, double nspeed, double inv_vmax)
{
    if (nspeed <= SIM_WAITING_SPEED) {
        v->trip_wait++;
        if (++v->trip_stop_run > v->trip_max_run) v->trip_max_run = v->trip_stop_run;
        if ((double)v->trip_stop_run * s->dt > SIM_JAM_SECONDS) v->trip_stuck = 1;
    } else {
        v->trip_stop_run = 0;
    }
    double lost = 1.0 - nspeed * inv_vmax;   /* inv_vmax: 1 / the allowed speed */
    if (lost > 0) v->trip_loss += s->dt * lost;
}
void sim_trip_finish(sim_engine *s, const sim_veh *v);

/* sim_flow.c */
int sim_flows_init(sim_engine *s, const demand_spec *demand, const char *flow_file, cb_error *err);
int sim_flows_step(sim_engine *s, cb_error *err);
void sim_insert_waiting(sim_engine *s);

/* sim_signal.c */
void sim_signals_init(sim_engine *s);
void sim_signals_tick(sim_engine *s);
void sim_signals_apply_all(sim_engine *s);   /* greens from the phases, after a load */
void sim_signal_set(sim_engine *s, uint32_t inter, uint32_t phase);

/* sim_detect.c */
int sim_detect_enable(sim_engine *s, double entry_m, double stopline_m, double spacing_m);
/* Every loop's readings and totals back to zero, counting from now (reset,
 * or an archive saved without detectors). */
void sim_detect_restart(sim_engine *s);
void sim_detect_pass(sim_engine *s, uint32_t lane, double from, double to, double v, double len);
void sim_incidents_update(sim_engine *s);
/* Recompute every lane's block_pos from the incidents' active flags
 * (after an archive restored them). */
void sim_incidents_rebuild(sim_engine *s);
/* Rear of the nearest active obstacle on a lane, INFINITY if none. */
static inline double sim_block_pos(const sim_engine *s, uint32_t lane)
{
    return s->block_pos && lane < s->net->n_lanes ? s->block_pos[lane] : INFINITY;
}

/* sim_threads.c: run fn(s, item) for items [0, n) on all workers. */
typedef void (*sim_item_fn)(sim_engine *s, uint32_t item, sim_wctx *w);
int sim_threads_start(sim_engine *s, int n);
void sim_threads_stop(sim_engine *s);
void sim_parallel_for(sim_engine *s, uint32_t n, sim_item_fn fn);

/* sim_replay.c */
int sim_replay_write_roadnet(const sim_engine *s, const char *path, cb_error *err);
void sim_replay_step(sim_engine *s);

/* Vehicle id text ("flow_3_17"); returns a pointer to a static-per-engine
 * buffer valid until the next call. */
const char *sim_vehicle_id(sim_engine *s, uint32_t vid, char *buf, size_t cap);

static inline double sim_drv_length(const sim_engine *s, uint32_t d) { return s->aux[d].length; }

#endif
