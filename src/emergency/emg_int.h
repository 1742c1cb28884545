/* emg_int.h -- internals of the operations layer (citybrain_ops.h): the
 * network as the operations see it, the per-lane loop memories behind the
 * travel-time estimates, and the emergency vehicles being followed.
 *
 * Files: emg_ops.c opens cb_ops and runs its update (loops in, incident
 * detection, alerts out); emg_tt.c turns loop counts into travel times and
 * routes; emg_ev.c dispatches, follows and re-plans emergency vehicles and
 * plans their preemption holds; emg_loop.c is the offline closed loop
 * (cb_opsloop); emg_events.c reads scenario files and event strings. */
#ifndef CB_EMG_INT_H
#define CB_EMG_INT_H

#include "citybrain_ops.h"
#include "../incident/incident.h"
#include "../util/strmap.h"

/* A movement from one road into the next, as routing needs it. */
typedef struct emg_edge {
    uint32_t next;            /* the road it leads to */
    uint32_t inter;           /* the intersection it crosses */
    uint32_t k;               /* movement index there (= the site's) */
    uint32_t lane;            /* its start lane (one per movement in the data;
                                 the first listed otherwise) */
} emg_edge;

/* A lane, static. */
typedef struct emg_lane {
    double length, vmax;      /* m, m/s */
    double entry_pos, stop_pos; /* where its loops are, m from the start */
    uint32_t road;
    uint32_t first_mv, n_mv;  /* movements starting here: cb_ops.mv_inter/mv_k */
} emg_lane;

/* What the loops of one lane have told so far.  Invariant: cum_out <=
 * cum_in (a count out that was never counted in is dropped), so
 * cum_in - cum_out is the number of vehicles between the loops. */
typedef struct emg_tt {
    uint64_t cum_in, cum_out; /* vehicles past the entry / stop-line loop */
    double lambda;            /* arrivals per s, smoothed over ~300 s */
    double v_in;              /* entry-loop speed, smoothed; 0: none seen */
} emg_tt;

/* A site an emergency vehicle has asked to hold. */
typedef struct emg_hold {
    uint32_t site;
    uint32_t road;            /* the approach it is for: a route that comes
                                 back to a site crosses it from another road */
    int phase;
    double since;             /* s */
    bool expired;             /* held for max_hold: not asked again */
    bool seen;                /* still ahead at this update */
} emg_hold;

#define EMG_MAX_HOLDS 16

typedef struct emg_ev {
    cb_ev_status st;          /* what cb_ops_ev reports */
    double next_replan;       /* s */
    uint32_t lane;            /* lane it is on; UINT32_MAX on a link/queued */
    uint32_t last_road;       /* road it was last seen on (free_flow), or UINT32_MAX */
    uint64_t ahead_mark;      /* cum_in of that lane before it passed the
                                 entry loop; UINT64_MAX: not passed yet */
    bool stopped;             /* below 0.1 m/s at the last update */
    emg_hold holds[EMG_MAX_HOLDS];
    int n_holds;
} emg_ev;

struct cb_ops {
    cb_engine *e;
    cb_ops_config cfg;
    double dt;
    size_t n_lanes, n_roads, n_inters;
    emg_lane *lanes;
    cb_road_info *roads;
    uint32_t *edge_first;     /* CSR: edges of road r at edges[edge_first[r]..[r+1]] */
    emg_edge *edges;
    uint32_t *mv_inter, *mv_k;/* movements starting at each lane (emg_lane.first_mv) */
    cbu_strmap lane_ids;      /* lane id -> index (a link names its lanes) */

    /* loops */
    emg_tt *tt;
    inc_obs *obs;             /* this step, per lane */
    inc_mid_obs *mid_obs;     /* this step, per mid-block loop */
    double *mid_pos;          /* per mid-block loop: its position */
    size_t n_mid;
    cb_detector_reading *rd;  /* scratch: one lane's loops */
    size_t cap_rd;
    inc_lane *inc_lanes;
    uint32_t *down;           /* lanes each lane feeds (incident detection) */
    uint32_t *box_first, *box_exits; /* lanes leaving each intersection (CSR) */
    inc_det *inc;
    bool have_step;           /* a step has been read since open/restart */

    /* emergency vehicles */
    emg_ev *evs;
    size_t n_evs, cap_evs;
    size_t n_sites;
    long *site_of;            /* intersection -> site of the last sig, or -1 */
    const cb_signals *sig_seen;
    int *hold;                /* per site, -1 none */
};

/* emg_tt.c */
double emg_tt_edge(const cb_ops *o, const emg_edge *ed);
double emg_tt_run(const cb_ops *o, size_t road);     /* running the road, s */
uint64_t emg_lane_between(const cb_ops *o, uint32_t lane);
const emg_edge *emg_edge_find(const cb_ops *o, size_t road, size_t next);
int emg_route(const cb_ops *o, size_t from, size_t to, uint32_t **roads, size_t *n, double *seconds,
              cb_error *err);

/* emg_ops.c: the emergency vehicle's top speed on a lane whose limit is
 * `limit` m/s: the limit times ev.speed_factor, at most ev.max_speed. */
double emg_ev_speed(const cb_ops_config *c, double limit);

/* emg_ev.c */
int emg_ev_update(cb_ops *o, const cb_signals *sig, cb_error *err);

#endif
