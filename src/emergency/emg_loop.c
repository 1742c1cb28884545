/* emg_loop.c -- cb_opsloop: the closed loop of an offline run with field
 * operations.  It is cb_control's loop (src/signal/sig_loop.c: observe,
 * decide, make safe, step) with the operations layer around the step: a
 * site that an emergency vehicle needs is held on that green through the
 * safety layer instead of asking its controller (cb_control_set_holds),
 * and the controller is asked again at the step the hold ends.  Without an
 * emergency vehicle the run is cb_control's run, step for step
 * (tests/test_emergency_preempt.c checks the digests).
 *
 * Order within a step:
 *   0. (first step only) cb_ops_update: EVs due at t = 0 are pushed;
 *   1. cb_ops_holds: the holds planned at the last update;
 *   2. cb_control_step: layer update, due sites decide or hold, layer
 *      update, engine step, layer tick;
 *   3. cb_ops_update: loops read, incidents, EVs (holds for the next step). */
#include "emg_int.h"
#include "../signal/sig_int.h"
#include "../util/err.h"

#include <stdlib.h>

struct cb_opsloop {
    cb_control *ctl;
    cb_ops *ops;
    bool primed;              /* cb_ops_update ran before the first step */
    int *hold;                /* per site: the green held for an EV, -1;
                                 filled by cb_ops_holds, read by ctl */
};

int cb_opsloop_open(cb_engine *e, const char *controller, cb_params *params, const cb_ops_config *cfg,
                    cb_opsloop **out, cb_error *err)
{
    *out = NULL;
    cb_opsloop *l = calloc(1, sizeof *l);
    if (!l) return cbu_err_nomem(err);
    int rc = cb_control_open(e, controller, params, &l->ctl, err);
    if (rc) goto fail;
    const cb_signals *sig = cb_control_signals(l->ctl);
    if (sig) {
        size_t n = cb_signals_site_count(sig);
        if (!(l->hold = malloc((n + 1) * sizeof *l->hold))) { rc = cbu_err_nomem(err); goto fail; }
        for (size_t i = 0; i < n; i++) l->hold[i] = -1;
        if ((rc = cb_control_set_holds(l->ctl, l->hold, err))) goto fail;
    }
    if ((rc = cb_ops_open(e, cfg, &l->ops, err))) goto fail;
    *out = l;
    return CB_OK;
fail:
    cb_opsloop_close(l);
    return rc;
}

int cb_opsloop_step(cb_opsloop *l, cb_error *err)
{
    const cb_signals *sig = cb_control_signals(l->ctl);
    int rc;
    if (!l->primed) {
        if ((rc = cb_ops_update(l->ops, sig, err))) return rc;
        l->primed = true;
    }
    if (sig) cb_ops_holds(l->ops, l->hold);
    if ((rc = cb_control_step(l->ctl, err))) return rc;
    return cb_ops_update(l->ops, sig, err);
}

cb_ops *cb_opsloop_ops(cb_opsloop *l) { return l->ops; }
const cb_signals *cb_opsloop_signals(const cb_opsloop *l) { return cb_control_signals(l->ctl); }
const char *cb_opsloop_name(const cb_opsloop *l) { return cb_control_name(l->ctl); }
int64_t cb_opsloop_held_steps(const cb_opsloop *l) { return cb_control_held_steps(l->ctl); }
void cb_opsloop_stats(const cb_opsloop *l, cb_control_stats *out) { cb_control_stats_get(l->ctl, out); }

void cb_opsloop_close(cb_opsloop *l)
{
    if (!l) return;
    cb_ops_close(l->ops);
    cb_control_close(l->ctl);
    free(l->hold);
    free(l);
}
