/* sumo_spec.c -- a sumo_net as a citybrain net_spec.
 *
 * The mapping (docs/sumo.md explains it for users):
 *   - a normal edge with at least one lane open to passenger cars is a
 *     road; lanes closed to cars (sidewalks, bike, bus and rail lanes) are
 *     left out.  SUMO numbers lanes from the right, we from the left: our
 *     lane i is SUMO's (n-1-i)-th car lane.  Lane shapes, speeds and
 *     lengths are kept as given;
 *   - a junction that a road touches is an intersection; one without any
 *     movement for cars is virtual;
 *   - a connection between car lanes is a lane link, its path the shapes
 *     of its internal (via) lanes one after the other, its speed the
 *     lowest of theirs.  Lane links of the same pair of roads with the
 *     same signal column in the program form one movement (roadlink), so
 *     a movement is never green and red at once;
 *   - SUMO drivers change lanes along an edge to reach the lane their next
 *     connection leaves from; our vehicles keep the lane they entered by.
 *     So every lane that has a connection to a road also gets lane links
 *     to that road's other lanes ("fan-out" links, in the same movement):
 *     the lane change happens while crossing the junction.  They yield to
 *     the real links they merge with;
 *   - the junction's request matrix becomes the intersection's right of
 *     way over lane links (net_spec_inter.row);
 *   - a tlLogic (the program loaded last) gives every junction it drives
 *     one phase per SUMO phase, same durations; a movement is green when
 *     its state character is G, g, s (right turn after stopping), o or O
 *     (signal off); y, r and u are not green.  A program that SUMO would
 *     start mid-cycle at `begin` is rotated (and its current phase split
 *     in two) so that ours starts at the same point;
 *   - a junction without a signal gets one phase in which everything is
 *     green, for 86400 s; the request matrix alone decides who yields. */
#include "sumo.h"
#include "../net/net_geom.h"
#include "../util/err.h"
#include "../util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UNSIGNALIZED_PHASE_SECONDS 86400.0
#define MAX_VIA_CHAIN 64

typedef struct xlink {
    uint32_t conn;                 /* the SUMO connection it comes from */
    uint32_t from_lane, to_lane;   /* sn lane indices */
    uint32_t roadlink;             /* local movement index */
    uint32_t jl;                   /* junction link index (request row); SN_NONE if unknown */
    bool synth;                    /* a fan-out link */
} xlink;

typedef struct xmove {
    uint32_t start_road, end_road;
    const char *sig;               /* '1' green / '0' per phase, NULL: always green */
    char dir;
    uint32_t n_links;
} xmove;

typedef struct conv {
    sumo_net *n;
    net_spec *spec;
    cb_warnings *warn;
    cb_error *err;
    double begin;
    const sx_doc *d;               /* the net document */
    uint32_t *junction_conns;      /* connections grouped by junction (all, also non-car) */
    uint32_t *jc_first;            /* per junction: offset into junction_conns, n_junctions+1 */
    int64_t n_fanout, n_no_row;
} conv;

static int cv_oom(conv *c) { return cbu_err(c->err, CB_ENOMEM, "%s: out of memory", c->d->file); }

static net_turn turn_of(char dir)
{
    switch (dir) {
    case 's': return NET_TURN_STRAIGHT;
    case 'l': case 'L': return NET_TURN_LEFT;
    case 'r': case 'R': return NET_TURN_RIGHT;
    case 't': return NET_TURN_UTURN;
    default: return NET_TURN_UNKNOWN;
    }
}

/* A link state as our signature character: '1' green with priority (SUMO's
 * upper-case states), '2' green but yielding (g, o; m, = at junctions
 * without signal), '3' yielding after a stop (s: a stop sign, or a right
 * turn on red; w: an all-way stop), '0' not green (y, r, u). */
static char state_class(char ch)
{
    if (ch == 'G' || ch == 'O' || ch == 'M') return '1';
    if (ch == 'g' || ch == 'o' || ch == 'm' || ch == '=' || ch == '-') return '2';
    if (ch == 's' || ch == 'w') return '3';
    return '0';
}

/* Is a normal connection usable by cars: both lanes kept as road lanes? */
static bool car_conn(const sumo_net *n, const sn_conn *c)
{
    const sn_lane *a = &n->lanes[c->from_lane], *b = &n->lanes[c->to_lane];
    return !n->edges[a->edge].internal && !n->edges[b->edge].internal && a->road_lane != SN_NONE &&
           b->road_lane != SN_NONE;
}

/*--- roads ------------------------------------------------------------------------------*/

static int lane_cmp_index(const void *x, const void *y, void *ctx)
{
    const sumo_net *n = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (int)n->lanes[a].index - (int)n->lanes[b].index;
}

/* insertion sort: edges have a handful of lanes */
static void sort_lanes(const sumo_net *n, uint32_t *v, uint32_t k)
{
    for (uint32_t i = 1; i < k; i++)
        for (uint32_t j = i; j > 0 && lane_cmp_index(&v[j - 1], &v[j], (void *)n) > 0; j--) {
            uint32_t t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
        }
}

static int build_roads(conv *c, uint32_t *junction_inter)
{
    sumo_net *n = c->n;
    net_spec *sp = c->spec;
    uint32_t n_roads = 0, dropped = 0;
    for (uint32_t e = 0; e < n->n_edges; e++) {
        sn_edge *g = &n->edges[e];
        if (g->internal) continue;
        uint32_t cars = 0;
        for (uint32_t k = 0; k < g->n_lanes; k++) cars += n->lanes[g->first_lane + k].car;
        dropped += g->n_lanes - cars;
        if (cars == 0) continue;
        g->road = n_roads++;
        junction_inter[g->from] = junction_inter[g->to] = 0;   /* marks "needed" */
    }
    if (dropped)
        sumo_warn_n(c->warn, dropped, "lanes closed to passenger cars (sidewalks, bike, bus or rail lanes) are not "
                    "imported; vehicles of every class drive on the car lanes");
    if (n_roads == 0)
        return cbu_err(c->err, CB_ESCHEMA, "%s: the network has no edge open to passenger cars", c->d->file);
    sp->n_roads = n_roads;
    sp->roads = CBU_NEW(&sp->arena, net_spec_road, n_roads);
    if (!sp->roads) return cv_oom(c);
    for (uint32_t e = 0; e < n->n_edges; e++) {
        sn_edge *g = &n->edges[e];
        if (g->road == SN_NONE) continue;
        net_spec_road *r = &sp->roads[g->road];
        uint32_t idx[256], k = 0;
        for (uint32_t i = 0; i < g->n_lanes && k < 256; i++) {
            const sn_lane *l = &n->lanes[g->first_lane + i];
            if (l->car) {
                idx[k++] = g->first_lane + i;
            } else {
                r->n_closed_lanes++;
                r->closed_speed_sum += l->speed;
            }
        }
        sort_lanes(n, idx, k);
        r->id = cbu_arena_strdup(&sp->arena, g->id);
        r->n_lanes = k;
        r->lanes = CBU_NEW(&sp->arena, net_spec_lane, k);
        r->lane_points = CBU_NEW(&sp->arena, net_point *, k);
        r->n_lane_points = CBU_NEW(&sp->arena, uint32_t, k);
        r->lane_lengths = CBU_NEW(&sp->arena, double, k);
        if (!r->id || !r->lanes || !r->lane_points || !r->n_lane_points || !r->lane_lengths) return cv_oom(c);
        for (uint32_t i = 0; i < k; i++) {           /* SUMO's rightmost first -> our last */
            sn_lane *l = &n->lanes[idx[i]];
            uint32_t our = k - 1 - i;
            l->road_lane = our;
            r->lanes[our] = (net_spec_lane){ l->width, l->speed };
            r->lane_lengths[our] = l->length;
            r->lane_points[our] = CBU_NEW(&sp->arena, net_point, l->n_shape);
            if (!r->lane_points[our]) return cv_oom(c);
            memcpy(r->lane_points[our], l->shape, l->n_shape * sizeof *l->shape);
            r->n_lane_points[our] = l->n_shape;
        }
        /* the centre line our model offsets lanes from is the road's left
         * border: the leftmost lane moved left by half its width */
        const sn_lane *left = &n->lanes[idx[k - 1]];
        r->points = CBU_NEW(&sp->arena, net_point, left->n_shape);
        if (!r->points) return cv_oom(c);
        geom_offset_right(left->shape, left->n_shape, -left->width / 2, r->points);
        r->n_points = left->n_shape;
    }
    return CB_OK;
}

/*--- per junction --------------------------------------------------------------------------*/

/* The signal column of a connection over the program's phases. */
static int signal_column(conv *c, const sn_conn *cn, const sn_tl *tl, char **out)
{
    const sx_doc *d = c->d;
    size_t len = strlen(tl->phases[0].state);
    if ((size_t)cn->link_index >= len)
        return sx_fail(d, &d->elems[cn->elem], c->err, CB_ESCHEMA,
                       "linkIndex %ld is beyond the %zu signals of tlLogic \"%s\" (program \"%s\")",
                       cn->link_index, len, tl->id, tl->program);
    char *sig = cbu_arena_alloc(&c->spec->arena, tl->n_phases + 1);
    if (!sig) return cv_oom(c);
    for (uint32_t p = 0; p < tl->n_phases; p++) sig[p] = state_class(tl->phases[p].state[cn->link_index]);
    *out = sig;
    return CB_OK;
}

/* Junction link index of a connection: the position of one of its internal
 * lanes in the junction's intLanes (SUMO lists the lane after an internal
 * stop point for links that have one, so the whole chain is tried). */
static uint32_t int_lane_pos(const conv *c, const sn_junction *j, const sn_conn *cn)
{
    const sumo_net *n = c->n;
    if (!j->int_lanes || cn->via == SN_NONE) return SN_NONE;
    uint32_t x = cn->via;
    for (int hop = 0; hop < MAX_VIA_CHAIN && x != SN_NONE && n->edges[n->lanes[x].edge].internal; hop++) {
        const char *id = n->lanes[x].id, *s = j->int_lanes;
        size_t idl = strlen(id);
        uint32_t pos = 0;
        for (;;) {
            while (*s == ' ') s++;
            if (!*s) break;
            const char *w = s;
            while (*s && *s != ' ') s++;
            if ((size_t)(s - w) == idl && memcmp(w, id, idl) == 0) return pos;
            pos++;
        }
        x = n->lanes[x].next;
    }
    return SN_NONE;
}

/* Junction link index without internal lanes: SUMO numbers the links of a
 * junction by incoming lane (incLanes order), then connection order. */
static uint32_t inc_lane_pos(const conv *c, uint32_t j, uint32_t conn)
{
    const sumo_net *n = c->n;
    const sn_junction *J = &n->junctions[j];
    if (!J->inc_lanes) return SN_NONE;
    uint32_t pos = 0;
    const char *s = J->inc_lanes;
    for (;;) {
        while (*s == ' ') s++;
        if (!*s) break;
        const char *w = s;
        while (*s && *s != ' ') s++;
        for (uint32_t k = c->jc_first[j]; k < c->jc_first[j + 1]; k++) {
            uint32_t ci = c->junction_conns[k];
            const char *id = n->lanes[n->conns[ci].from_lane].id;
            if (strlen(id) != (size_t)(s - w) || memcmp(id, w, (size_t)(s - w)) != 0) continue;
            if (ci == conn) return pos;
            pos++;
        }
    }
    return SN_NONE;
}

static bool bit_at(const char *row, uint32_t n, uint32_t j) { return row[n - 1 - j] == '1'; }

/* Check a junction's request strings before they are indexed. */
static int check_requests(conv *c, const sn_junction *J)
{
    const sx_doc *d = c->d;
    for (uint32_t i = 0; i < J->n_req; i++) {
        const sn_request *r = &J->req[i];
        if (!r->response)
            return sx_fail(d, &d->elems[J->elem], c->err, CB_ESCHEMA, "<request index=\"%u\"> is missing", i);
        const char *s[2] = { r->response, r->foes };
        for (int k = 0; k < 2; k++) {
            if (strlen(s[k]) != J->n_req)
                return sx_fail(d, &d->elems[r->elem], c->err, CB_ESCHEMA, "%s has %zu characters, the junction has %u links",
                               k ? "foes" : "response", strlen(s[k]), J->n_req);
            for (const char *p = s[k]; *p; p++)
                if (*p != '0' && *p != '1')
                    return sx_fail(d, &d->elems[r->elem], c->err, CB_ESCHEMA, "%s must be made of 0 and 1",
                                   k ? "foes" : "response");
        }
    }
    return CB_OK;
}

typedef CBU_VEC(xlink) xlink_vec;
typedef CBU_VEC(xmove) xmove_vec;

static int add_fanout(conv *c, xlink_vec *links, const xmove_vec *moves)
{
    const sumo_net *n = c->n;
    size_t n_real = links->n;
    for (size_t a = 0; a < n_real; a++) {
        const xlink L0 = links->a[a];        /* a copy: pushing below may move the array */
        const xlink *L = &L0;
        /* the first real link of each (from lane, end road) does the work */
        uint32_t to_edge = n->lanes[L->to_lane].edge;
        bool first = true;
        for (size_t b = 0; b < a && first; b++)
            first = !(links->a[b].from_lane == L->from_lane && n->lanes[links->a[b].to_lane].edge == to_edge);
        if (!first) continue;
        const sn_edge *B = &n->edges[to_edge];
        for (uint32_t k = 0; k < B->n_lanes; k++) {
            uint32_t m = B->first_lane + k;
            if (n->lanes[m].road_lane == SN_NONE) continue;
            bool reached = false;
            uint32_t best = SN_NONE, best_d = 0;
            for (size_t b = 0; b < n_real; b++) {
                const xlink *R = &links->a[b];
                if (R->from_lane != L->from_lane || n->lanes[R->to_lane].edge != to_edge) continue;
                if (R->to_lane == m) reached = true;
                uint32_t dd = (uint32_t)abs((int)n->lanes[R->to_lane].index - (int)n->lanes[m].index);
                if (best == SN_NONE || dd < best_d) { best = (uint32_t)b; best_d = dd; }
            }
            if (reached) continue;
            xlink s = links->a[best];
            s.to_lane = m;
            s.synth = true;
            if (cbu_vec_push(links, s)) return cv_oom(c);
            c->n_fanout++;
        }
    }
    (void)moves;
    return CB_OK;
}

/* Phases of a signalled junction, rotated to where SUMO's program is at
 * `begin`: SUMO advances a program with offset o by (begin - o) mod cycle. */
/* The green, the minor and the stop-first movements of phase p (signature
 * position p). */
static int phase_links(conv *c, net_spec_phase *ph, const xmove_vec *moves, uint32_t p)
{
    uint32_t k = 0, km = 0, ks = 0;
    for (size_t m = 0; m < moves->n; m++) {
        char cls = moves->a[m].sig[p];
        k += cls != '0';
        km += cls == '2' || cls == '3';
        ks += cls == '3';
    }
    ph->links = CBU_NEW(&c->spec->arena, uint32_t, k ? k : 1);
    ph->minor = CBU_NEW(&c->spec->arena, uint32_t, km ? km : 1);
    ph->stop = CBU_NEW(&c->spec->arena, uint32_t, ks ? ks : 1);
    if (!ph->links || !ph->minor || !ph->stop) return cv_oom(c);
    for (size_t m = 0; m < moves->n; m++) {
        char cls = moves->a[m].sig[p];
        if (cls != '0') ph->links[ph->n_links++] = (uint32_t)m;
        if (cls == '2' || cls == '3') ph->minor[ph->n_minor++] = (uint32_t)m;
        if (cls == '3') ph->stop[ph->n_stop++] = (uint32_t)m;
    }
    return CB_OK;
}

static int signal_phases(conv *c, net_spec_inter *in, const sn_tl *tl, const xmove_vec *moves)
{
    int rc;
    double cycle = 0;
    for (uint32_t p = 0; p < tl->n_phases; p++) cycle += tl->phases[p].duration;
    double adv = fmod(c->begin - tl->offset, cycle);
    if (adv < 0) adv += cycle;
    uint32_t start = 0;
    double elapsed = adv;
    while (start < tl->n_phases && elapsed >= tl->phases[start].duration - 1e-9) {
        elapsed -= tl->phases[start].duration;
        start++;
    }
    if (start == tl->n_phases) { start = 0; elapsed = 0; }
    if (elapsed < 1e-9) elapsed = 0;
    uint32_t np = tl->n_phases + (elapsed > 0);
    in->phases = CBU_NEW(&c->spec->arena, net_spec_phase, np);
    if (!in->phases) return cv_oom(c);
    in->n_phases = np;
    for (uint32_t q = 0; q < np; q++) {
        uint32_t p = (start + q) % tl->n_phases;
        double t = tl->phases[p].duration;
        if (elapsed > 0 && q == 0) t -= elapsed;              /* what is left of the current phase */
        if (elapsed > 0 && q == np - 1) t = elapsed;          /* ... and its first part, at the end */
        net_spec_phase *ph = &in->phases[q];
        ph->time = t;
        ph->amber = strpbrk(tl->phases[p].state, "yu") != NULL;
        if ((rc = phase_links(c, ph, moves, p))) return rc;
    }
    return CB_OK;
}

static int build_junction(conv *c, uint32_t j, net_spec_inter *in, xlink_vec *links, xmove_vec *moves)
{
    sumo_net *n = c->n;
    const sx_doc *d = c->d;
    sn_junction *J = &n->junctions[j];
    links->n = moves->n = 0;
    const sn_tl *tl = NULL;
    int rc;
    /* the junction's program: the first connection's tlLogic */
    for (uint32_t k = c->jc_first[j]; k < c->jc_first[j + 1] && !tl; k++) {
        const sn_conn *cn = &n->conns[c->junction_conns[k]];
        uint32_t t;
        if (!car_conn(n, cn) || !cn->tl) continue;
        if (!cbu_strmap_get(&n->tl_by_id, cn->tl, &t))
            return sx_fail(d, &d->elems[cn->elem], c->err, CB_ESCHEMA, "unknown tlLogic \"%s\"", cn->tl);
        tl = &n->tls[t];
    }
    uint32_t n_sig = tl ? tl->n_phases : 1;
    /* movements from the car connections, in file order */
    for (uint32_t k = c->jc_first[j]; k < c->jc_first[j + 1]; k++) {
        uint32_t ci = c->junction_conns[k];
        const sn_conn *cn = &n->conns[ci];
        if (!car_conn(n, cn)) continue;
        const sn_edge *A = &n->edges[n->lanes[cn->from_lane].edge], *B = &n->edges[n->lanes[cn->to_lane].edge];
        if (B->from != j)
            return sx_fail(d, &d->elems[cn->elem], c->err, CB_ESCHEMA,
                           "dangling connection: edge \"%s\" ends at junction \"%s\" but \"%s\" starts at \"%s\"",
                           A->id, J->id, B->id, n->junctions[B->from].id);
        /* the signature: the link's state class in every phase */
        char *sig = NULL;
        if (cn->tl) {
            uint32_t t;
            if (!cbu_strmap_get(&n->tl_by_id, cn->tl, &t))
                return sx_fail(d, &d->elems[cn->elem], c->err, CB_ESCHEMA, "unknown tlLogic \"%s\"", cn->tl);
            if (&n->tls[t] != tl)
                sumo_warn(c->warn, d, &d->elems[cn->elem],
                          "connections of one junction driven by a second tlLogic are always green");
            else if ((rc = signal_column(c, cn, tl, &sig)))
                return rc;
        }
        if (!sig) {                          /* no signal: its right of way all the time */
            sig = cbu_arena_alloc(&c->spec->arena, n_sig + 1);
            if (!sig) return cv_oom(c);
            char cls = state_class(cn->state);
            if (cls == '0') cls = '2';
            for (uint32_t p = 0; p < n_sig; p++) sig[p] = cls;
        }
        uint32_t m = 0;
        for (; m < moves->n; m++) {
            const xmove *mv = &moves->a[m];
            if (mv->start_road == A->road && mv->end_road == B->road && strcmp(mv->sig, sig) == 0) break;
        }
        if (m == moves->n) {
            xmove mv = { A->road, B->road, sig, cn->dir, 0 };
            if (cbu_vec_push(moves, mv)) return cv_oom(c);
        }
        moves->a[m].n_links++;
        xlink L = { ci, cn->from_lane, cn->to_lane, m, SN_NONE, false };
        if (cbu_vec_push(links, L)) return cv_oom(c);
    }
    if ((rc = add_fanout(c, links, moves))) return rc;

    /* lane links, grouped by movement (stable: real links first) */
    in->n_roadlinks = (uint32_t)moves->n;
    in->roadlinks = CBU_NEW(&c->spec->arena, net_spec_roadlink, moves->n ? moves->n : 1);
    uint32_t *order = malloc((links->n + 1) * sizeof *order);
    if (!in->roadlinks || !order) { free(order); return cv_oom(c); }
    uint32_t no = 0;
    for (size_t m = 0; m < moves->n; m++) {
        net_spec_roadlink *rl = &in->roadlinks[m];
        rl->type = turn_of(moves->a[m].dir);
        rl->start_road = moves->a[m].start_road;
        rl->end_road = moves->a[m].end_road;
        uint32_t cnt = 0;
        for (size_t k = 0; k < links->n; k++) cnt += links->a[k].roadlink == m;
        rl->lanelinks = CBU_NEW(&c->spec->arena, net_spec_lanelink, cnt ? cnt : 1);
        if (!rl->lanelinks) { free(order); return cv_oom(c); }
        for (size_t k = 0; k < links->n; k++) {
            const xlink *L = &links->a[k];
            if (L->roadlink != m) continue;
            order[no++] = (uint32_t)k;
            net_spec_lanelink *ll = &rl->lanelinks[rl->n_lanelinks++];
            ll->start_lane = n->lanes[L->from_lane].road_lane;
            ll->end_lane = n->lanes[L->to_lane].road_lane;
            ll->synth = L->synth;
            const sn_conn *cn = &n->conns[L->conn];
            ll->allway = !cn->tl && cn->state == 'w';
            if (L->synth || cn->via == SN_NONE) continue;      /* generated curve */
            /* the via chain: internal lane shapes one after the other */
            uint32_t total = 0, x = cn->via;
            double vmin = INFINITY;
            for (int hop = 0; hop < MAX_VIA_CHAIN && x != SN_NONE && n->edges[n->lanes[x].edge].internal; hop++) {
                total += n->lanes[x].n_shape;
                if (n->lanes[x].speed < vmin) vmin = n->lanes[x].speed;
                x = n->lanes[x].next;
            }
            net_point *pts = CBU_NEW(&c->spec->arena, net_point, total ? total : 1);
            if (!pts) { free(order); return cv_oom(c); }
            uint32_t np = 0;
            x = cn->via;
            for (int hop = 0; hop < MAX_VIA_CHAIN && x != SN_NONE && n->edges[n->lanes[x].edge].internal; hop++) {
                const sn_lane *il = &n->lanes[x];
                for (uint32_t q = 0; q < il->n_shape; q++) {
                    if (np && pts[np - 1].x == il->shape[q].x && pts[np - 1].y == il->shape[q].y) continue;
                    pts[np++] = il->shape[q];
                }
                x = il->next;
            }
            if (np >= 2) { ll->points = pts; ll->n_points = np; }
            ll->max_speed = vmin < INFINITY ? vmin : 0;
        }
        /* fan-out links move at the speed of the link they copy */
        for (uint32_t k = 0; k < rl->n_lanelinks; k++) {
            const xlink *L = &links->a[order[no - rl->n_lanelinks + k]];
            if (!L->synth) continue;
            for (uint32_t q = 0; q < rl->n_lanelinks; q++) {
                const xlink *R = &links->a[order[no - rl->n_lanelinks + q]];
                if (!R->synth && R->conn == L->conn) rl->lanelinks[k].max_speed = rl->lanelinks[q].max_speed;
            }
        }
    }

    /* right of way from the request matrix */
    if (J->n_req && links->n) {
        if ((rc = check_requests(c, J))) { free(order); return rc; }
        bool ok = true;
        for (size_t k = 0; k < links->n && ok; k++) {
            xlink *L = &links->a[k];
            L->jl = int_lane_pos(c, J, &n->conns[L->conn]);
            if (L->jl == SN_NONE) L->jl = inc_lane_pos(c, j, L->conn);
            ok = L->jl != SN_NONE && L->jl < J->n_req;
        }
        if (!ok) {
            c->n_no_row++;
        } else {
            uint32_t nl = (uint32_t)links->n;
            uint8_t *row = CBU_NEW(&c->spec->arena, uint8_t, (size_t)nl * nl);
            if (!row) { free(order); return cv_oom(c); }
            for (uint32_t a = 0; a < nl; a++)
                for (uint32_t b = 0; b < nl; b++) {
                    if (a == b) continue;
                    const xlink *A = &links->a[order[a]], *B = &links->a[order[b]];
                    uint8_t v = 0;
                    if (A->jl != B->jl) {
                        const sn_request *ra = &J->req[A->jl], *rb = &J->req[B->jl];
                        if (bit_at(ra->foes, J->n_req, B->jl) || bit_at(rb->foes, J->n_req, A->jl)) v |= NET_ROW_FOE;
                        if (bit_at(ra->response, J->n_req, B->jl)) v |= NET_ROW_YIELD | NET_ROW_FOE;
                    }
                    if ((A->synth || B->synth) && A->to_lane == B->to_lane && A->conn != B->conn) {
                        v |= NET_ROW_FOE;           /* merging into one lane */
                        if (A->synth && !B->synth) v |= NET_ROW_YIELD;
                        if (B->synth && !A->synth) v &= (uint8_t)~NET_ROW_YIELD;
                    }
                    row[(size_t)a * nl + b] = v;
                }
            in->row = row;
            in->n_row = nl;
            /* wait points inside the junction, per lane link (in the
             * order of `order`: movement by movement) */
            uint32_t a = 0;
            for (uint32_t m = 0; m < in->n_roadlinks; m++)
                for (uint32_t q = 0; q < in->roadlinks[m].n_lanelinks; q++, a++)
                    in->roadlinks[m].lanelinks[q].cont = J->req[links->a[order[a]].jl].cont;
        }
    } else if (links->n) {
        c->n_no_row++;
    }
    free(order);

    /* phases */
    if (moves->n == 0) {
        in->is_virtual = true;
    } else if (tl) {
        if ((rc = signal_phases(c, in, tl, moves))) return rc;
    } else {
        in->unsignalized = true;
        in->n_phases = 1;
        in->phases = CBU_NEW(&c->spec->arena, net_spec_phase, 1);
        if (!in->phases) return cv_oom(c);
        in->phases[0].time = UNSIGNALIZED_PHASE_SECONDS;
        if ((rc = phase_links(c, &in->phases[0], moves, 0))) return rc;
    }
    return CB_OK;
}

/*--- entry point ------------------------------------------------------------------------------*/

int sumo_net_to_spec(sumo_net *n, double begin, net_spec *spec, cb_warnings *warn, cb_error *err)
{
    conv c = { .n = n, .spec = spec, .warn = warn, .err = err, .begin = begin, .d = &n->docs[0] };
    uint32_t *junction_inter = malloc((n->n_junctions + 1) * sizeof *junction_inter);
    c.jc_first = calloc(n->n_junctions + 2, sizeof *c.jc_first);
    c.junction_conns = malloc((n->n_conns + 1) * sizeof *c.junction_conns);
    xlink_vec links = { 0 };
    xmove_vec moves = { 0 };
    int rc = CB_OK;
    if (!junction_inter || !c.jc_first || !c.junction_conns) { rc = cv_oom(&c); goto done; }
    for (uint32_t j = 0; j < n->n_junctions; j++) junction_inter[j] = SN_NONE;
    for (uint32_t l = 0; l < n->n_lanes; l++) n->lanes[l].road_lane = SN_NONE;
    if ((rc = build_roads(&c, junction_inter))) goto done;

    /* connections by the junction their from-edge ends at */
    for (uint32_t k = 0; k < n->n_conns; k++) {
        const sn_edge *A = &n->edges[n->lanes[n->conns[k].from_lane].edge];
        if (!A->internal) c.jc_first[A->to + 1]++;
    }
    for (uint32_t j = 0; j < n->n_junctions; j++) c.jc_first[j + 1] += c.jc_first[j];
    {
        uint32_t *fill = malloc((n->n_junctions + 1) * sizeof *fill);
        if (!fill) { rc = cv_oom(&c); goto done; }
        memcpy(fill, c.jc_first, n->n_junctions * sizeof *fill);
        for (uint32_t k = 0; k < n->n_conns; k++) {
            const sn_edge *A = &n->edges[n->lanes[n->conns[k].from_lane].edge];
            if (!A->internal) c.junction_conns[fill[A->to]++] = k;
        }
        free(fill);
    }

    uint32_t ni = 0;
    for (uint32_t j = 0; j < n->n_junctions; j++)
        if (junction_inter[j] != SN_NONE) junction_inter[j] = ni++;
    spec->n_inters = ni;
    spec->inters = CBU_NEW(&spec->arena, net_spec_inter, ni ? ni : 1);
    if (!spec->inters) { rc = cv_oom(&c); goto done; }
    for (uint32_t e = 0; e < n->n_edges; e++) {
        const sn_edge *g = &n->edges[e];
        if (g->road == SN_NONE) continue;
        spec->roads[g->road].from = junction_inter[g->from];
        spec->roads[g->road].to = junction_inter[g->to];
    }
    for (uint32_t j = 0; j < n->n_junctions && rc == CB_OK; j++) {
        if (junction_inter[j] == SN_NONE) continue;
        sn_junction *J = &n->junctions[j];
        J->inter = junction_inter[j];
        net_spec_inter *in = &spec->inters[J->inter];
        in->id = cbu_arena_strdup(&spec->arena, J->id);
        if (!in->id) { rc = cv_oom(&c); break; }
        in->point = (net_point){ J->x, J->y };
        rc = build_junction(&c, j, in, &links, &moves);
    }
    if (rc) goto done;
    /* attached roads, for drawing */
    for (uint32_t r = 0; r < spec->n_roads; r++) {
        spec->inters[spec->roads[r].from].n_roads++;
        spec->inters[spec->roads[r].to].n_roads++;
    }
    for (uint32_t i = 0; i < spec->n_inters; i++) {
        spec->inters[i].roads = CBU_NEW(&spec->arena, uint32_t, spec->inters[i].n_roads + 1);
        if (!spec->inters[i].roads) { rc = cv_oom(&c); goto done; }
        spec->inters[i].n_roads = 0;
    }
    for (uint32_t r = 0; r < spec->n_roads; r++) {
        net_spec_inter *a = &spec->inters[spec->roads[r].from], *b = &spec->inters[spec->roads[r].to];
        a->roads[a->n_roads++] = r;
        if (b != a) b->roads[b->n_roads++] = r;
    }
    if (c.n_no_row)
        sumo_warn_n(warn, c.n_no_row, "junctions without a usable right-of-way matrix (<request> elements): "
                    "conflicts come from the geometry and movement types decide who yields");
done:
    cbu_vec_free(&links);
    cbu_vec_free(&moves);
    free(junction_inter);
    free(c.jc_first);
    free(c.junction_conns);
    return rc;
}
