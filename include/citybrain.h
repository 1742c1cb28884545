/* citybrain.h -- the one public header of citybrain, an open city brain.
 *
 * Everything a client (the CLI, the HTTP service, the Python module, a
 * researcher's program) may use is declared here.  All objects are opaque
 * handles with a documented lifecycle; all names start with cb_.
 *
 * Error convention (the same everywhere): a function that can fail returns
 * an int status, CB_OK (0) on success or a negative CB_E* code, and, when
 * the caller passed a non-NULL cb_error, fills it with a message that names
 * the file, JSON path or argument at fault.  The library never prints.
 *
 * Memory ownership is stated on every function: "caller owns" means the
 * caller must release it with the named function; "borrowed" means it stays
 * valid until the named event and must not be freed.
 */
#ifndef CITYBRAIN_H
#define CITYBRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CB_VERSION "0.1.0"

/*--- Errors ---------------------------------------------------------------*/

/* One table produces the codes, their names, their messages and the HTTP
 * status the service answers with.  Codes are never renumbered; a retired
 * code keeps its number under the name OBSOLETE<n>. */
#define CB_ERROR_MAP(X)                                                       \
    X(OK,          0,  "success",                                    200)     \
    X(NOMEM,      -1,  "out of memory",                              503)     \
    X(IO,         -2,  "cannot read or write a file",                500)     \
    X(SYNTAX,     -3,  "malformed input",                            400)     \
    X(SCHEMA,     -4,  "input does not follow the schema",           422)     \
    X(INVAL,      -5,  "invalid argument",                           400)     \
    X(NOTFOUND,   -6,  "no such object",                             404)     \
    X(STATE,      -7,  "not allowed in the current state",           409)     \
    X(UNSUPPORTED,-8,  "not supported",                              501)     \
    X(PRIVACY,    -9,  "citybrain does not accept personal data",    422)     \
    X(LIMIT,      -10, "a size or count limit was exceeded",         413)

typedef enum cb_status {
#define CB__ENUM(name, code, msg, http) CB_E##name = code,
    CB_ERROR_MAP(CB__ENUM)
#undef CB__ENUM
    CB_OK = 0
} cb_status;

#define CB_ERROR_MSG_MAX 1024

/* Filled by a failing call.  Caller owns it (usually on the stack). */
typedef struct cb_error {
    int code;                        /* a cb_status; CB_OK when no error */
    char msg[CB_ERROR_MSG_MAX];      /* one line, no trailing newline */
} cb_error;

const char *cb_status_name(int code);     /* "CB_ESCHEMA"; static storage */
const char *cb_status_message(int code);  /* "input does not follow ..." */
int cb_status_http(int code);             /* 422 for CB_ESCHEMA, ... */

/*--- Engine: the digital twin ----------------------------------------------*/

/* A loaded city plus its traffic state.  Created by cb_engine_open*,
 * released by cb_engine_close.  Not safe for concurrent calls from several
 * threads; the engine runs its own worker threads inside cb_engine_step. */
typedef struct cb_engine cb_engine;

/* Options that override or complete a scenario.  Initialise with
 * cb_options_init, then set what you need.  Strings are borrowed for the
 * duration of the open call only. */
typedef struct cb_options {
    int threads;              /* worker threads for stepping, >= 1 (default 1) */
    int64_t seed;             /* RNG seed; used when seed_set */
    bool seed_set;            /* false: take the seed from config.json (or 0) */
    int lane_change;          /* -1: from config; 0: off; 1: on */
    int external_signals;     /* -1: from config (rlTrafficLight); 0: the
                                 roadnet's fixed-time plans; 1: phases are
                                 set only through cb_engine_set_phase */
    const char *roadnet_file; /* replaces the config's roadnetFile if set */
    const char *flow_file;    /* replaces the config's flowFile if set */
    double interval;          /* seconds per step; 0: from config (or 1.0) */
    bool no_replay;           /* ignore the config's saveReplay */
} cb_options;

void cb_options_init(cb_options *opt);

/* Open a scenario.  `path` is a CityFlow config.json, or a folder holding
 * either a config.json or one roadnet file and one flow file (pick them with
 * opt->roadnet_file / opt->flow_file when there are several).
 * On success *out is a new engine the caller owns. */
int cb_engine_open(const char *path, const cb_options *opt, cb_engine **out,
                   cb_error *err);

/* A synthetic grid city, generated in memory (no files).  The defaults
 * reproduce CityFlow's generator grids used by the scaling benchmarks.
 * Initialise with cb_grid_options_init. */
typedef struct cb_grid_options {
    int rows, cols;           /* signalized intersections */
    double spacing;           /* metres between intersections (300) */
    int lanes;                /* lanes per road (3: left, straight, right) */
    double lane_width;        /* metres (4) */
    double max_speed;         /* lane speed limit, m/s (16.67) */
    double intersection_width;/* metres (30) */
    double green_time;        /* seconds of each green phase (30) */
    double yellow_time;       /* seconds of each right-turns-only phase (5) */
    double flow_interval;     /* seconds between vehicles of each flow (10) */
    bool turns;               /* add turning flows too (false: straight only) */
    bool empty;               /* no flows at all (measures an empty city's cost) */
} cb_grid_options;

void cb_grid_options_init(cb_grid_options *g);
int cb_engine_open_grid(const cb_grid_options *g, const cb_options *opt,
                        cb_engine **out, cb_error *err);

/* Write a generated grid as CityFlow roadnet.json and flow.json. */
int cb_grid_write(const cb_grid_options *g, const char *roadnet_path,
                  const char *flow_path, cb_error *err);

void cb_engine_close(cb_engine *e);

/* Advance the simulation by one step of cb_engine_interval() seconds. */
int cb_engine_step(cb_engine *e, cb_error *err);

double cb_engine_time(const cb_engine *e);      /* seconds simulated */
double cb_engine_interval(const cb_engine *e);  /* seconds per step */
int cb_engine_threads(const cb_engine *e);
int64_t cb_engine_seed(const cb_engine *e);     /* the seed in use */
size_t cb_engine_flow_count(const cb_engine *e); /* flows of the demand */
bool cb_engine_lane_change(const cb_engine *e);

/* Aggregate observables, all computed as defined in docs/metrics.md. */
typedef struct cb_metrics {
    double time;              /* seconds simulated */
    int64_t steps;            /* steps taken */
    int64_t created;          /* vehicles created by flows so far */
    int64_t finished;         /* vehicles that completed their route (throughput) */
    int64_t running;          /* vehicles on lanes or lane links */
    int64_t waiting;          /* running vehicles slower than 0.1 m/s */
    int64_t queued;           /* created vehicles still waiting to enter */
    int64_t veh_updates;      /* sum over steps of running vehicles */
    double engine_att;        /* CityFlow's average travel time, s */
    double published_att;    /* per-intersection ATT of the research papers, s */
    int64_t published_vehicles; /* vehicles counted in published_att */
} cb_metrics;

void cb_engine_metrics(const cb_engine *e, cb_metrics *m);

/* A 64-bit digest of the whole traffic state: every vehicle's drivable,
 * position and speed, the entering queues, the signals and the counters.
 * Equal digests mean identical states (up to hash collisions); the tests
 * use it to prove runs identical across thread counts. */
uint64_t cb_engine_digest(const cb_engine *e);

/*--- Network inspection ----------------------------------------------------*/

size_t cb_engine_lane_count(const cb_engine *e);
/* Lane id such as "road_1_0_1_2"; borrowed until cb_engine_close. */
const char *cb_engine_lane_id(const cb_engine *e, size_t lane);
/* Per-lane counts, in the stable order of cb_engine_lane_id; `out` has
 * room for cb_engine_lane_count() entries (caller owns). */
void cb_engine_lane_vehicle_counts(const cb_engine *e, uint32_t *out);
void cb_engine_lane_waiting_counts(const cb_engine *e, uint32_t *out);

/* What a field detector covering the last `zone` metres of a lane (before
 * its stop line) would report right now.  zone <= 0 or larger than the
 * lane means the whole lane.  Aggregate only: no vehicle is identified. */
typedef struct cb_lane_obs {
    uint32_t count;           /* vehicles in the zone */
    uint32_t stopped;         /* of those, slower than 0.1 m/s */
    double occupancy;         /* fraction of the zone covered by vehicles, 0..1 */
    double mean_speed;        /* m/s over vehicles in the zone; 0 if none */
    double zone;              /* metres actually covered */
} cb_lane_obs;

int cb_engine_lane_observe(const cb_engine *e, size_t lane, double zone, cb_lane_obs *out,
                           cb_error *err);
double cb_engine_lane_length(const cb_engine *e, size_t lane);
double cb_engine_lane_max_speed(const cb_engine *e, size_t lane);
/* The road a lane belongs to and its index in that road (0 = innermost). */
size_t cb_engine_lane_road(const cb_engine *e, size_t lane);
int cb_engine_lane_index(const cb_engine *e, size_t lane);

size_t cb_engine_road_count(const cb_engine *e);
const char *cb_engine_road_id(const cb_engine *e, size_t road);

/* Road topology.  Lanes of a road are consecutive: first_lane .. +n_lanes. */
typedef struct cb_road_info {
    const char *id;           /* borrowed until cb_engine_close */
    size_t from, to;          /* intersections */
    size_t first_lane, n_lanes;
    double length;            /* mean lane length, m */
} cb_road_info;
int cb_engine_road_info(const cb_engine *e, size_t road, cb_road_info *out);
long cb_engine_road_find(const cb_engine *e, const char *id);   /* index or -1 */

/* Movements (roadlinks) of an intersection, in the roadnet's order; a
 * phase lists the movements it lets go.  Types: 1 right, 2 left,
 * 3 straight, 4 U-turn (the conflict priorities of docs/engine.md). */
typedef struct cb_movement {
    size_t start_road, end_road;
    int type;
    size_t n_lane_links;      /* lane-level paths of this movement */
} cb_movement;
size_t cb_engine_movement_count(const cb_engine *e, size_t inter);
int cb_engine_movement(const cb_engine *e, size_t inter, size_t k, cb_movement *out);
/* Lane-level path j of movement k: start and end lane indices (global). */
int cb_engine_movement_lanes(const cb_engine *e, size_t inter, size_t k, size_t j,
                             size_t *start_lane, size_t *end_lane);
bool cb_engine_phase_allows(const cb_engine *e, size_t inter, int phase, size_t movement);
double cb_engine_phase_time(const cb_engine *e, size_t inter, int phase);  /* plan seconds */

size_t cb_engine_intersection_count(const cb_engine *e);
const char *cb_engine_intersection_id(const cb_engine *e, size_t inter);
bool cb_engine_intersection_virtual(const cb_engine *e, size_t inter);
int cb_engine_phase_count(const cb_engine *e, size_t inter);
int cb_engine_phase(const cb_engine *e, size_t inter);
/* Look an intersection up by id; returns its index or -1. */
long cb_engine_intersection_find(const cb_engine *e, const char *id);
/* Switch a signal to `phase` at once (external-signal mode, or any mode for
 * an operator override).  CB_EINVAL for a bad index. */
int cb_engine_set_phase(cb_engine *e, size_t inter, int phase, cb_error *err);

/*--- Vehicles --------------------------------------------------------------*/

/* A snapshot of one vehicle.  `id` is borrowed and valid until the next
 * call that steps or changes the engine. */
typedef struct cb_vehicle {
    const char *id;           /* "flow_3_17" */
    double speed;             /* m/s */
    double distance;          /* metres from the start of its drivable */
    bool running;             /* false: still in the entering queue */
    uint32_t drivable;        /* internal drivable index (lane or lane link) */
} cb_vehicle;

typedef int (*cb_vehicle_fn)(const cb_vehicle *v, void *ud);
/* Call fn for every running vehicle (and the queued ones if
 * include_queued), in a deterministic order; stops early if fn returns
 * non-zero and returns that value. */
int cb_engine_foreach_vehicle(const cb_engine *e, bool include_queued,
                              cb_vehicle_fn fn, void *ud);
/* Look one vehicle up by id; CB_ENOTFOUND if it is not in the engine. */
int cb_engine_vehicle(const cb_engine *e, const char *id, cb_vehicle *out,
                      cb_error *err);

/* CityFlow's get_vehicle_info, for one vehicle.  Strings and the route
 * array are borrowed until the next call that steps or changes the engine. */
typedef struct cb_vehicle_info {
    bool running;             /* on a lane or lane link (false: entering queue) */
    bool waiting_to_enter;    /* still in its first lane's entering queue */
    double speed, distance;   /* m/s; metres from the start of its drivable */
    char drivable[160];       /* lane id, or "<lane>_TO_<lane>" on a lane link */
    size_t road;              /* road index when on a lane, else (size_t)-1 */
    size_t intersection;      /* intersection index when on a lane link, else (size_t)-1 */
    const uint32_t *route;    /* remaining route from its current road (road indices) */
    size_t route_len;
    double length, width, max_speed;
} cb_vehicle_info;
int cb_engine_vehicle_info(const cb_engine *e, const char *id, cb_vehicle_info *out, cb_error *err);

/* The id of the vehicle ahead (CityFlow's get_leader), written into
 * `leader` (caller owns, `cap` bytes); "" if none within look-ahead. */
int cb_engine_vehicle_leader(const cb_engine *e, const char *id, char *leader, size_t cap,
                             cb_error *err);
/* Ask a running vehicle to drive at `speed` during the next step; the
 * safety limits of car following still apply (CityFlow's set_vehicle_speed). */
int cb_engine_set_vehicle_speed(cb_engine *e, const char *id, double speed, cb_error *err);
/* Re-plan a vehicle from its current road through the given anchor roads
 * (joined by shortest paths).  Fails on a lane link, or if its lane does not
 * lead to the new next road. */
int cb_engine_set_vehicle_route(cb_engine *e, const char *id, const size_t *roads, size_t n_roads,
                                cb_error *err);

/* A vehicle to add through the API (CityFlow's push_vehicle). */
typedef struct cb_vehicle_params {
    double length, width, max_pos_acc, max_neg_acc, usual_pos_acc, usual_neg_acc;
    double min_gap, max_speed, headway_time;
    double speed;             /* speed when it enters its first lane */
} cb_vehicle_params;
void cb_vehicle_params_init(cb_vehicle_params *p);   /* CityFlow's defaults */
/* Create "manually_pushed_<n>" now, routed through the anchor roads; it
 * joins its first lane's entering queue.  Its id goes to id_out. */
int cb_engine_push_vehicle(cb_engine *e, const cb_vehicle_params *p, const size_t *roads,
                           size_t n_roads, char *id_out, size_t id_cap, cb_error *err);

/*--- State: reset, snapshot, archive files ------------------------------------*/

/* Back to time 0: no vehicles, flows from the start, signals at phase 0.
 * The RNG is re-seeded with the current seed only if reset_seed (as
 * CityFlow's reset(seed=False)).  A replay being written continues. */
void cb_engine_reset(cb_engine *e, bool reset_seed);
/* Re-seed the RNG now (CityFlow's set_random_seed). */
void cb_engine_set_seed(cb_engine *e, uint32_t seed);

/* A saved traffic state.  Created by cb_engine_snapshot (caller owns;
 * release with cb_archive_free), restored by cb_engine_load into an engine
 * of the same scenario.  The bytes are citybrain's own versioned format
 * (docs/engine.md), checked on load: a foreign or corrupt archive is an
 * error and leaves the engine unchanged. */
typedef struct cb_archive cb_archive;
int cb_engine_snapshot(const cb_engine *e, cb_archive **out, cb_error *err);
int cb_engine_load(cb_engine *e, const cb_archive *a, cb_error *err);
int cb_archive_dump(const cb_archive *a, const char *path, cb_error *err);
int cb_engine_load_file(cb_engine *e, const char *path, cb_error *err);
void cb_archive_free(cb_archive *a);

/*--- Replay ------------------------------------------------------------------*/

/* Start writing a CityFlow-compatible replay: the static roadnet log now,
 * then one line per step.  Paths are borrowed.  Pass NULLs to stop. */
int cb_engine_set_replay(cb_engine *e, const char *roadnet_log,
                         const char *replay_log, cb_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CITYBRAIN_H */
