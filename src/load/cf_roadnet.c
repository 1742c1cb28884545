/* cf_roadnet.c -- roadnet.json to net_spec.
 *
 * Two passes: the first collects intersection and road ids (so references
 * may point forward), the second reads everything and resolves ids.  All
 * checks that need the JSON path happen here; net_build() re-checks indices
 * only as a guard. */
#include "cityflow.h"
#include "../util/err.h"
#include "../util/strmap.h"

#include <string.h>

typedef struct rn_loader {
    cbu_jctx c;
    net_spec *spec;
    cbu_strmap inter_ids, road_ids;
} rn_loader;

const char *cf_turn_name(int turn)
{
    switch (turn) {
    case NET_TURN_STRAIGHT: return "go_straight";
    case NET_TURN_LEFT: return "turn_left";
    case NET_TURN_RIGHT: return "turn_right";
    case NET_TURN_UTURN: return "turn_u";
    default: return "unknown";
    }
}

static int rn_oom(rn_loader *L) { return cbu_err(L->c.err, CB_ENOMEM, "%s: out of memory", L->c.file); }


static int parse_coord(rn_loader *L, const cbu_jv *v, const char *key, double *out)
{
    int rc = cbu_jget_number(&L->c, v, key, true, out);
    if (!rc && !(*out >= -NET_MAX_COORD && *out <= NET_MAX_COORD)) {
        cbu_jpush_key(&L->c, key);
        rc = cbu_jfail(&L->c, cbu_jobj_get(v, key), "coordinates must be between -1e8 and 1e8 m");
    }
    return rc;
}

static int parse_point(rn_loader *L, const cbu_jv *v, net_point *p)
{
    int rc = cbu_jas_object(&L->c, v);
    if (!rc) rc = parse_coord(L, v, "x", &p->x);
    if (!rc) rc = parse_coord(L, v, "y", &p->y);
    return rc;
}

/* points: [{x,y}, ...] at member `key` of obj; min points required. */
static int parse_points(rn_loader *L, const cbu_jv *obj, const char *key, bool required,
                        uint32_t min, net_point **out, uint32_t *n)
{
    const cbu_jv *arr = NULL;
    int rc = cbu_jget_array(&L->c, obj, key, required, &arr);
    if (rc || !arr) return rc;
    size_t old = cbu_jpush_key(&L->c, key);
    if (arr->n < min) return cbu_jfail(&L->c, arr, "needs at least %u points, has %u", min, arr->n);
    *out = CBU_NEW(&L->spec->arena, net_point, arr->n ? arr->n : 1);
    if (!*out) return rn_oom(L);
    for (uint32_t i = 0; i < arr->n; i++) {
        size_t o2 = cbu_jpush_index(&L->c, i);
        if ((rc = parse_point(L, &arr->u.kids[i], &(*out)[i]))) return rc;
        cbu_jpop(&L->c, o2);
    }
    *n = arr->n;
    cbu_jpop(&L->c, old);
    return CB_OK;
}

/* A string member naming an object in `ids`. */
static int parse_ref(rn_loader *L, const cbu_jv *obj, const char *key, const cbu_strmap *ids,
                     const char *what, uint32_t *out)
{
    const char *s;
    int rc = cbu_jget_string(&L->c, obj, key, true, &s);
    if (rc) return rc;
    if (!cbu_strmap_get(ids, s, out)) {
        size_t old = cbu_jpush_key(&L->c, key);
        rc = cbu_jfail(&L->c, cbu_jobj_get(obj, key), "unknown %s \"%s\"", what, s);
        cbu_jpop(&L->c, old);
    }
    return rc;
}

/* Pass 1: ids.  Duplicates are errors (CityFlow keeps the last silently). */
static int collect_ids(rn_loader *L, const cbu_jv *arr, const char *arrname, cbu_strmap *ids,
                       const char *what)
{
    size_t old = cbu_jpush_key(&L->c, arrname);
    for (uint32_t i = 0; i < arr->n; i++) {
        size_t o2 = cbu_jpush_index(&L->c, i);
        const cbu_jv *v = &arr->u.kids[i];
        const char *id;
        int rc = cbu_jas_object(&L->c, v);
        if (!rc) rc = cbu_jget_string(&L->c, v, "id", true, &id);
        if (rc) return rc;
        if (id[0] == '\0') {
            cbu_jpush_key(&L->c, "id");
            return cbu_jfail(&L->c, v, "%s id must not be empty", what);
        }
        uint32_t prev;
        int put = cbu_strmap_put(ids, id, i, &prev);
        if (put < 0) return rn_oom(L);
        if (put == 1) {
            cbu_jpush_key(&L->c, "id");
            return cbu_jfail(&L->c, v, "duplicate %s id \"%s\" (also %s[%u])", what, id, arrname, prev);
        }
        cbu_jpop(&L->c, o2);
    }
    cbu_jpop(&L->c, old);
    return CB_OK;
}

static int parse_road(rn_loader *L, const cbu_jv *v, net_spec_road *r)
{
    const char *id;
    int rc = cbu_jget_string(&L->c, v, "id", true, &id);
    if (rc) return rc;
    r->id = cbu_arena_strdup(&L->spec->arena, id);
    if (!r->id) return rn_oom(L);
    if ((rc = parse_ref(L, v, "startIntersection", &L->inter_ids, "intersection", &r->from))) return rc;
    if ((rc = parse_ref(L, v, "endIntersection", &L->inter_ids, "intersection", &r->to))) return rc;
    if ((rc = parse_points(L, v, "points", true, 2, &r->points, &r->n_points))) return rc;
    const cbu_jv *lanes;
    if ((rc = cbu_jget_array(&L->c, v, "lanes", true, &lanes))) return rc;
    size_t old = cbu_jpush_key(&L->c, "lanes");
    if (lanes->n == 0) return cbu_jfail(&L->c, lanes, "a road needs at least one lane");
    if (lanes->n > 255) return cbu_jfail(&L->c, lanes, "more than 255 lanes");
    r->lanes = CBU_NEW(&L->spec->arena, net_spec_lane, lanes->n);
    if (!r->lanes) return rn_oom(L);
    r->n_lanes = lanes->n;
    for (uint32_t i = 0; i < lanes->n; i++) {
        size_t o2 = cbu_jpush_index(&L->c, i);
        const cbu_jv *ln = &lanes->u.kids[i];
        if ((rc = cbu_jas_object(&L->c, ln))) return rc;
        if ((rc = cbu_jget_number(&L->c, ln, "width", true, &r->lanes[i].width))) return rc;
        if ((rc = cbu_jget_number(&L->c, ln, "maxSpeed", true, &r->lanes[i].max_speed))) return rc;
        if (!(r->lanes[i].width >= 0) || r->lanes[i].width > 100) {
            cbu_jpush_key(&L->c, "width");
            return cbu_jfail(&L->c, ln, "lane width must be between 0 and 100 m");
        }
        if (!(r->lanes[i].max_speed > 0) || r->lanes[i].max_speed > 1000) {
            cbu_jpush_key(&L->c, "maxSpeed");
            return cbu_jfail(&L->c, ln, "maxSpeed must be a positive speed in m/s (at most 1000)");
        }
        cbu_jpop(&L->c, o2);
    }
    cbu_jpop(&L->c, old);
    return CB_OK;
}

static int parse_lanelink(rn_loader *L, const cbu_jv *v, const net_spec_roadlink *rl,
                          net_spec_lanelink *ll)
{
    int64_t s, e;
    int rc = cbu_jas_object(&L->c, v);
    if (!rc) rc = cbu_jget_int(&L->c, v, "startLaneIndex", true, &s);
    if (!rc) rc = cbu_jget_int(&L->c, v, "endLaneIndex", true, &e);
    if (rc) return rc;
    const net_spec_road *sr = &L->spec->roads[rl->start_road], *er = &L->spec->roads[rl->end_road];
    if (s < 0 || s >= sr->n_lanes) {
        cbu_jpush_key(&L->c, "startLaneIndex");
        return cbu_jfail(&L->c, v, "road %s has no lane %lld (it has %u)", sr->id, (long long)s, sr->n_lanes);
    }
    if (e < 0 || e >= er->n_lanes) {
        cbu_jpush_key(&L->c, "endLaneIndex");
        return cbu_jfail(&L->c, v, "road %s has no lane %lld (it has %u)", er->id, (long long)e, er->n_lanes);
    }
    ll->start_lane = (uint32_t)s;
    ll->end_lane = (uint32_t)e;
    rc = parse_points(L, v, "points", false, 0, &ll->points, &ll->n_points);
    if (rc) return rc;
    if (ll->points && ll->n_points == 0) ll->points = NULL;          /* empty: generate */
    else if (ll->points && ll->n_points < 2) {
        cbu_jpush_key(&L->c, "points");
        return cbu_jfail(&L->c, v, "needs no points or at least 2");
    }
    return CB_OK;
}

static int parse_roadlink(rn_loader *L, const cbu_jv *v, uint32_t inter, net_spec_roadlink *rl)
{
    const char *type;
    int rc = cbu_jas_object(&L->c, v);
    if (!rc) rc = cbu_jget_string(&L->c, v, "type", true, &type);
    if (rc) return rc;
    if (strcmp(type, "go_straight") == 0) rl->type = NET_TURN_STRAIGHT;
    else if (strcmp(type, "turn_left") == 0) rl->type = NET_TURN_LEFT;
    else if (strcmp(type, "turn_right") == 0) rl->type = NET_TURN_RIGHT;
    else {
        cbu_jpush_key(&L->c, "type");
        return cbu_jfail(&L->c, cbu_jobj_get(v, "type"),
                         "unknown roadLink type \"%s\" (expected go_straight, turn_left or turn_right)", type);
    }
    if ((rc = parse_ref(L, v, "startRoad", &L->road_ids, "road", &rl->start_road))) return rc;
    if ((rc = parse_ref(L, v, "endRoad", &L->road_ids, "road", &rl->end_road))) return rc;
    const net_spec_road *sr = &L->spec->roads[rl->start_road], *er = &L->spec->roads[rl->end_road];
    if (sr->to != inter) {
        cbu_jpush_key(&L->c, "startRoad");
        return cbu_jfail(&L->c, v, "road %s does not end at this intersection", sr->id);
    }
    if (er->from != inter) {
        cbu_jpush_key(&L->c, "endRoad");
        return cbu_jfail(&L->c, v, "road %s does not start at this intersection", er->id);
    }
    const cbu_jv *lls;
    if ((rc = cbu_jget_array(&L->c, v, "laneLinks", true, &lls))) return rc;
    size_t old = cbu_jpush_key(&L->c, "laneLinks");
    rl->n_lanelinks = lls->n;
    rl->lanelinks = CBU_NEW(&L->spec->arena, net_spec_lanelink, lls->n ? lls->n : 1);
    if (!rl->lanelinks) return rn_oom(L);
    for (uint32_t i = 0; i < lls->n; i++) {
        size_t o2 = cbu_jpush_index(&L->c, i);
        if ((rc = parse_lanelink(L, &lls->u.kids[i], rl, &rl->lanelinks[i]))) return rc;
        cbu_jpop(&L->c, o2);
    }
    cbu_jpop(&L->c, old);
    return CB_OK;
}

static int parse_phases(rn_loader *L, const cbu_jv *v, net_spec_inter *in)
{
    const cbu_jv *tl, *phases;
    int rc = cbu_jget_object(&L->c, v, "trafficLight", true, &tl);
    if (rc) return rc;
    size_t old = cbu_jpush_key(&L->c, "trafficLight");
    if ((rc = cbu_jget_array(&L->c, tl, "lightphases", true, &phases))) return rc;
    cbu_jpush_key(&L->c, "lightphases");
    if (phases->n == 0)
        return cbu_jfail(&L->c, phases, "a signalized intersection needs at least one phase");
    in->n_phases = phases->n;
    in->phases = CBU_NEW(&L->spec->arena, net_spec_phase, phases->n);
    if (!in->phases) return rn_oom(L);
    for (uint32_t p = 0; p < phases->n; p++) {
        size_t o2 = cbu_jpush_index(&L->c, p);
        const cbu_jv *ph = &phases->u.kids[p], *links;
        net_spec_phase *sp = &in->phases[p];
        if ((rc = cbu_jas_object(&L->c, ph))) return rc;
        if ((rc = cbu_jget_number(&L->c, ph, "time", true, &sp->time))) return rc;
        if (!(sp->time >= NET_MIN_PHASE_S) || sp->time > 1e6) {
            cbu_jpush_key(&L->c, "time");
            return cbu_jfail(&L->c, cbu_jobj_get(ph, "time"), "a phase must last between %g and 1e6 seconds",
                             NET_MIN_PHASE_S);
        }
        if ((rc = cbu_jget_array(&L->c, ph, "availableRoadLinks", true, &links))) return rc;
        cbu_jpush_key(&L->c, "availableRoadLinks");
        sp->n_links = links->n;
        sp->links = CBU_NEW(&L->spec->arena, uint32_t, links->n ? links->n : 1);
        if (!sp->links) return rn_oom(L);
        for (uint32_t k = 0; k < links->n; k++) {
            size_t o3 = cbu_jpush_index(&L->c, k);
            int64_t idx;
            if ((rc = cbu_jas_int(&L->c, &links->u.kids[k], &idx))) return rc;
            if (idx < 0 || idx >= in->n_roadlinks)
                return cbu_jfail(&L->c, &links->u.kids[k], "roadLink %lld does not exist (the intersection has %u)",
                                 (long long)idx, in->n_roadlinks);
            sp->links[k] = (uint32_t)idx;
            cbu_jpop(&L->c, o3);
        }
        cbu_jpop(&L->c, o2);
    }
    cbu_jpop(&L->c, old);
    return CB_OK;
}

static int parse_inter(rn_loader *L, const cbu_jv *v, uint32_t idx, net_spec_inter *in)
{
    const char *id;
    int rc = cbu_jget_string(&L->c, v, "id", true, &id);
    if (rc) return rc;
    in->id = cbu_arena_strdup(&L->spec->arena, id);
    if (!in->id) return rn_oom(L);
    const cbu_jv *pt;
    if ((rc = cbu_jget_object(&L->c, v, "point", true, &pt))) return rc;
    size_t old = cbu_jpush_key(&L->c, "point");
    if ((rc = parse_point(L, pt, &in->point))) return rc;
    cbu_jpop(&L->c, old);
    if ((rc = cbu_jget_bool(&L->c, v, "virtual", true, &in->is_virtual))) return rc;

    const cbu_jv *roads = NULL;
    if ((rc = cbu_jget_array(&L->c, v, "roads", !in->is_virtual, &roads))) return rc;
    if (roads) {
        old = cbu_jpush_key(&L->c, "roads");
        in->n_roads = roads->n;
        in->roads = CBU_NEW(&L->spec->arena, uint32_t, roads->n ? roads->n : 1);
        if (!in->roads) return rn_oom(L);
        for (uint32_t k = 0; k < roads->n; k++) {
            size_t o2 = cbu_jpush_index(&L->c, k);
            const char *rid;
            if ((rc = cbu_jas_string(&L->c, &roads->u.kids[k], &rid))) return rc;
            if (!cbu_strmap_get(&L->road_ids, rid, &in->roads[k]))
                return cbu_jfail(&L->c, &roads->u.kids[k], "unknown road \"%s\"", rid);
            cbu_jpop(&L->c, o2);
        }
        cbu_jpop(&L->c, old);
    }
    if (in->is_virtual) return CB_OK;       /* nothing else is read */

    if ((rc = cbu_jget_number(&L->c, v, "width", true, &in->width))) return rc;
    if (!(in->width >= 0) || in->width > 1000) {
        cbu_jpush_key(&L->c, "width");
        return cbu_jfail(&L->c, cbu_jobj_get(v, "width"), "width must be between 0 and 1000 m");
    }
    const cbu_jv *rls;
    if ((rc = cbu_jget_array(&L->c, v, "roadLinks", true, &rls))) return rc;
    old = cbu_jpush_key(&L->c, "roadLinks");
    in->n_roadlinks = rls->n;
    in->roadlinks = CBU_NEW(&L->spec->arena, net_spec_roadlink, rls->n ? rls->n : 1);
    if (!in->roadlinks) return rn_oom(L);
    for (uint32_t k = 0; k < rls->n; k++) {
        size_t o2 = cbu_jpush_index(&L->c, k);
        if ((rc = parse_roadlink(L, &rls->u.kids[k], idx, &in->roadlinks[k]))) return rc;
        cbu_jpop(&L->c, o2);
    }
    cbu_jpop(&L->c, old);
    return parse_phases(L, v, in);
}

int cf_roadnet_from_json(const cbu_jdoc *doc, const char *file, net_spec *out, cb_error *err)
{
    rn_loader L = { .spec = out };
    cbu_jctx_init(&L.c, doc, file, err);
    cbu_strmap_init(&L.inter_ids);
    cbu_strmap_init(&L.road_ids);
    const cbu_jv *root = doc->root, *inters, *roads;
    int rc = cbu_jas_object(&L.c, root);
    if (!rc) rc = cbu_jget_array(&L.c, root, "intersections", true, &inters);
    if (!rc) rc = cbu_jget_array(&L.c, root, "roads", true, &roads);
    if (!rc) rc = collect_ids(&L, inters, "intersections", &L.inter_ids, "intersection");
    if (!rc) rc = collect_ids(&L, roads, "roads", &L.road_ids, "road");
    if (!rc && roads->n == 0) {
        cbu_jpush_key(&L.c, "roads");
        rc = cbu_jfail(&L.c, roads, "the network has no roads");
    }
    if (!rc) {
        out->n_roads = roads->n;
        out->roads = CBU_NEW(&out->arena, net_spec_road, roads->n);
        out->n_inters = inters->n;
        out->inters = CBU_NEW(&out->arena, net_spec_inter, inters->n ? inters->n : 1);
        if (!out->roads || !out->inters) rc = rn_oom(&L);
    }
    /* roads first: roadlinks check their lanes and ends */
    for (uint32_t i = 0; !rc && i < roads->n; i++) {
        size_t o1 = cbu_jpush_key(&L.c, "roads");
        cbu_jpush_index(&L.c, i);
        rc = parse_road(&L, &roads->u.kids[i], &out->roads[i]);
        if (!rc) cbu_jpop(&L.c, o1);
    }
    for (uint32_t i = 0; !rc && i < inters->n; i++) {
        size_t o1 = cbu_jpush_key(&L.c, "intersections");
        cbu_jpush_index(&L.c, i);
        rc = parse_inter(&L, &inters->u.kids[i], i, &out->inters[i]);
        if (!rc) cbu_jpop(&L.c, o1);
    }
    cbu_strmap_free(&L.inter_ids);
    cbu_strmap_free(&L.road_ids);
    return rc;
}

int cf_roadnet_load(const char *path, net_spec *out, cb_error *err)
{
    cbu_jdoc doc;
    int rc = cbu_json_load(&doc, path, err);
    if (rc == CB_OK) rc = cf_roadnet_from_json(&doc, path, out, err);
    cbu_json_free(&doc);
    return rc;
}
