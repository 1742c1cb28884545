/* emg_events.c -- field events as people write them: a scenario file of
 * emergency dispatches and incidents (JSON), and the one-line forms of the
 * command line and the API ("ORIGIN:DEST@T", "ROAD:LANE:POS@T0-T1").
 *
 * Incidents go straight into the twin (cb_engine_add_incident); nothing
 * here tells the incident detector about them. */
#include "emg_int.h"
#include "../util/err.h"
#include "../util/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int find_road(const cb_engine *e, const char *id, size_t *out)
{
    long k = cb_engine_road_find(e, id);
    if (k < 0) return CB_ENOTFOUND;
    *out = (size_t)k;
    return CB_OK;
}

/* A lane given as (road, index within it). */
static int find_lane(const cb_engine *e, size_t road, int64_t index, size_t *lane)
{
    cb_road_info ri;
    if (cb_engine_road_info(e, road, &ri) || index < 0 || (uint64_t)index >= ri.n_lanes) return CB_EINVAL;
    *lane = ri.first_lane + (size_t)index;
    return CB_OK;
}

/* strtod that must consume the whole token [s, end). */
static bool parse_num(const char *s, const char *end, double *out)
{
    if (s == end || end - s > 63) return false;
    char buf[64];
    memcpy(buf, s, (size_t)(end - s));
    buf[end - s] = '\0';
    char *stop;
    errno = 0;
    double v = strtod(buf, &stop);
    if (*stop || errno || stop == buf) return false;
    *out = v;
    return true;
}

int cb_ops_parse_ev(cb_ops *o, const char *text, size_t *id, cb_error *err)
{
    const char *colon = strchr(text, ':'), *at = strrchr(text, '@');
    if (!colon || !at || at < colon)
        return cbu_err(err, CB_EINVAL, "emergency '%s': expected ORIGIN:DESTINATION@TIME (road ids, seconds)", text);
    char a[256], b[256];
    if ((size_t)(colon - text) >= sizeof a || (size_t)(at - colon - 1) >= sizeof b)
        return cbu_err(err, CB_EINVAL, "emergency '%s': road id too long", text);
    memcpy(a, text, (size_t)(colon - text));
    a[colon - text] = '\0';
    memcpy(b, colon + 1, (size_t)(at - colon - 1));
    b[at - colon - 1] = '\0';
    double t;
    if (!parse_num(at + 1, at + strlen(at), &t))
        return cbu_err(err, CB_EINVAL, "emergency '%s': time '%s' is not a number of seconds", text, at + 1);
    size_t ro, rd;
    if (find_road(o->e, a, &ro)) return cbu_err(err, CB_ENOTFOUND, "emergency '%s': no road '%s'", text, a);
    if (find_road(o->e, b, &rd)) return cbu_err(err, CB_ENOTFOUND, "emergency '%s': no road '%s'", text, b);
    int rc = cb_ops_dispatch(o, ro, rd, t, id, err);
    if (rc) cbu_err_prefix(err, "emergency '%s': ", text);
    return rc;
}

int cb_ops_parse_incident(cb_engine *e, const char *text, size_t *id, cb_error *err)
{
    const char *c1 = strchr(text, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *at = c2 ? strchr(c2 + 1, '@') : NULL;
    if (!at)
        return cbu_err(err, CB_EINVAL, "incident '%s': expected ROAD:LANE:POSITION@START-END (END may be omitted)",
                       text);
    char road[256];
    if ((size_t)(c1 - text) >= sizeof road) return cbu_err(err, CB_EINVAL, "incident '%s': road id too long", text);
    memcpy(road, text, (size_t)(c1 - text));
    road[c1 - text] = '\0';
    double lane_d, pos, t0, t1 = -1;
    /* the end is after the first '-' that follows a digit of the start
     * (nothing after the '@': no start, and nothing to search) */
    const char *dash = at[1] ? strchr(at + 2, '-') : NULL;
    const char *t0_end = dash ? dash : at + strlen(at);
    if (!parse_num(c1 + 1, c2, &lane_d) || !(lane_d > -1e9 && lane_d < 1e9) || lane_d != (double)(int64_t)lane_d)
        return cbu_err(err, CB_EINVAL, "incident '%s': lane must be an index within the road (0 = innermost)", text);
    if (!parse_num(c2 + 1, at, &pos)) return cbu_err(err, CB_EINVAL, "incident '%s': position is not a number", text);
    if (!parse_num(at + 1, t0_end, &t0)) return cbu_err(err, CB_EINVAL, "incident '%s': start is not a number", text);
    if (dash && dash[1] && !parse_num(dash + 1, dash + strlen(dash), &t1))
        return cbu_err(err, CB_EINVAL, "incident '%s': end is not a number", text);
    size_t r, lane;
    if (find_road(e, road, &r)) return cbu_err(err, CB_ENOTFOUND, "incident '%s': no road '%s'", text, road);
    if (find_lane(e, r, (int64_t)lane_d, &lane))
        return cbu_err(err, CB_EINVAL, "incident '%s': road %s has no lane %g", text, road, lane_d);
    int rc = cb_engine_add_incident(e, lane, pos, t0, t1, id, err);
    if (rc) cbu_err_prefix(err, "incident '%s': ", text);
    return rc;
}

/*--- scenario files ---------------------------------------------------------------------*/

static int load_evs(cb_ops *o, cbu_jctx *c, const cbu_jv *arr)
{
    for (uint32_t i = 0; i < arr->n; i++) {
        const cbu_jv *it = &arr->u.kids[i];
        size_t mark = cbu_jpush_index(c, i);
        const char *a, *b;
        double t = 0;
        int rc;
        if ((rc = cbu_jas_object(c, it)) || (rc = cbu_jget_string(c, it, "origin", true, &a)) ||
            (rc = cbu_jget_string(c, it, "destination", true, &b)) || (rc = cbu_jget_number(c, it, "time", true, &t)))
            return rc;
        size_t ro, rd;
        if (find_road(o->e, a, &ro)) {
            cbu_jpush_key(c, "origin");
            return cbu_jfail(c, cbu_jobj_get(it, "origin"), "no road '%s'", a);
        }
        if (find_road(o->e, b, &rd)) {
            cbu_jpush_key(c, "destination");
            return cbu_jfail(c, cbu_jobj_get(it, "destination"), "no road '%s'", b);
        }
        cb_error e2;
        if (cb_ops_dispatch(o, ro, rd, t, NULL, &e2)) return cbu_jfail(c, it, "%s", e2.msg);
        cbu_jpop(c, mark);
    }
    return CB_OK;
}

static int load_incidents(cb_engine *e, cbu_jctx *c, const cbu_jv *arr)
{
    for (uint32_t i = 0; i < arr->n; i++) {
        const cbu_jv *it = &arr->u.kids[i];
        size_t mark = cbu_jpush_index(c, i);
        const char *road;
        int64_t lane_i = 0;
        double pos = 0, t0 = 0, t1 = -1;
        int rc;
        if ((rc = cbu_jas_object(c, it)) || (rc = cbu_jget_string(c, it, "road", true, &road)) ||
            (rc = cbu_jget_int(c, it, "lane", true, &lane_i)) || (rc = cbu_jget_number(c, it, "position", true, &pos)) ||
            (rc = cbu_jget_number(c, it, "start", true, &t0)) || (rc = cbu_jget_number(c, it, "end", false, &t1)))
            return rc;
        size_t r, lane;
        if (find_road(e, road, &r)) {
            cbu_jpush_key(c, "road");
            return cbu_jfail(c, cbu_jobj_get(it, "road"), "no road '%s'", road);
        }
        if (find_lane(e, r, lane_i, &lane)) {
            cbu_jpush_key(c, "lane");
            return cbu_jfail(c, cbu_jobj_get(it, "lane"), "road %s has no lane %lld", road, (long long)lane_i);
        }
        cb_error e2;
        if (cb_engine_add_incident(e, lane, pos, t0, t1, NULL, &e2)) return cbu_jfail(c, it, "%s", e2.msg);
        cbu_jpop(c, mark);
    }
    return CB_OK;
}

int cb_ops_load_events(cb_ops *o, const char *path, cb_error *err)
{
    cbu_jdoc doc;
    int rc = cbu_json_load(&doc, path, err);
    if (rc) return rc;
    cbu_jctx c;
    cbu_jctx_init(&c, &doc, path, err);
    const cbu_jv *root = doc.root, *evs = NULL, *incs = NULL;
    if ((rc = cbu_jas_object(&c, root))) goto done;
    for (uint32_t i = 0; i < root->n; i++) {
        const char *k = root->u.kids[i].key;
        if (strcmp(k, "emergency") && strcmp(k, "incidents")) {
            rc = cbu_jfail(&c, &root->u.kids[i], "unknown member '%s' (expected \"emergency\" and \"incidents\")", k);
            goto done;
        }
    }
    if ((rc = cbu_jget_array(&c, root, "emergency", false, &evs)) ||
        (rc = cbu_jget_array(&c, root, "incidents", false, &incs)))
        goto done;
    if (evs) {
        size_t mark = cbu_jpush_key(&c, "emergency");
        if ((rc = load_evs(o, &c, evs))) goto done;
        cbu_jpop(&c, mark);
    }
    if (incs) {
        size_t mark = cbu_jpush_key(&c, "incidents");
        if ((rc = load_incidents(o->e, &c, incs))) goto done;
        cbu_jpop(&c, mark);
    }
done:
    cbu_json_free(&doc);
    return rc;
}
