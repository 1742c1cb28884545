/* net.h -- the road network model the simulation runs on.
 *
 * Built once by net_build() from a net_spec (net_spec.h) and read-only
 * afterwards, so worker threads share it without locks.
 *
 * Vocabulary (CityFlow's):
 *   road         a directed street between two intersections, with lanes;
 *   lane         one lane of a road; lane 0 is the innermost (leftmost);
 *   roadlink     a movement at an intersection, road -> road (straight,
 *                left, right); phases switch roadlinks green;
 *   lane link    one lane -> lane path of a roadlink through the
 *                intersection (a curve);
 *   drivable     a lane or a lane link: anything a vehicle can be on;
 *   cross        a conflict point where two lane links' paths meet.
 *
 * Layout.  Every kind of object lives in one array indexed by uint32_t,
 * and objects refer to each other by index.  Drivables share one index
 * space: d < n_lanes is lane d, otherwise lane link d - n_lanes, so the
 * engine keeps one per-drivable array for its vehicles.  A vehicle record
 * never points into the network; the network never points at vehicles.
 *
 * Geometry templates.  Lane links and their crosses are stored relative to
 * the intersection's centre, and intersections whose local geometry is
 * identical share one template (a generated 100x100 grid has a handful of
 * distinct templates for 10,000 intersections).  This is what keeps the
 * 100x100 grid under its memory target: crosses are the largest derived
 * structure, about 400 per 4-leg intersection. */
#ifndef CB_NET_H
#define CB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citybrain.h"
#include "net_spec.h"
#include "../util/strmap.h"

#define NET_NONE UINT32_MAX
#define NET_MANY (UINT32_MAX - 1)

/* A polyline: n points starting at pts[first] with cumulative lengths
 * cum[first..first+n-1] (cum of the first point is 0). */
typedef struct net_poly {
    uint32_t first, n;
} net_poly;

/* One cross as seen from one of its two lane links.  Both views of a cross
 * exist, one in each link's list; a link's list is sorted by `dist`. */
typedef struct net_xview {
    float dist;            /* distance of the point along this link */
    float other_dist;      /* distance of the point along the other link */
    uint16_t other;        /* the other link, local index in the intersection */
    uint8_t rule;          /* NET_XRULE_*: who goes first, when the input says */
    uint8_t pad_;
} net_xview;

/* Right of way at a cross, from this link's point of view.  CityFlow
 * inputs always give NET_XRULE_TYPE (the engine compares movement types);
 * a SUMO foe matrix (net_spec_inter.row) gives the other two when exactly
 * one of the links must yield. */
enum { NET_XRULE_TYPE = 0, NET_XRULE_YIELD = 1, NET_XRULE_GO = 2 };

/* What identical intersections share.  Points are relative to the
 * intersection's centre. */
typedef struct net_template {
    uint32_t n_links;
    uint32_t first_xoff;   /* into net->tmpl_xoff: n_links+1 offsets */
    uint32_t first_poly;   /* into net->tmpl_polys: n_links polylines */
} net_template;

typedef struct net_lane {
    uint32_t road;
    uint32_t index;        /* position within the road */
    double width, max_speed;
    double length;         /* metres, along the (trimmed) lane polyline */
    net_poly poly;         /* absolute coordinates */
    uint32_t first_out;    /* outgoing lane links: net->lane_out[first_out..+n_out] */
    uint32_t n_out;
    uint32_t first_in;     /* incoming lane links: net->lane_in[...] */
    uint32_t n_in;
    uint32_t reach_road;   /* the road every outgoing link leads to; NET_NONE if
                              there is none, NET_MANY if several (then scan) */
    uint32_t feed;         /* the one lane link of the input (not a fan-out)
                              into this lane, if it goes straight across a
                              junction without a signal: the same lane of the
                              street, which SUMO splits into two edges there
                              (at a side road, say); NET_NONE otherwise (also
                              for a U-turn at the network's edge).  Approach
                              detectors continue up it (cb_engine_approach_observe) */
    uint32_t onward;       /* the same downstream: the one lane link of the
                              input out of this lane, if it goes straight
                              across a junction without a signal; NET_NONE
                              otherwise.  Exit detectors continue down it */
    uint8_t allway;        /* a link out of it is an all-way stop's (SUMO):
                              the engine keeps its drivers' stand times */
    const char *id;        /* "<road id>_<index>" */
} net_lane;

typedef struct net_link {
    uint32_t roadlink;
    uint32_t inter;
    uint32_t local;        /* index among the intersection's lane links */
    uint32_t start_lane, end_lane;   /* global lane indices */
    uint8_t turn;          /* net_turn of its roadlink */
    uint8_t synth;         /* a generated fan-out link (SUMO import): no
                              connection of the input; see sumo_spec.c */
    uint8_t cont;          /* net_spec_lanelink's: wait point inside (SUMO) */
    uint8_t allway;        /* net_spec_lanelink's: all-way stop link (SUMO) */
    double length;
    double max_speed;      /* m/s; INFINITY when the input gives none (CityFlow) */
} net_link;

typedef struct net_roadlink {
    uint32_t inter;
    uint32_t index;        /* roadLink index within the intersection */
    uint8_t turn;          /* net_turn */
    uint32_t start_road, end_road;
    uint32_t first_link, n_links;    /* global lane link indices */
} net_roadlink;

typedef struct net_phase {
    double time;           /* seconds in the fixed-time plan */
    uint32_t first_word;   /* green roadlinks: bits in net->phase_bits */
    bool all_right;        /* every green roadlink is a right turn ("yellow") */
    uint32_t first_minor;  /* minor roadlinks (net_spec_phase.minor): bits in
                              net->phase_bits; NET_NONE when there are none */
    uint32_t first_stop;   /* stop-first roadlinks (net_spec_phase.stop), the
                              same way; NET_NONE when there are none */
    bool amber;            /* net_spec_phase's: a SUMO transition phase */
} net_phase;

typedef struct net_inter {
    const char *id;
    net_point point;
    double width;
    bool is_virtual;
    bool unsignalized;     /* net_spec_inter's: right of way, no signal */
    uint32_t first_roadlink, n_roadlinks;
    uint32_t first_link, n_links;
    uint32_t first_phase, n_phases;
    uint32_t n_words;      /* 64-bit words per phase bitset */
    uint32_t tmpl;         /* geometry template (NET_NONE if no links) */
    uint32_t *roads;       /* attached roads, as the input listed them */
    uint32_t n_roads;
} net_inter;

typedef struct net_road {
    const char *id;
    uint32_t from, to;     /* intersections */
    uint32_t first_lane, n_lanes;
    double length;         /* mean lane length: the routing cost */
    net_poly centre;       /* the input centre line (absolute) */
    uint32_t first_succ, n_succ;  /* roads reachable through a lane link */
    bool incoming_signal;  /* a startRoad of a roadlink of a signalized
                              (neither virtual nor unsignalized)
                              intersection: counted by the published ATT */
    uint32_t n_closed_lanes;   /* net_spec_road's: lanes not imported, */
    double closed_speed_sum;   /* and the sum of their speed limits */
} net_road;

typedef struct cb_net {
    cbu_arena arena;       /* owns everything below */
    uint32_t n_inters, n_roads, n_lanes, n_links, n_roadlinks, n_phases;
    uint32_t n_templates;
    net_inter *inters;
    net_road *roads;
    net_lane *lanes;
    net_link *links;
    net_roadlink *roadlinks;
    net_phase *phases;
    uint64_t *phase_bits;
    uint32_t *lane_out, *lane_in;
    uint32_t *road_succ;
    net_template *templates;
    uint32_t *tmpl_xoff;   /* per template link: offset into tmpl_xviews */
    net_xview *tmpl_xviews;
    net_poly *tmpl_polys;  /* lane link polylines, relative to the centre */
    size_t n_xviews;       /* total cross views over templates (stats) */
    size_t n_crosses;      /* crosses over all intersections (stats) */
    net_point *pts;        /* all polyline points */
    double *cum;           /* cumulative lengths, parallel to pts */
    size_t n_pts;
    cbu_strmap road_by_id, inter_by_id;
} cb_net;

/* Build the model from a spec.  On success *out is a new network the caller
 * owns (net_free).  The spec is not modified and may be freed afterwards. */
int net_build(const net_spec *spec, cb_net **out, cb_error *err);
void net_free(cb_net *net);

static inline bool net_is_lane(const cb_net *n, uint32_t d) { return d < n->n_lanes; }
static inline uint32_t net_link_drivable(const cb_net *n, uint32_t link) { return n->n_lanes + link; }
static inline uint32_t net_n_drivables(const cb_net *n) { return n->n_lanes + n->n_links; }
double net_drivable_length(const cb_net *n, uint32_t d);
double net_drivable_max_speed(const cb_net *n, uint32_t d);

/* Cross views of a lane link, sorted by distance. */
static inline const net_xview *net_link_xviews(const cb_net *n, uint32_t link, uint32_t *count)
{
    const net_link *l = &n->links[link];
    const net_inter *in = &n->inters[l->inter];
    const net_template *t = &n->templates[in->tmpl];
    uint32_t a = n->tmpl_xoff[t->first_xoff + l->local];
    uint32_t b = n->tmpl_xoff[t->first_xoff + l->local + 1];
    *count = b - a;
    return n->tmpl_xviews + a;
}

/* Is roadlink `rl` (global) green in phase `phase` (global index)? */
static inline bool net_phase_green(const cb_net *n, uint32_t phase, uint32_t rl)
{
    const net_roadlink *r = &n->roadlinks[rl];
    return (n->phase_bits[n->phases[phase].first_word + (r->index >> 6)] >> (r->index & 63)) & 1u;
}

/* Is roadlink `rl` (global) in the optional set of bits at `first`
 * (NET_NONE: an empty set)? */
static inline bool net_phase_bit(const cb_net *n, uint32_t first, uint32_t rl)
{
    if (first == NET_NONE) return false;
    const net_roadlink *r = &n->roadlinks[rl];
    return (n->phase_bits[first + (r->index >> 6)] >> (r->index & 63)) & 1u;
}

/* Is roadlink `rl` (global) a minor link in phase `phase` (global index)? */
static inline bool net_phase_minor(const cb_net *n, uint32_t phase, uint32_t rl)
{
    return net_phase_bit(n, n->phases[phase].first_minor, rl);
}

/* Must a driver stop before passing roadlink `rl` (global) in phase
 * `phase` (global index)?  (SUMO's stop signs, all-way stops and right
 * turns on red.) */
static inline bool net_phase_stop(const cb_net *n, uint32_t phase, uint32_t rl)
{
    return net_phase_bit(n, n->phases[phase].first_stop, rl);
}

/* Position and heading at distance s along drivable d. */
void net_drivable_point(const cb_net *n, uint32_t d, double s, double *x, double *y, double *heading);

/* Does lane `lane` have a lane link to road `road`? */
bool net_lane_reaches(const cb_net *n, uint32_t lane, uint32_t road);

/* The lane link a vehicle on `lane` takes to reach road `next`, given that
 * it continues to road `after` (NET_NONE if `next` is its last road):
 * among links to `next` whose end lane reaches `after`, the one whose end
 * lane index is closest to this lane's index (first on ties); if none
 * reaches `after`, the closest among all links to `next`.  NET_NONE if the
 * lane has no link to `next`. */
uint32_t net_next_link(const cb_net *n, uint32_t lane, uint32_t next, uint32_t after);

/* Full route through the anchors: consecutive anchors joined by a shortest
 * path (cost: mean lane length of each road entered).  Consecutive equal
 * anchors are merged.  *out (malloc'ed, caller frees) gets the road list.
 * Returns CB_OK, or CB_ENOTFOUND with *bad_anchor set to the index of the
 * anchor that cannot be reached from the previous one. */
int net_route(const cb_net *n, const uint32_t *anchors, uint32_t n_anchors,
              uint32_t **out, uint32_t *n_out, uint32_t *bad_anchor);

#endif
