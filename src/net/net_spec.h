/* net_spec.h -- a city as an input file describes it, before anything is
 * derived from it.
 *
 * Loaders (CityFlow JSON, SUMO XML) and generators (the synthetic grid)
 * fill a net_spec and a demand_spec; net_build() (net.h) turns the network
 * part into the simulation's network model, computing lane geometry,
 * conflict points and routing tables.  Keeping the two apart means every
 * input format shares one set of derivation rules, and the 100x100 grid can
 * be generated straight into a spec without writing 533 MB of JSON.
 *
 * Ownership: every pointer in a spec points into spec->arena (or is NULL);
 * net_spec_free / demand_spec_free release everything at once.
 *
 * Indices, not ids, link the pieces: the loader resolves "road_1_0_1" to its
 * position in `roads` and reports dangling ids itself, because only the
 * loader knows the JSON path to name in the message.  net_build() still
 * re-checks every index (a generator can have bugs too) and fails with
 * CB_ESCHEMA rather than reading out of bounds. */
#ifndef CB_NET_SPEC_H
#define CB_NET_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"

typedef struct net_point { double x, y; } net_point;

/* Coordinates are metres, within +-NET_MAX_COORD: far outside any
 * projection of the Earth, and small enough that lengths computed from
 * them stay finite.  Every loader refuses more, so that what one format
 * imports another can write and read back (citybrain convert). */
#define NET_MAX_COORD 1e8

/* The shortest signal phase any loader accepts, seconds.  The fixed-time
 * plan advances phase by phase until a step's time is used up, so phases
 * of 1e-300 s made one step loop for ever (a roadnet of them hung `run`). */
#define NET_MIN_PHASE_S 0.001

/* Movement types, with CityFlow's conflict priorities as values: at a
 * conflict point a higher value goes first (straight 3 > left 2 > right 1).
 * NET_TURN_UNKNOWN is never produced by our loaders (they reject unknown
 * strings) but exists so a SUMO import can say "no priority". */
typedef enum net_turn {
    NET_TURN_UNKNOWN = 0,
    NET_TURN_RIGHT = 1,
    NET_TURN_LEFT = 2,
    NET_TURN_STRAIGHT = 3,
    NET_TURN_UTURN = 4      /* SUMO only; treated like a left turn for priority */
} net_turn;

typedef struct net_spec_lane {
    double width;          /* metres */
    double max_speed;      /* m/s */
} net_spec_lane;

typedef struct net_spec_road {
    const char *id;
    uint32_t from, to;             /* intersection indices */
    net_point *points;             /* centre line, >= 2 points */
    uint32_t n_points;
    net_spec_lane *lanes;          /* lane 0 = innermost (leftmost) */
    uint32_t n_lanes;
    /* Optional explicit lane geometry (SUMO gives it): if non-NULL,
     * lane_points[i] / n_lane_points[i] replace the offset centre line. */
    net_point **lane_points;
    uint32_t *n_lane_points;
    /* Optional lane lengths the simulation uses (SUMO gives lengths that
     * may differ from the shapes'); NULL, or 0 for a lane: the polyline's. */
    double *lane_lengths;
    /* Lanes of the input edge that are not imported (closed to cars:
     * sidewalks, bus lanes) and the sum of their speed limits.  They carry
     * no vehicle here; SUMO counts each as one vehicle at its limit in an
     * edge's mean speed, which its routing follows (sim_dynroute.c). */
    uint32_t n_closed_lanes;
    double closed_speed_sum;
} net_spec_road;

typedef struct net_spec_lanelink {
    uint32_t start_lane, end_lane; /* lane indices within start/end road */
    net_point *points;             /* NULL: a Bezier curve is generated */
    uint32_t n_points;
    double max_speed;              /* m/s on the link (SUMO's internal lane
                                      speed); 0: none, turns approach at the
                                      engine's turn speed (CityFlow) */
    bool synth;                    /* a fan-out link the importer generated (a
                                      lane change made inside the junction),
                                      not one of the input's connections */
    bool cont;                     /* SUMO: a link with a wait point inside
                                      the junction (request cont="1"; mostly
                                      left turns): its drivers enter without
                                      slowing or stopping as at a minor link
                                      and wait inside */
    bool allway;                   /* SUMO: a link of an all-way stop (state
                                      w): who stood longest goes first */
} net_spec_lanelink;

typedef struct net_spec_roadlink {
    net_turn type;
    uint32_t start_road, end_road; /* road indices */
    net_spec_lanelink *lanelinks;
    uint32_t n_lanelinks;
} net_spec_roadlink;

typedef struct net_spec_phase {
    double time;                   /* seconds (fixed-time plan) */
    uint32_t *links;               /* roadLink indices allowed (green) */
    uint32_t n_links;
    /* Optional (SUMO): green roadlinks whose drivers must yield in this
     * phase (SUMO's lower-case link states: g, m, s, ...).  Krauss drivers
     * approach them slowly enough to stop until they can see the foes. */
    uint32_t *minor;
    uint32_t n_minor;
    /* Optional (SUMO): minor roadlinks whose drivers must also stop before
     * they pass (stop signs and all-way stops, s and w; right turns on red
     * in a signal's phases, s).  Each is also listed in `minor`. */
    uint32_t *stop;
    uint32_t n_stop;
    /* Optional (SUMO): some link shows amber (y, u) in this phase: a
     * transition between two greens, never a green a controller requests. */
    bool amber;
} net_spec_phase;

typedef struct net_spec_inter {
    const char *id;
    net_point point;
    double width;                  /* trims lanes of attached roads */
    bool is_virtual;               /* boundary node: no signal, no links */
    bool unsignalized;             /* a junction without a signal (SUMO's
                                      priority junctions): its one phase lets
                                      everything go and right of way decides;
                                      not signalized for the control layer
                                      and the metrics */
    uint32_t *roads;               /* attached roads as listed (may be NULL) */
    uint32_t n_roads;
    net_spec_roadlink *roadlinks;  /* index = roadLink index of phases */
    uint32_t n_roadlinks;
    net_spec_phase *phases;
    uint32_t n_phases;
    /* Optional right of way among the lane links (SUMO's request/response
     * matrix).  Lane links are numbered in roadlink order, then lane-link
     * order: 0 .. n_row-1, n_row being all lane links of the intersection.
     * row[i * n_row + j] holds NET_ROW_FOE if links i and j conflict and
     * NET_ROW_YIELD if i must yield to j.  With a matrix, only foe pairs
     * get conflict points (one is added where foes' paths do not meet),
     * and a one-sided yield decides who goes before the movement types do.
     * NULL: every geometric crossing conflicts, priorities by movement
     * type (CityFlow). */
    uint8_t *row;
    uint32_t n_row;
} net_spec_inter;

#define NET_ROW_FOE 1u
#define NET_ROW_YIELD 2u

typedef struct net_spec {
    cbu_arena arena;
    net_spec_inter *inters;
    uint32_t n_inters;
    net_spec_road *roads;
    uint32_t n_roads;
} net_spec;

/* The nine numbers of a CityFlow flow's "vehicle" object. */
typedef struct net_vtype {
    double length, width;
    double max_pos_acc, max_neg_acc;
    double usual_pos_acc, usual_neg_acc;
    double min_gap, max_speed, headway_time;
} net_vtype;

typedef struct demand_flow {
    net_vtype vtype;
    uint32_t *route;               /* anchor road indices, joined by shortest paths */
    uint32_t n_route;
    double interval;               /* seconds between vehicles */
    int64_t start_time;            /* seconds, integer as in CityFlow */
    int64_t end_time;              /* seconds, -1 = forever */
    /* SUMO's depart attributes.  Zero (every CityFlow flow) means: enter
     * standing, on a lane the engine picks among those leading on. */
    double depart_speed;           /* m/s when entering; DEMAND_DEPART_MAX: the
                                      highest safe speed (SUMO's "max") */
    uint32_t depart_lane;          /* lane index + 1 on the first road; 0: the engine's choice */
    /* SUMO's Krauss driver: zero (CityFlow) means CityFlow's car following
     * and a perfect driver who always drives at the lane's limit. */
    bool krauss;                   /* Krauss car following (SUMO's safe speed, Euler steps) */
    double sigma;                  /* dawdling, 0..1: each step the speed drops by
                                      up to sigma * accel * dt (uniform) */
    double speed_factor;           /* the lane's limit times this (0: 1) ... */
    double speed_dev;              /* ... or, when > 0, each vehicle's own factor
                                      ~ N(speed_factor, speed_dev) in [0.2, 2] */
    /* A SUMO trip (from, via..., to without a route): each vehicle is
     * routed again when it departs, on the traffic of that moment, as
     * SUMO's routing device does (sim_dynroute.c); `route` is its route in
     * an empty network.  NULL for every other flow. */
    uint32_t *trip;                /* road indices: from, via..., to */
    uint32_t n_trip;
} demand_flow;

#define DEMAND_DEPART_MAX (-1.0)

typedef struct demand_spec {
    cbu_arena arena;
    demand_flow *flows;            /* in the arena, or flows_heap */
    uint32_t n_flows;
    /* NULL, or the malloc'ed array `flows` points to, freed by
     * demand_spec_free: a loader that built the flows in a growing array
     * hands it over rather than copying it into the arena (a SUMO route
     * file's 4,500 flows are 0.8 MB, each copy fresh pages to fault in) */
    demand_flow *flows_heap;
} demand_spec;

void net_spec_init(net_spec *s);
void net_spec_free(net_spec *s);
void demand_spec_init(demand_spec *d);
void demand_spec_free(demand_spec *d);

#endif
