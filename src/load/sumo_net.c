/* sumo_net.c -- reading a .net.xml (and tlLogic programs of additional
 * files) into a sumo_net: SUMO's own model, ids resolved, nothing derived.
 *
 * Read: <edge> with its <lane>s, <junction> with its <request>s,
 * <connection>, <tlLogic> with its <phase>s.  Skipped without a warning,
 * because the simulation does not need them: <location> (coordinates stay
 * in SUMO's Cartesian frame), <type>, <roundabout> (its right of way is in
 * the request matrices), <param>, <neigh>, <stopOffset>, <prohibition>
 * (also in the matrices).  Anything else is named in a warning.
 * sumo_spec.c turns the result into a net_spec. */
#include "sumo.h"
#include "../util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int sn_oom(const sx_doc *d, cb_error *err) { return cbu_err(err, CB_ENOMEM, "%s: out of memory", d->file); }

static bool name_is(const sx_elem *e, const char *name) { return strcmp(e->name, name) == 0; }

/* Elements of a net we read or knowingly skip. */
static bool net_known(const char *name)
{
    static const char *const known[] = { "net", "edge", "lane", "junction", "request", "connection", "tlLogic",
                                         "phase", "location", "type", "roundabout", "param", "neigh",
                                         "stopOffset", "prohibition", "restriction", "condition",
                                         "assignment", "function", "crossing", NULL };
    for (int i = 0; known[i]; i++)
        if (strcmp(known[i], name) == 0) return true;
    return false;
}

/* Is vehicle class "passenger" in an allow/disallow list? */
static bool list_has_passenger(const char *list)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        size_t n = (size_t)(p - w);
        if ((n == 9 && memcmp(w, "passenger", 9) == 0) || (n == 3 && memcmp(w, "all", 3) == 0) ||
            (n == 7 && memcmp(w, "private", 7) == 0))
            return true;
    }
    return false;
}

static int put_id(cbu_strmap *m, const sx_doc *d, const sx_elem *e, const char *id, uint32_t val,
                  const char *what, cb_error *err)
{
    uint32_t old;
    int r = cbu_strmap_put(m, id, val, &old);
    if (r < 0) return sn_oom(d, err);
    if (r == 1) return sx_fail(d, e, err, CB_ESCHEMA, "duplicate %s id \"%s\"", what, id);
    return CB_OK;
}

/*--- pass 1: elements -----------------------------------------------------------------*/

static int read_lane(sumo_net *n, const sx_doc *d, uint32_t ei, uint32_t edge, cb_error *err)
{
    const sx_elem *e = &d->elems[ei];
    sn_lane *l = &n->lanes[n->n_lanes];
    memset(l, 0, sizeof *l);
    l->edge = edge;
    l->elem = ei;
    l->road_lane = SN_NONE;
    l->next = SN_NONE;
    long index;
    const char *shape, *allow, *disallow;
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &l->id, err))) return rc;
    if ((rc = sx_get_long(d, e, "index", true, 0, &index, err))) return rc;
    if ((rc = sx_get_double(d, e, "speed", true, 0, &l->speed, err))) return rc;
    if ((rc = sx_get_double(d, e, "length", true, 0, &l->length, err))) return rc;
    if ((rc = sx_get_double(d, e, "width", false, 3.2, &l->width, err))) return rc;
    if ((rc = sx_get_str(d, e, "shape", true, &shape, err))) return rc;
    if (index < 0 || index > 255) return sx_fail(d, e, err, CB_ESCHEMA, "index %ld out of range (0..255)", index);
    if (!(l->speed > 0) || l->speed > 1000) return sx_fail(d, e, err, CB_ESCHEMA, "speed must be > 0 m/s (and at most 1000)");
    if (!(l->length >= 0) || l->length > 1e7) return sx_fail(d, e, err, CB_ESCHEMA, "length must be >= 0 m");
    if (!(l->width >= 0) || l->width > 100) l->width = 3.2;
    if (!sx_parse_shape(&n->arena, shape, 2, &l->shape, &l->n_shape))
        return sx_fail(d, e, err, CB_ESCHEMA, "shape must be at least 2 points \"x,y x,y ...\", each within +-1e8 m");
    l->index = (uint32_t)index;
    allow = sx_get(d, e, "allow");
    disallow = sx_get(d, e, "disallow");
    l->car = allow ? list_has_passenger(allow) : !(disallow && list_has_passenger(disallow));
    if ((rc = put_id(&n->lane_by_id, d, e, l->id, n->n_lanes, "lane", err))) return rc;
    n->n_lanes++;
    return CB_OK;
}

static int read_edge(sumo_net *n, const sx_doc *d, uint32_t ei, cb_error *err)
{
    const sx_elem *e = &d->elems[ei];
    sn_edge *g = &n->edges[n->n_edges];
    memset(g, 0, sizeof *g);
    g->elem = ei;
    g->from = g->to = SN_NONE;
    g->road = SN_NONE;
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &g->id, err))) return rc;
    const char *fn = sx_get(d, e, "function");
    g->internal = fn && strcmp(fn, "normal") != 0;
    if (!g->internal) {
        /* resolved once all junctions are read (resolve_edges) */
        const char *from, *to;
        if ((rc = sx_get_str(d, e, "from", true, &from, err))) return rc;
        if ((rc = sx_get_str(d, e, "to", true, &to, err))) return rc;
    }
    g->first_lane = n->n_lanes;
    if ((rc = put_id(&n->edge_by_id, d, e, g->id, n->n_edges, "edge", err))) return rc;
    n->n_edges++;
    return CB_OK;
}

static int read_request(sumo_net *n, const sx_doc *d, uint32_t ei, sn_junction *j, cb_error *err)
{
    const sx_elem *e = &d->elems[ei];
    long index;
    int rc;
    const char *resp, *foes;
    if ((rc = sx_get_long(d, e, "index", true, 0, &index, err))) return rc;
    if ((rc = sx_get_str(d, e, "response", true, &resp, err))) return rc;
    if ((rc = sx_get_str(d, e, "foes", true, &foes, err))) return rc;
    if (index < 0 || (uint32_t)index >= j->n_req)
        return sx_fail(d, e, err, CB_ESCHEMA, "index %ld out of range: the junction has %u <request> elements",
                       index, j->n_req);
    sn_request *r = &j->req[index];
    if (r->response) return sx_fail(d, e, err, CB_ESCHEMA, "index %ld given twice", index);
    long cont;
    if ((rc = sx_get_long(d, e, "cont", false, 0, &cont, err))) return rc;
    r->response = resp;
    r->foes = foes;
    r->cont = cont != 0;
    r->elem = ei;
    (void)n;
    return CB_OK;
}

static int read_junction(sumo_net *n, const sx_doc *d, uint32_t ei, cb_error *err)
{
    const sx_elem *e = &d->elems[ei];
    sn_junction *j = &n->junctions[n->n_junctions];
    memset(j, 0, sizeof *j);
    j->elem = ei;
    j->inter = SN_NONE;
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &j->id, err))) return rc;
    if ((rc = sx_get_str(d, e, "type", false, &j->type, err))) return rc;
    if (!j->type) j->type = "priority";
    if ((rc = sx_get_double(d, e, "x", true, 0, &j->x, err))) return rc;
    if ((rc = sx_get_double(d, e, "y", true, 0, &j->y, err))) return rc;
    if (!(fabs(j->x) <= NET_MAX_COORD && fabs(j->y) <= NET_MAX_COORD))
        return sx_fail(d, e, err, CB_ESCHEMA, "x and y must be between -1e8 and 1e8 m");
    j->inc_lanes = sx_get(d, e, "incLanes");
    j->int_lanes = sx_get(d, e, "intLanes");
    /* requests: children, counted first */
    uint32_t nreq = 0;
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++)
        if (d->elems[k].parent == ei && name_is(&d->elems[k], "request")) nreq++;
    j->n_req = nreq;
    if (nreq) {
        j->req = CBU_NEW(&n->arena, sn_request, nreq);
        if (!j->req) return sn_oom(d, err);
        for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++)
            if (d->elems[k].parent == ei && name_is(&d->elems[k], "request"))
                if ((rc = read_request(n, d, k, j, err))) return rc;
    }
    if (strcmp(j->type, "internal") != 0)
        if ((rc = put_id(&n->junction_by_id, d, e, j->id, n->n_junctions, "junction", err))) return rc;
    n->n_junctions++;
    return CB_OK;
}

static int read_connection(sumo_net *n, const sx_doc *d, uint32_t ei, cb_error *err)
{
    const sx_elem *e = &d->elems[ei];
    sn_conn *c = &n->conns[n->n_conns];
    memset(c, 0, sizeof *c);
    c->elem = ei;
    c->via = SN_NONE;
    const char *from, *to, *via, *dir, *state;
    long fl, tl_;
    int rc;
    if ((rc = sx_get_str(d, e, "from", true, &from, err))) return rc;
    if ((rc = sx_get_str(d, e, "to", true, &to, err))) return rc;
    if ((rc = sx_get_long(d, e, "fromLane", true, 0, &fl, err))) return rc;
    if ((rc = sx_get_long(d, e, "toLane", true, 0, &tl_, err))) return rc;
    if ((rc = sx_get_long(d, e, "linkIndex", false, -1, &c->link_index, err))) return rc;
    c->tl = sx_get(d, e, "tl");
    via = sx_get(d, e, "via");
    dir = sx_get(d, e, "dir");
    state = sx_get(d, e, "state");
    c->dir = dir && dir[0] ? dir[0] : 's';
    if (dir && strcmp(dir, "invalid") == 0) c->dir = '?';
    c->state = state && state[0] ? state[0] : 'M';
    uint32_t fe, te;
    if (!cbu_strmap_get(&n->edge_by_id, from, &fe))
        return sx_fail(d, e, err, CB_ESCHEMA, "dangling connection: unknown edge \"%s\" in 'from'", from);
    if (!cbu_strmap_get(&n->edge_by_id, to, &te))
        return sx_fail(d, e, err, CB_ESCHEMA, "dangling connection: unknown edge \"%s\" in 'to'", to);
    const sn_edge *F = &n->edges[fe], *T = &n->edges[te];
    c->from_lane = c->to_lane = SN_NONE;
    for (uint32_t k = 0; k < F->n_lanes; k++)
        if (n->lanes[F->first_lane + k].index == (uint32_t)fl) c->from_lane = F->first_lane + k;
    for (uint32_t k = 0; k < T->n_lanes; k++)
        if (n->lanes[T->first_lane + k].index == (uint32_t)tl_) c->to_lane = T->first_lane + k;
    if (c->from_lane == SN_NONE)
        return sx_fail(d, e, err, CB_ESCHEMA, "dangling connection: edge \"%s\" has no lane %ld", from, fl);
    if (c->to_lane == SN_NONE)
        return sx_fail(d, e, err, CB_ESCHEMA, "dangling connection: edge \"%s\" has no lane %ld", to, tl_);
    if (via) {
        /* SUMO allows several via lanes; the first is the one that matters */
        char first[512];
        size_t k = 0;
        while (via[k] && via[k] != ' ' && k + 1 < sizeof first) { first[k] = via[k]; k++; }
        first[k] = '\0';
        if (!cbu_strmap_get(&n->lane_by_id, first, &c->via))
            return sx_fail(d, e, err, CB_ESCHEMA, "dangling connection: unknown via lane \"%s\"", first);
    }
    if (c->tl && c->link_index < 0)
        return sx_fail(d, e, err, CB_ESCHEMA, "a connection with 'tl' needs a 'linkIndex' >= 0");
    if (F->internal) {
        /* internal chain: this internal lane leads to `via` (another
         * internal lane) or straight to `to` */
        n->lanes[c->from_lane].next = c->via != SN_NONE ? c->via : c->to_lane;
    }
    n->n_conns++;
    return CB_OK;
}

/* A <tlLogic> of the net or of an additional file; the last program read
 * for an id becomes the active one. */
static int read_tl(sumo_net *n, const sx_doc *d, uint32_t ei, cb_warnings *warn, cb_error *err)
{
    const sx_elem *e = &d->elems[ei];
    sn_tl t;
    memset(&t, 0, sizeof t);
    t.doc = d;
    t.elem = ei;
    int rc;
    if ((rc = sx_get_str(d, e, "id", true, &t.id, err))) return rc;
    if ((rc = sx_get_str(d, e, "programID", false, &t.program, err))) return rc;
    if ((rc = sx_get_str(d, e, "type", false, &t.type, err))) return rc;
    if ((rc = sx_get_double(d, e, "offset", false, 0, &t.offset, err))) return rc;
    if (!t.program) t.program = "0";
    if (!t.type) t.type = "static";
    uint32_t np = 0;
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++)
        if (d->elems[k].parent == ei && name_is(&d->elems[k], "phase")) np++;
    if (np == 0) return sx_fail(d, e, err, CB_ESCHEMA, "a program needs at least one <phase>");
    t.phases = CBU_NEW(&n->arena, sn_phase, np);
    if (!t.phases) return sn_oom(d, err);
    size_t len = 0;
    double cycle = 0;
    for (uint32_t k = ei + 1; k < d->n_elems && d->elems[k].depth > e->depth; k++) {
        const sx_elem *pe = &d->elems[k];
        if (pe->parent != ei || !name_is(pe, "phase")) continue;
        sn_phase *p = &t.phases[t.n_phases];
        p->elem = k;
        if ((rc = sx_get_double(d, pe, "duration", true, 0, &p->duration, err))) return rc;
        if ((rc = sx_get_double(d, pe, "minDur", false, -1, &p->min_dur, err))) return rc;
        if ((rc = sx_get_double(d, pe, "maxDur", false, -1, &p->max_dur, err))) return rc;
        if ((rc = sx_get_str(d, pe, "state", true, &p->state, err))) return rc;
        if (!(p->duration >= NET_MIN_PHASE_S) || p->duration > 1e6)
            return sx_fail(d, pe, err, CB_ESCHEMA, "duration must be between %g and 1e6 s", NET_MIN_PHASE_S);
        size_t sl = strlen(p->state);
        if (t.n_phases == 0) len = sl;
        else if (sl != len)
            return sx_fail(d, pe, err, CB_ESCHEMA, "state has %zu signals, the program's first phase has %zu", sl, len);
        for (size_t c = 0; c < sl; c++)
            if (!strchr("GgyYrRuosO", p->state[c]))
                return sx_fail(d, pe, err, CB_ESCHEMA, "state: unknown signal '%c' at position %zu", p->state[c], c);
        cycle += p->duration;
        t.n_phases++;
    }
    if (strcmp(t.type, "static") != 0)
        sumo_warn(warn, d, e, "%s traffic-light programs run as fixed-time plans with each phase's duration "
                  "(minDur/maxDur are read but not used)", t.type);
    uint32_t at;
    if (cbu_strmap_get(&n->tl_by_id, t.id, &at)) {
        n->tls[at] = t;                   /* the program loaded last is active */
        return CB_OK;
    }
    if ((rc = put_id(&n->tl_by_id, d, e, t.id, n->n_tls, "tlLogic", err))) return rc;
    n->tls[n->n_tls++] = t;
    (void)cycle;
    return CB_OK;
}

/* Junction names of the normal edges, now that all junctions are known. */
static int resolve_edges(sumo_net *n, const sx_doc *d, cb_error *err)
{
    for (uint32_t i = 0; i < n->n_edges; i++) {
        sn_edge *g = &n->edges[i];
        g->from = g->to = SN_NONE;
        if (g->internal) continue;
        const sx_elem *e = &d->elems[g->elem];
        const char *from = sx_get(d, e, "from"), *to = sx_get(d, e, "to");
        if (!cbu_strmap_get(&n->junction_by_id, from, &g->from))
            return sx_fail(d, e, err, CB_ESCHEMA, "unknown junction \"%s\" in 'from'", from);
        if (!cbu_strmap_get(&n->junction_by_id, to, &g->to))
            return sx_fail(d, e, err, CB_ESCHEMA, "unknown junction \"%s\" in 'to'", to);
        if (g->n_lanes == 0) return sx_fail(d, e, err, CB_ESCHEMA, "an edge needs at least one <lane>");
        for (uint32_t a = 0; a < g->n_lanes; a++)
            for (uint32_t b = a + 1; b < g->n_lanes; b++)
                if (n->lanes[g->first_lane + a].index == n->lanes[g->first_lane + b].index)
                    return sx_fail(d, &d->elems[n->lanes[g->first_lane + b].elem], err, CB_ESCHEMA,
                                   "lane index %u given twice in edge \"%s\"", n->lanes[g->first_lane + b].index, g->id);
    }
    return CB_OK;
}

static int read_net_doc(sumo_net *n, const sx_doc *d, cb_warnings *warn, cb_error *err)
{
    if (!name_is(&d->elems[0], "net"))
        return sx_fail(d, &d->elems[0], err, CB_ESCHEMA, "not a SUMO network: the root element must be <net>");
    uint32_t ne = 0, nl = 0, nj = 0, nc = 0, nt = 0;
    for (uint32_t i = 0; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (e->depth == 1 && name_is(e, "edge")) ne++;
        else if (e->depth == 2 && name_is(e, "lane") && name_is(&d->elems[e->parent], "edge")) nl++;
        else if (e->depth == 1 && name_is(e, "junction")) nj++;
        else if (e->depth == 1 && name_is(e, "connection")) nc++;
        else if (e->depth == 1 && name_is(e, "tlLogic")) nt++;
    }
    n->edges = CBU_NEW(&n->arena, sn_edge, ne + 1);
    n->lanes = CBU_NEW(&n->arena, sn_lane, nl + 1);
    n->junctions = CBU_NEW(&n->arena, sn_junction, nj + 1);
    n->conns = CBU_NEW(&n->arena, sn_conn, nc + 1);
    n->tls = CBU_NEW(&n->arena, sn_tl, nt + 1);
    if (!n->edges || !n->lanes || !n->junctions || !n->conns || !n->tls) return sn_oom(d, err);
    int rc;
    /* edges and lanes first: connections refer to them, and junctions
     * (which edges refer to) may come after the edges */
    for (uint32_t i = 0; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (e->depth == 1 && name_is(e, "edge")) {
            if ((rc = read_edge(n, d, i, err))) return rc;
        } else if (e->depth == 2 && name_is(e, "lane") && name_is(&d->elems[e->parent], "edge")) {
            if ((rc = read_lane(n, d, i, n->n_edges - 1, err))) return rc;
            sn_edge *g = &n->edges[n->n_edges - 1];
            g->n_lanes++;
        }
    }
    for (uint32_t i = 0; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (e->depth == 1 && name_is(e, "junction") && (rc = read_junction(n, d, i, err))) return rc;
        if (e->depth == 1 && name_is(e, "tlLogic") && (rc = read_tl(n, d, i, warn, err))) return rc;
    }
    if ((rc = resolve_edges(n, d, err))) return rc;
    for (uint32_t i = 0; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (e->depth == 1 && name_is(e, "connection") && (rc = read_connection(n, d, i, err))) return rc;
    }
    /* what we do not read, by element name */
    for (uint32_t i = 1; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (!net_known(e->name))
            sumo_warn(warn, d, e, "<%s> elements of the network are ignored", e->name);
    }
    return CB_OK;
}

/*--- additional files ----------------------------------------------------------------*/

static int read_additional(sumo_net *n, const sx_doc *d, cb_warnings *warn, cb_error *err)
{
    uint32_t nt = 0;
    for (uint32_t i = 0; i < d->n_elems; i++)
        if (name_is(&d->elems[i], "tlLogic")) nt++;
    if (nt) {
        sn_tl *p = CBU_NEW(&n->arena, sn_tl, n->n_tls + nt + 1);
        if (!p) return sn_oom(d, err);
        memcpy(p, n->tls, n->n_tls * sizeof *p);
        n->tls = p;
    }
    int rc;
    for (uint32_t i = 0; i < d->n_elems; i++) {
        const sx_elem *e = &d->elems[i];
        if (name_is(e, "tlLogic")) {
            if ((rc = read_tl(n, d, i, warn, err))) return rc;
        } else if (e->depth == 1) {           /* children belong to what they are in */
            sumo_warn(warn, d, e, "<%s> elements of additional files are ignored (only <tlLogic> programs are read)",
                      e->name);
        }
    }
    return CB_OK;
}

/*--- entry points ----------------------------------------------------------------------*/

static void sn_init(sumo_net *n)
{
    memset(n, 0, sizeof *n);
    cbu_arena_init(&n->arena);
    cbu_strmap_init(&n->edge_by_id);
    cbu_strmap_init(&n->lane_by_id);
    cbu_strmap_init(&n->junction_by_id);
    cbu_strmap_init(&n->tl_by_id);
}

int sumo_net_load(sumo_net *n, const char *path, const char *const *additional, uint32_t n_additional,
                  cb_warnings *warn, cb_error *err)
{
    sn_init(n);
    n->docs = calloc(n_additional + 1, sizeof *n->docs);
    if (!n->docs) return cbu_err(err, CB_ENOMEM, "%s: out of memory", path);
    int rc = sx_load(&n->docs[0], path, err);
    if (rc) return rc;
    n->n_docs = 1;
    if ((rc = read_net_doc(n, &n->docs[0], warn, err))) return rc;
    for (uint32_t i = 0; i < n_additional; i++) {
        if ((rc = sx_load(&n->docs[n->n_docs], additional[i], err))) return rc;
        n->n_docs++;
        if ((rc = read_additional(n, &n->docs[n->n_docs - 1], warn, err))) return rc;
    }
    return CB_OK;
}

int sumo_net_parse(sumo_net *n, const char *label, const char *buf, size_t len, cb_warnings *warn,
                   cb_error *err)
{
    sn_init(n);
    n->docs = calloc(1, sizeof *n->docs);
    if (!n->docs) return cbu_err(err, CB_ENOMEM, "%s: out of memory", label);
    int rc = sx_parse(&n->docs[0], label, buf, len, err);
    if (rc) return rc;
    n->n_docs = 1;
    return read_net_doc(n, &n->docs[0], warn, err);
}

void sumo_net_free(sumo_net *n)
{
    for (uint32_t i = 0; i < n->n_docs; i++) sx_free(&n->docs[i]);
    free(n->docs);
    cbu_strmap_free(&n->edge_by_id);
    cbu_strmap_free(&n->lane_by_id);
    cbu_strmap_free(&n->junction_by_id);
    cbu_strmap_free(&n->tl_by_id);
    cbu_arena_free(&n->arena);
    memset(n, 0, sizeof *n);
}
