/* incident.h -- automatic incident detection from loop detectors: the
 * interface the operations layer (src/emergency/emg_ops.c) feeds.
 *
 * The detector knows the lanes' geometry (length, where its loops are,
 * which lanes it feeds), and every step it is given, per lane, what the
 * loops measured in that step and whether the lane's movement had green.
 * That is all: no vehicle is ever identified, and the twin's incidents are
 * never read.  The method and its limits are in docs/incidents.md. */
#ifndef CB_INCIDENT_H
#define CB_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A lane as the detector sees it.  Invariant: 0 <= entry_pos < stop_pos
 * <= length. */
typedef struct inc_lane {
    double length;            /* m */
    double entry_pos;         /* entry loop, m from the lane start */
    double stop_pos;          /* stop-line loop, m from the lane start */
    double vmax;              /* speed limit, m/s */
    uint32_t first_down, n_down; /* lanes it feeds: inc_config.down[first_down..] */
    uint32_t box;             /* the intersection it ends at (index into
                                 inc_config.box_first), UINT32_MAX: none */
    uint32_t first_mid, n_mid;/* its mid-block loops: inc_config.mid_pos
                                 [first_mid..], entry_pos < each < stop_pos,
                                 increasing; n_mid 0: none */
} inc_lane;

typedef struct inc_config {
    double dt;                /* s per step */
    double stretch;           /* a vehicle is due after its free run times
                                 (1 + stretch) ... */
    double slack;             /* ... plus slack seconds */
    double quiet;             /* s of a silent, empty stop-line loop */
    double block;             /* s of green with the stop loop covered and no exit */
    size_t n_lanes;
    const inc_lane *lanes;    /* borrowed for the detector's life */
    const uint32_t *down;     /* lane indices */
    size_t n_boxes;           /* intersections */
    const uint32_t *box_first;/* exits of box b: box_exits[box_first[b]..[b+1]] */
    const uint32_t *box_exits;/* lanes leaving each intersection */
    size_t n_mid;             /* mid-block loops in all */
    const double *mid_pos;    /* their positions, m from their lane's start */
} inc_config;

/* One step of one lane. */
typedef struct inc_obs {
    float v_in;               /* mean speed of those passing the entry loop, m/s */
    uint16_t in, out;         /* fronts that passed the entry / stop-line loop */
    uint8_t occ_in, occ_out;  /* loop covered at the end of the step */
    uint8_t green;            /* some movement from the lane had green */
    uint8_t occ_line;         /* the line loop (the last INC_LINE_M of the
                                 stop-bar zone) covered: a queue's head
                                 stands at the line */
} inc_obs;

/* One step of one mid-block loop. */
typedef struct inc_mid_obs {
    float v;                  /* mean speed of those passing it, m/s */
    uint16_t n;               /* fronts that passed it */
    uint8_t occ;              /* covered at the end of the step */
} inc_mid_obs;

/* Metres of the line loop at the end of the stop-bar zone: a standing
 * queue's head stops within 2 m of the line in 98% of cases
 * (docs/incidents.md), an obstacle inside the zone holds it further back. */
#define INC_LINE_M 2.0

typedef struct inc_alert {
    uint32_t lane;
    uint8_t rule;             /* INC_RULE_* */
    double start, raised, cleared; /* s; cleared -1 while active */
    double confidence;
    int vehicles;             /* held up behind it when raised */
    double from_m, to_m;      /* MIDBLOCK: the obstacle is between these
                                 loops (m from the lane start); else 0, 0 */
} inc_alert;

enum { INC_RULE_OVERDUE = 1, INC_RULE_BLOCKED = 2, INC_RULE_START = 3, INC_RULE_MIDBLOCK = 4 };

typedef struct inc_det inc_det;

/* NULL when out of memory. */
inc_det *inc_open(const inc_config *cfg);
void inc_close(inc_det *d);
/* The step that ended at `now` (s): obs has one entry per lane. */
void inc_step(inc_det *d, double now, const inc_obs *obs);
/* The same with the mid-block loops: mid has cfg.n_mid entries (NULL when
 * there are none). */
void inc_step_loops(inc_det *d, double now, const inc_obs *obs, const inc_mid_obs *mid);
/* The field restarted: active alerts clear at `now`, lane memories empty. */
void inc_restart(inc_det *d, double now);

size_t inc_alert_count(const inc_det *d);
const inc_alert *inc_alert_get(const inc_det *d, size_t k);
/* Events (raise / clear) in order; *cursor starts at 0. */
bool inc_event_next(const inc_det *d, uint64_t *cursor, size_t *k, bool *raised);

#endif
