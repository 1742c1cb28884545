/* sig_int.h -- internals of the signal layer: the safety state of every
 * site and the link between sites and the twin's intersections and lanes.
 *
 * Files: sig_site.c builds the sites and their conflict matrices from the
 * engine (the only place that reads the twin's topology), sig_layer.c is
 * the safety state machine, sig_loop.c the closed loop (cb_control). */
#ifndef CB_SIG_INT_H
#define CB_SIG_INT_H

#include "citybrain.h"
#include "../util/arena.h"

/* The safety state of one site.  Invariants (checked by
 * tests/test_signal_safety.c):
 *   GREEN:  `green` is a candidate phase and is what the engine shows;
 *           `pending` (if >= 0) is a different candidate;
 *   YELLOW: the engine shows the site's yellow phase; `green` is the
 *           candidate that follows;
 *   ALLRED: the engine shows the all-red phase (or the yellow phase when
 *           the site has none);
 *   START:  nothing has been green yet; the engine shows its initial phase.
 * `steps` counts whole steps since the state began. */
typedef struct sig_state {
    uint8_t state;            /* a cb_sig_state */
    int16_t green;            /* see above; -1 in START */
    int16_t pending;          /* GREEN only: the next green, waiting for
                                 the minimum green; -1 none */
    int16_t shown;            /* the phase last set in the engine, -1 none */
    int32_t steps;            /* steps in the current state */
} sig_state;

struct cb_signals {
    cbu_arena arena;          /* owns every array below */
    cb_signal_config cfg;
    double dt;                /* seconds per step */
    int32_t min_green_steps, yellow_steps, allred_steps;
    size_t n_sites;
    cb_site *sites;
    uint32_t *inter;          /* engine intersection of each site */
    uint32_t **lane_global;   /* per site: engine lane of each site lane */
    uint32_t **road_global;   /* per site: engine road of each site road */
    uint8_t **conflict;       /* per site: n_movements^2, 1 = conflict */
    sig_state *st;
    uint32_t max_lanes;       /* most lanes of one site (scratch sizing) */
    int64_t greens;           /* greens begun, all sites */
};

/* sig_site.c: fill s->sites, inter, lane_global, conflict (s->cfg set). */
int sig_sites_build(cb_signals *s, const cb_engine *e, cb_error *err);

/* The phase the engine must show for a site's current state. */
int sig_shown_phase(const cb_signals *s, size_t site);

/* sig_loop.c: holds put before the controller, for emergency preemption
 * (src/emergency/emg_loop.c).  `hold` has one entry per site: >= 0 makes
 * that site request the phase instead of asking its controller; when a
 * hold ends, the controller is asked at that step.  The array is borrowed
 * (the caller keeps it alive and fills it before each cb_control_step);
 * NULL removes the holds.  CB_ENOMEM or CB_OK. */
int cb_control_set_holds(cb_control *c, const int *hold, cb_error *err);
int64_t cb_control_held_steps(const cb_control *c);   /* steps with any hold */

#endif
