/* sumo_demand.c -- SUMO route files (.rou.xml, .trips.xml, flows) as a
 * demand_spec.
 *
 * Read: <vType>, <vTypeDistribution>, <route>, <routeDistribution>,
 * <vehicle> (with route="id" or an embedded <route>), <trip> (from/to and
 * optional via, routed here by free-flow travel time, sumo_route.c) and
 * <flow> (a route, or from/to; period, vehsPerHour, probability, number,
 * begin, end).  Mapping:
 *   - a vehicle or trip departing at t becomes a one-vehicle flow at
 *     ceil(t - begin) (our flows start on whole seconds);
 *   - a flow with a fixed headway (period, vehsPerHour, or number over
 *     [begin, end)) becomes one of our flows with that interval: it emits
 *     the same vehicles at the same whole seconds as SUMO inserts them;
 *   - a random flow (probability, period="exp(r)") is drawn here, from an
 *     MT19937 seeded with the run's seed, into one-vehicle flows;
 *   - vType: accel -> maxPosAcc and usualPosAcc, decel -> usualNegAcc and
 *     maxNegAcc, length, minGap, maxSpeed x speedFactor, tau -> headwayTime,
 *     width; unset values take SUMO's defaults for the vClass;
 *   - sigma, speedFactor and speedDev go to the engine's Krauss driver
 *     (demand_flow.krauss, sigma, speed_factor, speed_dev);
 *   - a vTypeDistribution or routeDistribution is drawn for every vehicle
 *     (a flow using one becomes one-vehicle flows);
 *   - departSpeed "max" or a number, departLane "first" or an index; the
 *     other departLane values let the engine pick (uniformly among the lanes
 *     leading on: what SUMO reaches by changing lanes).
 * Not modelled, and named in warnings with their counts: other
 * car-following models (their vType parameters are used), departPos,
 * arrival attributes, stops, persons, containers, TAZ and junction trips. */
#include "sumo.h"
#include "../util/err.h"
#include "../util/rng.h"
#include "../util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_FLOW_SPAN 86400.0     /* SUMO's end of a flow without one */
#define MAX_FLOW_VEHICLES 10000000    /* departures of one flow within a run */
typedef struct dm_type {
    const char *id;
    net_vtype vt;
    double sigma, speed_dev, speed_factor;
    const char *vclass, *cfm;
    /* a distribution: members (type indices) with probabilities */
    uint32_t *members;
    double *probs;
    uint32_t n_members;
} dm_type;

typedef struct dm_route {
    const char *id;
    uint32_t *roads;          /* NULL for a distribution */
    uint32_t n_roads;
    uint32_t *members;        /* a distribution: route indices with probabilities */
    double *probs;
    uint32_t n_members;
} dm_route;

typedef struct dm {
    const sumo_net *n;
    const net_spec *spec;
    const sumo_demand_opts *o;
    demand_spec *out;
    cb_warnings *warn;
    cb_error *err;
    cbu_arena tmp;            /* types, routes: freed at the end */
    CBU_VEC(dm_type) types;
    CBU_VEC(dm_route) routes;
    cbu_strmap type_ids, route_ids;
    CBU_VEC(demand_flow) flows;
    sumo_router *router;
    uint32_t *road_edge;      /* per road its edge (SN_NONE: none), built on first use */
    cbu_rng rng;
    int64_t before_begin, after_end, unroutable, unsorted;
    double last_depart;       /* the latest departure so far in this file (note_order) */
    const uint32_t *trip;     /* the element being read is a trip: its from, via..., to */
    uint32_t n_trip;          /* (0: it has a route) */
    cbu_strmap trip_keys;     /* "from\x1fto\x1fvia" as written -> trip_memo index */
    CBU_VEC(struct trip_memo) trip_memo;
    cbu_strmap edges_keys;    /* a route's edges text as written -> edges_memo index */
    CBU_VEC(struct edges_memo) edges_memo;
} dm;

/* A trip routed at load time: in the empty network the same from / to /
 * via always give the same route, and many trips share them (cologne1's
 * 2,015 trips name 23 pairs), so each text is parsed and routed once.
 * The arrays live in dm.tmp; push_flow copies them. */
typedef struct trip_memo {
    uint32_t *roads;               /* the route (NULL: unroutable) */
    const uint32_t *pts;           /* from, via..., to */
    uint32_t n, np;
} trip_memo;

/* An explicit route's edges, split, looked up and checked: the same text
 * always gives the same roads, and route files repeat a few (cologne3:
 * 4,494 routes, 384 texts; arterial4x4: 2,484, 8), so each text is read
 * once.  The roads live in dm.tmp and are shared, read only. */
typedef struct edges_memo {
    uint32_t *roads;
    uint32_t n;
} edges_memo;

static int dm_oom(dm *m, const sx_doc *d) { return cbu_err(m->err, CB_ENOMEM, "%s: out of memory", d->file); }

/* Key `key` of a memo (trip_keys, edges_keys) to entry `index` of its
 * vector.  The key is copied into dm.tmp: the document it came from may be
 * freed before the memo is.  0, or -1 when out of memory. */
static int memo_key(dm *m, cbu_strmap *keys, const char *key, size_t index)
{
    char *k = cbu_arena_strdup(&m->tmp, key);
    return k && cbu_strmap_put(keys, k, (uint32_t)index, NULL) >= 0 ? 0 : -1;
}

/*--- vehicle types ---------------------------------------------------------------*/

/* SUMO 1.15's defaults per vehicle class (accel, decel, length, minGap,
 * maxSpeed, width); Krauss: sigma 0.5, tau 1 for all. */
typedef struct class_default { const char *name; double accel, decel, length, min_gap, max_speed, width; } class_default;
static const class_default class_defaults[] = {
    { "passenger", 2.6, 4.5, 5.0, 2.5, 55.55, 1.8 },
    { "private", 2.6, 4.5, 5.0, 2.5, 55.55, 1.8 },
    { "taxi", 2.6, 4.5, 5.0, 2.5, 55.55, 1.8 },
    { "evehicle", 2.6, 4.5, 5.0, 2.5, 55.55, 1.8 },
    { "emergency", 2.6, 4.5, 6.5, 2.5, 55.55, 2.16 },
    { "delivery", 2.6, 4.5, 6.5, 2.5, 55.55, 2.16 },
    { "truck", 1.3, 4.0, 7.1, 2.5, 36.11, 2.4 },
    { "trailer", 1.1, 4.0, 16.5, 2.5, 36.11, 2.55 },
    { "bus", 1.2, 4.0, 12.0, 2.5, 27.78, 2.5 },
    { "coach", 2.0, 4.0, 14.0, 2.5, 27.78, 2.6 },
    { "motorcycle", 6.0, 10.0, 2.2, 2.5, 55.55, 0.9 },
    { "moped", 1.1, 7.0, 2.1, 2.5, 13.89, 0.8 },
    { "bicycle", 1.2, 3.0, 1.6, 0.5, 5.56, 0.65 },
    { NULL, 0, 0, 0, 0, 0, 0 }
};

static net_vtype class_vtype(const char *vclass, bool *known)
{
    const class_default *c = &class_defaults[0];
    *known = true;
    if (vclass) {
        const class_default *k = class_defaults;
        while (k->name && strcmp(k->name, vclass) != 0) k++;
        if (k->name) c = k;
        else *known = false;
    }
    return (net_vtype){ .length = c->length, .width = c->width, .max_pos_acc = c->accel, .max_neg_acc = c->decel,
                        .usual_pos_acc = c->accel, .usual_neg_acc = c->decel, .min_gap = c->min_gap,
                        .max_speed = c->max_speed, .headway_time = 1.0 };
}

static int read_vtype(dm *m, const sx_doc *d, const sx_elem *e, dm_type *t)
{
    memset(t, 0, sizeof *t);
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &t->id, m->err))) return rc;
    t->vclass = sx_get(d, e, "vClass");
    bool known;
    t->vt = class_vtype(t->vclass, &known);
    if (!known) sumo_warn(m->warn, d, e, "vClass \"%s\" is unknown here: passenger-car defaults are used", t->vclass);
    double accel, decel, len, gap, vmax, tau, width, factor, fdev = -1;
    net_vtype *v = &t->vt;
    if ((rc = sx_get_double(d, e, "accel", false, v->max_pos_acc, &accel, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "decel", false, v->usual_neg_acc, &decel, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "length", false, v->length, &len, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "minGap", false, v->min_gap, &gap, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "maxSpeed", false, v->max_speed, &vmax, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "tau", false, 1.0, &tau, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "width", false, v->width, &width, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "sigma", false, 0.5, &t->sigma, m->err))) return rc;
    if (!(t->sigma >= 0) || t->sigma > 1) return sx_fail(d, e, m->err, CB_ESCHEMA, "sigma must be between 0 and 1");
    const char *sf = sx_get(d, e, "speedFactor");
    factor = 1.0;
    if (sf) {
        /* a number, or "normc(mean,dev,...)" / "norm(mean,dev)" */
        if (strncmp(sf, "normc(", 6) == 0 || strncmp(sf, "norm(", 5) == 0) {
            char *end;
            factor = strtod(strchr(sf, '(') + 1, &end);
            if (*end == ',') fdev = strtod(end + 1, NULL);
        } else if (!sx_parse_double(sf, &factor)) {
            factor = -1;
        } else {
            fdev = 0;                     /* a plain number: no deviation */
        }
        if (!(factor > 0) || factor > 10)
            return sx_fail(d, e, m->err, CB_ESCHEMA, "speedFactor \"%.40s\" is not a positive number", sf);
    }
    if ((rc = sx_get_double(d, e, "speedDev", false, fdev >= 0 ? fdev : 0.1, &t->speed_dev, m->err))) return rc;
    if (!(t->speed_dev >= 0) || t->speed_dev > 1) return sx_fail(d, e, m->err, CB_ESCHEMA, "speedDev must be between 0 and 1");
    struct { const char *name; double val, lo, hi; bool incl; } chk[] = {
        { "accel", accel, 0, 100, false }, { "decel", decel, 0, 100, false }, { "length", len, 0, 1000, false },
        { "minGap", gap, 0, 1000, true }, { "maxSpeed", vmax, 0, 1000, false }, { "tau", tau, 0, 1000, true },
        { "width", width, 0, 100, false },
    };
    for (size_t i = 0; i < sizeof chk / sizeof chk[0]; i++) {
        bool ok = (chk[i].incl ? chk[i].val >= chk[i].lo : chk[i].val > chk[i].lo) && chk[i].val <= chk[i].hi;
        if (!ok)
            return sx_fail(d, e, m->err, CB_ESCHEMA, "%s must be %s 0 and at most %g", chk[i].name,
                           chk[i].incl ? ">=" : ">", chk[i].hi);
    }
    v->max_pos_acc = v->usual_pos_acc = accel;
    v->max_neg_acc = v->usual_neg_acc = decel;
    v->length = len;
    v->min_gap = gap;
    v->max_speed = vmax;
    t->speed_factor = factor;
    v->headway_time = tau;
    v->width = width;
    t->cfm = sx_get(d, e, "carFollowModel");
    if (t->cfm && strcmp(t->cfm, "Krauss") != 0)
        sumo_warn(m->warn, d, e, "carFollowModel \"%s\": its vType parameters are used in citybrain's (Krauss-like) model",
                  t->cfm);
    return CB_OK;
}

static int add_type(dm *m, const sx_doc *d, const sx_elem *e, dm_type *t)
{
    if (cbu_vec_push(&m->types, *t)) return dm_oom(m, d);
    uint32_t old;
    int r = cbu_strmap_put(&m->type_ids, t->id, (uint32_t)(m->types.n - 1), &old);
    if (r < 0) return dm_oom(m, d);
    if (r == 1) return sx_fail(d, e, m->err, CB_ESCHEMA, "duplicate vType id \"%s\"", t->id);
    return CB_OK;
}

static int read_type_dist(dm *m, const sx_doc *d, uint32_t ei)
{
    const sx_elem *e = &d->elems[ei];
    dm_type dist;
    memset(&dist, 0, sizeof dist);
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &dist.id, m->err))) return rc;
    uint32_t nk = 0;
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) nk += d->elems[k].parent == ei;
    const char *list = sx_get(d, e, "vTypes");
    uint32_t nl = 0;
    if (list) for (const char *p = list; *p;) { while (*p == ' ') p++; if (!*p) break; nl++; while (*p && *p != ' ') p++; }
    dist.members = CBU_NEW(&m->tmp, uint32_t, nk + nl + 1);
    dist.probs = CBU_NEW(&m->tmp, double, nk + nl + 1);
    if (!dist.members || !dist.probs) return dm_oom(m, d);
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) {
        const sx_elem *c = &d->elems[k];
        if (c->parent != ei || strcmp(c->name, "vType") != 0) continue;
        dm_type t;
        if ((rc = read_vtype(m, d, c, &t))) return rc;
        double p;
        if ((rc = sx_get_double(d, c, "probability", false, 1.0, &p, m->err))) return rc;
        if (!(p >= 0)) return sx_fail(d, c, m->err, CB_ESCHEMA, "probability must be >= 0");
        if ((rc = add_type(m, d, c, &t))) return rc;
        dist.members[dist.n_members] = (uint32_t)(m->types.n - 1);
        dist.probs[dist.n_members++] = p;
    }
    if (list) {
        const char *p = list;
        while (*p) {
            while (*p == ' ') p++;
            if (!*p) break;
            const char *w = p;
            while (*p && *p != ' ') p++;
            char id[256];
            size_t len = (size_t)(p - w) < sizeof id - 1 ? (size_t)(p - w) : sizeof id - 1;
            memcpy(id, w, len);
            id[len] = '\0';
            uint32_t t;
            if (!cbu_strmap_get(&m->type_ids, id, &t))
                return sx_fail(d, e, m->err, CB_ESCHEMA, "unknown vType \"%s\" in vTypes", id);
            dist.members[dist.n_members] = t;
            dist.probs[dist.n_members++] = 1.0;
        }
    }
    if (dist.n_members == 0) return sx_fail(d, e, m->err, CB_ESCHEMA, "a distribution needs at least one vType");
    return add_type(m, d, e, &dist);
}

/* Pick from a distribution with the demand's RNG (deterministic). */
static uint32_t pick(dm *m, const uint32_t *members, const double *probs, uint32_t n)
{
    double total = 0;
    for (uint32_t i = 0; i < n; i++) total += probs[i];
    double u = (double)cbu_rng_next(&m->rng) / 4294967296.0 * total;
    for (uint32_t i = 0; i < n; i++) {
        if (u < probs[i]) return members[i];
        u -= probs[i];
    }
    return members[n - 1];
}

static int resolve_type(dm *m, const sx_doc *d, const sx_elem *e, const dm_type **out)
{
    const char *id = sx_get(d, e, "type");
    if (!id || strcmp(id, "DEFAULT_VEHTYPE") == 0) {
        uint32_t t;
        if (cbu_strmap_get(&m->type_ids, "DEFAULT_VEHTYPE", &t)) { *out = &m->types.a[t]; return CB_OK; }
        *out = NULL;                                 /* the default passenger car */
        return CB_OK;
    }
    uint32_t t;
    if (!cbu_strmap_get(&m->type_ids, id, &t)) return sx_fail(d, e, m->err, CB_ESCHEMA, "unknown vType \"%s\"", id);
    const dm_type *T = &m->types.a[t];
    for (int hop = 0; T->n_members && hop < 8; hop++) T = &m->types.a[pick(m, T->members, T->probs, T->n_members)];
    *out = T;
    return CB_OK;
}

/*--- routes ------------------------------------------------------------------------------*/

typedef struct edge_list {
    dm *m;
    const sx_doc *d;
    const sx_elem *e;
    const char *attr;
    uint32_t *roads;
    uint32_t n, cap;
    int rc;
} edge_list;

static int edge_word(const char *w, size_t len, void *ud)
{
    edge_list *L = ud;
    const sumo_net *n = L->m->n;
    char id[512];
    if (len >= sizeof id) len = sizeof id - 1;
    memcpy(id, w, len);
    id[len] = '\0';
    uint32_t e;
    if (!cbu_strmap_get(&n->edge_by_id, id, &e))
        return L->rc = sx_fail(L->d, L->e, L->m->err, CB_ESCHEMA, "unknown edge \"%s\" in '%s'", id, L->attr);
    if (n->edges[e].road == SN_NONE)
        return L->rc = sx_fail(L->d, L->e, L->m->err, CB_ESCHEMA, "edge \"%s\" in '%s' is not open to passenger cars%s",
                               id, L->attr, n->edges[e].internal ? " (an internal edge)" : "");
    if (L->n == L->cap) {
        uint32_t c = L->cap ? L->cap * 2 : 16;
        uint32_t *p = CBU_NEW(&L->m->tmp, uint32_t, c);
        if (!p) return L->rc = dm_oom(L->m, L->d);
        if (L->n) memcpy(p, L->roads, L->n * sizeof *p);
        L->roads = p;
        L->cap = c;
    }
    L->roads[L->n++] = n->edges[e].road;
    return 0;
}

static int parse_edges(dm *m, const sx_doc *d, const sx_elem *e, const char *attr, bool required,
                       uint32_t **roads, uint32_t *n)
{
    edge_list L = { m, d, e, attr, NULL, 0, 0, CB_OK };
    const char *v = sx_get(d, e, attr);
    *roads = NULL;
    *n = 0;
    if (!v) return required ? sx_fail(d, e, m->err, CB_ESCHEMA, "attribute '%s' is missing", attr) : CB_OK;
    sx_words(v, false, edge_word, &L);
    if (L.rc) return L.rc;
    if (required && L.n == 0) return sx_fail(d, e, m->err, CB_ESCHEMA, "'%s' names no edge", attr);
    *roads = L.roads;
    *n = L.n;
    return CB_OK;
}

/* An explicit route must be drivable edge after edge. */
static int check_route(dm *m, const sx_doc *d, const sx_elem *e, const uint32_t *roads, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)
        if (!sumo_router_connected(m->router, roads[i - 1], roads[i]))
            return sx_fail(d, e, m->err, CB_ESCHEMA, "route: no connection for cars from edge \"%s\" to edge \"%s\"",
                           m->spec->roads[roads[i - 1]].id, m->spec->roads[roads[i]].id);
    return CB_OK;
}

static int read_route(dm *m, const sx_doc *d, const sx_elem *e, dm_route *r)
{
    memset(r, 0, sizeof *r);
    int rc;
    r->id = sx_get(d, e, "id");
    const char *text = sx_get(d, e, "edges");
    uint32_t mi;
    if (text && cbu_strmap_get(&m->edges_keys, text, &mi)) {     /* read before (edges_memo) */
        r->roads = m->edges_memo.a[mi].roads;
        r->n_roads = m->edges_memo.a[mi].n;
        return CB_OK;
    }
    if ((rc = parse_edges(m, d, e, "edges", true, &r->roads, &r->n_roads))) return rc;
    if ((rc = check_route(m, d, e, r->roads, r->n_roads))) return rc;
    edges_memo t = { r->roads, r->n_roads };
    if (cbu_vec_push(&m->edges_memo, t) || memo_key(m, &m->edges_keys, text, m->edges_memo.n - 1))
        return dm_oom(m, d);
    return CB_OK;
}

static int add_route(dm *m, const sx_doc *d, const sx_elem *e, dm_route *r)
{
    if (!r->id) return sx_fail(d, e, m->err, CB_ESCHEMA, "attribute 'id' is missing");
    if (cbu_vec_push(&m->routes, *r)) return dm_oom(m, d);
    uint32_t old;
    int x = cbu_strmap_put(&m->route_ids, r->id, (uint32_t)(m->routes.n - 1), &old);
    if (x < 0) return dm_oom(m, d);
    if (x == 1) return sx_fail(d, e, m->err, CB_ESCHEMA, "duplicate route id \"%s\"", r->id);
    return CB_OK;
}

static int read_route_dist(dm *m, const sx_doc *d, uint32_t ei)
{
    const sx_elem *e = &d->elems[ei];
    dm_route dist;
    memset(&dist, 0, sizeof dist);
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &dist.id, m->err))) return rc;
    uint32_t nk = 0;
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) nk += d->elems[k].parent == ei;
    dist.members = CBU_NEW(&m->tmp, uint32_t, nk + 1);
    dist.probs = CBU_NEW(&m->tmp, double, nk + 1);
    if (!dist.members || !dist.probs) return dm_oom(m, d);
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) {
        const sx_elem *c = &d->elems[k];
        if (c->parent != ei || strcmp(c->name, "route") != 0) continue;
        double p;
        if ((rc = sx_get_double(d, c, "probability", false, 1.0, &p, m->err))) return rc;
        if (!(p >= 0)) return sx_fail(d, c, m->err, CB_ESCHEMA, "probability must be >= 0");
        uint32_t ri;
        const char *refid = sx_get(d, c, "refId");
        if (refid) {
            if (!cbu_strmap_get(&m->route_ids, refid, &ri))
                return sx_fail(d, c, m->err, CB_ESCHEMA, "unknown route \"%s\" in refId", refid);
        } else {
            dm_route r;
            if ((rc = read_route(m, d, c, &r))) return rc;
            if (!r.id) {
                if (cbu_vec_push(&m->routes, r)) return dm_oom(m, d);
            } else if ((rc = add_route(m, d, c, &r))) {
                return rc;
            }
            ri = (uint32_t)(m->routes.n - 1);
        }
        dist.members[dist.n_members] = ri;
        dist.probs[dist.n_members++] = p;
    }
    if (dist.n_members == 0) return sx_fail(d, e, m->err, CB_ESCHEMA, "a distribution needs at least one <route>");
    return add_route(m, d, e, &dist);
}

/* The road list of a vehicle or flow: route="id" (a route or a route
 * distribution), or an embedded <route>.  *roads is NULL when neither. */
static int vehicle_route(dm *m, const sx_doc *d, uint32_t ei, uint32_t **roads, uint32_t *n)
{
    const sx_elem *e = &d->elems[ei];
    *roads = NULL;
    *n = 0;
    const char *rid = sx_get(d, e, "route");
    if (rid) {
        uint32_t r;
        if (!cbu_strmap_get(&m->route_ids, rid, &r)) return sx_fail(d, e, m->err, CB_ESCHEMA, "unknown route \"%s\"", rid);
        const dm_route *R = &m->routes.a[r];
        for (int hop = 0; R->n_members && hop < 8; hop++) R = &m->routes.a[pick(m, R->members, R->probs, R->n_members)];
        *roads = R->roads;
        *n = R->n_roads;
        return CB_OK;
    }
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) {
        const sx_elem *c = &d->elems[k];
        if (c->parent != ei) continue;
        if (strcmp(c->name, "route") == 0) {
            dm_route r;
            int rc = read_route(m, d, c, &r);
            if (rc) return rc;
            *roads = r.roads;
            *n = r.n_roads;
            return CB_OK;
        }
        if (strcmp(c->name, "routeDistribution") == 0) {
            int rc = read_route_dist(m, d, k);
            if (rc) return rc;
            const dm_route *R = &m->routes.a[m->routes.n - 1];
            R = &m->routes.a[pick(m, R->members, R->probs, R->n_members)];
            *roads = R->roads;
            *n = R->n_roads;
            return CB_OK;
        }
    }
    return CB_OK;
}

/* "from\x1fto\x1fvia" into key[n]; false if it does not fit. */
static bool trip_key(char *key, size_t n, const char *from, const char *to, const char *via)
{
    size_t lf = strlen(from), lt = strlen(to), lv = strlen(via);
    if (lf + lt + lv + 3 > n) return false;
    memcpy(key, from, lf);
    key[lf] = '\x1f';
    memcpy(key + lf + 1, to, lt);
    key[lf + 1 + lt] = '\x1f';
    memcpy(key + lf + lt + 2, via, lv + 1);
    return true;
}

/* A trip whose destination cars cannot reach: counted, warned, skipped. */
static int skip_unroutable(dm *m, const sx_doc *d, const sx_elem *e, bool *unroutable)
{
    m->unroutable++;
    sumo_warn(m->warn, d, e, "trips whose destination cannot be reached by car are skipped");
    *unroutable = true;
    return CB_OK;
}

/* from / to / via of a trip or flow, routed. *roads NULL when unroutable,
 * or when `search` is false: then the edges are only checked (a vehicle
 * outside the run's time window is not driven, so not routed either). */
static int trip_route(dm *m, const sx_doc *d, const sx_elem *e, bool search, uint32_t **roads, uint32_t *n,
                      bool *unroutable)
{
    *roads = NULL;
    *n = 0;
    *unroutable = false;
    /* the same text seen before (trip_memo): checked, and routed if it was
     * searched; one outside the window leaves nothing behind */
    const char *kf = sx_get(d, e, "from"), *kt = sx_get(d, e, "to"), *kv = sx_get(d, e, "via");
    char key[512];
    bool memo = kf && kt && trip_key(key, sizeof key, kf, kt, kv ? kv : "");
    uint32_t mi;
    if (memo && cbu_strmap_get(&m->trip_keys, key, &mi)) {
        const trip_memo *t = &m->trip_memo.a[mi];
        if (!search) return CB_OK;
        if (!t->roads) return skip_unroutable(m, d, e, unroutable);
        *roads = t->roads;
        *n = t->n;
        m->trip = t->pts;
        m->n_trip = t->np;
        return CB_OK;
    }
    uint32_t *from, *to, *via, nf, nt, nv;
    int rc;
    if ((rc = parse_edges(m, d, e, "from", true, &from, &nf))) return rc;
    if ((rc = parse_edges(m, d, e, "to", true, &to, &nt))) return rc;
    if ((rc = parse_edges(m, d, e, "via", false, &via, &nv))) return rc;
    if (!search) return CB_OK;
    uint32_t np = nv + 2;
    uint32_t *pts = CBU_NEW(&m->tmp, uint32_t, np);
    if (!pts) return dm_oom(m, d);
    pts[0] = from[0];
    for (uint32_t i = 0; i < nv; i++) pts[1 + i] = via[i];
    pts[np - 1] = to[0];
    uint32_t *full, nfull, bad;
    rc = sumo_route(m->router, pts, np, &full, &nfull, &bad);
    if (rc == CB_ENOMEM) return dm_oom(m, d);
    uint32_t *keep = NULL;
    if (rc == CB_ENOTFOUND) {
        skip_unroutable(m, d, e, unroutable);
    } else {
        keep = CBU_NEW(&m->tmp, uint32_t, nfull ? nfull : 1);
        if (!keep) { free(full); return dm_oom(m, d); }
        if (nfull) memcpy(keep, full, nfull * sizeof *keep);
        free(full);
        *roads = keep;
        *n = nfull;
        m->trip = pts;
        m->n_trip = np;
    }
    if (memo) {
        trip_memo t = { keep, pts, keep ? nfull : 0, np };
        if (cbu_vec_push(&m->trip_memo, t) || memo_key(m, &m->trip_keys, key, m->trip_memo.n - 1))
            return dm_oom(m, d);
    }
    return CB_OK;
}

/*--- depart attributes ----------------------------------------------------------------------*/

typedef struct depart_attrs { double speed; uint32_t lane; } depart_attrs;

/* The edge of a road (NULL if none, or out of memory: then m->road_edge
 * stays NULL).  The index is built on first use: a departLane by number
 * is the only question, and a scan of all edges for each vehicle cost
 * seconds on a city of 14,000 roads. */
static const sn_edge *road_edge(dm *m, uint32_t road)
{
    if (!m->road_edge) {
        uint32_t nr = m->spec->n_roads;
        m->road_edge = malloc(((size_t)nr + 1) * sizeof *m->road_edge);
        if (!m->road_edge) return NULL;
        for (uint32_t r = 0; r < nr; r++) m->road_edge[r] = SN_NONE;
        for (uint32_t i = m->n->n_edges; i-- > 0;)          /* the first edge of a road wins */
            if (m->n->edges[i].road < nr) m->road_edge[m->n->edges[i].road] = i;
    }
    uint32_t i = road < m->spec->n_roads ? m->road_edge[road] : SN_NONE;
    return i == SN_NONE ? NULL : &m->n->edges[i];
}

/* The depart and arrival attributes of a vehicle or flow, found in one
 * pass over its attributes: they are almost always absent, and asking for
 * each of the six by name cost 300-450 instructions a vehicle (0.5% of
 * loading and running cologne1 or cologne3). */
typedef struct depart_names {
    const char *speed, *lane, *pos;
    const char *arrival[3];    /* arrivalLane, arrivalPos, arrivalSpeed */
} depart_names;

static const char *const arrival_names[3] = { "arrivalLane", "arrivalPos", "arrivalSpeed" };

static void find_depart_names(const sx_doc *d, const sx_elem *e, depart_names *f)
{
    memset(f, 0, sizeof *f);
    const sx_attr *at = d->attrs + e->first_attr;
    for (uint32_t i = 0; i < e->n_attr; i++) {
        const char *nm = at[i].name;
        if (nm[0] != 'd' && nm[0] != 'a') continue;           /* most names: id, type, from, to, route */
        if (strncmp(nm, "depart", 6) == 0 && nm[6]) {          /* not "depart" itself */
            if (strcmp(nm + 6, "Speed") == 0) f->speed = at[i].value;
            else if (strcmp(nm + 6, "Lane") == 0) f->lane = at[i].value;
            else if (strcmp(nm + 6, "Pos") == 0) f->pos = at[i].value;
        } else if (strncmp(nm, "arrival", 7) == 0 && nm[7]) {  /* nor "arrival" (route files from SUMO's output) */
            for (int k = 0; k < 3; k++)
                if (strcmp(nm, arrival_names[k]) == 0) f->arrival[k] = at[i].value;
        }
    }
}

static int read_depart_attrs(dm *m, const sx_doc *d, const sx_elem *e, uint32_t first_road, depart_attrs *a)
{
    a->speed = 0;
    a->lane = 0;
    depart_names f;
    find_depart_names(d, e, &f);
    const char *ds = f.speed, *dl = f.lane;
    if (ds) {
        double v;
        if (strcmp(ds, "max") == 0 || strcmp(ds, "desired") == 0 || strcmp(ds, "speedLimit") == 0) a->speed = DEMAND_DEPART_MAX;
        else if (sx_parse_double(ds, &v) && v >= 0 && v <= 1000) a->speed = v;
        else if (strcmp(ds, "random") == 0 || strcmp(ds, "avg") == 0 || strcmp(ds, "last") == 0) {
            a->speed = DEMAND_DEPART_MAX;
            sumo_warn(m->warn, d, e, "departSpeed=\"%s\" is taken as \"max\"", ds);
        } else {
            return sx_fail(d, e, m->err, CB_ESCHEMA, "departSpeed \"%.40s\" is not a speed", ds);
        }
    }
    if (dl) {
        char *end;
        long idx = strtol(dl, &end, 10);
        if (end != dl && !*end) {
            const sn_edge *E = road_edge(m, first_road);
            if (!E && m->road_edge == NULL) return dm_oom(m, d);
            uint32_t our = SN_NONE;
            for (uint32_t k = 0; E && k < E->n_lanes; k++)
                if (m->n->lanes[E->first_lane + k].index == (uint32_t)idx) our = m->n->lanes[E->first_lane + k].road_lane;
            if (our == SN_NONE)
                return sx_fail(d, e, m->err, CB_ESCHEMA, "departLane %ld is not a lane for cars of the first edge", idx);
            a->lane = our + 1;
        } else if (strcmp(dl, "first") == 0) {
            a->lane = m->spec->roads[first_road].n_lanes;        /* our last = SUMO's rightmost */
        } else if (strcmp(dl, "best") && strcmp(dl, "random") && strcmp(dl, "free") && strcmp(dl, "allowed") &&
                   strcmp(dl, "best_prob")) {
            return sx_fail(d, e, m->err, CB_ESCHEMA, "departLane \"%.40s\" is not a lane", dl);
        }
    }
    const char *dp = f.pos;
    if (dp && strcmp(dp, "base") != 0)
        sumo_warn(m->warn, d, e,
                  "departPos=\"%s\" is not modelled: vehicles enter with their back at the start of their first lane "
                  "(\"base\")", dp);
    for (int i = 0; i < 3; i++)
        if (f.arrival[i])
            sumo_warn(m->warn, d, e, "%s is not modelled: vehicles arrive at the end of their last edge", arrival_names[i]);
    return CB_OK;
}

/*--- emitting ---------------------------------------------------------------------------------*/

/* A vehicle type with its Krauss driver. */
typedef struct drv_type { net_vtype vt; double sigma, speed_factor, speed_dev; } drv_type;

static drv_type type_of(const dm_type *t)
{
    bool known;
    drv_type d = { t ? t->vt : class_vtype(NULL, &known), t ? t->sigma : 0.5, t ? t->speed_factor : 1.0,
                   t ? t->speed_dev : 0.1 };
    return d;
}

static int push_flow(dm *m, const sx_doc *d, const drv_type *vt, const uint32_t *roads, uint32_t n,
                     double interval, int64_t start, int64_t end, const depart_attrs *a)
{
    uint64_t most = m->o->max_entries ? m->o->max_entries : SUMO_MAX_DEMAND_ENTRIES;
    if (m->flows.n >= most)
        return cbu_err(m->err, CB_ELIMIT, "%s: the demand has more than %llu vehicles and flows (departures "
                       "closer than 1 s, random flows and single vehicles count one each)", d->file,
                       (unsigned long long)most);
    uint32_t *copy = CBU_NEW(&m->out->arena, uint32_t, n);
    if (!copy) return dm_oom(m, d);
    memcpy(copy, roads, n * sizeof *copy);
    demand_flow f;
    memset(&f, 0, sizeof f);
    f.vtype = vt->vt;
    f.krauss = true;
    f.sigma = vt->sigma > 1 ? 1 : vt->sigma;
    f.speed_factor = vt->speed_factor;
    f.speed_dev = vt->speed_dev;
    f.route = copy;
    f.n_route = n;
    f.interval = interval;
    f.start_time = start;
    f.end_time = end;
    f.depart_speed = a->speed;
    f.depart_lane = a->lane;
    if (m->n_trip) {
        f.trip = CBU_NEW(&m->out->arena, uint32_t, m->n_trip);
        if (!f.trip) return dm_oom(m, d);
        memcpy(f.trip, m->trip, m->n_trip * sizeof *f.trip);
        f.n_trip = m->n_trip;
    }
    if (cbu_vec_push(&m->flows, f)) return dm_oom(m, d);
    return CB_OK;
}

/* One vehicle departing at SUMO time t (already checked to be in range). */
static int push_vehicle(dm *m, const sx_doc *d, const sx_elem *e, const drv_type *vt, const uint32_t *roads,
                        uint32_t n, double t, const depart_attrs *a)
{
    double rel = t - m->o->begin;
    int64_t s = (int64_t)ceil(rel - 1e-9);
    if (s < 0) s = 0;
    (void)e;
    return push_flow(m, d, vt, roads, n, 1.0, s, s, a);
}

/* Is SUMO time t inside the run? */
static bool window_has(const dm *m, double t) { return t >= m->o->begin && (m->o->end < 0 || t < m->o->end); }

/* The same, counting what is not. */
static bool in_window(dm *m, double t)
{
    if (window_has(m, t)) return true;
    if (t < m->o->begin) m->before_begin++;
    else m->after_end++;
    return false;
}

/* SUMO reads route files in departure order and drops what comes after a
 * later departure; we load it, and count it for a warning.  Called with
 * each vehicle's, trip's and flow's departure as written, in file order. */
static void note_order(dm *m, double t)
{
    if (t < m->last_depart) m->unsorted++;
    else m->last_depart = t;
}

static int depart_time(dm *m, const sx_doc *d, const sx_elem *e, double *t, bool *skip)
{
    const char *dep = sx_get(d, e, "depart");
    *skip = false;
    if (!dep) return sx_fail(d, e, m->err, CB_ESCHEMA, "attribute 'depart' is missing");
    if (sx_parse_double(dep, t)) {
        note_order(m, *t);
        if (*t < 0 || *t > 1e9) return sx_fail(d, e, m->err, CB_ESCHEMA, "depart must be between 0 and 1e9 s");
        return CB_OK;
    }
    if (strcmp(dep, "triggered") == 0 || strcmp(dep, "containerTriggered") == 0 || strcmp(dep, "split") == 0) {
        sumo_warn(m->warn, d, e, "vehicles with depart=\"%s\" (waiting for persons or containers) are skipped", dep);
        *skip = true;
        return CB_OK;
    }
    if (strcmp(dep, "now") == 0 || strcmp(dep, "begin") == 0) { *t = m->o->begin; return CB_OK; }
    return sx_fail(d, e, m->err, CB_ESCHEMA, "depart \"%.40s\" is not a time", dep);
}

static void warn_children(dm *m, const sx_doc *d, uint32_t ei)
{
    const sx_elem *e = &d->elems[ei];
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) {
        const sx_elem *c = &d->elems[k];
        if (c->parent != ei) continue;
        if (strcmp(c->name, "stop") == 0)
            sumo_warn(m->warn, d, c, "<stop> of vehicles are ignored: they drive through");
        else if (strcmp(c->name, "param") != 0 && strcmp(c->name, "route") != 0 &&
                 strcmp(c->name, "routeDistribution") != 0)
            sumo_warn(m->warn, d, c, "<%s> inside vehicles are ignored", c->name);
    }
}

static int read_vehicle(dm *m, const sx_doc *d, uint32_t ei, bool trip)
{
    m->n_trip = 0;
    const sx_elem *e = &d->elems[ei];
    double t;
    bool skip;
    int rc;
    if ((rc = depart_time(m, d, e, &t, &skip)) || skip) return rc;
    warn_children(m, d, ei);
    const dm_type *T;
    if ((rc = resolve_type(m, d, e, &T))) return rc;
    uint32_t *roads = NULL, n = 0;
    bool unroutable = false;
    if (!trip && (rc = vehicle_route(m, d, ei, &roads, &n))) return rc;
    if (!roads) {
        if (sx_get(d, e, "fromTaz") || sx_get(d, e, "fromJunction") || sx_get(d, e, "fromXY") || sx_get(d, e, "fromLonLat")) {
            sumo_warn(m->warn, d, e, "trips between zones, junctions or coordinates (fromTaz, fromJunction, fromXY) are skipped");
            return CB_OK;
        }
        if (!trip && !sx_get(d, e, "from"))
            return sx_fail(d, e, m->err, CB_ESCHEMA, "a vehicle needs route=\"...\" or an embedded <route>");
        if ((rc = trip_route(m, d, e, window_has(m, t), &roads, &n, &unroutable))) return rc;
        if (unroutable) return CB_OK;
    }
    if (!in_window(m, t)) return CB_OK;
    depart_attrs a;
    if ((rc = read_depart_attrs(m, d, e, roads[0], &a))) return rc;
    drv_type vt = type_of(T);
    return push_vehicle(m, d, e, &vt, roads, n, t, &a);
}

/* period="exp(r)": exponential headways with rate r. */
static bool parse_exp(const char *s, double *rate)
{
    if (strncmp(s, "exp(", 4) != 0) return false;
    char *end;
    double r = strtod(s + 4, &end);
    if (end == s + 4 || *end != ')' || end[1] || !(r > 0) || !isfinite(r)) return false;
    *rate = r;
    return true;
}

static double uniform01(dm *m) { return ((double)cbu_rng_next(&m->rng) + 0.5) / 4294967296.0; }

/* The vehicles of a flow whose type or route is a distribution each draw
 * their own (the first vehicle keeps what the flow drew when read). */
typedef struct flow_draw {
    dm *m;
    const sx_doc *d;
    const sx_elem *e;
    const dm_type *tdist;
    const dm_route *rdist;
    uint32_t first, drawn;    /* first road of the route read with the flow; vehicles so far */
} flow_draw;

static int redraw(flow_draw *f, drv_type *vt, uint32_t **roads, uint32_t *n, depart_attrs *a)
{
    if (f->drawn++ == 0 || (!f->tdist && !f->rdist)) return CB_OK;
    dm *m = f->m;
    if (f->tdist) {
        const dm_type *T = f->tdist;
        for (int hop = 0; T->n_members && hop < 8; hop++) T = &m->types.a[pick(m, T->members, T->probs, T->n_members)];
        *vt = type_of(T);
    }
    if (f->rdist) {
        const dm_route *R = f->rdist;
        for (int hop = 0; R->n_members && hop < 8; hop++) R = &m->routes.a[pick(m, R->members, R->probs, R->n_members)];
        *roads = R->roads;
        *n = R->n_roads;
        if ((*roads)[0] != f->first) {
            /* departLane is an index on another first edge: read again, warned once already */
            cb_warnings *w = m->warn;
            m->warn = NULL;
            int rc = read_depart_attrs(m, f->d, f->e, (*roads)[0], a);
            m->warn = w;
            f->first = (*roads)[0];
            if (rc) return rc;
        }
    }
    return CB_OK;
}


/* Vehicles in a flow's first `span` seconds at one every `period`: the j
 * with j * period < span, at most `most` (a count, never an overflow). */
static uint64_t departures(double span, double period, double most)
{
    double q = ceil(span / period - 1e-9);
    if (most > 1e18) most = 1e18;               /* (double)UINT64_MAX does not convert back */
    if (!(q > 0)) return 0;                     /* also NaN */
    return q >= most ? (uint64_t)most : (uint64_t)q;
}

/* A random flow's expected vehicles, rounded, at most `most`. */
static uint64_t expected_count(double mean, uint64_t most)
{
    if (!(mean > 0)) return 0;
    double r = floor(mean + 0.5);
    return r >= (double)most ? most : (uint64_t)r;
}

static int read_flow(dm *m, const sx_doc *d, uint32_t ei)
{
    m->n_trip = 0;
    const sx_elem *e = &d->elems[ei];
    int rc;
    double begin, end, period = -1, vph, prob, rate = 0;
    long number;
    if ((rc = sx_get_double(d, e, "begin", false, m->o->begin, &begin, m->err))) return rc;
    if (sx_get(d, e, "begin")) note_order(m, begin);
    if ((rc = sx_get_long(d, e, "number", false, -1, &number, m->err))) return rc;
    const char *ps = sx_get(d, e, "period");
    bool expo = ps && parse_exp(ps, &rate);
    if (ps && !expo && !sx_parse_double(ps, &period))
        return sx_fail(d, e, m->err, CB_ESCHEMA, "period \"%.40s\" is not a number or exp(rate)", ps);
    if ((rc = sx_get_double(d, e, "vehsPerHour", false, -1, &vph, m->err))) return rc;
    if ((rc = sx_get_double(d, e, "probability", false, -1, &prob, m->err))) return rc;
    int kinds = (ps != NULL) + (vph >= 0) + (prob >= 0);
    if (kinds > 1) return sx_fail(d, e, m->err, CB_ESCHEMA, "give only one of period, vehsPerHour and probability");
    if (kinds == 0 && number < 0)
        return sx_fail(d, e, m->err, CB_ESCHEMA, "a flow needs period, vehsPerHour, probability or number");
    if (vph >= 0) {
        if (!(vph > 0) || vph > 1e6) return sx_fail(d, e, m->err, CB_ESCHEMA, "vehsPerHour must be > 0");
        period = 3600.0 / vph;
    }
    if (ps && !expo && (!(period > 0) || period > 1e9)) return sx_fail(d, e, m->err, CB_ESCHEMA, "period must be > 0 s");
    if (prob >= 0 && !(prob > 0 && prob <= 1)) return sx_fail(d, e, m->err, CB_ESCHEMA, "probability must be in (0, 1]");
    if (number > 10000000) return sx_fail(d, e, m->err, CB_ESCHEMA, "number must be at most 1e7");
    const char *es = sx_get(d, e, "end");
    if (es) {
        if ((rc = sx_get_double(d, e, "end", false, 0, &end, m->err))) return rc;
    } else if (number >= 0 && period > 0) {
        end = begin + (double)number * period;
    } else {
        end = begin + DEFAULT_FLOW_SPAN;
    }
    if (kinds == 0 && number > 0 && !(end > begin))
        return sx_fail(d, e, m->err, CB_ESCHEMA, "a flow of number=\"%lld\" vehicles needs end > begin",
                       (long long)number);
    if (kinds == 0) period = (end - begin) / (double)(number > 0 ? number : 1);
    if (!(begin >= 0) || begin > 1e9 || !(end >= begin) || end > 2e9)
        return sx_fail(d, e, m->err, CB_ESCHEMA, "needs 0 <= begin <= end");
    warn_children(m, d, ei);
    const dm_type *T;
    if ((rc = resolve_type(m, d, e, &T))) return rc;
    uint32_t *roads = NULL, n = 0;
    bool unroutable = false;
    if ((rc = vehicle_route(m, d, ei, &roads, &n))) return rc;
    if (!roads) {
        if (sx_get(d, e, "fromTaz") || sx_get(d, e, "fromJunction")) {
            sumo_warn(m->warn, d, e, "flows between zones or junctions (fromTaz, fromJunction) are skipped");
            return CB_OK;
        }
        if (!sx_get(d, e, "from"))
            return sx_fail(d, e, m->err, CB_ESCHEMA, "a flow needs route=\"...\", an embedded <route>, or from/to");
        if ((rc = trip_route(m, d, e, true, &roads, &n, &unroutable))) return rc;
        if (unroutable) return CB_OK;
    }
    depart_attrs a;
    if ((rc = read_depart_attrs(m, d, e, roads[0], &a))) return rc;
    drv_type vt = type_of(T);
    /* a type or route distribution is drawn for every vehicle, as SUMO does */
    flow_draw fd = { .m = m, .d = d, .e = e, .first = roads[0] };
    const char *tid = sx_get(d, e, "type"), *rid = sx_get(d, e, "route");
    uint32_t idx;
    if (tid && cbu_strmap_get(&m->type_ids, tid, &idx) && m->types.a[idx].n_members) fd.tdist = &m->types.a[idx];
    if (rid && cbu_strmap_get(&m->route_ids, rid, &idx) && m->routes.a[idx].n_members) fd.rdist = &m->routes.a[idx];
    for (uint32_t k = ei + 1; !rid && k < d->n_elems && d->elems[k].depth > e->depth; k++)
        if (d->elems[k].parent == ei && strcmp(d->elems[k].name, "routeDistribution") == 0) {
            fd.rdist = &m->routes.a[m->routes.n - 1];            /* read by vehicle_route just now */
            break;
        }
    /* the part of [begin, end) inside the run */
    double lo = begin, hi = end;
    if (m->o->end >= 0 && hi > m->o->end) hi = m->o->end;
    uint64_t cap = number >= 0 ? (uint64_t)number : UINT64_MAX;

    if (expo || prob >= 0) {
        /* Random: a Bernoulli trial at each whole second after begin, or
         * exponential headways.  Both are memoryless, so drawing from the
         * run's begin time has the same law as SUMO drawing from the
         * flow's begin and skipping what is early; the vehicles outside
         * the run are counted by their expected number (as is their share
         * of `number`).  Gaps are drawn whole (geometric for trials), so
         * the work grows with the vehicles, not with the span. */
        double per_s = prob >= 0 ? prob : rate;
        if (m->o->begin > lo) lo = m->o->begin;
        uint64_t k = 0;
        double t;
        t = prob >= 0 ? begin + ceil(lo - begin - 1e-9) : lo;     /* the first trial inside the run */
        k = expected_count(per_s * ((t < end ? t : end) - begin), cap);
        m->before_begin += (int64_t)k;
        for (;;) {
            if (prob >= 0 && prob < 1) t += floor(log(uniform01(m)) / log1p(-prob));   /* failed trials */
            else if (prob < 0) t += -log(uniform01(m)) / rate;
            if (!(t < hi) || k >= cap) break;
            k++;
            if ((rc = redraw(&fd, &vt, &roads, &n, &a))) return rc;
            if ((rc = push_vehicle(m, d, e, &vt, roads, n, t, &a))) return rc;
            if (prob >= 0) t += 1.0;
        }
        if (end > hi && k < cap) m->after_end += (int64_t)expected_count(per_s * (end - hi), cap - k);
        return CB_OK;
    }
    /* fixed headway: departures begin + j*period, j = 0, 1, ... while < end
     * (and j < number) */
    if (!(period > 0)) return CB_OK;                  /* number="0" over an empty span */
    uint64_t total = departures(end - begin, period, (double)cap);
    if (total == 0) return CB_OK;
    /* first and last j inside [max(begin, run begin), hi) */
    uint64_t j0 = 0;
    if (begin < m->o->begin) {
        j0 = departures(m->o->begin - begin, period, (double)total);
        m->before_begin += (int64_t)j0;
    }
    uint64_t j1 = total;                               /* exclusive */
    if (begin + (double)(total - 1) * period >= hi) {
        j1 = departures(hi - begin, period, (double)total);
        m->after_end += (int64_t)(total - (j1 > j0 ? j1 : j0));
    }
    if (j1 <= j0) return CB_OK;
    if (j1 - j0 > MAX_FLOW_VEHICLES)
        return sx_fail(d, e, m->err, CB_ELIMIT, "this flow departs %llu vehicles in the run (at most %d)",
                       (unsigned long long)(j1 - j0), MAX_FLOW_VEHICLES);
    double first = begin + (double)j0 * period - m->o->begin;
    double last = begin + (double)(j1 - 1) * period - m->o->begin;
    int64_t s0 = (int64_t)ceil(first - 1e-9);
    int64_t s1 = (int64_t)ceil(last - 1e-9);
    if (period >= 1.0 && fabs(first - (double)s0) < 1e-9 && !fd.tdist && !fd.rdist) {
        /* our flow: a vehicle at s0, then one whenever `period` more
         * seconds have accumulated -- ceil(begin + j*period), as SUMO
         * inserts them */
        return push_flow(m, d, &vt, roads, n, period, s0, s1, &a);
    }
    for (uint64_t j = j0; j < j1; j++)
        if ((rc = redraw(&fd, &vt, &roads, &n, &a)) ||
            (rc = push_vehicle(m, d, e, &vt, roads, n, begin + (double)j * period, &a)))
            return rc;
    return CB_OK;
}

/*--- a file -----------------------------------------------------------------------------------*/

static bool demand_known(const char *name)
{
    static const char *const known[] = { "routes", "vType", "vTypeDistribution", "route", "routeDistribution",
                                         "vehicle", "trip", "flow", "param", NULL };
    for (int i = 0; known[i]; i++)
        if (strcmp(known[i], name) == 0) return true;
    return false;
}

static int read_doc(dm *m, const sx_doc *d)
{
    const sx_elem *root = &d->elems[0];
    if (strcmp(root->name, "routes") != 0 && strcmp(root->name, "additional") != 0)
        return sx_fail(d, root, m->err, CB_ESCHEMA, "not a SUMO route file: the root element must be <routes>");
    int rc;
    uint32_t n_top = 0;                       /* elements directly under the root */
    /* definitions first, so vehicles may come before the types they use */
    for (uint32_t i = 1; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (e->depth != 1) continue;
        n_top++;
        if (strcmp(e->name, "vType") == 0) {
            dm_type t;
            if ((rc = read_vtype(m, d, e, &t)) || (rc = add_type(m, d, e, &t))) return rc;
        } else if (strcmp(e->name, "vTypeDistribution") == 0) {
            if ((rc = read_type_dist(m, d, i))) return rc;
        } else if (strcmp(e->name, "route") == 0) {
            dm_route r;
            if ((rc = read_route(m, d, e, &r)) || (rc = add_route(m, d, e, &r))) return rc;
        } else if (strcmp(e->name, "routeDistribution") == 0) {
            if ((rc = read_route_dist(m, d, i))) return rc;
        }
    }
    /* Room for a flow per element at once: most of them are vehicles, each
     * one flow.  Growing the array by doubling copied it into fresh memory
     * (cologne3: 8% of the run's page faults); room left unused is never
     * touched.  A flow with repeats may still make it grow. */
    if (cbu_vec_reserve(&m->flows, n_top)) return dm_oom(m, d);
    m->last_depart = -INFINITY;
    for (uint32_t i = 1; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (e->depth != 1) continue;
        if (strcmp(e->name, "vehicle") == 0) rc = read_vehicle(m, d, i, false);
        else if (strcmp(e->name, "trip") == 0) rc = read_vehicle(m, d, i, true);
        else if (strcmp(e->name, "flow") == 0) rc = read_flow(m, d, i);
        else {
            rc = CB_OK;
            if (strcmp(e->name, "person") == 0 || strcmp(e->name, "personFlow") == 0 ||
                strcmp(e->name, "container") == 0 || strcmp(e->name, "containerFlow") == 0)
                sumo_warn(m->warn, d, e, "<%s> elements are ignored (citybrain simulates vehicles only)", e->name);
            else if (!demand_known(e->name))
                sumo_warn(m->warn, d, e, "<%s> elements of route files are ignored", e->name);
        }
        if (rc) return rc;
    }
    return CB_OK;
}

static int dm_begin(dm *m, const sumo_net *n, const net_spec *spec, const sumo_demand_opts *o, demand_spec *out,
                    cb_warnings *warn, cb_error *err)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->spec = spec;
    m->o = o;
    m->out = out;
    m->warn = warn;
    m->err = err;
    cbu_arena_init(&m->tmp);
    cbu_strmap_init(&m->type_ids);
    cbu_strmap_init(&m->route_ids);
    cbu_strmap_init(&m->trip_keys);
    cbu_strmap_init(&m->edges_keys);
    cbu_rng_seed(&m->rng, o->seed);
    if (sumo_router_new(spec, &m->router)) return cbu_err(err, CB_ENOMEM, "out of memory");
    return CB_OK;
}

static int dm_end(dm *m, int rc)
{
    if (rc == CB_OK) {
        /* the array itself, not a copy (demand_spec.flows_heap) */
        m->out->n_flows = (uint32_t)m->flows.n;
        if (!m->flows.a && cbu_vec_reserve(&m->flows, 1)) rc = cbu_err(m->err, CB_ENOMEM, "out of memory");
        if (rc == CB_OK) {
            free(m->out->flows_heap);
            m->out->flows = m->out->flows_heap = m->flows.a;
            m->flows.a = NULL;
        }
        if (m->before_begin)
            sumo_warn_n(m->warn, m->before_begin, "vehicles depart before the begin time (%g s) and are skipped, as in SUMO",
                        m->o->begin);
        if (m->unsorted)
            sumo_warn_n(m->warn, m->unsorted, "vehicles or flows depart before one listed earlier in their route file: "
                        "SUMO ignores them (route files must be sorted by departure), citybrain loads them");
        if (m->after_end)
            sumo_warn_n(m->warn, m->after_end, "vehicles depart at or after the end time (%g s) and are not loaded",
                        m->o->end);
    }
    sumo_router_free(m->router);
    free(m->road_edge);
    cbu_vec_free(&m->types);
    cbu_vec_free(&m->routes);
    cbu_vec_free(&m->flows);
    cbu_strmap_free(&m->type_ids);
    cbu_strmap_free(&m->route_ids);
    cbu_strmap_free(&m->trip_keys);
    cbu_strmap_free(&m->edges_keys);
    cbu_vec_free(&m->trip_memo);
    cbu_vec_free(&m->edges_memo);
    cbu_arena_free(&m->tmp);
    return rc;
}

int sumo_demand_load(const sumo_net *n, const net_spec *spec, const char *const *files, uint32_t n_files,
                     const sumo_demand_opts *o, demand_spec *out, cb_warnings *warn, cb_error *err)
{
    dm m;
    int rc = dm_begin(&m, n, spec, o, out, warn, err);
    sx_doc *docs = calloc(n_files + 1, sizeof *docs);
    if (!docs && rc == CB_OK) rc = cbu_err(err, CB_ENOMEM, "out of memory");
    uint32_t loaded = 0;
    for (uint32_t i = 0; i < n_files && rc == CB_OK; i++) {
        if ((rc = sx_load(&docs[i], files[i], err))) break;
        loaded++;
        rc = read_doc(&m, &docs[i]);
    }
    rc = dm_end(&m, rc);
    for (uint32_t i = 0; i < loaded; i++) sx_free(&docs[i]);
    free(docs);
    return rc;
}

int sumo_demand_parse(const sumo_net *n, const net_spec *spec, const char *label, const char *buf, size_t len,
                      const sumo_demand_opts *o, demand_spec *out, cb_warnings *warn, cb_error *err)
{
    dm m;
    int rc = dm_begin(&m, n, spec, o, out, warn, err);
    sx_doc doc;
    memset(&doc, 0, sizeof doc);
    if (rc == CB_OK && (rc = sx_parse(&doc, label, buf, len, err)) == CB_OK) rc = read_doc(&m, &doc);
    rc = dm_end(&m, rc);
    sx_free(&doc);
    return rc;
}
