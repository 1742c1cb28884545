/* ctl_registry.c -- the table of built-in controllers and the cb_controller
 * object: reading a controller's parameters, per-site state, dispatch.
 *
 * A controller is a ctl_def (ctl_int.h).  Its per-site state is one block
 * of site_state_size zeroed bytes per site, allocated here, so controllers
 * never allocate while deciding. */
#include "ctl_int.h"
#include "../util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The order of `citybrain run --help` and of the benchmark tables. */
static const ctl_def *const defs[] = { &ctl_fixedtime, &ctl_maxpressure, &ctl_mp1s, &ctl_sotl, &ctl_best, &ctl_best_1s };
enum { N_DEFS = sizeof defs / sizeof defs[0] };

struct cb_controller {
    const ctl_def *def;
    ctl_ctx ctx;
    unsigned char *state;     /* n_sites * stride bytes */
    size_t stride;
};

size_t cb_controller_count(void) { return N_DEFS; }

const char *cb_controller_auto(void) { return ctl_best.name; }

/* Help lines of a parameter table; static storage per controller. */
static const char *param_help(size_t k)
{
    static char text[N_DEFS][2048];
    char *b = text[k];
    if (b[0]) return b;
    size_t used = 0;
    const ctl_def *d = defs[k];
    for (const ctl_param_def *q = d->params; q && q->name; q++) {
        int w = snprintf(b + used, sizeof text[k] - used, "%s%s=%g: %s", used ? "\n" : "", q->name, q->dflt,
                         q->help);
        if (w < 0 || (size_t)w >= sizeof text[k] - used) break;
        used += (size_t)w;
    }
    return b;
}

int cb_controller_info_get(size_t k, cb_controller_info *out)
{
    if (k >= N_DEFS) return CB_EINVAL;
    out->name = defs[k]->name;
    out->summary = defs[k]->summary;
    out->uses_interval = defs[k]->uses_interval;
    out->phase_set = defs[k]->phase_set;
    out->params = param_help(k);
    return CB_OK;
}

static const ctl_def *find_def(const char *name)
{
    if (strcmp(name, "auto") == 0) name = cb_controller_auto();
    for (int i = 0; i < N_DEFS; i++)
        if (strcmp(defs[i]->name, name) == 0) return defs[i];
    return NULL;
}

int cb_controller_create(const char *name, const cb_site *sites, size_t n_sites, cb_params *params,
                         cb_controller **out, cb_error *err)
{
    *out = NULL;
    const ctl_def *d = find_def(name);
    if (!d) {
        char names[256] = "";
        size_t used = 0;
        for (int i = 0; i < N_DEFS; i++) {
            int w = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", defs[i]->name);
            if (w < 0 || (size_t)w >= sizeof names - used) break;
            used += (size_t)w;
        }
        return cbu_err(err, CB_ENOTFOUND, "unknown controller '%s' (available: %s, auto)", name, names);
    }
    cb_controller *c = calloc(1, sizeof *c);
    if (!c) return cbu_err_nomem(err);
    c->def = d;
    c->ctx.sites = sites;
    c->ctx.n_sites = n_sites;
    int rc = cb_params_number(params, "decision_interval", 15, 1, 3600, &c->ctx.interval, err);
    size_t k = 0;
    for (const ctl_param_def *q = d->params; !rc && q && q->name; q++, k++)
        rc = cb_params_number(params, q->name, q->dflt, q->lo, q->hi, &c->ctx.p[k], err);
    if (rc) {
        free(c);
        return rc;
    }
    /* Round the stride up so every site's state is aligned for doubles. */
    c->stride = (d->site_state_size + 15) & ~(size_t)15;
    if (c->stride) {
        c->state = calloc(n_sites ? n_sites : 1, c->stride);
        if (!c->state) {
            free(c);
            return cbu_err_nomem(err);
        }
    }
    if (d->init && (rc = d->init(&c->ctx, err))) {
        free(c->state);
        free(c);
        return rc;
    }
    *out = c;
    return CB_OK;
}

void cb_controller_decide(cb_controller *c, size_t site, const cb_site_obs *obs, cb_decision *out)
{
    memset(out, 0, sizeof *out);
    out->phase = -1;
    out->next = c->ctx.interval;
    c->def->decide(&c->ctx, site, c->state ? c->state + site * c->stride : NULL, obs, out);
}

const char *cb_controller_name(const cb_controller *c) { return c->def->name; }
uint32_t cb_controller_zones(const cb_controller *c, const double **zone_m)
{
    *zone_m = c->ctx.zone_m;
    return c->ctx.n_zones;
}

void cb_controller_destroy(cb_controller *c)
{
    if (!c) return;
    if (c->def->fini) c->def->fini(&c->ctx);
    free(c->state);
    free(c);
}
