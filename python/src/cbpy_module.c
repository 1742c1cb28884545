/* cbpy_module.c -- the module citybrain._citybrain: exception classes,
 * the interpreter-exit and fork hooks, and module initialisation.
 *
 * Exit.  CityFlow's Engine can deadlock in its destructor (a worker that
 * missed the "finished" flag; cityflow-semantics.md s. 15.1), so a script
 * that simply ends may hang.  Here closing an engine joins its workers
 * (sim_threads_stop wakes and joins every one of them), and an atexit hook
 * closes every engine still open before the interpreter tears down, so
 * worker threads never outlive the Python objects that own them.  An
 * engine that is stepping in a daemon thread at exit is left alone: the
 * process exit ends its threads; closing it under that thread would be a
 * use-after-free.
 *
 * fork().  Threads do not survive fork(), so an engine with worker threads
 * copied into a child (multiprocessing's default start method on Linux)
 * would wait forever for workers that do not exist.  The child's copies of
 * such engines are marked unusable (their methods raise StateError and
 * their memory is left alone); single-threaded engines keep working. */
#include "cbpy.h"

PyObject *cbpy_Error, *cbpy_LoadError, *cbpy_NotFoundError, *cbpy_InvalidArgumentError,
    *cbpy_StateError;
unsigned cbpy_fork_gen;

/*--- errors ----------------------------------------------------------------------*/

static PyObject *error_type(int code)
{
    switch (code) {
    case CB_EIO: case CB_ESYNTAX: case CB_ESCHEMA: case CB_EPRIVACY: return cbpy_LoadError;
    case CB_ENOTFOUND: return cbpy_NotFoundError;
    case CB_EINVAL: case CB_ELIMIT: return cbpy_InvalidArgumentError;
    case CB_ESTATE: return cbpy_StateError;
    case CB_ENOMEM: return PyExc_MemoryError;
    default: return cbpy_Error;
    }
}

/* Raise `type(msg)` with attributes code (the cb_status) and status (its
 * name, "CB_ESCHEMA"), so callers can branch without parsing messages. */
static PyObject *raise_with(PyObject *type, int code, const char *msg)
{
    PyObject *exc = PyObject_CallFunction(type, "s", msg);
    if (!exc) return NULL;
    if (PyObject_IsSubclass(type, cbpy_Error) == 1) {
        PyObject *c = PyLong_FromLong(code);
        PyObject *n = PyUnicode_FromString(cb_status_name(code));
        if (c && n) {
            PyObject_SetAttrString(exc, "code", c);
            PyObject_SetAttrString(exc, "status", n);
        }
        Py_XDECREF(c);
        Py_XDECREF(n);
    }
    PyErr_SetObject(type, exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *cbpy_raise(const cb_error *err)
{
    int code = err->code ? err->code : CB_EUNSUPPORTED;
    const char *msg = err->msg[0] ? err->msg : cb_status_message(code);
    return raise_with(error_type(code), code, msg);
}

PyObject *cbpy_raise_fmt(PyObject *type, int code, const char *fmt, ...)
{
    char msg[CB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return raise_with(type, code, msg);
}

static int add_error(PyObject *m, PyObject **slot, const char *name, PyObject *bases, const char *doc)
{
    *slot = PyErr_NewExceptionWithDoc(name, doc, bases, NULL);
    if (!*slot) return -1;
    Py_INCREF(*slot);
    return PyModule_AddObject(m, strrchr(name, '.') + 1, *slot);
}

static int add_errors(PyObject *m)
{
    if (add_error(m, &cbpy_Error, "citybrain.Error", PyExc_RuntimeError,
                  "An engine call failed.  A RuntimeError, as CityFlow's errors are; attributes:\n"
                  "code (the negative cb_status of citybrain.h) and status (its name).") < 0)
        return -1;
    PyObject *b;
    int rc;
    b = PyTuple_Pack(1, cbpy_Error);
    rc = b ? add_error(m, &cbpy_LoadError, "citybrain.LoadError", b,
                       "A file could not be read, parsed or written; the message names the file\n"
                       "and the JSON path or line at fault.") : -1;
    Py_XDECREF(b);
    if (rc < 0) return -1;
    b = PyTuple_Pack(2, cbpy_Error, PyExc_LookupError);
    rc = b ? add_error(m, &cbpy_NotFoundError, "citybrain.NotFoundError", b,
                       "No vehicle, lane, road or intersection with that id.") : -1;
    Py_XDECREF(b);
    if (rc < 0) return -1;
    b = PyTuple_Pack(2, cbpy_Error, PyExc_ValueError);
    rc = b ? add_error(m, &cbpy_InvalidArgumentError, "citybrain.InvalidArgumentError", b,
                       "An argument is out of range or inconsistent.") : -1;
    Py_XDECREF(b);
    if (rc < 0) return -1;
    b = PyTuple_Pack(1, cbpy_Error);
    rc = b ? add_error(m, &cbpy_StateError, "citybrain.StateError", b,
                       "Not possible now: the engine is closed or busy in another thread, the\n"
                       "vehicle is not running, the config does not allow it...") : -1;
    Py_XDECREF(b);
    return rc;
}

/*--- exit and fork hooks ----------------------------------------------------------*/

static PyObject *at_exit(PyObject *m, PyObject *unused)
{
    cbpy_close_all();
    Py_RETURN_NONE;
}

static PyObject *after_fork_child(PyObject *m, PyObject *unused)
{
    cbpy_fork_gen++;
    Py_RETURN_NONE;
}

static PyMethodDef hook_defs[] = {
    { "_at_exit", at_exit, METH_NOARGS, "Close every open engine (registered with atexit)." },
    { "_after_fork_child", after_fork_child, METH_NOARGS, "Mark engines with worker threads unusable." },
    { NULL, NULL, 0, NULL }
};

/* atexit.register(_at_exit); os.register_at_fork(after_in_child=...) */
static int install_hooks(PyObject *m)
{
    PyObject *f_exit = PyObject_GetAttrString(m, "_at_exit");
    PyObject *f_fork = PyObject_GetAttrString(m, "_after_fork_child");
    PyObject *atexit = PyImport_ImportModule("atexit");
    PyObject *os = PyImport_ImportModule("os");
    int rc = -1;
    if (f_exit && f_fork && atexit && os) {
        PyObject *r = PyObject_CallMethod(atexit, "register", "O", f_exit);
        if (r) {
            Py_DECREF(r);
            PyObject *reg = PyObject_GetAttrString(os, "register_at_fork");
            PyObject *args = PyTuple_New(0), *kw = Py_BuildValue("{s:O}", "after_in_child", f_fork);
            PyObject *r2 = reg && args && kw ? PyObject_Call(reg, args, kw) : NULL;
            if (r2) rc = 0;
            Py_XDECREF(r2);
            Py_XDECREF(reg);
            Py_XDECREF(args);
            Py_XDECREF(kw);
        }
    }
    Py_XDECREF(f_exit);
    Py_XDECREF(f_fork);
    Py_XDECREF(atexit);
    Py_XDECREF(os);
    return rc;
}

/*--- the module ---------------------------------------------------------------------*/

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "citybrain._citybrain",
    "citybrain's engine for Python: CityFlow's Engine API on the citybrain C library.",
    -1,
    hook_defs,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__citybrain(void)
{
    if (PyType_Ready(&cbpy_engine_type) < 0 || PyType_Ready(&cbpy_archive_type) < 0 ||
        PyType_Ready(&cbpy_signals_type) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    if (add_errors(m) < 0) goto fail;
    Py_INCREF(&cbpy_engine_type);
    if (PyModule_AddObject(m, "Engine", (PyObject *)&cbpy_engine_type) < 0) goto fail;
    Py_INCREF(&cbpy_archive_type);
    if (PyModule_AddObject(m, "Archive", (PyObject *)&cbpy_archive_type) < 0) goto fail;
    Py_INCREF(&cbpy_signals_type);
    if (PyModule_AddObject(m, "SignalLayer", (PyObject *)&cbpy_signals_type) < 0) goto fail;
    if (PyModule_AddStringConstant(m, "__version__", CB_VERSION) < 0) goto fail;
    if (install_hooks(m) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
