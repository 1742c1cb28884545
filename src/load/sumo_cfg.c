/* sumo_cfg.c -- a .sumocfg: which files make the scenario and when it runs.
 *
 * Read: net-file, route-files, additional-files, begin, end, step-length
 * (each as <name value="..."/>, usually inside <input> or <time>).  Options
 * that change how SUMO simulates (teleporting, lane-change models,
 * junction blocking...) are named in a warning; output, report and GUI
 * options are skipped silently, since they do not change the traffic. */
#include "sumo.h"
#include "../util/err.h"
#include "../util/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options with no effect on the simulated traffic. */
static bool harmless(const char *name)
{
    static const char *const prefix[] = { "output", "summary", "tripinfo", "fcd", "netstate", "emission",
                                          "queue-output", "vehroute", "statistic", "duration-log", "verbose",
                                          "no-step-log", "no-warnings", "log", "message", "error-log",
                                          "gui", "start", "quit-on-end", "delay", "window", "device.rerouting.output",
                                          "xml-validation", "remote-port", "num-clients", "seed", "random",
                                          "save-", "configuration", "print", "version", "help", "write-license",
                                          "human-readable-time", "precision", "step-log", "breakpoints", "demo",
                                          "tracker", "game", "no-internal-links", "route-steps", "threads",
                                          "gui-settings-file", "lanechange-output", "collision-output", NULL };
    for (int i = 0; prefix[i]; i++)
        if (strncmp(name, prefix[i], strlen(prefix[i])) == 0) return true;
    return false;
}

static bool exists(const char *p) { return access(p, F_OK) == 0; }

/* A file named in the config (or an option): beside the config, else as
 * given (the working directory).  NULL if it exists in neither place. */
static char *resolve(const char *cfg_dir, const char *name)
{
    if (name[0] != '/' && cfg_dir) {
        char *p = cbu_path_join(cfg_dir, name);
        if (p && exists(p)) return p;
        free(p);
    }
    return exists(name) ? strdup(name) : NULL;
}

typedef struct file_list { char ***v; uint32_t *n; const char *dir; char *missing; int oom; } file_list;

static int list_word(const char *w, size_t len, void *ud)
{
    file_list *L = ud;
    char name[4096];
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, w, len);
    name[len] = '\0';
    char *p = resolve(L->dir, name);
    if (!p) {
        L->missing = strdup(name);
        return 1;
    }
    char **nv = realloc(*L->v, (*L->n + 1) * sizeof *nv);
    if (!nv) { free(p); L->oom = 1; return 1; }
    nv[(*L->n)++] = p;
    *L->v = nv;
    return 0;
}

static void free_list(char ***v, uint32_t *n)
{
    for (uint32_t i = 0; i < *n; i++) free((*v)[i]);
    free(*v);
    *v = NULL;
    *n = 0;
}

/* Replace *v with the files of `value`; `where` describes the source in
 * messages ("x.sumocfg:4: <route-files>" or "--flow"). */
static int set_list(const char *dir, const char *value, char ***v, uint32_t *n, const char *where, cb_error *err)
{
    free_list(v, n);
    file_list L = { v, n, dir, NULL, 0 };
    sx_words(value, true, list_word, &L);
    if (L.oom) return cbu_err(err, CB_ENOMEM, "out of memory");
    if (L.missing) {
        int rc = cbu_err(err, CB_EIO, "%s: file \"%s\" not found (looked beside the .sumocfg and in the working directory)",
                         where, L.missing);
        free(L.missing);
        return rc;
    }
    return CB_OK;
}

static int set_one(const char *dir, const char *value, char **out, const char *where, cb_error *err)
{
    char **v = NULL;
    uint32_t n = 0;
    int rc = set_list(dir, value, &v, &n, where, err);
    if (rc) return rc;
    if (n != 1) {
        free_list(&v, &n);
        return cbu_err(err, CB_ESCHEMA, "%s: needs exactly one file", where);
    }
    free(*out);
    *out = v[0];
    free(v);
    return CB_OK;
}

static int apply_options(const char *dir, const cb_sumo_options *so, sumo_cfg *c, cb_error *err)
{
    int rc;
    if (!so) return CB_OK;
    if (so->net_file && (rc = set_one(dir, so->net_file, &c->net_file, "net file", err))) return rc;
    if (so->route_files && (rc = set_list(dir, so->route_files, &c->route_files, &c->n_route_files, "route files", err)))
        return rc;
    if (so->additional_files &&
        (rc = set_list(dir, so->additional_files, &c->additional_files, &c->n_additional_files, "additional files", err)))
        return rc;
    if (so->begin_set) c->begin = so->begin;
    if (so->end_set) c->end = so->end;
    if (!(c->begin >= 0) || c->begin > 1e9) return cbu_err(err, CB_EINVAL, "begin must be between 0 and 1e9 s");
    if (c->end >= 0 && c->end < c->begin) return cbu_err(err, CB_EINVAL, "end (%g s) is before begin (%g s)", c->end, c->begin);
    if (c->end > 1e9) return cbu_err(err, CB_EINVAL, "end must be at most 1e9 s");
    return CB_OK;
}

int sumo_cfg_load(const char *path, const cb_sumo_options *so, sumo_cfg *c, cb_warnings *warn, cb_error *err)
{
    memset(c, 0, sizeof *c);
    c->end = -1;
    sx_doc d;
    int rc = sx_load(&d, path, err);
    if (rc) return rc;
    char *dir = cbu_path_dir(path);
    if (!dir) { sx_free(&d); return cbu_err(err, CB_ENOMEM, "out of memory"); }
    const sx_elem *root = &d.elems[0];
    if (strcmp(root->name, "configuration") != 0 && strcmp(root->name, "sumoConfiguration") != 0)
        rc = sx_fail(&d, root, err, CB_ESCHEMA, "not a SUMO configuration: the root element must be <configuration>");
    /* option elements: <name value="..."/> at any depth below the groups */
    for (uint32_t i = 1; i < d.n_elems && rc == CB_OK; i++) {
        const sx_elem *e = &d.elems[i];
        const char *v = sx_get(&d, e, "value");
        if (!v) continue;                               /* a group (<input>, <time>) */
        char where[600];
        snprintf(where, sizeof where, "%s:%u: <%s>", path, e->line, e->name);
        bool overridden = so && ((strcmp(e->name, "net-file") == 0 && so->net_file) ||
                                 (strcmp(e->name, "route-files") == 0 && so->route_files) ||
                                 (strcmp(e->name, "additional-files") == 0 && so->additional_files));
        if (overridden) continue;                       /* not even checked: it is replaced */
        if (strcmp(e->name, "net-file") == 0) rc = set_one(dir, v, &c->net_file, where, err);
        else if (strcmp(e->name, "route-files") == 0) rc = set_list(dir, v, &c->route_files, &c->n_route_files, where, err);
        else if (strcmp(e->name, "additional-files") == 0)
            rc = set_list(dir, v, &c->additional_files, &c->n_additional_files, where, err);
        else if (strcmp(e->name, "begin") == 0) {
            if (!sx_parse_double(v, &c->begin) || !(c->begin >= 0 && c->begin <= 1e9))
                rc = sx_fail(&d, e, err, CB_ESCHEMA, "begin \"%.40s\" is not a time from 0 to 1e9 s", v);
        } else if (strcmp(e->name, "end") == 0) {
            /* at most 1e9 s, as --duration: 1e300 ran for ever */
            if (!sx_parse_double(v, &c->end) || c->end > 1e9)
                rc = sx_fail(&d, e, err, CB_ESCHEMA, "end \"%.40s\" is not a time (at most 1e9 s; -1: none)", v);
        } else if (strcmp(e->name, "step-length") == 0) {
            if (!sx_parse_double(v, &c->step_length) || !(c->step_length >= CB_INTERVAL_MIN) || c->step_length > 3600)
                rc = sx_fail(&d, e, err, CB_ESCHEMA, "step-length \"%.40s\" is not between %g and 3600 s", v,
                             CB_INTERVAL_MIN);
        } else if (!harmless(e->name)) {
            sumo_warn(warn, &d, e, "the SUMO option '%s' (= \"%.60s\") is not used by citybrain", e->name, v);
        }
    }
    if (rc == CB_OK) rc = apply_options(dir, so, c, err);
    if (rc == CB_OK && !c->net_file) rc = cbu_err(err, CB_ESCHEMA, "%s: no net-file", path);
    free(dir);
    sx_free(&d);
    if (rc) sumo_cfg_free(c);
    return rc;
}

int sumo_cfg_from_net(const char *net_path, const cb_sumo_options *so, sumo_cfg *c, cb_error *err)
{
    memset(c, 0, sizeof *c);
    c->end = -1;
    c->net_file = strdup(net_path);
    if (!c->net_file) return cbu_err(err, CB_ENOMEM, "out of memory");
    cb_sumo_options o;
    if (so) o = *so;
    else cb_sumo_options_init(&o);
    o.net_file = NULL;                    /* the network is the one named */
    int rc = apply_options(NULL, &o, c, err);
    if (rc) sumo_cfg_free(c);
    return rc;
}

void sumo_cfg_free(sumo_cfg *c)
{
    free(c->net_file);
    free_list(&c->route_files, &c->n_route_files);
    free_list(&c->additional_files, &c->n_additional_files);
    memset(c, 0, sizeof *c);
}
