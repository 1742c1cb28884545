/* sim_lanechange.c -- optional lane changing (cityflow-semantics.md s. 11).
 *
 * The model is CityFlow's SimpleLaneChange, simplified where CityFlow's
 * behaviour depends on thread timing:
 *
 *  - wish (parallel, read-only): a vehicle on a lane wants to change when
 *    its last change ended at least 3 s ago, it is at least 30 m from the
 *    lane end, and its gap to the leader lies between 1.5 lengths and
 *    2 lengths + 4 dt maxSpeed (too close to be happy, not so close it is
 *    queueing).  The target is an adjacent lane that still leads to its next
 *    road (any lane on its last road) whose gap at the same position beats
 *    its own gap plus its length; the inner lane wins only if strictly
 *    better.
 *  - start (serial, in lane then vehicle order): the gap is valid when the
 *    target lane's leader is at least our braking distance ahead and its
 *    follower at least its own braking distance behind.  A shadow copy of
 *    the vehicle is then inserted in the target lane, where the follower
 *    reacts to it by ordinary car following (CityFlow's "signal" to the
 *    follower, without the random tie-break between several senders).
 *  - move (serial, after phase A): original and shadow take the lower of
 *    their two speeds; the vehicle drifts sideways by max(0.2 v, 1 m/s);
 *    when it has moved half the two lane widths (or either copy reaches its
 *    lane end) the original is dropped and the shadow becomes the vehicle.
 *
 * Like CityFlow's, the shadow is visible as a vehicle while it exists and
 * takes part in the published ATT under its own name. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LC_COOLDOWN_S 3.0
#define LC_MIN_REMAINING_M 30.0

static int push_cand(sim_wctx *w, sim_lc_cand c)
{
    if (w->n_lc == w->cap_lc) {
        uint32_t cap = w->cap_lc ? w->cap_lc * 2 : 64;
        sim_lc_cand *p = realloc(w->lc, cap * sizeof *p);
        if (!p) { w->oom = true; return -1; }
        w->lc = p;
        w->cap_lc = cap;
    }
    w->lc[w->n_lc++] = c;
    return 0;
}

/* Gap to the nearest vehicle ahead of position `pos` in lane `lane` (from
 * its tail to our front), and that vehicle; INFINITY if none. */
static double lane_gap_ahead(const sim_engine *s, uint32_t lane, double pos, const sim_slot **out)
{
    const sim_drv *D = &s->drv[lane];
    double best = INFINITY, bp = sim_block_pos(s, lane);
    *out = NULL;
    if (bp >= pos) best = bp - pos;              /* an obstacle ahead counts as a stopped leader */
    for (uint32_t i = 0; i < D->n; i++) {
        const sim_slot *t = &D->v[i];
        if (t->dist <= pos) continue;
        double g = t->dist - s->vtypes[t->vtype].length - pos;
        if (g < best) { best = g; *out = t; }
    }
    return best;
}

/* The vehicle closest behind position `pos` in lane `lane`. */
static const sim_slot *lane_follower(const sim_engine *s, uint32_t lane, double pos)
{
    const sim_drv *D = &s->drv[lane];
    const sim_slot *best = NULL;
    for (uint32_t i = 0; i < D->n; i++) {
        const sim_slot *t = &D->v[i];
        if (t->dist > pos) continue;
        if (!best || t->dist > best->dist) best = t;
    }
    return best;
}

static void wish_drivable(sim_engine *s, uint32_t item, sim_wctx *w)
{
    const cb_net *n = s->net;
    uint32_t d = s->active[item];
    if (d >= n->n_lanes) return;
    const sim_drv *D = &s->drv[d];
    const net_lane *ln = &n->lanes[d];
    const net_road *rd = &n->roads[ln->road];
    if (rd->n_lanes < 2) return;
    int64_t cooldown = (int64_t)ceil(LC_COOLDOWN_S / s->dt - 1e-9);
    for (uint32_t i = 0; i < D->n; i++) {
        const sim_slot *me = &D->v[i];
        if (me->flags & (SIM_SLOT_SHADOW | SIM_SLOT_DROP)) continue;
        const sim_veh *v = &s->veh[me->vid];
        if (v->lc_lane != SIM_NONE || s->step - v->lc_done_step < cooldown) continue;
        if (ln->length - me->dist < LC_MIN_REMAINING_M) continue;
        const net_vtype *vt = &s->vtypes[me->vtype];
        double gap;
        if (i > 0) {
            const sim_slot *l = &D->v[i - 1];
            gap = l->dist - s->vtypes[l->vtype].length - me->dist;
        } else {
            const sim_slot *l;
            if (!sim_find_leader(s, me, d, ln->length, &l, &gap)) gap = INFINITY;
        }
        /* An incident ahead on this lane: unlike CityFlow (which has none),
         * a vehicle held up by it wants out whatever its gap. */
        double bp = sim_block_pos(s, d);
        bool blocked = me->dist <= bp && bp - me->dist < 2 * vt->length + 4 * s->dt * vt->max_speed;
        if (blocked && bp - me->dist < gap) gap = bp - me->dist;
        if (!blocked && (gap > 2 * vt->length + 4 * s->dt * vt->max_speed || gap < 1.5 * vt->length)) continue;
        const sim_route *r = &s->routes[v->route];
        uint32_t next_road = v->route_pos + 1 < r->n ? r->roads[v->route_pos + 1] : NET_NONE;
        uint32_t best = SIM_NONE;
        double best_gap = 0;
        for (int side = 1; side >= -1; side -= 2) {        /* outer first, inner must beat it */
            long idx = (long)ln->index + side;
            if (idx < 0 || idx >= (long)rd->n_lanes) continue;
            uint32_t c = rd->first_lane + (uint32_t)idx;
            if (next_road != NET_NONE && !net_lane_reaches(n, c, next_road)) continue;
            const sim_slot *t;
            double pos = me->dist * n->lanes[c].length / ln->length;
            double g = lane_gap_ahead(s, c, pos, &t);
            if (!(g > gap + vt->length)) continue;
            if (best == SIM_NONE || g > best_gap) { best = c; best_gap = g; }
        }
        if (best != SIM_NONE) push_cand(w, (sim_lc_cand){ d, me->vid, best });
    }
}

static int cand_cmp(const void *a, const void *b)
{
    const sim_lc_cand *x = a, *y = b;
    if (x->lane != y->lane) return x->lane < y->lane ? -1 : 1;
    return x->vid < y->vid ? -1 : x->vid > y->vid;
}

static sim_slot *find_slot(sim_engine *s, uint32_t lane, uint32_t vid, bool shadow)
{
    sim_drv *D = &s->drv[lane];
    for (uint32_t i = 0; i < D->n; i++)
        if (D->v[i].vid == vid && !!(D->v[i].flags & SIM_SLOT_SHADOW) == shadow) return &D->v[i];
    return NULL;
}

/* Try to start one change; returns 0 (started or not), -1 on OOM. */
static int lc_start(sim_engine *s, const sim_lc_cand *c)
{
    const cb_net *n = s->net;
    sim_slot *me = find_slot(s, c->lane, c->vid, false);
    if (!me) return 0;
    sim_veh *v = &s->veh[c->vid];
    const net_vtype *vt = &s->vtypes[me->vtype];
    double pos = me->dist * n->lanes[c->target].length / n->lanes[c->lane].length;
    const sim_slot *lead;
    double gl = lane_gap_ahead(s, c->target, pos, &lead);
    if (gl < me->speed * me->speed / (2 * vt->max_neg_acc)) return 0;
    const sim_slot *f = lane_follower(s, c->target, pos);
    if (f) {
        const net_vtype *fvt = &s->vtypes[f->vtype];
        double gf = pos - vt->length - f->dist;
        if (gf < f->speed * f->speed / (2 * fvt->max_neg_acc)) return 0;
    }
    sim_drv *T = &s->drv[c->target];
    if (sim_drv_reserve(T, 1)) return -1;
    me = find_slot(s, c->lane, c->vid, false);       /* (another array, still valid) */
    uint32_t at = 0;
    while (at < T->n && T->v[at].dist > pos) at++;
    memmove(T->v + at + 1, T->v + at, (T->n - at) * sizeof *T->v);
    sim_slot sh = *me;
    sh.dist = pos;
    sh.prev = SIM_NONE;
    sh.flags = SIM_SLOT_SHADOW;
    uint32_t k = v->route_pos;
    sh.next = sim_plan_next(s, v, c->target, &k);
    T->v[at] = sh;
    T->n++;
    sim_activate(s, c->target);
    v->lc_lane = c->target;
    v->lc_offset = 0;
    v->lc_pub_enter = n->roads[n->lanes[c->target].road].incoming_signal ? s->step + 1 : -1;
    if (s->n_lc_active == s->cap_lc_active) {
        uint32_t cap = s->cap_lc_active ? s->cap_lc_active * 2 : 64;
        uint32_t *p = realloc(s->lc_active, cap * sizeof *p);
        if (!p) return -1;
        s->lc_active = p;
        s->cap_lc_active = cap;
    }
    s->lc_active[s->n_lc_active++] = c->vid;
    s->running++;                                       /* the shadow is a vehicle too */
    return 0;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int sim_lc_plan(sim_engine *s, cb_error *err)
{
    sim_parallel_for(s, s->n_active, wish_drivable);
    uint32_t total = 0;
    for (int t = 0; t < s->n_threads; t++) {
        if (s->wctx[t].oom) return cbu_err_nomem(err);
        total += s->wctx[t].n_lc;
    }
    if (total == 0) return CB_OK;
    if (total > s->cap_lc_all) {
        sim_lc_cand *p = realloc(s->lc_all, total * sizeof *p);
        if (!p) return cbu_err_nomem(err);
        s->lc_all = p;
        s->cap_lc_all = total;
    }
    uint32_t m = 0;
    for (int t = 0; t < s->n_threads; t++) {
        if (!s->wctx[t].n_lc) continue;                /* lc may be NULL */
        memcpy(s->lc_all + m, s->wctx[t].lc, s->wctx[t].n_lc * sizeof *s->lc_all);
        m += s->wctx[t].n_lc;
        s->wctx[t].n_lc = 0;
    }
    qsort(s->lc_all, total, sizeof *s->lc_all, cand_cmp);
    for (uint32_t i = 0; i < total; i++)
        if (lc_start(s, &s->lc_all[i])) return cbu_err_nomem(err);
    if (s->n_lc_active > 1) qsort(s->lc_active, s->n_lc_active, sizeof *s->lc_active, u32_cmp);
    return CB_OK;
}

void sim_lc_couple(sim_engine *s)
{
    const cb_net *n = s->net;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < s->n_lc_active; i++) {
        uint32_t vid = s->lc_active[i];
        sim_veh *v = &s->veh[vid];
        sim_slot *o = find_slot(s, v->drv, vid, false);
        sim_slot *sh = find_slot(s, v->lc_lane, vid, true);
        if (!o || !sh) {                      /* cannot happen; recover safely */
            if (sh) sh->flags = (uint16_t)((sh->flags & ~SIM_SLOT_SHADOW) | SIM_SLOT_DROP);
            if (sh) s->running--;
            v->lc_lane = SIM_NONE;
            continue;
        }
        const net_vtype *vt = &s->vtypes[o->vtype];
        double ns = o->nspeed < sh->nspeed ? o->nspeed : sh->nspeed, v0 = o->speed, dx;
        if (v0 - vt->max_neg_acc * s->dt > ns) ns = v0 - vt->max_neg_acc * s->dt;
        if (ns < 0) { dx = v0 * v0 / (2.0 * vt->max_neg_acc); ns = 0; }
        else dx = (v0 + ns) * s->dt / 2.0;
        o->nspeed = sh->nspeed = ns;
        o->ndist = o->dist + dx;
        sh->ndist = sh->dist + dx;
        double lat = 0.2 * v0;
        v->lc_offset += (lat > 1 ? lat : 1) * s->dt;
        double need = (n->lanes[v->drv].width + n->lanes[v->lc_lane].width) / 2;
        bool done = v->lc_offset >= need || o->ndist > n->lanes[v->drv].length ||
                    sh->ndist > n->lanes[v->lc_lane].length;
        if (!done) { s->lc_active[keep++] = vid; continue; }
        /* the shadow becomes the vehicle; the original leaves silently */
        o->flags |= SIM_SLOT_DROP;
        sh->flags &= (uint16_t)~SIM_SLOT_SHADOW;
        v->drv = v->lc_lane;
        v->lc_lane = SIM_NONE;
        v->lc_done_step = s->step;
        s->running--;
        if (v->lc_pub_enter >= 0) {           /* "<id>_shadow" left the incoming lanes */
            s->pub_sum_steps += s->step + 1 - v->lc_pub_enter;
            if (!v->lc_pub_counted) { v->lc_pub_counted = 1; s->pub_count++; }
        }
    }
    s->n_lc_active = keep;
}
