/* cbpy_topology.c -- ids and the structure of the network (beyond
 * CityFlow, whose users parse roadnet.json themselves): lane, road and
 * intersection ids in stable order, and per intersection its movements
 * (roadLinks), their lane links and its phases.  citybrain.env builds its
 * observation layout and its yellow/green phase sets from these. */
#include "cbpy.h"

/* A tuple of n ids from id_of(e, i); NULL with an exception set. */
static PyObject *id_tuple(const cb_engine *e, size_t n, const char *(*id_of)(const cb_engine *, size_t))
{
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(id_of(e, i));
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyUnicode_InternInPlace(&s);
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, s);
    }
    return t;
}

int cbpy_topology_init(cbpy_engine *self)
{
    self->n_roads = cb_engine_road_count(self->e);
    self->n_inters = cb_engine_intersection_count(self->e);
    Py_CLEAR(self->lane_ids);
    Py_CLEAR(self->road_ids);
    Py_CLEAR(self->inter_ids);
    Py_CLEAR(self->lane_template);
    Py_CLEAR(self->lane_index);
    self->lane_ids = id_tuple(self->e, self->n_lanes, cb_engine_lane_id);
    self->road_ids = id_tuple(self->e, self->n_roads, cb_engine_road_id);
    self->inter_ids = id_tuple(self->e, self->n_inters, cb_engine_intersection_id);
    if (!self->lane_ids || !self->road_ids || !self->inter_ids) return -1;
    Py_CLEAR(self->lane_template);
    self->lane_template = PyDict_New();
    if (!self->lane_template) return -1;
    Py_CLEAR(self->lane_index);
    self->lane_index = PyDict_New();
    if (!self->lane_index) return -1;
    PyObject *zero = PyLong_FromLong(0);
    if (!zero) return -1;
    for (size_t l = 0; l < self->n_lanes; l++) {
        PyObject *id = PyTuple_GET_ITEM(self->lane_ids, l), *k = PyLong_FromSize_t(l);
        int bad = !k || PyDict_SetItem(self->lane_template, id, zero) < 0 || PyDict_SetItem(self->lane_index, id, k) < 0;
        Py_XDECREF(k);
        if (bad) {
            Py_DECREF(zero);
            return -1;
        }
    }
    Py_DECREF(zero);
    return 0;
}

PyObject *cbpy_lane_ids(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    Py_INCREF(self->lane_ids);
    return self->lane_ids;
}

PyObject *cbpy_road_ids(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    Py_INCREF(self->road_ids);
    return self->road_ids;
}

PyObject *cbpy_intersection_ids(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "signalized_only", NULL };
    int only = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:intersection_ids", kwlist, &only)) return NULL;
    CBPY_ENTER(self);
    if (!only) {
        Py_INCREF(self->inter_ids);
        return self->inter_ids;
    }
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (size_t i = 0; i < self->n_inters; i++) {
        if (cb_engine_intersection_virtual(self->e, i)) continue;
        if (PyList_Append(list, PyTuple_GET_ITEM(self->inter_ids, i)) < 0) {
            Py_DECREF(list);
            return NULL;
        }
    }
    PyObject *t = PyList_AsTuple(list);
    Py_DECREF(list);
    return t;
}

static const char *movement_type(int type)
{
    switch (type) {
    case 1: return "turn_right";
    case 2: return "turn_left";
    case 3: return "go_straight";
    case 4: return "u_turn";
    default: return "unknown";
    }
}

static PyObject *movement_dict(cbpy_engine *self, size_t inter, size_t k)
{
    cb_movement mv;
    if (cb_engine_movement(self->e, inter, k, &mv) != CB_OK) {
        PyErr_SetString(PyExc_SystemError, "movement index out of range");
        return NULL;
    }
    PyObject *links = PyList_New((Py_ssize_t)mv.n_lane_links);
    if (!links) return NULL;
    for (size_t j = 0; j < mv.n_lane_links; j++) {
        size_t a = 0, b = 0;
        cb_engine_movement_lanes(self->e, inter, k, j, &a, &b);
        PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(self->lane_ids, a), PyTuple_GET_ITEM(self->lane_ids, b));
        if (!pair) {
            Py_DECREF(links);
            return NULL;
        }
        PyList_SET_ITEM(links, (Py_ssize_t)j, pair);
    }
    return Py_BuildValue("{s:s,s:O,s:O,s:N}", "type", movement_type(mv.type), "start_road",
                         PyTuple_GET_ITEM(self->road_ids, mv.start_road), "end_road",
                         PyTuple_GET_ITEM(self->road_ids, mv.end_road), "lane_links", links);
}

/* Roads ending (incoming) or starting (outgoing) at an intersection. */
static PyObject *roads_at(cbpy_engine *self, size_t inter, bool incoming)
{
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (size_t r = 0; r < self->n_roads; r++) {
        cb_road_info ri;
        if (cb_engine_road_info(self->e, r, &ri) != CB_OK) continue;
        if ((incoming ? ri.to : ri.from) != inter) continue;
        if (PyList_Append(list, PyTuple_GET_ITEM(self->road_ids, r)) < 0) {
            Py_DECREF(list);
            return NULL;
        }
    }
    return list;
}

/* {"id", "virtual", "phase" (showing now), "roads_in", "roads_out",
 *  "movements": [{"type", "start_road", "end_road", "lane_links": [(start lane, end lane)]}],
 *  "phases": [{"time", "movements": [movement indices]}]} */
PyObject *cbpy_get_intersection_info(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "intersection_id", NULL };
    PyObject *id;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:get_intersection_info", kwlist, &id)) return NULL;
    CBPY_ENTER(self);
    long li = cbpy_inter_index(self, id);
    if (li < 0) return NULL;
    size_t inter = (size_t)li;
    size_t n_mv = cb_engine_movement_count(self->e, inter);
    int n_ph = cb_engine_phase_count(self->e, inter);
    PyObject *mvs = PyList_New((Py_ssize_t)n_mv), *phs = PyList_New(n_ph > 0 ? n_ph : 0);
    PyObject *rin = roads_at(self, inter, true), *rout = roads_at(self, inter, false);
    if (!mvs || !phs || !rin || !rout) goto fail;
    for (size_t k = 0; k < n_mv; k++) {
        PyObject *m = movement_dict(self, inter, k);
        if (!m) goto fail;
        PyList_SET_ITEM(mvs, (Py_ssize_t)k, m);
    }
    for (int p = 0; p < n_ph; p++) {
        PyObject *allowed = PyList_New(0);
        if (!allowed) goto fail;
        for (size_t k = 0; k < n_mv; k++) {
            if (!cb_engine_phase_allows(self->e, inter, p, k)) continue;
            PyObject *x = PyLong_FromSize_t(k);
            if (!x || PyList_Append(allowed, x) < 0) {
                Py_XDECREF(x);
                Py_DECREF(allowed);
                goto fail;
            }
            Py_DECREF(x);
        }
        PyObject *ph = Py_BuildValue("{s:d,s:N}", "time", cb_engine_phase_time(self->e, inter, p), "movements", allowed);
        if (!ph) goto fail;
        PyList_SET_ITEM(phs, p, ph);
    }
    return Py_BuildValue("{s:O,s:O,s:i,s:N,s:N,s:N,s:N}", "id", PyTuple_GET_ITEM(self->inter_ids, inter),
                         "virtual", cb_engine_intersection_virtual(self->e, inter) ? Py_True : Py_False,
                         "phase", cb_engine_phase(self->e, inter), "roads_in", rin, "roads_out", rout,
                         "movements", mvs, "phases", phs);
fail:
    Py_XDECREF(mvs);
    Py_XDECREF(phs);
    Py_XDECREF(rin);
    Py_XDECREF(rout);
    return NULL;
}

/* {"id", "from", "to" (intersection ids), "lanes": [lane ids, innermost first], "length"} */
PyObject *cbpy_get_road_info(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "road_id", NULL };
    PyObject *id;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:get_road_info", kwlist, &id)) return NULL;
    CBPY_ENTER(self);
    long r = cbpy_road_index(self, id);
    if (r < 0) return NULL;
    cb_road_info ri;
    if (cb_engine_road_info(self->e, (size_t)r, &ri) != CB_OK) {
        PyErr_SetString(PyExc_SystemError, "road index out of range");
        return NULL;
    }
    PyObject *lanes = PyTuple_GetSlice(self->lane_ids, (Py_ssize_t)ri.first_lane,
                                       (Py_ssize_t)(ri.first_lane + ri.n_lanes));
    if (!lanes) return NULL;
    return Py_BuildValue("{s:O,s:O,s:O,s:N,s:d}", "id", PyTuple_GET_ITEM(self->road_ids, r), "from",
                         PyTuple_GET_ITEM(self->inter_ids, ri.from), "to", PyTuple_GET_ITEM(self->inter_ids, ri.to),
                         "lanes", lanes, "length", ri.length);
}
