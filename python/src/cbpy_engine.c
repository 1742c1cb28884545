/* cbpy_engine.c -- the Engine type: opening a scenario, closing it,
 * stepping, time and metrics, signals and seeds, and the method table of
 * every Engine method (implemented in the cbpy_*.c files by topic).
 *
 * Construction either returns a fully opened engine or raises with the
 * loader's message (CityFlow prints "load config failed!" and hands back
 * a half-built Engine instead).  close() -- also called by the context
 * manager, by the destructor and by the atexit hook -- joins the worker
 * threads; see cbpy_module.c for exit and fork(). */
#include "cbpy.h"

#include <stdlib.h>
#include <string.h>

static cbpy_engine *live_head;   /* open engines, for the atexit hook */

/*--- life cycle ----------------------------------------------------------------------*/

bool cbpy_usable(cbpy_engine *self)
{
    if (!self->e) {
        cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "the engine is closed");
        return false;
    }
    if (self->busy) {
        cbpy_raise_fmt(cbpy_StateError, CB_ESTATE,
                       "the engine is stepping in another thread; an Engine is not thread-safe");
        return false;
    }
    if (self->fork_gen != cbpy_fork_gen) {
        if (self->threads > 1) {
            self->forked_away = true;
            cbpy_raise_fmt(cbpy_StateError, CB_ESTATE,
                           "this engine (thread_num=%d) was created before fork(); its worker threads "
                           "do not exist in this process: create the engine in the child",
                           self->threads);
            return false;
        }
        self->fork_gen = cbpy_fork_gen;        /* no threads: the copy is complete */
    }
    return true;
}

static void live_add(cbpy_engine *self)
{
    self->live_prev = NULL;
    self->live_next = live_head;
    if (live_head) live_head->live_prev = self;
    live_head = self;
}

static void live_remove(cbpy_engine *self)
{
    if (self->live_prev) self->live_prev->live_next = self->live_next;
    else if (live_head == self) live_head = self->live_next;
    if (self->live_next) self->live_next->live_prev = self->live_prev;
    self->live_prev = self->live_next = NULL;
}

void cbpy_engine_shutdown(cbpy_engine *self)
{
    if (!self->e) return;
    live_remove(self);
    cbpy_signals_detach(self);                /* before the engine (citybrain.h) */
    bool orphan = self->forked_away || (self->fork_gen != cbpy_fork_gen && self->threads > 1);
    if (!orphan) cb_engine_close(self->e);   /* joins the workers */
    /* else: a fork() child's copy; its threads are gone, so joining them
       would be undefined.  The memory belongs to a copy-on-write image. */
    self->e = NULL;
    free(self->counts);
    self->counts = NULL;
    cbpy_replay_free(self);
}

void cbpy_close_all(void)
{
    cbpy_engine *p = live_head;
    while (p) {
        cbpy_engine *next = p->live_next;
        if (!p->busy) cbpy_engine_shutdown(p);
        p = next;
    }
}

static PyObject *engine_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    cbpy_engine *self = (cbpy_engine *)type->tp_alloc(type, 0);
    if (self) self->fork_gen = cbpy_fork_gen;
    return (PyObject *)self;
}

/* A tri-state keyword: None (from the config), False (0) or True (1). */
static int tristate(PyObject *o, const char *name, int *out)
{
    if (o == Py_None) return 0;
    int b = PyObject_IsTrue(o);
    if (b < 0) return -1;
    *out = b;
    return 0;
}

static int engine_init(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "config_file", "thread_num", "rl_traffic_light", "lane_change", "seed",
                              "no_replay", NULL };
    PyObject *path = NULL, *rl = Py_None, *lc = Py_None, *seed = Py_None;
    int threads = 1, no_replay = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|i$OOOp:Engine", kwlist, PyUnicode_FSConverter, &path,
                                     &threads, &rl, &lc, &seed, &no_replay))
        return -1;
    int rc = -1;
    if (self->e) {
        cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "Engine.__init__ called on an open engine");
        goto done;
    }
    cb_options o;
    cb_options_init(&o);
    o.threads = threads;
    o.no_replay = no_replay != 0;
    if (tristate(rl, "rl_traffic_light", &o.external_signals) < 0) goto done;
    if (tristate(lc, "lane_change", &o.lane_change) < 0) goto done;
    if (seed != Py_None) {
        long long v = PyLong_AsLongLong(seed);
        if (v == -1 && PyErr_Occurred()) goto done;
        o.seed = v;
        o.seed_set = true;
    }
    const char *cpath = PyBytes_AS_STRING(path);
    cb_error err = { 0 };
    cb_engine *e = NULL;
    int st;
    Py_BEGIN_ALLOW_THREADS                   /* a large city loads for seconds */
    st = cb_engine_open(cpath, &o, &e, &err);
    Py_END_ALLOW_THREADS
    if (st) {
        cbpy_raise(&err);
        goto done;
    }
    self->e = e;
    self->threads = cb_engine_threads(e);
    self->rl_traffic_light = cb_engine_external_signals(e);
    self->fork_gen = cbpy_fork_gen;
    self->n_lanes = cb_engine_lane_count(e);
    self->counts = malloc((self->n_lanes ? self->n_lanes : 1) * sizeof *self->counts);
    if (!self->counts) {
        PyErr_NoMemory();
    } else if (cbpy_topology_init(self) == 0 && cbpy_replay_init(self, cpath, o.no_replay) == 0) {
        live_add(self);
        rc = 0;
    }
    if (rc) {                                /* never hand out a half-built engine */
        cb_engine_close(e);
        self->e = NULL;
        free(self->counts);
        self->counts = NULL;
        cbpy_replay_free(self);
    }
done:
    Py_XDECREF(path);
    return rc;
}

static int engine_traverse(cbpy_engine *self, visitproc visit, void *arg)
{
    Py_VISIT(self->lane_ids);
    Py_VISIT(self->road_ids);
    Py_VISIT(self->inter_ids);
    Py_VISIT(self->lane_template);
    Py_VISIT(self->lane_index);
    return 0;
}

static int engine_clear(cbpy_engine *self)
{
    Py_CLEAR(self->lane_ids);
    Py_CLEAR(self->road_ids);
    Py_CLEAR(self->inter_ids);
    Py_CLEAR(self->lane_template);
    Py_CLEAR(self->lane_index);
    return 0;
}

static void engine_dealloc(cbpy_engine *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs) PyObject_ClearWeakRefs((PyObject *)self);
    cbpy_engine_shutdown(self);
    engine_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *engine_close(cbpy_engine *self, PyObject *unused)
{
    if (self->busy)
        return cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "cannot close: the engine is stepping in another thread");
    cbpy_engine_shutdown(self);
    Py_RETURN_NONE;
}

static PyObject *engine_enter(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *engine_exit(cbpy_engine *self, PyObject *args)
{
    PyObject *r = engine_close(self, NULL);
    if (!r) return NULL;
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

/*--- stepping ----------------------------------------------------------------------------*/

/* next_step(steps=1).  CityFlow's takes no argument; `steps` is ours.  The
 * GIL is released while stepping, re-taken every 64 steps to let Ctrl-C in. */
static PyObject *engine_next_step(cbpy_engine *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    CBPY_ENTER(self);
    long long n = 1;
    PyObject *arg = NULL;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs + nkw > 1)
        return PyErr_Format(PyExc_TypeError, "next_step() takes at most 1 argument (%zd given)", nargs + nkw);
    if (nargs == 1) arg = args[0];
    else if (nkw == 1) {
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "steps") != 0)
            return PyErr_Format(PyExc_TypeError, "next_step() got an unexpected keyword argument '%U'",
                                PyTuple_GET_ITEM(kwnames, 0));
        arg = args[0];
    }
    if (arg) {
        n = PyLong_AsLongLong(arg);
        if (n == -1 && PyErr_Occurred()) return NULL;
        if (n < 0)
            return cbpy_raise_fmt(cbpy_InvalidArgumentError, CB_EINVAL, "steps must be >= 0 (got %lld)", n);
    }
    cb_error err = { 0 };
    int rc = 0;
    bool layer = self->layer != NULL;
    self->busy = true;
    while (n > 0 && rc == 0) {
        long long chunk = n < 64 ? n : 64;
        Py_BEGIN_ALLOW_THREADS
        if (!layer) {
            for (long long i = 0; i < chunk && rc == 0; i++) rc = cb_engine_step(self->e, &err);
        } else {                                 /* the signal layer around every step */
            for (long long i = 0; i < chunk && rc == 0; i++) {
                if ((rc = cbpy_signals_update(self, &err))) break;
                if ((rc = cb_engine_step(self->e, &err))) break;
                cbpy_signals_tick(self);
            }
        }
        Py_END_ALLOW_THREADS
        n -= chunk;
        if (rc == 0 && n > 0 && PyErr_CheckSignals() < 0) {
            self->busy = false;
            return NULL;
        }
    }
    self->busy = false;
    if (rc) return cbpy_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *engine_get_current_time(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    return PyFloat_FromDouble(cb_engine_time(self->e));
}

static PyObject *engine_get_average_travel_time(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    cb_metrics m;
    cb_engine_metrics(self->e, &m);
    return PyFloat_FromDouble(m.engine_att);
}

/* Every figure of docs/metrics.md, as a dict. */
static PyObject *engine_get_metrics(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    cb_metrics m;
    cb_engine_metrics(self->e, &m);
    return Py_BuildValue("{s:d,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:d,s:d,s:L}", "time", m.time, "steps",
                         (long long)m.steps, "created", (long long)m.created, "finished",
                         (long long)m.finished, "running", (long long)m.running, "waiting",
                         (long long)m.waiting, "queued", (long long)m.queued, "veh_updates",
                         (long long)m.veh_updates, "engine_att", m.engine_att, "published_att",
                         m.published_att, "published_vehicles", (long long)m.published_vehicles);
}

/*--- signals, seeds, reset -------------------------------------------------------------------*/

long cbpy_inter_index(cbpy_engine *self, PyObject *id)
{
    const char *s = PyUnicode_Check(id) ? PyUnicode_AsUTF8(id) : NULL;
    if (!s) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "intersection_id must be str, not %.100s", Py_TYPE(id)->tp_name);
        return -1;
    }
    long i = cb_engine_intersection_find(self->e, s);
    if (i < 0) cbpy_raise_fmt(cbpy_NotFoundError, CB_ENOTFOUND, "no intersection \"%s\"", s);
    return i;
}

long cbpy_road_index(cbpy_engine *self, PyObject *id)
{
    const char *s = PyUnicode_Check(id) ? PyUnicode_AsUTF8(id) : NULL;
    if (!s) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "road ids must be str, not %.100s", Py_TYPE(id)->tp_name);
        return -1;
    }
    long r = cb_engine_road_find(self->e, s);
    if (r < 0) cbpy_raise_fmt(cbpy_NotFoundError, CB_ENOTFOUND, "no road \"%s\"", s);
    return r;
}

static PyObject *engine_set_tl_phase(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", "phase_id", NULL };
    PyObject *id;
    int phase;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oi:set_tl_phase", kwlist, &id, &phase)) return NULL;
    CBPY_ENTER(self);
    if (!self->rl_traffic_light)
        return cbpy_raise_fmt(cbpy_StateError, CB_ESTATE,
                              "set_tl_phase needs \"rlTrafficLight\": true in the config (or "
                              "Engine(..., rl_traffic_light=True)); the roadnet's own plans are running");
    if (self->layer)
        return cbpy_raise_fmt(cbpy_StateError, CB_ESTATE,
                              "a SignalLayer controls the phases: request greens through it (or close it)");
    long i = cbpy_inter_index(self, id);
    if (i < 0) return NULL;
    cb_error err = { 0 };
    if (cb_engine_set_phase(self->e, (size_t)i, phase, &err)) return cbpy_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *engine_get_tl_phase(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", NULL };
    PyObject *id;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:get_tl_phase", kwlist, &id)) return NULL;
    CBPY_ENTER(self);
    long i = cbpy_inter_index(self, id);
    if (i < 0) return NULL;
    return PyLong_FromLong(cb_engine_phase(self->e, (size_t)i));
}

static PyObject *engine_set_random_seed(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "seed", NULL };
    PyObject *seed;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!:set_random_seed", kwlist, &PyLong_Type, &seed)) return NULL;
    CBPY_ENTER(self);
    /* CityFlow seeds its mt19937 with the value modulo 2^32 */
    unsigned long v = PyLong_AsUnsignedLongMask(seed);
    if (v == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    cb_engine_set_seed(self->e, (uint32_t)v);
    Py_RETURN_NONE;
}

static PyObject *engine_reset(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "seed", NULL };
    int seed = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:reset", kwlist, &seed)) return NULL;
    CBPY_ENTER(self);
    cb_engine_reset(self->e, seed != 0);
    if (cbpy_signals_restart(self) < 0) return NULL;
    Py_RETURN_NONE;
}

/*--- attributes -------------------------------------------------------------------------------*/

static PyObject *get_closed(cbpy_engine *self, void *c) { return PyBool_FromLong(self->e == NULL); }

static PyObject *get_interval(cbpy_engine *self, void *c)
{
    CBPY_ENTER(self);
    return PyFloat_FromDouble(cb_engine_interval(self->e));
}

static PyObject *get_thread_num(cbpy_engine *self, void *c)
{
    CBPY_ENTER(self);
    return PyLong_FromLong(self->threads);
}

static PyObject *get_lane_change(cbpy_engine *self, void *c)
{
    CBPY_ENTER(self);
    return PyBool_FromLong(cb_engine_lane_change(self->e));
}

static PyObject *get_rl(cbpy_engine *self, void *c)
{
    CBPY_ENTER(self);
    return PyBool_FromLong(self->rl_traffic_light);
}

static PyObject *get_seed(cbpy_engine *self, void *c)
{
    CBPY_ENTER(self);
    return PyLong_FromLongLong(cb_engine_seed(self->e));
}

static PyGetSetDef engine_getset[] = {
    { "closed", (getter)get_closed, NULL, "True after close().", NULL },
    { "interval", (getter)get_interval, NULL, "Seconds per step.", NULL },
    { "thread_num", (getter)get_thread_num, NULL, "Threads stepping the engine.", NULL },
    { "lane_change", (getter)get_lane_change, NULL, "Lane changing on.", NULL },
    { "rl_traffic_light", (getter)get_rl, NULL, "Phases change only through set_tl_phase.", NULL },
    { "seed", (getter)get_seed, NULL, "The seed the engine was opened with.", NULL },
    { NULL, NULL, NULL, NULL, NULL }
};

/*--- the method table -------------------------------------------------------------------------*/

#define KW METH_VARARGS | METH_KEYWORDS
#define M(name, fn, flags, doc) { name, (PyCFunction)(void (*)(void))(fn), flags, doc }

static PyMethodDef engine_methods[] = {
    /* CityFlow's Engine */
    M("next_step", engine_next_step, METH_FASTCALL | METH_KEYWORDS,
      "next_step(steps=1)\n--\n\nSimulate one step (or `steps` steps) of `interval` seconds."),
    M("get_vehicle_count", cbpy_get_vehicle_count, METH_NOARGS,
      "Running vehicles (lane-change shadows included, as CityFlow)."),
    M("get_vehicles", cbpy_get_vehicles, KW,
      "get_vehicles(include_waiting=False)\n--\n\nIds of running vehicles (and queued ones if include_waiting)."),
    M("get_lane_vehicle_count", cbpy_get_lane_vehicle_count, METH_NOARGS, "{lane id: vehicles on it}."),
    M("get_lane_waiting_vehicle_count", cbpy_get_lane_waiting_vehicle_count, METH_NOARGS,
      "{lane id: vehicles on it slower than 0.1 m/s}."),
    M("get_lane_vehicles", cbpy_get_lane_vehicles, METH_NOARGS, "{lane id: [vehicle ids, front first]}."),
    M("get_vehicle_speed", cbpy_get_vehicle_speed, METH_NOARGS, "{vehicle id: speed m/s} of running vehicles."),
    M("get_vehicle_distance", cbpy_get_vehicle_distance, METH_NOARGS,
      "{vehicle id: metres from the start of its lane or lane link}."),
    M("get_vehicle_info", cbpy_get_vehicle_info, KW,
      "get_vehicle_info(vehicle_id)\n--\n\nCityFlow's dict of strings: running, distance, speed, drivable,\n"
      "road, intersection, route."),
    M("get_leader", cbpy_get_leader, KW, "get_leader(vehicle_id)\n--\n\nId of the vehicle ahead, or \"\"."),
    M("get_current_time", engine_get_current_time, METH_NOARGS, "Seconds simulated."),
    M("get_average_travel_time", engine_get_average_travel_time, METH_NOARGS,
      "CityFlow's average travel time (docs/metrics.md, engine_att)."),
    M("set_tl_phase", engine_set_tl_phase, KW,
      "set_tl_phase(intersection_id, phase_id)\n--\n\nSwitch a signal now (rlTrafficLight only)."),
    M("set_vehicle_speed", cbpy_set_vehicle_speed, KW,
      "set_vehicle_speed(vehicle_id, speed)\n--\n\nTarget speed for the next step; safety limits apply."),
    M("set_vehicle_route", cbpy_set_vehicle_route, KW,
      "set_vehicle_route(vehicle_id, route, *, strict=False)\n--\n\nRe-plan through the anchor roads; True if done.\n"
      "strict=True raises with the reason instead of returning False."),
    M("push_vehicle", cbpy_push_vehicle, KW,
      "push_vehicle(info, roads)\n--\n\nAdd a vehicle (CityFlow's keys in info); returns its id."),
    M("set_replay_file", cbpy_set_replay_file, KW,
      "set_replay_file(replay_file)\n--\n\nWrite the replay to dir + replay_file from now on."),
    M("set_save_replay", cbpy_set_save_replay, KW, "set_save_replay(open)\n--\n\nStart or stop writing the replay."),
    M("set_random_seed", engine_set_random_seed, KW, "set_random_seed(seed)\n--\n\nRe-seed the random generator."),
    M("reset", engine_reset, KW,
      "reset(seed=False)\n--\n\nBack to time 0 (vehicles cleared, flows restarted, phases 0)."),
    M("snapshot", cbpy_snapshot, METH_NOARGS, "The current state as an Archive."),
    M("load", cbpy_load, KW, "load(archive)\n--\n\nRestore a state taken by snapshot()."),
    M("load_from_file", cbpy_load_from_file, KW,
      "load_from_file(path)\n--\n\nRestore a state written by Archive.dump or save_to_file."),
    M("save_to_file", cbpy_save_to_file, KW, "save_to_file(path)\n--\n\nsnapshot().dump(path)."),
    /* beyond CityFlow */
    M("get_lane_vehicle_count_array", cbpy_get_lane_vehicle_count_array, KW,
      "get_lane_vehicle_count_array(out=None)\n--\n\nVehicles per lane as a numpy int32 array in lane_ids() order."),
    M("get_lane_waiting_vehicle_count_array", cbpy_get_lane_waiting_vehicle_count_array, KW,
      "get_lane_waiting_vehicle_count_array(out=None)\n--\n\nWaiting vehicles per lane, numpy int32, lane_ids() order."),
    M("lane_ids", cbpy_lane_ids, METH_NOARGS, "Lane ids in the stable order of the *_array getters (a tuple)."),
    M("road_ids", cbpy_road_ids, METH_NOARGS, "Road ids in roadnet order (a tuple)."),
    M("intersection_ids", cbpy_intersection_ids, KW,
      "intersection_ids(signalized_only=False)\n--\n\nIntersection ids in roadnet order (a tuple)."),
    M("get_intersection_info", cbpy_get_intersection_info, KW,
      "get_intersection_info(intersection_id)\n--\n\nMovements, phases and lanes of an intersection."),
    M("get_road_info", cbpy_get_road_info, KW,
      "get_road_info(road_id)\n--\n\nEnds, lanes and length of a road."),
    M("get_tl_phase", engine_get_tl_phase, KW, "get_tl_phase(intersection_id)\n--\n\nThe phase showing now."),
    M("get_metrics", engine_get_metrics, METH_NOARGS,
      "Every figure of docs/metrics.md (engine_att, published_att, throughput...)."),
    M("close", engine_close, METH_NOARGS, "Release the engine and join its threads; idempotent."),
    M("__enter__", engine_enter, METH_NOARGS, NULL),
    M("__exit__", engine_exit, METH_VARARGS, NULL),
    { NULL, NULL, 0, NULL }
};

PyTypeObject cbpy_engine_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "citybrain.Engine",
    .tp_basicsize = sizeof(cbpy_engine),
    .tp_dealloc = (destructor)engine_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Engine(config_file, thread_num=1, *, rl_traffic_light=None, lane_change=None, seed=None,\n"
              "       no_replay=False)\n--\n\n"
              "A city and its traffic, with CityFlow's Engine methods.  config_file is a CityFlow\n"
              "config.json (or a folder with one roadnet and one flow file).  The keyword-only\n"
              "arguments override the config (None: keep it).  Raises citybrain.LoadError with the\n"
              "loader's message for a bad scenario.",
    .tp_traverse = (traverseproc)engine_traverse,
    .tp_clear = (inquiry)engine_clear,
    .tp_weaklistoffset = offsetof(cbpy_engine, weakrefs),
    .tp_methods = engine_methods,
    .tp_getset = engine_getset,
    .tp_init = (initproc)engine_init,
    .tp_new = engine_new,
};
