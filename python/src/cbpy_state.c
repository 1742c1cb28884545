/* cbpy_state.c -- saved states (Archive, snapshot/load, archive files) and
 * the replay switches set_replay_file / set_save_replay.
 *
 * Archives are citybrain's own versioned format (docs/engine.md); a
 * CityFlow archive JSON is not accepted (LoadError naming the file).
 *
 * Replay, as CityFlow defines it: both calls work only when the config
 * file says "saveReplay": true; file names are the config's "dir" prefix
 * string-concatenated with the name given, resolved like the loader
 * resolves every other name (beside the config file unless only the
 * cwd-relative path exists).  CityFlow prints a line and ignores the call
 * otherwise; we raise StateError -- except set_save_replay(False), which
 * asks for what already holds and is accepted. */
#include "cbpy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*--- Archive --------------------------------------------------------------------------*/

static PyObject *archive_wrap(cb_archive *a)
{
    cbpy_archive *o = PyObject_New(cbpy_archive, &cbpy_archive_type);
    if (!o) {
        cb_archive_free(a);
        return NULL;
    }
    o->a = a;
    return (PyObject *)o;
}

static PyObject *archive_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "engine", NULL };
    PyObject *eng;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!:Archive", kwlist, &cbpy_engine_type, &eng)) return NULL;
    cbpy_engine *self = (cbpy_engine *)eng;
    CBPY_ENTER(self);
    cb_archive *a = NULL;
    cb_error err = { 0 };
    if (cb_engine_snapshot(self->e, &a, &err)) return cbpy_raise(&err);
    cbpy_archive *o = (cbpy_archive *)type->tp_alloc(type, 0);
    if (!o) {
        cb_archive_free(a);
        return NULL;
    }
    o->a = a;
    return (PyObject *)o;
}

static void archive_dealloc(cbpy_archive *o)
{
    cb_archive_free(o->a);
    Py_TYPE(o)->tp_free((PyObject *)o);
}

static PyObject *archive_dump(cbpy_archive *o, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "path", NULL };
    PyObject *path;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&:dump", kwlist, PyUnicode_FSConverter, &path)) return NULL;
    cb_error err = { 0 };
    int rc = cb_archive_dump(o->a, PyBytes_AS_STRING(path), &err);
    Py_DECREF(path);
    if (rc) return cbpy_raise(&err);
    Py_RETURN_NONE;
}

static PyMethodDef archive_methods[] = {
    { "dump", (PyCFunction)(void (*)(void))archive_dump, METH_VARARGS | METH_KEYWORDS,
      "dump(path)\n--\n\nWrite the state to a file that Engine.load_from_file reads." },
    { NULL, NULL, 0, NULL }
};

PyTypeObject cbpy_archive_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "citybrain.Archive",
    .tp_basicsize = sizeof(cbpy_archive),
    .tp_dealloc = (destructor)archive_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Archive(engine)\n--\n\nThe engine's state now (same as engine.snapshot()).",
    .tp_methods = archive_methods,
    .tp_new = archive_new,
};

/*--- snapshot / load ---------------------------------------------------------------------*/

PyObject *cbpy_snapshot(cbpy_engine *self, PyObject *unused)
{
    CBPY_ENTER(self);
    cb_archive *a = NULL;
    cb_error err = { 0 };
    if (cb_engine_snapshot(self->e, &a, &err)) return cbpy_raise(&err);
    return archive_wrap(a);
}

PyObject *cbpy_load(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "archive", NULL };
    PyObject *ao;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!:load", kwlist, &cbpy_archive_type, &ao)) return NULL;
    CBPY_ENTER(self);
    cb_error err = { 0 };
    if (cb_engine_load(self->e, ((cbpy_archive *)ao)->a, &err)) return cbpy_raise(&err);
    if (cbpy_signals_restart(self) < 0) return NULL;      /* its timers are not in the archive */
    Py_RETURN_NONE;
}

PyObject *cbpy_load_from_file(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "path", NULL };
    PyObject *path;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&:load_from_file", kwlist, PyUnicode_FSConverter, &path))
        return NULL;
    if (!cbpy_usable(self)) {
        Py_DECREF(path);
        return NULL;
    }
    cb_error err = { 0 };
    int rc = cb_engine_load_file(self->e, PyBytes_AS_STRING(path), &err);
    Py_DECREF(path);
    if (rc) return cbpy_raise(&err);
    if (cbpy_signals_restart(self) < 0) return NULL;
    Py_RETURN_NONE;
}

PyObject *cbpy_save_to_file(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "path", NULL };
    PyObject *path;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&:save_to_file", kwlist, PyUnicode_FSConverter, &path))
        return NULL;
    if (!cbpy_usable(self)) {
        Py_DECREF(path);
        return NULL;
    }
    cb_archive *a = NULL;
    cb_error err = { 0 };
    int rc = cb_engine_snapshot(self->e, &a, &err);
    if (rc == CB_OK) rc = cb_archive_dump(a, PyBytes_AS_STRING(path), &err);
    cb_archive_free(a);
    Py_DECREF(path);
    if (rc) return cbpy_raise(&err);
    Py_RETURN_NONE;
}

/*--- replay ----------------------------------------------------------------------------------*/

static char *concat(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *p = malloc(la + ls + lb + 1);
    if (!p) return NULL;
    memcpy(p, a, la);
    memcpy(p + la, sep, ls);
    memcpy(p + la + ls, b, lb + 1);
    return p;
}

/* dir + name, then beside the config file unless only the cwd-relative
 * path exists (the loader's rule, src/load/cf_config.c). */
static char *resolve(const cbpy_engine *self, const char *name)
{
    char *joined = concat(self->dir, "", name);
    if (!joined || joined[0] == '/') return joined;
    char *beside = concat(self->config_dir, "/", joined);
    if (beside && (access(beside, F_OK) == 0 || access(joined, F_OK) != 0)) {
        free(joined);
        return beside;
    }
    free(beside);
    return joined;
}

void cbpy_replay_free(cbpy_engine *self)
{
    free(self->config_dir);
    free(self->dir);
    free(self->roadnet_log);
    free(self->replay_log);
    self->config_dir = self->dir = self->roadnet_log = self->replay_log = NULL;
    self->replay_in_config = self->replay_on = false;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *p = realloc(buf, cap *= 2);
        if (!p) { free(buf); buf = NULL; }
        else buf = p;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* A string member of the parsed config, or NULL (borrowed). */
static const char *member_str(PyObject *cfg, const char *key)
{
    PyObject *v = PyDict_GetItemString(cfg, key);
    return v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
}

/* The loader accepted the config already; here we only need the replay
 * names it does not expose.  A folder without config.json has none. */
int cbpy_replay_init(cbpy_engine *self, const char *path, bool no_replay)
{
    struct stat st;
    char *cfg_path = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cfg_path = concat(path, "/", "config.json");
        if (cfg_path && access(cfg_path, F_OK) != 0) {
            free(cfg_path);
            self->dir = strdup("");
            self->config_dir = strdup(path);
            return self->dir && self->config_dir ? 0 : (PyErr_NoMemory(), -1);
        }
    } else {
        cfg_path = strdup(path);
    }
    if (!cfg_path) return PyErr_NoMemory(), -1;
    char *slash = strrchr(cfg_path, '/');
    size_t dir_len = slash ? (size_t)(slash - cfg_path) : 0;
    if (slash && dir_len == 0) dir_len = 1;              /* "/config.json": the root */
    self->config_dir = slash ? strndup(cfg_path, dir_len) : strdup(".");
    size_t len = 0;
    char *text = read_all(cfg_path, &len);
    free(cfg_path);
    if (!self->config_dir) return PyErr_NoMemory(), -1;
    int rc = -1;
    PyObject *json = NULL, *cfg = NULL;
    if (!text) {
        cbpy_raise_fmt(cbpy_LoadError, CB_EIO, "%s: cannot read the config again", path);
        goto done;
    }
    json = PyImport_ImportModule("json");
    if (!json) goto done;
    cfg = PyObject_CallMethod(json, "loads", "y#", text, (Py_ssize_t)len);
    if (!cfg) goto done;
    if (!PyDict_Check(cfg)) {
        cbpy_raise_fmt(cbpy_LoadError, CB_ESCHEMA, "%s: not a JSON object", path);
        goto done;
    }
    const char *dir = member_str(cfg, "dir");
    self->dir = strdup(dir ? dir : "");
    if (!self->dir) { PyErr_NoMemory(); goto done; }
    PyObject *save = PyDict_GetItemString(cfg, "saveReplay");
    const char *rlog = member_str(cfg, "roadnetLogFile"), *plog = member_str(cfg, "replayLogFile");
    if (save == Py_True && rlog && plog) {
        self->replay_in_config = true;
        self->roadnet_log = resolve(self, rlog);
        self->replay_log = resolve(self, plog);
        if (!self->roadnet_log || !self->replay_log) { PyErr_NoMemory(); goto done; }
        self->replay_on = !no_replay;         /* cb_engine_open started it */
    }
    rc = 0;
done:
    free(text);
    Py_XDECREF(json);
    Py_XDECREF(cfg);
    return rc;
}

static PyObject *no_replay_config(void)
{
    return cbpy_raise_fmt(cbpy_StateError, CB_ESTATE,
                          "\"saveReplay\" is not true in the config file (CityFlow ignores this call then)");
}

PyObject *cbpy_set_replay_file(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "replay_file", NULL };
    const char *name;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s:set_replay_file", kwlist, &name)) return NULL;
    CBPY_ENTER(self);
    if (!self->replay_in_config) return no_replay_config();
    char *path = resolve(self, name);
    if (!path) return PyErr_NoMemory();
    if (self->replay_on) {
        cb_error err = { 0 };
        if (cb_engine_set_replay(self->e, NULL, path, &err)) {
            free(path);
            self->replay_on = false;           /* the old file was closed */
            return cbpy_raise(&err);
        }
    }
    free(self->replay_log);
    self->replay_log = path;
    Py_RETURN_NONE;
}

/* Resuming after set_save_replay(False) reopens the replay file, which
 * starts it afresh (CityFlow appends); docs/python.md lists this. */
PyObject *cbpy_set_save_replay(cbpy_engine *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "open", NULL };
    int open;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "p:set_save_replay", kwlist, &open)) return NULL;
    CBPY_ENTER(self);
    if (!self->replay_in_config) {
        if (open) return no_replay_config();
        Py_RETURN_NONE;
    }
    if ((bool)open == self->replay_on) Py_RETURN_NONE;
    cb_error err = { 0 };
    if (cb_engine_set_replay(self->e, NULL, open ? self->replay_log : NULL, &err)) {
        self->replay_on = false;
        return cbpy_raise(&err);
    }
    self->replay_on = open != 0;
    Py_RETURN_NONE;
}
