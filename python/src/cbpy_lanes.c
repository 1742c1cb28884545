/* cbpy_lanes.c -- per-lane getters: CityFlow's dicts keyed by lane id and
 * the numpy variants in the stable order of lane_ids().
 *
 * The dicts reuse the lane id strings made once at open (their hashes are
 * cached too), so get_lane_waiting_vehicle_count() costs one pass over the
 * lanes in C plus one dict insertion per lane.  The *_array variants skip
 * the dict entirely: one numpy.empty (or the caller's `out` buffer) filled
 * in place; numpy is imported on first use only, so `import citybrain`
 * does not need it. */
#include "cbpy.h"

#include <stdlib.h>
#include <string.h>

typedef void (*lane_fill_fn)(const cb_engine *e, uint32_t *out);

/* {lane id: count}, in lane order.  Starting from a copy of a template
 * dict holding every lane (a table copy) and only replacing values avoids
 * growing the table step by step: about twice as fast on Jinan. */
static PyObject *counts_dict(cbpy_engine *self, lane_fill_fn fill)
{
    fill(self->e, self->counts);
    PyObject *d = PyDict_Copy(self->lane_template);
    if (!d) return NULL;
    for (size_t l = 0; l < self->n_lanes; l++) {
        PyObject *v = PyLong_FromUnsignedLong(self->counts[l]);
        if (!v || PyDict_SetItem(d, PyTuple_GET_ITEM(self->lane_ids, l), v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

PyObject *cbpy_get_lane_vehicle_count(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    return counts_dict(self, cb_engine_lane_vehicle_counts);
}

PyObject *cbpy_get_lane_waiting_vehicle_count(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    return counts_dict(self, cb_engine_lane_waiting_counts);
}

/*--- get_lane_vehicles ------------------------------------------------------------------*/

typedef struct lane_lists {
    PyObject **lists;            /* one per lane (borrowed from the dict) */
    size_t n_lanes;
} lane_lists;

static int add_to_lane(const cb_vehicle *v, void *ud)
{
    lane_lists *L = ud;
    if (v->drivable >= L->n_lanes) return 0;          /* on a lane link */
    PyObject *id = PyUnicode_FromString(v->id);
    if (!id) return -1;
    int rc = PyList_Append(L->lists[v->drivable], id);
    Py_DECREF(id);
    return rc < 0 ? -1 : 0;
}

/* {lane id: [vehicle ids, front first]}: every lane, empty ones included;
 * a lane-change shadow appears as "<id>_shadow" on its target lane. */
PyObject *cbpy_get_lane_vehicles(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    lane_lists L = { malloc((self->n_lanes ? self->n_lanes : 1) * sizeof(PyObject *)), self->n_lanes };
    if (!L.lists) return PyErr_NoMemory();
    PyObject *d = PyDict_New();
    if (!d) goto fail;
    for (size_t l = 0; l < self->n_lanes; l++) {
        PyObject *list = PyList_New(0);
        if (!list || PyDict_SetItem(d, PyTuple_GET_ITEM(self->lane_ids, l), list) < 0) {
            Py_XDECREF(list);
            goto fail;
        }
        L.lists[l] = list;
        Py_DECREF(list);                                 /* the dict holds it */
    }
    if (cb_engine_foreach_vehicle(self->e, false, add_to_lane, &L) != 0) goto fail;
    free(L.lists);
    return d;
fail:
    free(L.lists);
    Py_XDECREF(d);
    return NULL;
}

/*--- numpy variants -------------------------------------------------------------------------*/

static PyObject *np_empty, *np_int32;   /* numpy.empty, numpy.int32 (imported lazily) */

static int import_numpy(void)
{
    if (np_empty) return 0;
    PyObject *np = PyImport_ImportModule("numpy");
    if (!np) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_SetString(PyExc_ImportError,
                        "the *_array getters need numpy (Debian: apt-get install python3-numpy), or pass "
                        "out= any writable buffer of int32");
        return -1;
    }
    np_empty = PyObject_GetAttrString(np, "empty");
    np_int32 = PyObject_GetAttrString(np, "int32");
    Py_DECREF(np);
    if (!np_empty || !np_int32) {
        Py_CLEAR(np_empty);
        Py_CLEAR(np_int32);
        return -1;
    }
    return 0;
}

/* Accept a writable C-contiguous buffer of n 4-byte integers. */
static int check_out(cbpy_engine *self, Py_buffer *view)
{
    const char *f = view->format ? view->format : "B";
    if (f[0] == '@' || f[0] == '=' || f[0] == '<') f++;
    bool int4 = view->itemsize == 4 && (strcmp(f, "i") == 0 || strcmp(f, "I") == 0 ||
                                         strcmp(f, "l") == 0 || strcmp(f, "L") == 0);
    if (!int4) {
        cbpy_raise_fmt(cbpy_InvalidArgumentError, CB_EINVAL,
                       "out must hold 4-byte integers (numpy int32 or uint32), not format '%s'",
                       view->format ? view->format : "B");
        return -1;
    }
    if ((size_t)(view->len / 4) != self->n_lanes) {
        cbpy_raise_fmt(cbpy_InvalidArgumentError, CB_EINVAL, "out has %zd elements; the city has %zu lanes",
                       view->len / 4, self->n_lanes);
        return -1;
    }
    return 0;
}

static PyObject *lane_array(cbpy_engine *self, PyObject *args, PyObject *kw, const char *fmt, lane_fill_fn fill)
{
    static char *kwlist[] = { "out", NULL };
    PyObject *out = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, &out)) return NULL;
    CBPY_ENTER(self);
    PyObject *arr;
    if (out == Py_None) {
        if (import_numpy() < 0) return NULL;
        arr = PyObject_CallFunction(np_empty, "nO", (Py_ssize_t)self->n_lanes, np_int32);
        if (!arr) return NULL;
    } else {
        arr = out;
        Py_INCREF(arr);
    }
    Py_buffer view;
    if (PyObject_GetBuffer(arr, &view, PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        Py_DECREF(arr);
        return NULL;
    }
    if (check_out(self, &view) < 0) {
        PyBuffer_Release(&view);
        Py_DECREF(arr);
        return NULL;
    }
    fill(self->e, (uint32_t *)view.buf);    /* counts < 2^31: same bits as int32 */
    PyBuffer_Release(&view);
    return arr;
}

PyObject *cbpy_get_lane_vehicle_count_array(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    return lane_array(self, args, kw, "|O:get_lane_vehicle_count_array", cb_engine_lane_vehicle_counts);
}

PyObject *cbpy_get_lane_waiting_vehicle_count_array(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    return lane_array(self, args, kw, "|O:get_lane_waiting_vehicle_count_array", cb_engine_lane_waiting_counts);
}
