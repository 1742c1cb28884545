/* cf_flow.c -- flow.json to demand_spec.
 *
 * A flow is a vehicle type, a route of anchor roads and a schedule
 * (interval, startTime, endTime).  CityFlow aborts the process on
 * interval < 1 with startTime != endTime and silently turns a real
 * startTime into 0; both are errors here. */
#include "cityflow.h"
#include "../util/err.h"
#include "../util/strmap.h"

#include <string.h>

/* The vehicle members, with the bounds that keep the car-following model
 * meaningful (decelerations divide, lengths and speeds must be positive). */
typedef struct vfield {
    const char *name;
    size_t offset;
    double min;            /* value must be > min (or >= min if inclusive) */
    bool inclusive;
    double max;
} vfield;

static const vfield vehicle_fields[] = {
    { "length",       offsetof(net_vtype, length),        0, false, 1000 },
    { "width",        offsetof(net_vtype, width),         0, false, 100 },
    { "maxPosAcc",    offsetof(net_vtype, max_pos_acc),   0, false, 100 },
    { "maxNegAcc",    offsetof(net_vtype, max_neg_acc),   0, false, 100 },
    { "usualPosAcc",  offsetof(net_vtype, usual_pos_acc), 0, false, 100 },
    { "usualNegAcc",  offsetof(net_vtype, usual_neg_acc), 0, false, 100 },
    { "minGap",       offsetof(net_vtype, min_gap),       0, true,  1000 },
    { "maxSpeed",     offsetof(net_vtype, max_speed),     0, false, 1000 },
    { "headwayTime",  offsetof(net_vtype, headway_time),  0, true,  1000 },
};

static int parse_vehicle(cbu_jctx *c, const cbu_jv *flow, net_vtype *vt)
{
    const cbu_jv *veh;
    int rc = cbu_jget_object(c, flow, "vehicle", true, &veh);
    if (rc) return rc;
    size_t old = cbu_jpush_key(c, "vehicle");
    for (size_t i = 0; i < sizeof vehicle_fields / sizeof vehicle_fields[0]; i++) {
        const vfield *f = &vehicle_fields[i];
        double *dst = (double *)((char *)vt + f->offset);
        if ((rc = cbu_jget_number(c, veh, f->name, true, dst))) return rc;
        bool ok = (f->inclusive ? *dst >= f->min : *dst > f->min) && *dst <= f->max;
        if (!ok) {
            cbu_jpush_key(c, f->name);
            return cbu_jfail(c, cbu_jobj_get(veh, f->name), "must be %s 0 and at most %g",
                             f->inclusive ? ">=" : ">", f->max);
        }
    }
    cbu_jpop(c, old);
    return CB_OK;
}

int cf_flow_from_json(const cbu_jdoc *doc, const char *file, const net_spec *net,
                      demand_spec *out, cb_error *err)
{
    cbu_jctx c;
    cbu_jctx_init(&c, doc, file, err);
    const cbu_jv *root = doc->root;
    int rc = cbu_jas_array(&c, root);
    if (rc) return rc;
    cbu_strmap roads;
    cbu_strmap_init(&roads);
    for (uint32_t r = 0; r < net->n_roads; r++)
        if (cbu_strmap_put(&roads, net->roads[r].id, r, NULL) < 0) {
            cbu_strmap_free(&roads);
            return cbu_err(err, CB_ENOMEM, "%s: out of memory", file);
        }
    out->n_flows = root->n;
    out->flows = CBU_NEW(&out->arena, demand_flow, root->n ? root->n : 1);
    if (!out->flows) { cbu_strmap_free(&roads); return cbu_err(err, CB_ENOMEM, "%s: out of memory", file); }

    for (uint32_t i = 0; i < root->n && rc == CB_OK; i++) {
        size_t old = cbu_jpush_index(&c, i);
        const cbu_jv *fv = &root->u.kids[i], *route;
        demand_flow *f = &out->flows[i];
        f->start_time = 0;
        f->end_time = -1;
        if ((rc = cbu_jas_object(&c, fv))) break;
        if ((rc = parse_vehicle(&c, fv, &f->vtype))) break;
        if ((rc = cbu_jget_number(&c, fv, "interval", true, &f->interval))) break;
        if ((rc = cbu_jget_int(&c, fv, "startTime", false, &f->start_time))) break;
        if ((rc = cbu_jget_int(&c, fv, "endTime", false, &f->end_time))) break;
        if (!(f->interval > 0) || f->interval > 1e9) {
            cbu_jpush_key(&c, "interval");
            rc = cbu_jfail(&c, cbu_jobj_get(fv, "interval"), "must be a positive number of seconds");
            break;
        }
        if (f->start_time < 0 || f->start_time > 100000000) {
            cbu_jpush_key(&c, "startTime");
            rc = cbu_jfail(&c, cbu_jobj_get(fv, "startTime"), "must be between 0 and 1e8 seconds");
            break;
        }
        if (f->end_time < -1 || f->end_time > 100000000) {
            cbu_jpush_key(&c, "endTime");
            rc = cbu_jfail(&c, cbu_jobj_get(fv, "endTime"), "must be -1 (no end) or a time in seconds");
            break;
        }
        if (f->end_time != -1 && f->end_time < f->start_time) {
            cbu_jpush_key(&c, "endTime");
            rc = cbu_jfail(&c, cbu_jobj_get(fv, "endTime"), "ends (%lld) before it starts (%lld)",
                           (long long)f->end_time, (long long)f->start_time);
            break;
        }
        if (f->interval < 1 && f->start_time != f->end_time) {
            /* CityFlow asserts this and aborts the process. */
            cbu_jpush_key(&c, "interval");
            rc = cbu_jfail(&c, cbu_jobj_get(fv, "interval"),
                           "must be at least 1 s unless startTime equals endTime (a single vehicle)");
            break;
        }
        if ((rc = cbu_jget_array(&c, fv, "route", true, &route))) break;
        size_t o2 = cbu_jpush_key(&c, "route");
        if (route->n < 2) {
            rc = cbu_jfail(&c, route, "a route needs at least 2 roads, has %u", route->n);
            break;
        }
        f->n_route = route->n;
        f->route = CBU_NEW(&out->arena, uint32_t, route->n);
        if (!f->route) { rc = cbu_err(err, CB_ENOMEM, "%s: out of memory", file); break; }
        for (uint32_t k = 0; k < route->n && rc == CB_OK; k++) {
            size_t o3 = cbu_jpush_index(&c, k);
            const char *rid;
            if ((rc = cbu_jas_string(&c, &route->u.kids[k], &rid))) break;
            if (!cbu_strmap_get(&roads, rid, &f->route[k])) {
                rc = cbu_jfail(&c, &route->u.kids[k], "unknown road \"%s\"", rid);
                break;
            }
            cbu_jpop(&c, o3);
        }
        if (rc) break;
        cbu_jpop(&c, o2);
        cbu_jpop(&c, old);
    }
    cbu_strmap_free(&roads);
    return rc;
}

int cf_flow_load(const char *path, const net_spec *net, demand_spec *out, cb_error *err)
{
    cbu_jdoc doc;
    int rc = cbu_json_load(&doc, path, err);
    if (rc == CB_OK) rc = cf_flow_from_json(&doc, path, net, out, err);
    cbu_json_free(&doc);
    return rc;
}
