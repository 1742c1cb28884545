/* sim_pub.c -- the "published" average travel time of the research papers.
 *
 * The papers' environments (CoLight, Advanced-XLight, LLMLight) record,
 * per signalized intersection, when a vehicle first appears on one of its
 * incoming lanes and when it is last seen leaving them; a vehicle's time is
 * the sum over intersections of (last leave - first enter), and the metric
 * is the mean over vehicles with at least one such pair (docs/metrics.md).
 *
 * For the usual route that passes each intersection once this is the time
 * spent on incoming lanes.  A route that comes back to an intersection
 * (4% of Jinan's) contributes the whole loop, because the first enter time
 * is kept and the leave time overwritten.  We handle that from the static
 * route: at a revisit the sum grows by (this leave - previous leave), the
 * previous leave being kept in one of the vehicle's memo slots, which are
 * assigned per route position at load (a route of Jinan's has at most 6
 * intersections "open" at once; SIM_PUB_SLOTS is 8).  Times are steps
 * ("after the step" = step + 1), so the sums are exact integers. */
#include "sim.h"

#include <stdlib.h>

int sim_pub_route_init(sim_engine *s, sim_route *r)
{
    const cb_net *n = s->net;
    r->pub_inter = malloc(r->n * sizeof *r->pub_inter);
    r->pub_flags = calloc(r->n, 1);
    r->pub_slot = malloc(r->n);
    if (!r->pub_inter || !r->pub_flags || !r->pub_slot) return -1;
    for (uint32_t k = 0; k < r->n; k++) {
        const net_road *rd = &n->roads[r->roads[k]];
        r->pub_inter[k] = rd->incoming_signal ? rd->to : SIM_NONE;
        r->pub_slot[k] = -1;
        if (r->pub_inter[k] == SIM_NONE) continue;
        for (uint32_t j = 0; j < k; j++)
            if (r->pub_inter[j] == r->pub_inter[k]) {
                r->pub_flags[k] |= SIM_PUB_REVISIT;
                r->pub_flags[j] |= SIM_PUB_LATER;
            }
    }
    /* Memo slots, allocated like registers along the route: an
     * intersection holds a slot from the first visit it will come back
     * from until its last visit. */
    uint32_t holder[SIM_PUB_SLOTS];
    for (int i = 0; i < SIM_PUB_SLOTS; i++) holder[i] = SIM_NONE;
    for (uint32_t k = 0; k < r->n; k++) {
        uint32_t inter = r->pub_inter[k];
        if (inter == SIM_NONE || !(r->pub_flags[k] & (SIM_PUB_REVISIT | SIM_PUB_LATER))) continue;
        int slot = -1;
        for (int i = 0; i < SIM_PUB_SLOTS; i++)
            if (holder[i] == inter) slot = i;
        if (slot < 0 && (r->pub_flags[k] & SIM_PUB_LATER))
            for (int i = 0; i < SIM_PUB_SLOTS && slot < 0; i++)
                if (holder[i] == SIM_NONE) { holder[i] = inter; slot = i; }
        r->pub_slot[k] = (int8_t)slot;            /* -1: too many open; counted alone */
        if (slot >= 0 && !(r->pub_flags[k] & SIM_PUB_LATER)) holder[slot] = SIM_NONE;
    }
    return 0;
}

void sim_pub_enter(const sim_engine *s, sim_veh *v)
{
    const sim_route *r = &s->routes[v->route];
    uint32_t k = v->route_pos;
    if (r->pub_inter[k] == SIM_NONE) return;
    /* a revisit keeps the first enter time: -2 marks "measure from the
     * previous leave", which the slot holds */
    bool revisit = (r->pub_flags[k] & SIM_PUB_REVISIT) && r->pub_slot[k] >= 0;
    v->pub_enter_step = revisit ? -2 : s->step + 1;
}

static void pub_add(sim_veh *v, int64_t steps, sim_wctx *w)
{
    w->pub_sum_steps += steps;
    if (!v->pub_has) {
        v->pub_has = 1;
        w->pub_count++;
    }
}

void sim_pub_leave(const sim_engine *s, sim_veh *v, sim_wctx *w)
{
    const sim_route *r = &s->routes[v->route];
    uint32_t k = v->route_pos;
    int64_t now = s->step + 1;
    if (r->pub_inter[k] == SIM_NONE || v->pub_enter_step == -1) return;
    int slot = r->pub_slot[k];
    if (v->pub_enter_step == -2) pub_add(v, now - v->pub_leave[slot], w);
    else pub_add(v, now - v->pub_enter_step, w);
    v->pub_enter_step = -1;
    if (slot >= 0 && (r->pub_flags[k] & SIM_PUB_LATER)) v->pub_leave[slot] = (int32_t)now;
}
