/* citybrain_sumo.h -- real cities from SUMO (and, through netconvert,
 * OpenStreetMap): open a .sumocfg or .net.xml, hear what was not imported,
 * and compare trips with SUMO's own statistics.
 *
 * Same conventions as citybrain.h (int status, cb_error, stated
 * ownership); docs/sumo.md describes the mapping from SUMO's model to ours
 * element by element. */
#ifndef CITYBRAIN_SUMO_H
#define CITYBRAIN_SUMO_H

#include "citybrain.h"

#ifdef __cplusplus
extern "C" {
#endif

/*--- Warnings ----------------------------------------------------------------*/

/* What an importer could not represent, never dropped silently: each entry
 * is one kind of thing with the number of times it occurred and where it
 * first did ("412 <person> elements ignored (citybrain simulates vehicles
 * only); first at x.rou.xml:88").  Caller owns the list (cb_warnings_free);
 * texts are borrowed until the list is freed or grows. */
typedef struct cb_warnings cb_warnings;

cb_warnings *cb_warnings_new(void);                 /* NULL when out of memory */
void cb_warnings_free(cb_warnings *w);
size_t cb_warnings_count(const cb_warnings *w);
const char *cb_warnings_text(const cb_warnings *w, size_t i);
int64_t cb_warnings_occurrences(const cb_warnings *w, size_t i);

/*--- Opening a SUMO scenario ---------------------------------------------------*/

/* Replace what the .sumocfg says (or supply it for a bare .net.xml).
 * Strings are borrowed for the duration of the call.  File lists are
 * separated by commas or spaces, as in SUMO; relative names are looked up
 * beside the .sumocfg first, then in the working directory. */
typedef struct cb_sumo_options {
    const char *net_file;
    const char *route_files;
    const char *additional_files;
    double begin, end;        /* seconds; used when begin_set / end_set */
    bool begin_set, end_set;
    double duration;          /* > 0: the run lasts this long (end = begin +
                                 duration, if that is earlier), so demand
                                 after it is not loaded */
} cb_sumo_options;

void cb_sumo_options_init(cb_sumo_options *o);

/* Does `path` name a SUMO input (.sumocfg, .net.xml or .net.xml.gz)? */
bool cb_sumo_path(const char *path);

/* Open a .sumocfg (net-file, route-files, additional-files, begin, end) or
 * a .net.xml[.gz] (with so->route_files as its demand, or none).
 * Simulation time 0 is SUMO's `begin`; vehicles departing before it are
 * skipped, as SUMO skips them (with a warning).  `opt` as in
 * cb_engine_open (roadnet_file/flow_file are not used).  `warn` (may be
 * NULL) receives what was not imported.  On success *out is a new engine
 * the caller owns (cb_engine_close). */
int cb_sumo_open(const char *path, const cb_options *opt, const cb_sumo_options *so,
                 cb_engine **out, cb_warnings *warn, cb_error *err);

/* Write a SUMO scenario, read exactly as cb_sumo_open reads it (`so` as
 * there; `seed` draws its random flows), in CityFlow's format for CityFlow
 * and the tools built on its files (`citybrain convert`): dir/roadnet.json,
 * dir/flow.json and dir/config.json (interval = the step length, `seed`,
 * "dir" "", fixed-time signals).  `dir` must exist.  Existing files of
 * those names are replaced only when all three are complete; on an error
 * the folder is left as it was.  CityFlow's format says less than SUMO's:
 * what it cannot carry (right-of-way matrices, yielding greens, lane
 * shapes, junction speeds, Krauss drivers, depart attributes) goes to
 * `warn` (may be NULL) with counts, and the files run under CityFlow's
 * rules (docs/sumo.md).  Errors as cb_sumo_open's, or CB_EIO naming the
 * file. */
int cb_sumo_write_cityflow(const char *path, const cb_sumo_options *so, uint32_t seed, const char *dir,
                           cb_warnings *warn, cb_error *err);

/* Seconds from the scenario's start to its end (SUMO's end - begin), or 0
 * when the scenario names no end (CityFlow scenarios, a bare .net.xml). */
double cb_engine_scenario_end(const cb_engine *e);

/*--- Trips, the way SUMO counts them ------------------------------------------*/

/* Means over vehicles that finished their route, with SUMO's definitions
 * (--duration-log.statistics): travel time from entering the network (not
 * from being due to depart) to arrival; waiting time = time spent at or
 * below 0.1 m/s; time loss = time lost to driving below the allowed speed
 * (the lower of the vehicle's and the lane's; per step dt*(vmax-v)/vmax).
 * Only engines opened by cb_sumo_open keep these.
 * Jams: a vehicle stopped for more than 300 s without moving is counted
 * once in `stuck`, where SUMO would teleport it (citybrain never does). */
typedef struct cb_trip_stats {
    int64_t inserted;         /* vehicles that entered the network */
    int64_t finished;         /* vehicles that arrived */
    double mean_travel_time;  /* s, over finished */
    double mean_waiting_time; /* s, over finished */
    double mean_time_loss;    /* s, over finished */
    double mean_depart_delay; /* s, over finished: due to depart -> entered */
    int64_t stuck;            /* vehicles that were ever stopped > 300 s */
    int64_t stuck_now;        /* running vehicles stopped > 300 s right now */
    double max_stopped;       /* longest stop so far (running or finished), s */
} cb_trip_stats;

/* CB_ESTATE (and zeros) for an engine that does not keep them. */
int cb_engine_trip_stats(const cb_engine *e, cb_trip_stats *out);

/*--- Demand for a network that has none -----------------------------------------*/

/* Random trips (`citybrain gen demand`).  Origins and destinations are
 * fringe edges (edges starting or ending at a dead end or the network's
 * boundary), or the edges of an origin-destination file.  Deterministic for
 * a seed. */
typedef struct cb_demand_options {
    double rate;              /* vehicles per hour over the whole network (1000) */
    double duration;          /* seconds of departures (3600) */
    double begin;             /* first departure time (0) */
    uint32_t seed;            /* (0) */
    const char *od_file;      /* NULL: uniform random trips */
    double min_distance;      /* metres, straight-line origin to destination (0: any) */
} cb_demand_options;

void cb_demand_options_init(cb_demand_options *o);

/* Read `net_path` (.net.xml[.gz] or .sumocfg) and write a SUMO route file
 * of <trip> elements to `out_path`.  *n_trips (may be NULL) gets the count. */
int cb_sumo_gen_demand(const char *net_path, const cb_demand_options *o, const char *out_path,
                       size_t *n_trips, cb_warnings *warn, cb_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CITYBRAIN_SUMO_H */
