/* test_sumo.h -- open a SUMO network with a route file given as text, for
 * the SUMO tests (include after test.h).  The text is written to the
 * build's temporary folder under `tmp_name`; `threads` engine workers. */
#ifndef CB_TEST_SUMO_H
#define CB_TEST_SUMO_H

#include "citybrain_sumo.h"

static inline int test_sumo_open(const char *net, const char *tmp_name, const char *routes, int threads,
                                 cb_engine **e, cb_error *err)
{
    const char *path = test_write_tmp(tmp_name, routes);
    if (!path) {
        snprintf(err->msg, sizeof err->msg, "cannot write %s", tmp_name);
        return err->code = CB_EIO;
    }
    cb_options opt;
    cb_options_init(&opt);
    opt.threads = threads;
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    so.route_files = path;
    return cb_sumo_open(net, &opt, &so, e, NULL, err);
}

/* Open a SUMO scenario (a .sumocfg, or a .net.xml with `routes`) with its
 * signals left to a controller; `routes` (a file) replaces the
 * configuration's demand when not NULL. */
static inline int test_sumo_open_controlled(const char *path, const char *routes, cb_engine **e, cb_error *err)
{
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    so.route_files = routes;
    return cb_sumo_open(path, &o, &so, e, NULL, err);
}

#endif
