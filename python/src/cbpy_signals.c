/* cbpy_signals.c -- citybrain.SignalLayer: the C library's signal safety
 * layer (citybrain.h, "Signal control": cb_signals_*) for Python.
 *
 * A controller written in Python requests greens; the layer decides when
 * the engine may show them: the minimum green, then the yellow phase (the
 * first phase made only of right turns) for the full yellow time, then the
 * all-red, then the new green; the first green of a site shows at once.
 * This is the research papers' protocol (control-protocol.md) with
 * min_green 5 s, yellow 5 s, all-red 0.
 *
 * Attached to an Engine, the layer runs inside Engine.next_step(): before
 * each step cb_signals_update (clearances end, greens start, the engine's
 * phases are set), after it cb_signals_tick -- in C, with the GIL released
 * like any step.  set_tl_phase is refused meanwhile (the layer owns the
 * phases).  Engine.reset/load restart the layer (every site back to START),
 * since its timers are not part of the engine's state.
 *
 * Ownership: the layer holds a reference to its Engine; the Engine knows
 * its layer by a borrowed pointer, cleared when either goes.  Closing the
 * engine closes the layer first (cb_signals_close before cb_engine_close). */
#include "cbpy.h"

#include <stdlib.h>
#include <string.h>

static void layer_release(cbpy_signals *L)
{
    cb_signals_close(L->s);
    L->s = NULL;
    free(L->site_of);
    L->site_of = NULL;
}

void cbpy_signals_detach(cbpy_engine *eng)
{
    if (!eng->layer) return;
    layer_release(eng->layer);
    eng->layer = NULL;
}

static int layer_open(cbpy_signals *L, cbpy_engine *eng)
{
    cb_error err = { 0 };
    cb_signals *s = NULL;
    if (cb_signals_open(eng->e, &L->cfg, &s, &err)) {
        cbpy_raise(&err);
        return -1;
    }
    long *site_of = malloc((eng->n_inters ? eng->n_inters : 1) * sizeof *site_of);
    if (!site_of) {
        cb_signals_close(s);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < eng->n_inters; i++) site_of[i] = -1;
    for (size_t k = 0; k < cb_signals_site_count(s); k++) site_of[cb_signals_site_intersection(s, k)] = (long)k;
    L->s = s;
    L->site_of = site_of;
    return 0;
}

int cbpy_signals_restart(cbpy_engine *eng)
{
    cbpy_signals *L = eng->layer;
    if (!L) return 0;
    layer_release(L);
    if (layer_open(L, eng) < 0) {
        eng->layer = NULL;                 /* the layer is closed; the engine goes on */
        return -1;
    }
    return 0;
}

int cbpy_signals_update(cbpy_engine *eng, cb_error *err)
{
    return cb_signals_update(eng->layer->s, eng->e, err);
}

void cbpy_signals_tick(cbpy_engine *eng) { cb_signals_tick(eng->layer->s); }

/*--- construction -------------------------------------------------------------------*/

static int layer_init(cbpy_signals *L, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "engine", "min_green", "yellow", "all_red", "phases", NULL };
    PyObject *eo;
    double min_green = 5, yellow = 5, all_red = 0;
    const char *phases = "papers";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|$ddds:SignalLayer", kwlist, &cbpy_engine_type, &eo, &min_green,
                                     &yellow, &all_red, &phases))
        return -1;
    cbpy_engine *eng = (cbpy_engine *)eo;
    if (!cbpy_usable(eng)) return -1;
    if (L->engine) {
        cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "SignalLayer.__init__ called on an open layer");
        return -1;
    }
    if (eng->layer) {
        cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "the engine already has a signal layer (close it first)");
        return -1;
    }
    cb_signal_config_init(&L->cfg);
    L->cfg.min_green = min_green;
    L->cfg.yellow = yellow;
    L->cfg.all_red = all_red;
    if (strcmp(phases, "papers") == 0) L->cfg.phase_set = CB_PHASES_PAPERS;
    else if (strcmp(phases, "all") == 0) L->cfg.phase_set = CB_PHASES_ALL;
    else {
        cbpy_raise_fmt(cbpy_InvalidArgumentError, CB_EINVAL, "phases must be \"papers\" or \"all\", not \"%s\"",
                       phases);
        return -1;
    }
    if (layer_open(L, eng) < 0) return -1;
    Py_INCREF(eng);
    L->engine = eng;
    eng->layer = L;
    return 0;
}

static void layer_dealloc(cbpy_signals *L)
{
    if (L->engine) {
        if (L->engine->layer == L) L->engine->layer = NULL;
        Py_CLEAR(L->engine);
    }
    layer_release(L);
    Py_TYPE(L)->tp_free((PyObject *)L);
}

/* The layer is usable: open, its engine usable.  NULL with an exception. */
static cbpy_engine *layer_engine(cbpy_signals *L)
{
    if (!L->engine || !L->s || L->engine->layer != L) {
        cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "the signal layer is closed");
        return NULL;
    }
    return cbpy_usable(L->engine) ? L->engine : NULL;
}

/* Site index of an intersection id; -1 with an exception. */
static long site_arg(cbpy_signals *L, cbpy_engine *eng, PyObject *id)
{
    long i = cbpy_inter_index(eng, id);
    if (i < 0) return -1;
    long k = L->site_of[i];
    if (k < 0)
        cbpy_raise_fmt(cbpy_NotFoundError, CB_ENOTFOUND, "intersection \"%s\" has no signal",
                       cb_engine_intersection_id(eng->e, (size_t)i));
    return k;
}

/*--- methods --------------------------------------------------------------------------*/

static PyObject *layer_close(cbpy_signals *L, PyObject *unused)
{
    if (L->engine && L->engine->busy)
        return cbpy_raise_fmt(cbpy_StateError, CB_ESTATE, "cannot close: the engine is stepping in another thread");
    if (L->engine && L->engine->layer == L) L->engine->layer = NULL;
    layer_release(L);
    Py_CLEAR(L->engine);
    Py_RETURN_NONE;
}

static PyObject *layer_site_ids(cbpy_signals *L, PyObject *unused)
{
    cbpy_engine *eng = layer_engine(L);
    if (!eng) return NULL;
    size_t n = cb_signals_site_count(L->s);
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    for (size_t k = 0; t && k < n; k++) {
        PyObject *id = PyTuple_GET_ITEM(eng->inter_ids, cb_signals_site_intersection(L->s, k));
        Py_INCREF(id);
        PyTuple_SET_ITEM(t, (Py_ssize_t)k, id);
    }
    return t;
}

static PyObject *layer_candidates(cbpy_signals *L, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", NULL };
    PyObject *id;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:candidates", kwlist, &id)) return NULL;
    cbpy_engine *eng = layer_engine(L);
    if (!eng) return NULL;
    long k = site_arg(L, eng, id);
    if (k < 0) return NULL;
    const cb_site *st = &cb_signals_sites(L->s)[k];
    PyObject *t = PyTuple_New(st->n_candidates);
    for (uint32_t i = 0; t && i < st->n_candidates; i++) {
        PyObject *p = PyLong_FromLong(st->candidates[i]);
        if (!p) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, p);
    }
    return t;
}

static PyObject *layer_yellow_phase(cbpy_signals *L, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", NULL };
    PyObject *id;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:yellow_phase", kwlist, &id)) return NULL;
    cbpy_engine *eng = layer_engine(L);
    if (!eng) return NULL;
    long k = site_arg(L, eng, id);
    if (k < 0) return NULL;
    int y = cb_signals_sites(L->s)[k].yellow_phase;
    if (y < 0) Py_RETURN_NONE;
    return PyLong_FromLong(y);
}

static PyObject *layer_request(cbpy_signals *L, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", "phase_id", NULL };
    PyObject *id;
    int phase;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oi:request", kwlist, &id, &phase)) return NULL;
    cbpy_engine *eng = layer_engine(L);
    if (!eng) return NULL;
    long k = site_arg(L, eng, id);
    if (k < 0) return NULL;
    cb_error err = { 0 };
    if (cb_signals_request(L->s, (size_t)k, phase, &err)) return cbpy_raise(&err);
    Py_RETURN_NONE;
}

static const char *state_name(cb_sig_state s)
{
    switch (s) {
    case CB_SIG_START: return "start";
    case CB_SIG_GREEN: return "green";
    case CB_SIG_YELLOW: return "yellow";
    case CB_SIG_ALLRED: return "all_red";
    default: return "unknown";
    }
}

/* {"state", "phase" (showing), "green" (showing or coming), "pending", "state_time"} */
static PyObject *layer_status(cbpy_signals *L, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", NULL };
    PyObject *id;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:status", kwlist, &id)) return NULL;
    cbpy_engine *eng = layer_engine(L);
    if (!eng) return NULL;
    long k = site_arg(L, eng, id);
    if (k < 0) return NULL;
    cb_site_obs o;
    memset(&o, 0, sizeof o);
    cb_signals_status(L->s, (size_t)k, &o);
    return Py_BuildValue("{s:s,s:i,s:i,s:i,s:d}", "state", state_name(o.state), "phase", o.phase, "green", o.green,
                         "pending", o.pending, "state_time", o.state_time);
}

static PyObject *get_engine(cbpy_signals *L, void *c)
{
    if (!L->engine) Py_RETURN_NONE;
    Py_INCREF(L->engine);
    return (PyObject *)L->engine;
}

static PyObject *get_closed(cbpy_signals *L, void *c)
{
    return PyBool_FromLong(!L->engine || !L->s || L->engine->layer != L);
}

static PyGetSetDef layer_getset[] = {
    { "engine", (getter)get_engine, NULL, "The Engine the layer controls (None once closed).", NULL },
    { "closed", (getter)get_closed, NULL, "True after close() or once its engine is closed.", NULL },
    { NULL, NULL, NULL, NULL, NULL }
};

#define KW METH_VARARGS | METH_KEYWORDS
#define M(name, fn, flags, doc) { name, (PyCFunction)(void (*)(void))(fn), flags, doc }

static PyMethodDef layer_methods[] = {
    M("site_ids", layer_site_ids, METH_NOARGS, "The signalized intersections it controls, in roadnet order."),
    M("candidates", layer_candidates, KW,
      "candidates(intersection_id)\n--\n\nThe greens a controller may request there (phase ids)."),
    M("yellow_phase", layer_yellow_phase, KW,
      "yellow_phase(intersection_id)\n--\n\nThe clearance phase (first all-right-turns phase), or None."),
    M("request", layer_request, KW,
      "request(intersection_id, phase_id)\n--\n\nAsk for a green; shown as soon as it is safe."),
    M("status", layer_status, KW,
      "status(intersection_id)\n--\n\nstate (start/green/yellow/all_red), phase showing, green, pending, state_time."),
    M("close", layer_close, METH_NOARGS, "Detach from the engine (its phases then stay as they are)."),
    { NULL, NULL, 0, NULL }
};

PyTypeObject cbpy_signals_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "citybrain.SignalLayer",
    .tp_basicsize = sizeof(cbpy_signals),
    .tp_dealloc = (destructor)layer_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "SignalLayer(engine, *, min_green=5.0, yellow=5.0, all_red=0.0, phases=\"papers\")\n--\n\n"
              "The signal safety layer on an engine with rlTrafficLight: request greens, and from then on\n"
              "engine.next_step() shows them safely (minimum green, full yellow, all-red; the first green\n"
              "at once).  phases: \"papers\" (the first four greens) or \"all\".",
    .tp_methods = layer_methods,
    .tp_getset = layer_getset,
    .tp_init = (initproc)layer_init,
    .tp_new = PyType_GenericNew,
};
