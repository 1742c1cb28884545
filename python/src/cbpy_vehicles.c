/* cbpy_vehicles.c -- per-vehicle getters and setters with CityFlow's
 * names, arguments and return types, and push_vehicle.
 *
 * Observable CityFlow behaviour reproduced (cityflow-semantics.md s. 13):
 * get_vehicles/get_vehicle_speed/get_vehicle_distance list real vehicles
 * only (a lane-change shadow is not one), while get_vehicle_count and
 * get_lane_vehicles include shadows; get_vehicle_info returns a dict of
 * strings ("1"/"0", numbers printed like C++'s std::to_string, i.e. "%f",
 * and a route of road ids each followed by a space); unknown vehicles raise
 * a RuntimeError subclass (CityFlow: RuntimeError "Vehicle 'x' not found");
 * set_vehicle_route answers False when the route cannot be set. */
#include "cbpy.h"

#include <stdlib.h>
#include <string.h>

static const char *id_arg(PyObject *o, const char *what)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(o)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(o);
}

PyObject *cbpy_get_vehicle_count(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    cb_metrics m;
    cb_engine_metrics(self->e, &m);
    return PyLong_FromLongLong(m.running);
}

/*--- lists and dicts over all vehicles ------------------------------------------------*/

typedef struct collect {
    PyObject *out;               /* list or dict being filled */
    int what;                    /* COLLECT_* */
} collect;

enum { COLLECT_IDS, COLLECT_SPEED, COLLECT_DISTANCE };

static int collect_one(const cb_vehicle *v, void *ud)
{
    collect *c = ud;
    if (v->shadow) return 0;                  /* not a real vehicle (CityFlow's isReal) */
    PyObject *id = PyUnicode_FromString(v->id);
    if (!id) return -1;
    int rc;
    if (c->what == COLLECT_IDS) {
        rc = PyList_Append(c->out, id);
    } else {
        PyObject *x = PyFloat_FromDouble(c->what == COLLECT_SPEED ? v->speed : v->distance);
        rc = x ? PyDict_SetItem(c->out, id, x) : -1;
        Py_XDECREF(x);
    }
    Py_DECREF(id);
    return rc < 0 ? -1 : 0;
}

static PyObject *collect_all(cbpy_engine *self, int what, bool include_queued)
{
    collect c = { what == COLLECT_IDS ? PyList_New(0) : PyDict_New(), what };
    if (!c.out) return NULL;
    if (cb_engine_foreach_vehicle(self->e, include_queued, collect_one, &c) != 0) {
        Py_DECREF(c.out);
        return NULL;
    }
    return c.out;
}

PyObject *cbpy_get_vehicles(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "include_waiting", NULL };
    int include_waiting = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:get_vehicles", kwlist, &include_waiting)) return NULL;
    CBPY_ENTER(self);
    return collect_all(self, COLLECT_IDS, include_waiting != 0);
}

PyObject *cbpy_get_vehicle_speed(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    return collect_all(self, COLLECT_SPEED, false);
}

PyObject *cbpy_get_vehicle_distance(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    return collect_all(self, COLLECT_DISTANCE, false);
}

/*--- one vehicle ------------------------------------------------------------------------------*/

static int set_str(PyObject *d, const char *key, const char *value)
{
    PyObject *v = PyUnicode_FromString(value);
    if (!v) return -1;
    int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

/* "%f", as std::to_string(double) prints */
static int set_num(PyObject *d, const char *key, double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%f", x);
    return set_str(d, key, buf);
}

/* The road a lane link "<start lane>_TO_<end lane>" starts from, or -1:
 * the first "_TO_" whose prefix is a lane id (ids may contain "_TO_"). */
static long link_start_road(cbpy_engine *self, const char *link_id)
{
    for (const char *p = strstr(link_id, "_TO_"); p; p = strstr(p + 1, "_TO_")) {
        PyObject *lane = PyUnicode_FromStringAndSize(link_id, p - link_id);
        if (!lane) {
            PyErr_Clear();
            return -1;
        }
        PyObject *idx = PyDict_GetItemWithError(self->lane_index, lane);
        Py_DECREF(lane);
        if (idx) return (long)cb_engine_lane_road(self->e, PyLong_AsSize_t(idx));
        PyErr_Clear();
    }
    return -1;
}

PyObject *cbpy_get_vehicle_info(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "vehicle_id", NULL };
    PyObject *ido;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:get_vehicle_info", kwlist, &ido)) return NULL;
    CBPY_ENTER(self);
    const char *id = id_arg(ido, "vehicle_id");
    if (!id) return NULL;
    cb_vehicle_info vi;
    cb_error err = { 0 };
    if (cb_engine_vehicle_info(self->e, id, &vi, &err)) return cbpy_raise(&err);
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    if (set_str(d, "running", vi.running ? "1" : "0") < 0) goto fail;
    if (!vi.running) return d;               /* CityFlow: nothing else for a queued vehicle */
    if (set_num(d, "distance", vi.distance) < 0 || set_num(d, "speed", vi.speed) < 0 ||
        set_str(d, "drivable", vi.drivable) < 0)
        goto fail;
    if (vi.road != (size_t)-1) {             /* on a lane: its road and the intersection ahead */
        cb_road_info ri;
        if (cb_engine_road_info(self->e, vi.road, &ri) == CB_OK &&
            (set_str(d, "road", ri.id) < 0 || set_str(d, "intersection", cb_engine_intersection_id(self->e, ri.to)) < 0))
            goto fail;
    }
    /* CityFlow's route starts at the road it is on -- on a lane link still
     * the road it came from (its router moves on when it reaches a lane) */
    long from = vi.road == (size_t)-1 ? link_start_road(self, vi.drivable) : -1;
    size_t cap = 1, used = 0;
    if (from >= 0) cap += strlen(cb_engine_road_id(self->e, (size_t)from)) + 1;
    for (size_t k = 0; k < vi.route_len; k++) cap += strlen(cb_engine_road_id(self->e, vi.route[k])) + 1;
    char *route = malloc(cap);
    if (!route) {
        PyErr_NoMemory();
        goto fail;
    }
    route[0] = '\0';
    for (long k = from >= 0 ? -1 : 0; k < (long)vi.route_len; k++) {
        const char *r = cb_engine_road_id(self->e, k < 0 ? (size_t)from : vi.route[k]);
        size_t len = strlen(r);
        memcpy(route + used, r, len);
        route[used + len] = ' ';
        used += len + 1;
        route[used] = '\0';
    }
    int rc = set_str(d, "route", route);
    free(route);
    if (rc < 0) goto fail;
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

PyObject *cbpy_get_leader(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "vehicle_id", NULL };
    PyObject *ido;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:get_leader", kwlist, &ido)) return NULL;
    CBPY_ENTER(self);
    const char *id = id_arg(ido, "vehicle_id");
    if (!id) return NULL;
    char leader[96];
    cb_error err = { 0 };
    if (cb_engine_vehicle_leader(self->e, id, leader, sizeof leader, &err)) return cbpy_raise(&err);
    return PyUnicode_FromString(leader);
}

PyObject *cbpy_set_vehicle_speed(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "vehicle_id", "speed", NULL };
    PyObject *ido;
    double speed;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Od:set_vehicle_speed", kwlist, &ido, &speed)) return NULL;
    CBPY_ENTER(self);
    const char *id = id_arg(ido, "vehicle_id");
    if (!id) return NULL;
    cb_error err = { 0 };
    if (cb_engine_set_vehicle_speed(self->e, id, speed, &err)) return cbpy_raise(&err);
    Py_RETURN_NONE;
}

/* Road ids (a sequence of str) to indices; NULL with an exception set.
 * *n_out is the count.  Caller frees. */
static size_t *road_list(cbpy_engine *self, PyObject *seq, const char *what, size_t *n_out)
{
    if (PyUnicode_Check(seq)) {
        PyErr_Format(PyExc_TypeError, "%s must be a list of road ids, not a str", what);
        return NULL;
    }
    PyObject *fast = PySequence_Fast(seq, "a list of road ids");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    size_t *roads = malloc((n ? (size_t)n : 1) * sizeof *roads);
    if (!roads) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long r = cbpy_road_index(self, PySequence_Fast_GET_ITEM(fast, i));
        if (r < 0) {
            free(roads);
            Py_DECREF(fast);
            return NULL;
        }
        roads[i] = (size_t)r;
    }
    Py_DECREF(fast);
    *n_out = (size_t)n;
    return roads;
}

/* True when re-planned.  CityFlow answers False for an unknown vehicle or
 * road, a vehicle on a lane link, or a route that cannot be connected;
 * strict=True raises with the reason instead. */
PyObject *cbpy_set_vehicle_route(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "vehicle_id", "route", "strict", NULL };
    PyObject *ido, *route;
    int strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$p:set_vehicle_route", kwlist, &ido, &route, &strict))
        return NULL;
    CBPY_ENTER(self);
    const char *id = id_arg(ido, "vehicle_id");
    if (!id) return NULL;
    size_t n = 0;
    size_t *roads = road_list(self, route, "route", &n);
    if (!roads) {
        if (strict || !PyErr_ExceptionMatches(cbpy_NotFoundError)) return NULL;
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
    cb_error err = { 0 };
    int rc = cb_engine_set_vehicle_route(self->e, id, roads, n, &err);
    free(roads);
    if (rc == CB_OK) Py_RETURN_TRUE;
    if (strict || rc == CB_ENOMEM) return cbpy_raise(&err);
    Py_RETURN_FALSE;
}

/* CityFlow's info keys for push_vehicle, and where each goes. */
static const struct { const char *key; size_t offset; } push_keys[] = {
    { "length", offsetof(cb_vehicle_params, length) },
    { "width", offsetof(cb_vehicle_params, width) },
    { "maxPosAcc", offsetof(cb_vehicle_params, max_pos_acc) },
    { "maxNegAcc", offsetof(cb_vehicle_params, max_neg_acc) },
    { "usualPosAcc", offsetof(cb_vehicle_params, usual_pos_acc) },
    { "usualNegAcc", offsetof(cb_vehicle_params, usual_neg_acc) },
    { "minGap", offsetof(cb_vehicle_params, min_gap) },
    { "maxSpeed", offsetof(cb_vehicle_params, max_speed) },
    { "headwayTime", offsetof(cb_vehicle_params, headway_time) },
    { "speed", offsetof(cb_vehicle_params, speed) },
};
enum { N_PUSH_KEYS = sizeof push_keys / sizeof push_keys[0] };

/* push_vehicle(info, roads) -> the new vehicle's id ("manually_pushed_<n>").
 * Keys missing from info take CityFlow's defaults; an unknown key is an
 * error (CityFlow silently ignores it, typos included). */
PyObject *cbpy_push_vehicle(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "info", "roads", NULL };
    PyObject *info, *route;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!O:push_vehicle", kwlist, &PyDict_Type, &info, &route)) return NULL;
    CBPY_ENTER(self);
    cb_vehicle_params p;
    cb_vehicle_params_init(&p);
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(info, &pos, &key, &value)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (!k) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "push_vehicle: info keys must be str");
            return NULL;
        }
        int j = 0;
        while (j < N_PUSH_KEYS && strcmp(push_keys[j].key, k) != 0) j++;
        if (j == N_PUSH_KEYS)
            return cbpy_raise_fmt(cbpy_InvalidArgumentError, CB_EINVAL,
                                  "push_vehicle: unknown key \"%s\" in info (known: length, width, maxPosAcc, "
                                  "maxNegAcc, usualPosAcc, usualNegAcc, minGap, maxSpeed, headwayTime, speed)", k);
        double x = PyFloat_AsDouble(value);
        if (x == -1.0 && PyErr_Occurred()) return NULL;
        *(double *)((char *)&p + push_keys[j].offset) = x;
    }
    size_t n = 0;
    size_t *roads = road_list(self, route, "roads", &n);
    if (!roads) return NULL;
    char id[64];
    cb_error err = { 0 };
    int rc = cb_engine_push_vehicle(self->e, &p, roads, n, id, sizeof id, &err);
    free(roads);
    if (rc) return cbpy_raise(&err);
    return PyUnicode_FromString(id);
}
