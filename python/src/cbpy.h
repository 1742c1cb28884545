/* cbpy.h -- internals shared by the files of the Python extension
 * citybrain._citybrain (python/src/cbpy_*.c).
 *
 * The extension is a thin layer over the public include/citybrain.h and
 * nothing else: it never includes src/ headers.  Each file has one job:
 *
 *   cbpy_module.c    module init, exception classes, atexit and at-fork hooks
 *   cbpy_engine.c    the Engine type: open/close, stepping, time, metrics,
 *                    signals, seeds, the method table
 *   cbpy_lanes.c     per-lane getters: CityFlow's dicts and the numpy arrays
 *   cbpy_vehicles.c  per-vehicle getters and setters, push_vehicle
 *   cbpy_state.c     Archive, snapshot/load, replay files
 *   cbpy_topology.c  ids and intersection structure (beyond CityFlow)
 *   cbpy_signals.c   SignalLayer: the C library's signal safety layer
 *
 * Threading.  next_step() releases the GIL while the engine steps, so other
 * Python threads run meanwhile.  The engine itself is not thread-safe, so an
 * Engine object is "busy" during that time and every other method called on
 * it from another thread raises instead of racing.  Checking and setting
 * `busy` happens with the GIL held, hence without a lock. */
#ifndef CBPY_H
#define CBPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "citybrain.h"

/*--- The Engine object ------------------------------------------------------*/

typedef struct cbpy_engine {
    PyObject_HEAD
    cb_engine *e;               /* NULL before __init__ succeeded and after close() */
    bool busy;                  /* next_step() is running with the GIL released */
    bool forked_away;           /* created before a fork() with worker threads the
                                   child does not have: unusable in the child */
    unsigned fork_gen;          /* cbpy_fork_gen when created */
    int threads;                /* thread_num */
    bool rl_traffic_light;      /* phases change only through set_tl_phase */
    size_t n_lanes, n_roads, n_inters;
    PyObject *lane_ids;         /* tuple of str, lane order (cb_engine_lane_id) */
    PyObject *road_ids;         /* tuple of str */
    PyObject *inter_ids;        /* tuple of str */
    PyObject *lane_template;    /* {lane id: 0} for every lane, in lane order */
    PyObject *lane_index;       /* {lane id: lane index} */
    uint32_t *counts;           /* n_lanes scratch for the per-lane getters */
    /* replay (CityFlow: works only when saveReplay is true in the config) */
    bool replay_in_config;      /* saveReplay was true in the config file */
    bool replay_on;             /* a replay is being written now */
    char *config_dir;           /* the folder of the config file */
    char *dir;                  /* the config's "dir" prefix ("" if none) */
    char *roadnet_log;          /* resolved roadnetLogFile, or NULL */
    char *replay_log;           /* resolved replay file in use, or NULL */
    struct cbpy_signals *layer; /* attached signal layer (borrowed; it holds us), or NULL */
    PyObject *weakrefs;         /* weak reference support */
    struct cbpy_engine *live_prev, *live_next; /* all open engines (atexit) */
} cbpy_engine;

typedef struct cbpy_archive {
    PyObject_HEAD
    cb_archive *a;              /* owned; NULL only while being built */
} cbpy_archive;

/* A signal safety layer attached to an engine (cbpy_signals.c). */
typedef struct cbpy_signals {
    PyObject_HEAD
    cbpy_engine *engine;        /* owned reference; NULL once closed */
    cb_signals *s;              /* owned; NULL once closed */
    cb_signal_config cfg;       /* to reopen on reset/load */
    long *site_of;              /* intersection index -> site index, or -1 */
} cbpy_signals;

extern PyTypeObject cbpy_engine_type;
extern PyTypeObject cbpy_archive_type;
extern PyTypeObject cbpy_signals_type;

/*--- Errors (cbpy_module.c) -----------------------------------------------------*/

/* citybrain.Error (a RuntimeError, as CityFlow's C++ exceptions arrive in
 * Python) and the subclasses chosen by the status code. */
extern PyObject *cbpy_Error, *cbpy_LoadError, *cbpy_NotFoundError, *cbpy_InvalidArgumentError,
    *cbpy_StateError;

/* Raise the exception for a failed call (err->code, err->msg); returns NULL. */
PyObject *cbpy_raise(const cb_error *err);
/* Raise exception type `type` with a formatted message and status `code`. */
PyObject *cbpy_raise_fmt(PyObject *type, int code, const char *fmt, ...);

/* Bumped in the child after every fork(): worker threads do not survive it. */
extern unsigned cbpy_fork_gen;

/*--- Engine helpers (cbpy_engine.c) ---------------------------------------------*/

/* The usual entry check of every method: open, not busy in another thread,
 * not inherited through fork().  Returns false with an exception set. */
bool cbpy_usable(cbpy_engine *self);
#define CBPY_ENTER(self) \
    do { if (!cbpy_usable(self)) return NULL; } while (0)

/* Close the engine now (joins its worker threads); idempotent. */
void cbpy_engine_shutdown(cbpy_engine *self);
/* Close every open engine that is not busy (the atexit hook). */
void cbpy_close_all(void);

/* Index of an intersection / road id given as a Python str; -1 with
 * NotFoundError set when unknown (or a TypeError for a non-str). */
long cbpy_inter_index(cbpy_engine *self, PyObject *id);
long cbpy_road_index(cbpy_engine *self, PyObject *id);

/*--- Method implementations, by file ------------------------------------------*/

/* cbpy_lanes.c */
PyObject *cbpy_get_lane_vehicle_count(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_get_lane_waiting_vehicle_count(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_get_lane_vehicles(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_get_lane_vehicle_count_array(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_get_lane_waiting_vehicle_count_array(cbpy_engine *self, PyObject *args, PyObject *kw);

/* cbpy_vehicles.c */
PyObject *cbpy_get_vehicle_count(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_get_vehicles(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_get_vehicle_speed(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_get_vehicle_distance(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_get_vehicle_info(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_get_leader(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_set_vehicle_speed(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_set_vehicle_route(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_push_vehicle(cbpy_engine *self, PyObject *args, PyObject *kw);

/* cbpy_state.c */
PyObject *cbpy_snapshot(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_load(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_load_from_file(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_save_to_file(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_set_replay_file(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_set_save_replay(cbpy_engine *self, PyObject *args, PyObject *kw);
/* Read the replay settings of the config file after a successful open. */
int cbpy_replay_init(cbpy_engine *self, const char *config_path, bool no_replay);
void cbpy_replay_free(cbpy_engine *self);

/* cbpy_signals.c: the engine's side of an attached layer */
int cbpy_signals_update(cbpy_engine *eng, cb_error *err);   /* before a step */
void cbpy_signals_tick(cbpy_engine *eng);                   /* after a step */
int cbpy_signals_restart(cbpy_engine *eng);    /* after reset/load: every site to START */
void cbpy_signals_detach(cbpy_engine *eng);    /* close the layer (engine closing) */

/* cbpy_topology.c */
PyObject *cbpy_lane_ids(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_road_ids(cbpy_engine *self, PyObject *unused);
PyObject *cbpy_intersection_ids(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_get_intersection_info(cbpy_engine *self, PyObject *args, PyObject *kw);
PyObject *cbpy_get_road_info(cbpy_engine *self, PyObject *args, PyObject *kw);
/* Build lane_ids, road_ids, inter_ids after open; -1 with an exception. */
int cbpy_topology_init(cbpy_engine *self);

#endif
