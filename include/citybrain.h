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
    double interval;          /* seconds per step, CB_INTERVAL_MIN to 3600;
                                 0: from config (or 1.0) */
    bool no_replay;           /* ignore the config's saveReplay */
} cb_options;

/* The shortest step any input may ask for (options, config.json, a
 * .sumocfg's step-length): a millisecond.  Shorter steps would turn
 * ordinary times (an incident at 1e9 s, a flow's period) into step counts
 * beyond 64 bits. */
#define CB_INTERVAL_MIN 0.001

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

/* Write a CityFlow config.json at `path` naming roadnet_file and flow_file
 * with "dir" "" (citybrain finds them beside the config; CityFlow itself
 * from its working directory), `interval` seconds per step and `seed`;
 * fixed-time signals, no lane changing, no replay.  Created or replaced;
 * CB_EIO naming the file. */
int cb_cityflow_config_write(const char *path, double interval, uint32_t seed, const char *roadnet_file,
                             const char *flow_file, cb_error *err);

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
    int64_t stopped_on_approaches; /* stopped vehicles on the lanes leading into
                                      signalized intersections, after the last step */
    int64_t queue_sum;        /* sum over steps of stopped_on_approaches */
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
/* The same for a signal's approach: a zone longer than the lane (zone <= 0:
 * the whole approach) goes on upstream through junctions without a signal,
 * along the lane that feeds this one there (SUMO splits a street into
 * edges at every side road and bend; a 1 m edge before the stop line must
 * not hide the queue behind it), until a signal, a merge or the zone's
 * length.  out->zone is the length covered.  Identical to
 * cb_engine_lane_observe where there is no such junction (CityFlow). */
int cb_engine_approach_observe(const cb_engine *e, size_t lane, double zone, cb_lane_obs *out,
                               cb_error *err);
/* And for the lane a signal's movement leaves into: the zone starts at the
 * lane's start and goes on downstream the same way (how much room there is
 * beyond a 1 m edge after the junction). */
int cb_engine_exit_observe(const cb_engine *e, size_t lane, double zone, cb_lane_obs *out, cb_error *err);
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
/* Geometry for maps.  A road's centre line as the input gave it: writes up
 * to `cap` points as x,y pairs into xy (caller owns, 2*cap doubles) and
 * returns the number of points the road has (call with cap 0 to size).
 * Metres in the input's plane. */
size_t cb_engine_road_points(const cb_engine *e, size_t road, double *xy, size_t cap);
/* Centre and width of an intersection; CB_EINVAL for a bad index. */
int cb_engine_intersection_geometry(const cb_engine *e, size_t inter, double *x, double *y,
                                    double *width);
double cb_engine_lane_width(const cb_engine *e, size_t lane);
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
/* Green but minor in `phase`: its drivers yield to every movement they
 * meet (SUMO's lower-case link states, e.g. a permissive left turn beside
 * the opposing through traffic).  Never for CityFlow inputs. */
bool cb_engine_phase_yields(const cb_engine *e, size_t inter, int phase, size_t movement);
/* Does some signal show amber in `phase` (SUMO's y and u): a transition
 * the input's own plan runs between two greens, not a green of its own.
 * Never for CityFlow inputs. */
bool cb_engine_phase_amber(const cb_engine *e, size_t inter, int phase);
double cb_engine_phase_time(const cb_engine *e, size_t inter, int phase);  /* plan seconds */

size_t cb_engine_intersection_count(const cb_engine *e);
const char *cb_engine_intersection_id(const cb_engine *e, size_t inter);
bool cb_engine_intersection_virtual(const cb_engine *e, size_t inter);
/* Has the intersection a signal: neither virtual (a boundary node) nor a
 * junction where right of way alone decides (SUMO's priority junctions,
 * imported with one phase that lets everything go)? */
bool cb_engine_intersection_signalized(const cb_engine *e, size_t inter);
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
    bool shadow;              /* the copy of a vehicle changing lane, present
                                 in its target lane until the change ends; its
                                 id is "<id>_shadow", as in CityFlow */
} cb_vehicle;

typedef int (*cb_vehicle_fn)(const cb_vehicle *v, void *ud);
/* Call fn for every running vehicle (and the queued ones if
 * include_queued), in a deterministic order: drivables in index order
 * (lanes first, in cb_engine_lane_id order), front vehicle first on each,
 * then the entering queues.  A lane change in progress shows up twice: the
 * vehicle on its lane and its shadow (v->shadow) on the target lane.  Stops
 * early if fn returns non-zero and returns that value. */
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
 * `leader` (caller owns, `cap` bytes); "" if none within look-ahead.  A
 * lane-change shadow ahead is named "<id>_shadow". */
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
    double speed_factor;      /* it may drive at this times the lane speed limit
                                 (1; above 1 only for emergency vehicles, which
                                 the law lets exceed limits) */
} cb_vehicle_params;
void cb_vehicle_params_init(cb_vehicle_params *p);   /* CityFlow's defaults */
/* Create "manually_pushed_<n>" now, routed through the anchor roads; it
 * joins its first lane's entering queue.  Its id goes to id_out. */
int cb_engine_push_vehicle(cb_engine *e, const cb_vehicle_params *p, const size_t *roads,
                           size_t n_roads, char *id_out, size_t id_cap, cb_error *err);

/*--- Field equipment and field events ------------------------------------------*/

/* Loop detectors, as a city installs them: on every lane an entry loop
 * `entry_m` metres after the lane start and a stop-line loop `stopline_m`
 * before its end (both moved towards the middle on lanes shorter than four
 * times that).  Off until enabled; enabling again resets them. */
int cb_engine_enable_detectors(cb_engine *e, double entry_m, double stopline_m, cb_error *err);

/* What a loop measured since its lane's last reset.  Aggregate only. */
typedef struct cb_detector_reading {
    double position;          /* metres from the lane start */
    uint32_t count;           /* vehicles whose front passed it */
    double flow_per_hour;     /* count scaled to vehicles per hour */
    double occupancy;         /* fraction of steps ending with a vehicle over it */
    double mean_speed;        /* m/s of the vehicles that passed; 0 if none */
    double period;            /* seconds covered */
    /* Totals since the detectors were enabled; resets do not touch them, so
     * several readers can share the loops by differencing these. */
    uint64_t total_count;
    double total_occupied;    /* seconds a vehicle covered the loop */
    double total_speed_sum;   /* sum of the passing vehicles' speeds */
} cb_detector_reading;
/* out[0] is the entry loop, out[1] the stop-line loop.  reset starts a new
 * period for that lane (for a single reader; shared readers difference the
 * totals instead). */
int cb_engine_read_detectors(cb_engine *e, size_t lane, bool reset, cb_detector_reading out[2],
                             cb_error *err);

/* The same loops plus mid-block loops every `spacing_m` metres after the
 * entry loop (10 to 10000; 0: none), the last at least a metre before the
 * stop-line loop: what a city with detectors along its blocks has.
 * cb_engine_read_detectors still reads the two end loops. */
int cb_engine_enable_loops(cb_engine *e, double entry_m, double stopline_m, double spacing_m,
                           cb_error *err);
/* Loops on a lane (entry, mid-block, stop line); 0 when detectors are off. */
size_t cb_engine_lane_loop_count(const cb_engine *e, size_t lane);
/* All loops of a lane in order along it: out[0] the entry loop, out[n-1]
 * the stop-line loop.  cap is the room in out (the caller's array); *n_out
 * receives the count.  reset as for cb_engine_read_detectors. */
int cb_engine_read_lane_loops(cb_engine *e, size_t lane, bool reset, cb_detector_reading *out, size_t cap,
                              size_t *n_out, cb_error *err);

/* An incident blocking `lane` at `position` metres from its start, from
 * simulated time t0 until t1 (t1 < 0: until cleared).  Vehicles behind it
 * stop as behind a stopped vehicle, or change lane when lane changing is
 * on.  *id (may be NULL) receives its index.  At most 10,000 per engine,
 * cleared ones included (CB_ELIMIT). */
int cb_engine_add_incident(cb_engine *e, size_t lane, double position, double t0, double t1,
                           size_t *id, cb_error *err);
int cb_engine_clear_incident(cb_engine *e, size_t id, cb_error *err);
size_t cb_engine_incident_count(const cb_engine *e);
typedef struct cb_incident {
    size_t lane;
    double position, t0, t1;  /* t1 < 0: open-ended */
    bool active, cleared;
} cb_incident;
int cb_engine_incident(const cb_engine *e, size_t id, cb_incident *out, cb_error *err);

/*--- State: reset, snapshot, archive files ------------------------------------*/

/* Back to time 0: no vehicles, flows from the start, signals at phase 0,
 * trip statistics and detector readings from zero; incidents stay
 * scheduled.  The RNG is re-seeded with the current seed only if reset_seed (as
 * CityFlow's reset(seed=False)).  A replay being written continues. */
void cb_engine_reset(cb_engine *e, bool reset_seed);
/* Re-seed the RNG now (CityFlow's set_random_seed). */
void cb_engine_set_seed(cb_engine *e, uint32_t seed);

/* A saved traffic state: vehicles and their drivers, flows, signals, trip
 * statistics, incidents and detector readings.  Created by
 * cb_engine_snapshot (caller owns; release with cb_archive_free), restored
 * by cb_engine_load into an engine of the same scenario, whose incidents
 * and loops it replaces (an archive saved without detectors restarts the
 * engine's loops from the restored time).  The bytes are citybrain's own versioned format
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

/*=== Signal control (src/signal, src/control) ===============================
 * Owned by the signal-control layer; docs/control.md explains the design.
 *
 *   sites        an intersection as its field detectors see it: lanes,
 *                movements, phases, no vehicle ever identified;
 *   controllers  decide which phase each site should show, from what a
 *                site's detectors report (cb_site_obs) and nothing else;
 *   signals      the safety layer: it turns a controller's *requests* into
 *                phases that respect minimum green, yellow and all-red;
 *   control      the closed loop on the twin: observe, decide, make safe,
 *                step.  A live deployment replaces only the observation
 *                source.
 *==========================================================================*/

/*--- Sites ------------------------------------------------------------------*/

/* Signal states of the safety layer (cb_site_obs.state). */
typedef enum cb_sig_state {
    CB_SIG_START = 0,         /* nothing shown yet: the first request goes
                                 green at once (nothing to clear) */
    CB_SIG_GREEN = 1,         /* a candidate phase is showing */
    CB_SIG_YELLOW = 2,        /* the clearance phase runs before a change */
    CB_SIG_ALLRED = 3         /* optional all-red after the yellow */
} cb_sig_state;

/* Values a controller may publish for its neighbours after each decision
 * (the layout is the controller's own). */
#define CB_PUBLISH_N 32

/* One detector-equipped lane of a site: every lane of the roads that end at
 * the intersection (approaches) and of those that leave it (exits). */
typedef struct cb_site_lane {
    double length;            /* m */
    double max_speed;         /* m/s */
    uint32_t road;            /* index into cb_site.roads */
    uint32_t index;           /* position within its road, 0 = innermost */
} cb_site_lane;

typedef struct cb_site_road {
    bool incoming;            /* true: an approach ending at this site */
    uint32_t first_lane, n_lanes; /* its lanes: cb_site.lanes[first_lane..] */
    double length;            /* m (mean over its lanes) */
    long neighbour;           /* the signalized site at the road's other
                                 end, or -1 (boundary, unsignalized) */
    uint32_t neighbour_road;  /* the same road in that site's roads */
} cb_site_road;

/* A movement (roadLink): from one approach to one exit. */
typedef struct cb_site_movement {
    int type;                 /* 1 right, 2 left, 3 straight, 4 U-turn */
    uint32_t in_road, out_road; /* indices into cb_site.roads */
    uint32_t first_in, n_in;  /* its start lanes: cb_site.lane_refs[first_in..] */
    uint32_t first_out, n_out;/* its end lanes:   cb_site.lane_refs[first_out..] */
} cb_site_movement;

/* A signalized intersection, static.  Built once by cb_signals_open from
 * the twin, or by a deployment from its detector layout; all arrays are
 * borrowed from whoever built it and live as long as it. */
typedef struct cb_site {
    const char *id;           /* the intersection's id */
    uint32_t n_lanes, n_roads, n_movements, n_phases;
    const cb_site_lane *lanes;
    const cb_site_road *roads;
    const cb_site_movement *movements;
    const uint32_t *lane_refs;     /* lane indices used by movements */
    const uint8_t *allows;         /* allows[p * n_movements + k]: phase p
                                      lets movement k go */
    int yellow_phase;         /* the clearance phase: the first whose
                                 movements are all right turns */
    int allred_phase;         /* a phase with no movement at all, or -1
                                 (the all-red then holds the yellow phase) */
    uint32_t n_candidates;    /* the greens a controller may request */
    const int *candidates;    /* phase indices, ascending */
    double min_green, yellow, all_red; /* the layer's timings, s */
} cb_site;

/* What a site's detectors and its signal report at one decision.  A live
 * feed fills the same struct.  Arrays are borrowed for the decide call. */
typedef struct cb_site_obs {
    double time;              /* s since the start */
    cb_sig_state state;
    int phase;                /* the phase showing now (-1 before the start) */
    int green;                /* GREEN: the green showing; YELLOW/ALLRED: the
                                 green that follows; START: -1 */
    int pending;              /* a requested green waiting for the minimum
                                 green to pass, or -1 */
    double state_time;        /* s spent in the current state */
    const cb_lane_obs *lanes; /* one per cb_site.lanes entry: the detection
                                 zone (default the whole lane) */
    uint32_t n_zones;         /* advance detection zones the controller asked
                                 for (cb_controller_zones); 0: none */
    const double *zone_m;     /* their lengths, m before the stop line */
    const cb_lane_obs *zones; /* zones[z * n_lanes + lane]: approach lanes
                                 over their last zone_m[z] metres (exit
                                 lanes: zeros) */
    const double *published;  /* CB_PUBLISH_N values per site, all sites
                                 (index by cb_site_road.neighbour); zeros
                                 until a neighbour has decided */
} cb_site_obs;

/*--- Controller parameters ----------------------------------------------------*/

/* A set of "key = value" strings: controller parameters and the protocol
 * (decision_interval, yellow, all_red, min_green, phases, zone).  Whoever
 * reads a key marks it used, so a misspelt key is reported instead of being
 * silently ignored.  Caller owns; free with cb_params_free. */
typedef struct cb_params cb_params;
int cb_params_new(cb_params **out, cb_error *err);
void cb_params_free(cb_params *p);
/* Set (or replace) a key; strings are copied. */
int cb_params_set(cb_params *p, const char *key, const char *value, cb_error *err);
/* "key=value" as typed on a command line. */
int cb_params_parse(cb_params *p, const char *assignment, cb_error *err);
/* A JSON object of numbers and strings; keys already set are kept (the
 * command line overrides the file).  Errors name the file, line and key. */
int cb_params_load(cb_params *p, const char *path, cb_error *err);
/* The value of `key` as a number in [lo, hi], or `dflt` when absent; marks
 * the key used.  CB_EINVAL naming the key for a bad value. */
int cb_params_number(cb_params *p, const char *key, double dflt, double lo, double hi,
                     double *out, cb_error *err);
/* The string value or `dflt` (borrowed until the key is set again). */
const char *cb_params_string(cb_params *p, const char *key, const char *dflt);
/* The first key nobody read, or NULL. */
const char *cb_params_unused(const cb_params *p);

/*--- Controllers ----------------------------------------------------------------*/

/* A controller's answer for one site. */
typedef struct cb_decision {
    int phase;                /* the green to request, or -1: no request */
    double next;              /* s until this site wants to decide again
                                 (at least one step) */
    double publish[CB_PUBLISH_N]; /* for the neighbours (optional) */
} cb_decision;

/* A signal controller for a set of sites, with per-site state.  Created by
 * cb_controller_create, released by cb_controller_destroy.  Controllers see
 * only cb_site and cb_site_obs: never vehicle ids, routes or destinations.
 * Deterministic: the same observations give the same decisions. */
typedef struct cb_controller cb_controller;

typedef struct cb_controller_info {
    const char *name;         /* "maxpressure" */
    const char *summary;      /* one line */
    bool uses_interval;       /* decides at t = 0, I, 2I... (I =
                                 decision_interval); false: its own cadence */
    int phase_set;            /* the candidate set it expects by default
                                 (CB_PHASES_PAPERS or CB_PHASES_ALL) */
    const char *params;       /* "name=default: help" lines, '\n'-separated */
} cb_controller_info;

/* The built-in controllers, k = 0 .. cb_controller_count()-1.  "auto" is
 * not listed: it names the best one (cb_controller_auto()). */
size_t cb_controller_count(void);
int cb_controller_info_get(size_t k, cb_controller_info *out);
const char *cb_controller_auto(void);
/* Create controller `name` ("auto" allowed) for `sites` (borrowed; they must
 * outlive the controller).  Reads decision_interval and the controller's own
 * keys from params (may be NULL). */
int cb_controller_create(const char *name, const cb_site *sites, size_t n_sites, cb_params *params,
                         cb_controller **out, cb_error *err);
/* Decide for one site; `obs` describes that site now. */
void cb_controller_decide(cb_controller *c, size_t site, const cb_site_obs *obs, cb_decision *out);
const char *cb_controller_name(const cb_controller *c);
/* The advance zones the controller wants observed (cb_site_obs.zones):
 * returns how many (at most CB_ZONES_MAX) and sets *zone_m to their lengths
 * in metres (borrowed until destroy). */
#define CB_ZONES_MAX 16
uint32_t cb_controller_zones(const cb_controller *c, const double **zone_m);
void cb_controller_destroy(cb_controller *c);

/*--- The signal safety layer --------------------------------------------------*/

enum { CB_PHASES_PAPERS = 0, CB_PHASES_ALL = 1 };

typedef struct cb_signal_config {
    double min_green;         /* s a green shows at least (5) */
    double yellow;            /* s of the clearance phase on every change (5) */
    double all_red;           /* s of all-red after the yellow (0) */
    int phase_set;            /* CB_PHASES_PAPERS: the first four greens
                                 (more if some movement has none of them:
                                 up to the first green it has);
                                 CB_PHASES_ALL: every green.  A green is a
                                 phase that lets two conflicting movements
                                 go only if one of them yields, and shows
                                 no amber (SUMO's transition phases) */
} cb_signal_config;
void cb_signal_config_init(cb_signal_config *c);

/* The safety layer of one engine (which must use external signals).
 * Created by cb_signals_open, released by cb_signals_close (before the
 * engine).  Every signalized intersection is a site, in intersection
 * order. */
typedef struct cb_signals cb_signals;
int cb_signals_open(cb_engine *e, const cb_signal_config *cfg, cb_signals **out, cb_error *err);
void cb_signals_close(cb_signals *s);
size_t cb_signals_site_count(const cb_signals *s);
const cb_site *cb_signals_sites(const cb_signals *s);     /* borrowed */
size_t cb_signals_site_intersection(const cb_signals *s, size_t site);
/* The engine lane of each of a site's lanes, in the site's lane order
 * (cb_site.n_lanes entries; borrowed while the layer is open; NULL for a
 * site out of range): where a twin reads the site's detectors. */
const uint32_t *cb_signals_site_lanes(const cb_signals *s, size_t site);
/* Do movements a and b of a site conflict?  Different approaches, neither a
 * right turn, and their lane-link paths meet (docs/control.md). */
bool cb_signals_conflict(const cb_signals *s, size_t site, size_t a, size_t b);
/* Ask for green `phase` at a site.  The layer grants it as soon as it is
 * safe.  CB_EINVAL (nothing changes) for a phase that is not a candidate. */
int cb_signals_request(cb_signals *s, size_t site, int phase, cb_error *err);
/* Before a step: finish clearances whose time is up and start the changes
 * that became safe; then set the engine's phases. */
int cb_signals_update(cb_signals *s, cb_engine *e, cb_error *err);
/* After a step: the timers advance by one step. */
void cb_signals_tick(cb_signals *s);
/* A site's state as cb_site_obs reports it (lanes and published unset). */
void cb_signals_status(const cb_signals *s, size_t site, cb_site_obs *out);

/* Engine queries the layer needs (read-only). */
bool cb_engine_external_signals(const cb_engine *e);
/* Do any lane-link paths of movements a and b of `inter` meet (a crossing
 * or a merge)? */
bool cb_engine_movements_meet(const cb_engine *e, size_t inter, size_t a, size_t b);

/*--- The closed loop on the twin -------------------------------------------------*/

/* Engine + safety layer + controller.  Created by cb_control_open (after
 * the engine, closed before it).  Controller "fixed" leaves the engine's
 * own plans running (open the engine with external_signals = 0); any other
 * needs external_signals = 1.  params (may be NULL) holds the protocol and
 * the controller's keys; an unknown key is CB_EINVAL. */
typedef struct cb_control cb_control;
int cb_control_open(cb_engine *e, const char *controller, cb_params *params, cb_control **out,
                    cb_error *err);
/* One step: due sites observe and decide, the layer makes it safe, the
 * engine steps, timers advance. */
int cb_control_step(cb_control *c, cb_error *err);
typedef struct cb_control_stats {
    int64_t decisions;        /* decide calls */
    double decide_seconds;    /* CPU time of observing + deciding (the
                                 deciding thread's clock) */
    int64_t rejected;         /* requests the layer refused */
    int64_t switches;         /* greens started */
    double mean_queue;        /* stopped vehicles on approach lanes per
                                 signalized intersection, mean over steps */
    int64_t sites;            /* signalized intersections */
} cb_control_stats;
void cb_control_stats_get(const cb_control *c, cb_control_stats *out);
const char *cb_control_name(const cb_control *c);  /* resolved ("auto" -> real) */
const cb_signals *cb_control_signals(const cb_control *c);  /* NULL for "fixed" */
void cb_control_close(cb_control *c);

/*=== end of Signal control ==================================================*/

#ifdef __cplusplus
}
#endif
#endif /* CITYBRAIN_H */
