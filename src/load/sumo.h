/* sumo.h -- SUMO's inputs as citybrain specs.
 *
 *   sumo_net_load      .net.xml[.gz] (+ additional files with tlLogic
 *                      programs) -> sumo_net, then net_spec;
 *   sumo_demand_load   .rou.xml / .trips.xml / flows -> demand_spec;
 *   sumo_cfg_load      .sumocfg -> file names and the time window.
 *
 * docs/sumo.md is the user's description of the mapping; the rules are
 * stated again next to the code that applies them.  Everything SUMO models
 * and we do not is reported through a cb_warnings list (citybrain_sumo.h),
 * never dropped silently; malformed input is an error naming the file, the
 * line and the element.
 *
 * Ownership: a sumo_net owns its XML documents (strings in it point into
 * them) and everything it allocates; sumo_net_free releases all.  Specs are
 * filled in their own arenas and do not point into the sumo_net. */
#ifndef CB_LOAD_SUMO_H
#define CB_LOAD_SUMO_H

#include <stdbool.h>
#include <stdint.h>

#include "citybrain.h"
#include "citybrain_sumo.h"
#include "sumo_xml.h"
#include "../net/net_spec.h"
#include "../util/strmap.h"

#define SN_NONE UINT32_MAX

/* Warnings (sumo_warn.c).  `d`/`e` (may be NULL) locate the first case. */
int sumo_warn(cb_warnings *w, const sx_doc *d, const sx_elem *e, const char *fmt, ...) CBU_PRINTF(4, 5);
int sumo_warn_n(cb_warnings *w, int64_t count, const char *fmt, ...) CBU_PRINTF(3, 4);

/*--- the network as SUMO describes it ------------------------------------------*/

typedef struct sn_lane {
    const char *id;
    uint32_t edge;
    uint32_t index;           /* SUMO's: 0 = rightmost */
    double speed, length, width;
    net_point *shape;
    uint32_t n_shape;
    bool car;                 /* passenger cars may drive on it */
    uint32_t road_lane;       /* our index within the road (0 = leftmost), SN_NONE if dropped */
    uint32_t next;            /* internal lanes: the lane an internal connection leads to */
    uint32_t elem;            /* for messages */
} sn_lane;

typedef struct sn_edge {
    const char *id;
    bool internal;            /* function internal / crossing / walkingarea */
    uint32_t from, to;        /* junctions (normal edges) */
    uint32_t first_lane, n_lanes;   /* into lanes[], SUMO index order */
    uint32_t road;            /* road index in the spec, SN_NONE if not a road */
    uint32_t elem;
} sn_edge;

typedef struct sn_request {
    const char *response, *foes;    /* SUMO writes link 0 as the last character */
    bool cont;                      /* the link has a wait point inside the junction */
    uint32_t elem;
} sn_request;

typedef struct sn_junction {
    const char *id, *type;
    double x, y;
    const char *inc_lanes, *int_lanes;   /* as written */
    sn_request *req;          /* by request index */
    uint32_t n_req;
    uint32_t inter;           /* spec intersection, SN_NONE if none */
    uint32_t elem;
} sn_junction;

typedef struct sn_conn {
    uint32_t from_lane, to_lane;    /* lane indices (normal or internal) */
    uint32_t via;             /* first internal lane, SN_NONE if none */
    const char *tl;           /* tlLogic id, NULL if not signalled */
    long link_index;          /* position in the tlLogic's state, -1 */
    char dir, state;
    uint32_t elem;
} sn_conn;

typedef struct sn_phase {
    double duration, min_dur, max_dur;   /* min/max: -1 if absent */
    const char *state;
    uint32_t elem;
} sn_phase;

typedef struct sn_tl {
    const char *id, *program, *type;
    double offset;
    sn_phase *phases;
    uint32_t n_phases;
    const sx_doc *doc;        /* where it was read (net or an additional file) */
    uint32_t elem;
} sn_tl;

typedef struct sumo_net {
    cbu_arena arena;
    sx_doc *docs;             /* [0] the net, then additional files */
    uint32_t n_docs;
    sn_edge *edges;
    uint32_t n_edges;
    sn_lane *lanes;
    uint32_t n_lanes;
    sn_junction *junctions;
    uint32_t n_junctions;
    sn_conn *conns;
    uint32_t n_conns;
    sn_tl *tls;               /* the active program of each id */
    uint32_t n_tls;
    cbu_strmap edge_by_id, lane_by_id, junction_by_id, tl_by_id;
} sumo_net;

/* Read a network and its additional files (may be NULL / 0).  Programs in
 * additional files replace the net's program of the same tlLogic id (the
 * last one loaded is active, as in SUMO).  *n is initialised here; free it
 * with sumo_net_free even after a failure. */
int sumo_net_load(sumo_net *n, const char *path, const char *const *additional, uint32_t n_additional,
                  cb_warnings *warn, cb_error *err);
/* The same from a buffer (the fuzzer); `label` names it in messages. */
int sumo_net_parse(sumo_net *n, const char *label, const char *buf, size_t len, cb_warnings *warn,
                   cb_error *err);
void sumo_net_free(sumo_net *n);

/* Fill `spec` (net_spec_init'ed).  `begin` is SUMO's begin time: fixed-time
 * programs start where SUMO's would be at that time. */
int sumo_net_to_spec(sumo_net *n, double begin, net_spec *spec, cb_warnings *warn, cb_error *err);

/*--- demand -------------------------------------------------------------------------*/

/* Entries (a vehicle, or a fixed-headway flow) of one demand, unless
 * sumo_demand_opts.max_entries says otherwise.  Each costs 152 bytes in the
 * importer (up to twice that while the list doubles) and ~100 more in the
 * engine, so 1e7 is some 3-4 GB: far beyond a city-day (TAPASCologne's 24 h
 * are ~1.2e6 trips), and a clear error instead of the machine running out
 * of memory.  `gen demand` writes no more trips than this either. */
#define SUMO_MAX_DEMAND_ENTRIES 10000000

/* What route files become.  Times are SUMO's, shifted so that `begin` is
 * time 0; vehicles departing before begin or at/after `end` (end < 0: no
 * end) are skipped with a warning.  The spec's roads must be the ones
 * sumo_net_to_spec made from `n`. */
typedef struct sumo_demand_opts {
    double begin, end;
    uint32_t seed;            /* for probability flows and departLane="random" */
    uint64_t max_entries;     /* vehicles + flows kept; 0: the default, 1e7 (CB_ELIMIT beyond) */
} sumo_demand_opts;

int sumo_demand_load(const sumo_net *n, const net_spec *spec, const char *const *files, uint32_t n_files,
                     const sumo_demand_opts *o, demand_spec *out, cb_warnings *warn, cb_error *err);
int sumo_demand_parse(const sumo_net *n, const net_spec *spec, const char *label, const char *buf,
                      size_t len, const sumo_demand_opts *o, demand_spec *out, cb_warnings *warn,
                      cb_error *err);

/* Shortest path by free-flow travel time (length / speed) from road `from`
 * to road `to` over the spec's movements, through `via` roads in order.
 * *out (malloc'ed) gets the full road list.  CB_ENOTFOUND if unreachable
 * (*bad = index into the waypoints [from, via..., to] that failed). */
typedef struct sumo_router sumo_router;
int sumo_router_new(const net_spec *spec, sumo_router **out);
void sumo_router_free(sumo_router *r);
int sumo_route(sumo_router *r, const uint32_t *points, uint32_t n_points, uint32_t **out,
               uint32_t *n_out, uint32_t *bad);
/* What the router charges for driving `roads` (the first road's own cost
 * and the last's excluded, as for a search between them); INFINITY if two
 * consecutive roads are not connected. */
double sumo_route_cost(const sumo_router *r, const uint32_t *roads, uint32_t n);
/* Does the spec have a movement from road a to road b? */
bool sumo_router_connected(const sumo_router *r, uint32_t a, uint32_t b);

/*--- .sumocfg --------------------------------------------------------------------------*/

typedef struct sumo_cfg {
    char *net_file;           /* resolved; NULL if none */
    char **route_files, **additional_files;   /* resolved, malloc'ed */
    uint32_t n_route_files, n_additional_files;
    double begin, end;        /* end < 0: none */
    double step_length;       /* 0: not given */
} sumo_cfg;

/* Read a .sumocfg; every option in `so` (may be NULL) replaces the file's.
 * Relative names are taken beside the .sumocfg, then from the working
 * directory; a name that exists in neither place is an error naming the
 * .sumocfg line.  Free with sumo_cfg_free. */
int sumo_cfg_load(const char *path, const cb_sumo_options *so, sumo_cfg *out, cb_warnings *warn,
                  cb_error *err);
/* The same for a bare network (.net.xml): files from `so` only. */
int sumo_cfg_from_net(const char *net_path, const cb_sumo_options *so, sumo_cfg *out, cb_error *err);

/* sumo_open.c: a scenario's config, network and the specs made from them,
 * exactly as cb_sumo_open reads them (`seed` draws random flows).  All
 * four are initialised here and must be released with sumo_specs_free,
 * also when this fails. */
int sumo_open_specs(const char *path, const cb_sumo_options *so, uint32_t seed, sumo_cfg *cfg, sumo_net *net,
                    net_spec *spec, demand_spec *demand, cb_warnings *warn, cb_error *err);
void sumo_specs_free(sumo_cfg *cfg, sumo_net *net, net_spec *spec, demand_spec *demand);
void sumo_cfg_free(sumo_cfg *c);

#endif
