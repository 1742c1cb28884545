/* sim_speed.c -- phase A of a step: every vehicle chooses its speed.
 *
 * Rules: cityflow-semantics.md sections 7 (car following) and 8 (signals,
 * conflict points); docs/engine.md gives the formulas as implemented.
 * Everything here reads the state at the start of the step and writes only
 * the vehicle's own slot (nspeed, ndist) and its blocker_next entry, so
 * drivables can be decided in any order and on any thread. */
#include "sim.h"

#include <math.h>

static inline double dmin(double a, double b) { return a < b ? a : b; }
static inline double dmax(double a, double b) { return a > b ? a : b; }

/* floor() for the step counts below, whose arguments are non-negative:
 * truncation is floor there and compiles to one instruction, where
 * baseline x86-64 (no SSE4.1 roundsd) calls into libm through the PLT,
 * three times per vehicle and step.  Other arguments take floor(). */
static inline double floor_nonneg(double x)
{
    return x >= 0 && x < 0x1p52 ? (double)(int64_t)x : floor(x);
}

/* Largest speed v for the follower such that, moving (vF+v)dt/2 this step
 * and then braking at dF, it stops g0 behind a leader that brakes at dL:
 *   (vF+v)dt/2 + v^2/(2 dF) + g0 <= gap + vL^2/(2 dL),
 * capped by 2 vL - dL dt + 2 (gap - g0)/dt.  The root of
 * v^2/(2dF) + v dt/2 + c = 0 is dF (-dt/2 + sqrt(dt^2/4 - 2c/dF)); the
 * reciprocals come precomputed (sim_vparam) because this runs twice per
 * vehicle per step. */
static inline double no_collision_speed(double vL, double dL, double inv2dL, double vF,
                                        double dF, double invdF, double gap, double dt,
                                        double inv_dt, double g0)
{
    double b = dt * 0.5;
    double c = vF * b + g0 - vL * vL * inv2dL - gap;
    double disc = b * b - 2.0 * c * invdF;
    double v1 = disc < 0 ? -100.0 : dF * (sqrt(disc) - b);
    double v2 = 2.0 * vL - dL * dt + 2.0 * (gap - g0) * inv_dt;
    return dmin(v1, v2);
}

/*--- SUMO's Krauss driver (vehicle types imported from SUMO) --------------------
 * SUMO moves vehicles by Euler steps (x += v' dt) and keeps a speed from
 * which, reacting after tau and then shedding decel*dt per step, it stops
 * within the gap (its "maximum safe stop speed").  Behind a leader the gap
 * is the distance to the leader's rear minus minGap, plus the leader's own
 * braking distance at the larger of the two decelerations. */
#define SIM_MINOR_VISIBILITY 4.5         /* m: SUMO's foe visibility at minor links */
#define SIM_MINOR_STOP_SLACK 0.1         /* m: where SUMO stops before a minor link (POSITION_EPS) */
/* m/s: a driver this slow is standing.  Behind a standing leader at exactly
 * minGap the safe speed comes out as a rounding residue (3e-16 m/s): the
 * driver moves nothing, but as a speed it is not 0, and it used to record
 * no blocker, which cut the chains deadlock breaking follows (ingolstadt7,
 * seed 13: a left-turner, two opposing straights and the car behind one
 * of them waited on each other for ever). */
#define SIM_STANDING 1e-9

static double krauss_stop_speed(const sim_vparam *p, double tau, double g, double dt)
{
    g -= 1e-3;                               /* SUMO keeps this much slack */
    double b = p->usual_neg_acc * dt;        /* speed shed per step */
    if (g <= 0) return 0;
    if (g <= b) return dmin(b, g * p->inv_dt);
    if (!(g < 1e12)) return INFINITY;        /* no obstacle (an infinite gap) */
    double n = floor_nonneg(0.5 - (tau - sqrt(dt * dt + 4.0 * (dt * (2.0 * g * p->inv_kb - tau) + tau * tau)) * 0.5) *
                               p->inv_dt);
    double h = 0.5 * n * (n - 1) * b * dt + n * b * tau;
    return n * b + (g - h) / (n * dt + tau);
}

/* The same, but no more than x: when the gap exceeds what stopping from x
 * needs even without the discrete steps (x^2/(2 decel) + x tau), the safe
 * speed is above x and the square root is not needed.  Most vehicles on an
 * open road take this exit. */
static inline double krauss_stop_speed_upto(const sim_vparam *p, double tau, double g, double dt, double x)
{
    if (g >= x * x * p->inv_2usual_neg + x * tau + 0.01) return x;
    return dmin(x, krauss_stop_speed(p, tau, g, dt));
}

/* The speed a Krauss driver at v may have rem metres before a link it must
 * stop at (red, or no room beyond).  One function for intersection_speed
 * and for stands_at_red, whose shortcut is exact only while they agree. */
static inline double krauss_link_stop_speed(const sim_vparam *vp, const net_vtype *vt, double v, double rem,
                                            double dt)
{
    return krauss_stop_speed_upto(vp, vt->headway_time, rem, dt, dmin(vt->max_speed, v + vt->max_pos_acc * dt));
}

/* How far before the line a SUMO driver stops that must stop at a link
 * (MSVehicle::planMoveInternal's laneStopOffset): 1 m at a red or yellow
 * light and at a link with priority (DIST_TO_STOPLINE_EXPECT_PRIORITY: it
 * will get its turn and need not stand at the line), 0.1 m at a minor link
 * (POSITION_EPS: it must be at the line to be on the junction a step
 * after it decides).  `light`: the link's s->green entry. */
#define SIM_PRIORITY_STOP_SLACK 1.0
static inline double sumo_stop_offset(uint8_t light)
{
    return (light & 2) ? SIM_MINOR_STOP_SLACK : SIM_PRIORITY_STOP_SLACK;
}

/* Distance to stop from speed v shedding decel*dt per Euler step. */
static inline double krauss_brake_gap(double v, double decel, double dt)
{
    double b = decel * dt, steps = floor_nonneg(v / b);
    return dt * (steps * v - b * steps * (steps + 1) / 2);
}

/* x: the most the vehicle could do this step anyway (the result is
 * min(x, safe speed)). */
static double krauss_follow_speed(const sim_engine *s, const sim_vparam *me, double tau, double min_gap,
                                  const sim_vparam *ld, double vL, double gap, double x)
{
    double dt = s->dt;
    const sim_vparam *dp = ld->usual_neg_acc > me->usual_neg_acc ? ld : me;   /* the harder braker */
    double d = dp->usual_neg_acc;
    /* a lower bound of the leader's Euler braking distance decides most cases */
    double lb = vL * vL * dp->inv_2usual_neg - vL * dt * 0.5;
    if (gap - min_gap + dmax(lb, 0) >= x * x * me->inv_2usual_neg + x * tau + 0.01) return x;
    double steps = floor_nonneg(vL * dp->inv_kb);
    double leader_brake = dt * (steps * vL - d * dt * steps * (steps + 1) / 2);
    return krauss_stop_speed_upto(me, tau, gap - min_gap + leader_brake, dt, x);
}

/* Car-following speed behind a leader at `gap` metres moving at vL. */
static inline double follow_speed(const sim_engine *s, uint16_t me_t, double v, uint16_t lead_t,
                                  double vL, double gap, double custom)
{
    const sim_vparam *me = &s->vparams[me_t], *ld = &s->vparams[lead_t];
    double dt = s->dt, inv_dt = s->inv_dt;
    if (me->krauss) {
        const net_vtype *vt = &s->vtypes[me_t];
        double x = dmin(vt->max_speed, v + vt->max_pos_acc * dt);
        double k = krauss_follow_speed(s, me, vt->headway_time, me->min_gap, ld, vL, gap, x);
        return custom >= 0 ? dmin(custom, k) : k;
    }
    double s2 = no_collision_speed(vL, ld->usual_neg_acc, ld->inv_2usual_neg, v, me->usual_neg_acc,
                                   me->inv_usual_neg, gap, dt, inv_dt, me->min_gap);
    double ad = dmax(0.0, v - vL);
    double s3 = (gap + (vL + ad * 0.5) * dt - v * dt * 0.5) * me->inv_headway;
    /* The emergency-braking bound s1 differs from s2 only in the
     * decelerations and in keeping no gap; with equal decelerations (every
     * benchmark vehicle type) s1 >= s2 always, since the bound falls as the
     * kept gap grows, so it need not be computed. */
    if (custom < 0 && me->same_decel && ld->same_decel) return dmin(s2, s3);
    double s1 = no_collision_speed(vL, ld->max_neg_acc, ld->inv_2max_neg, v, me->max_neg_acc,
                                   me->inv_max_neg, gap, dt, inv_dt, 0);
    if (custom >= 0) return dmin(custom, s1);
    return dmin(s1, dmin(s2, s3));
}

/* Speed that brings the vehicle to a stop within d metres: accelerate if
 * one more step of usual acceleration still leaves room to brake at the
 * usual deceleration, otherwise shed speed evenly over the steps left. */
static double stop_before_speed(const net_vtype *vt, double v, double d, double dt)
{
    double v1 = v + vt->usual_pos_acc * dt;
    double need = (v + v1) / 2.0 * dt + v1 * v1 / (2.0 * vt->usual_neg_acc);
    if (need < d) return v1;
    if (v <= 0) return 0;
    double k = 2.0 * d / (v * dt);
    if (k >= 1) return v - v / floor(k);
    return v - v / k;
}

uint32_t sim_plan_next(const sim_engine *s, const sim_veh *v, uint32_t drv, uint32_t *k)
{
    const cb_net *n = s->net;
    const sim_route *r = &s->routes[v->route];
    if (drv >= n->n_lanes || *k + 1 >= r->n || n->lanes[drv].road != r->roads[*k])
        return sim_next_on_route(n, r->roads, r->n, drv, k);
    _Atomic uint32_t *m = &r->next_memo[r->memo_first[*k] + n->lanes[drv].index];
    uint32_t link = atomic_load_explicit(m, memory_order_relaxed) - 1;
    if (link == UINT32_MAX) {          /* not asked yet (or NET_NONE: asked again) */
        link = net_next_link(n, drv, r->roads[*k + 1], *k + 2 < r->n ? r->roads[*k + 2] : NET_NONE);
        atomic_store_explicit(m, link + 1, memory_order_relaxed);
    }
    if (link == NET_NONE) return SIM_NONE;
    (*k)++;
    return net_link_drivable(n, link);
}

/* What a blocked lane presents to vehicles behind it: a stopped "vehicle"
 * (vid SIM_NONE) whose rear is the obstacle's position. */
static const sim_slot obstacle_slot = { .vid = SIM_NONE, .next = SIM_NONE, .prev = SIM_NONE };

bool sim_find_leader(const sim_engine *s, const sim_slot *me, uint32_t d, double len,
                     const sim_slot **lead_out, double *gap_out)
{
    const cb_net *n = s->net;
    double reach = s->vt_reach[me->vtype], acc = len - me->dist;
    uint32_t cur = d, nxt = me->next, k = 0;
    bool have_k = false;
    while (nxt != SIM_NONE && acc <= reach) {
        const sim_slot *lead = NULL;
        double gap = 0;
        if (nxt >= n->n_lanes) {
            const net_lane *ln = &n->lanes[cur];
            uint32_t occ = atomic_load_explicit(&s->link_occ[cur], memory_order_relaxed);
            for (uint32_t i = 0; occ && i < ln->n_out; i++) {
                const sim_drv *L = &s->drv[n->n_lanes + n->lane_out[ln->first_out + i]];
                if (!L->n) continue;
                const sim_slot *t = &L->v[L->n - 1];
                double g = acc + t->dist - s->vtypes[t->vtype].length;
                if (!lead || g < gap) { lead = t; gap = g; }
            }
        } else {
            const sim_drv *L = &s->drv[nxt];
            if (L->n) {
                lead = &L->v[L->n - 1];
                gap = acc + lead->dist - s->vtypes[lead->vtype].length;
            }
            double bp = sim_block_pos(s, nxt);
            if (bp < INFINITY && (!lead || acc + bp < gap)) {
                lead = &obstacle_slot;
                gap = acc + bp;
            }
        }
        if (lead) {
            *lead_out = lead;
            *gap_out = gap;
            return true;
        }
        acc += sim_drv_length(s, nxt);
        if (acc > reach) break;                  /* planning further would be wasted */
        if (!have_k) {
            /* route index of nxt: the vehicle's own, advanced past `d` */
            k = s->veh[me->vid].route_pos;
            if (d < n->n_lanes) k++;           /* d lane at k -> link enters k+1 */
            have_k = true;
        }
        cur = nxt;
        nxt = sim_plan_next(s, &s->veh[me->vid], cur, &k);
    }
    return false;
}

/* Speed of the front vehicle of a drivable: its leader, if any, is found
 * by looking ahead along its path (sim_find_leader). */
static double front_follow_speed(const sim_engine *s, const sim_slot *me, uint32_t d,
                                 double len, const net_vtype *vt, double custom, uint32_t *lead_vid)
{
    const sim_slot *lead;
    double gap;
    if (sim_find_leader(s, me, d, len, &lead, &gap)) {
        *lead_vid = lead->vid;                 /* SIM_NONE for an obstacle */
        return follow_speed(s, me->vtype, me->speed, lead->vtype, lead->speed, gap, custom);
    }
    *lead_vid = SIM_NONE;
    return custom >= 0 ? custom : vt->max_speed;
}

/*--- conflict points --------------------------------------------------------------*/

/* Can a vehicle at distance d before a conflict point still stop short of
 * it by the yield distance (d > 0), or has its tail already cleared it?
 * `euler`: a SUMO driver at a crossing of two of the input's connections.
 * It brakes in Euler steps (speed falls by decel*dt a step and the step is
 * driven at the new speed), so it stops within krauss_brake_gap(v), which
 * is what its stop speed plans for; judged by the continuous v^2/(2 decel)
 * instead, a driver slowing to yield found itself "unable to stop" a few
 * metres on and went, and the major stream braked for it: ingolstadt1's
 * permissive lefts crossed in front of opposing cars 0.2 s away.  Fan-out
 * links keep the continuous rule: they stand for a lane change SUMO's
 * drivers make along the edge, and a strict yield there left vehicles
 * waiting minutes for a gap in a 2 s stream (cologne3). */
static inline bool can_yield(const net_vtype *vt, double v, double d, bool euler, double dt)
{
    if (d > 0) {
        if (euler) return krauss_brake_gap(v, vt->usual_neg_acc, dt) <= d - SIM_YIELD_DISTANCE;
        return v * v / (2.0 * vt->max_neg_acc) < d - SIM_YIELD_DISTANCE;
    }
    if (d < 0) return d + vt->length < 0;
    return false;
}

/* SUMO's estimate of when a driver leaves its link, in steps from now
 * (MSLink::getLeaveTime on the arrival and leave speeds that
 * MSVehicle::planMoveInternal announces): the rest of the link plus the
 * vehicle's length, driven at the mean of the speed it could have on
 * reaching the link (one step of acceleration, at most the link's limit)
 * and the speed it could reach at the link's end; counted from the end of
 * this step.  `pos`: metres along the link, negative before it.  A driver
 * standing at a left turn's wait point announces about 2.2 s; the time to
 * accelerate out of the junction from standing, which we asked before, is
 * twice that, and our lefts let gaps pass that SUMO's take, until queues
 * of them blocked the junction upstream (ingolstadt7). */
/* The speeds SUMO's driver announces for its link (the rest of it, *rem):
 * arriving with one step of acceleration, at most the link's limit, and
 * leaving with what it reaches by the link's end.  An approximation: at
 * the line of a link decided there sumo_arrival_leave gives SUMO's own
 * estimate; for merging (unsafe_merge) and on the links themselves this
 * one stays, as the exact one made merging drivers go too soon (at the
 * stop sign of test_sumo_junctions, into a car every 8 s, after 26 s where
 * SUMO's wait 35 s; tenth session). */
static inline void sumo_link_speeds(const net_vtype *vt, const net_link *L, double v, double pos, double dt,
                                    double *rem, double *arr, double *leave)
{
    *rem = L->length - (pos > 0 ? pos : 0);
    *arr = dmin(v + vt->max_pos_acc * dt, L->max_speed);
    *leave = dmin(L->max_speed, sqrt(*arr * *arr + 2.0 * vt->max_pos_acc * *rem));
}

__attribute__((noinline)) static double sumo_leave_steps(const net_vtype *vt, const net_link *L, double v,
                                                        double pos, double dt)
{
    double rem, arr, leave;
    sumo_link_speeds(vt, L, v, pos, dt, &rem, &arr, &leave);
    double t = (rem + vt->length) / dmax(0.5 * (arr + leave), 1e-3) + (pos < 0 ? -pos / dmax(arr, 1e-3) : 0) - dt;
    return dmax(t, 0) / dt;
}

/* SUMO's own estimate (MSVehicle::planMoveInternal, MSCFModel::
 * getMinimalArrivalTime, MSLink::getLeaveTime) of when a driver -pos
 * metres before link L at speed v reaches it (*ta, s from now) and when
 * its tail leaves it (*te): it reaches the link at the speed it can
 * accelerate to over that distance, and leaves at the speed it can
 * accelerate to over the link, each capped by the link's limit. */
static void sumo_arrival_leave(const net_vtype *vt, const net_link *L, double v, double pos, double *ta,
                               double *te)
{
    double a = vt->max_pos_acc, seen = pos < 0 ? -pos : 0, rem = L->length - (pos > 0 ? pos : 0);
    double cap = dmin(L->max_speed, vt->max_speed);
    double arr = dmin(sqrt(v * v + 2.0 * a * seen), cap);
    double t = 0;
    if (seen > 0) {
        double acc = arr >= v ? a : -vt->max_neg_acc;
        double at = (arr - v) / acc, way = at * (arr + v) * 0.5;
        if (seen >= way) t = at + (seen - way) / dmax(dmax(v, arr), SIM_WAITING_SPEED);
        else t = (-v + sqrt(dmax(v * v + 2.0 * acc * seen, 0))) / acc;
    }
    double leave = dmin(cap, sqrt(arr * arr + 2.0 * a * rem));
    *ta = t;
    *te = t + (rem + vt->length) / dmax(0.5 * (arr + leave), 1e-3);
}

/* SUMO's impatience: a driver that has stood `waited` seconds at a minor
 * link counts on a foe that can still stop to brake for it, its arrival
 * taken that share (waited / 180 s) of the way towards "30 s later"
 * (MSLink::blockedByFoe, MSVehicle's arrivalTimeBraking).  Without it,
 * strict yielding left drivers on busy minor roads waiting for ever.
 * SUMO 1.15's --time-to-impatience is 300 s, not 180: with 300,
 * ingolstadt7 at seed 18 locks up (340 vehicles stopped over 300 s) where
 * SUMO, at that seed, neither jams nor teleports; ours does not teleport,
 * so its drivers lose patience sooner. */
#define SIM_TIME_TO_IMPATIENCE 180.0
#define SIM_BRAKING_ARRIVAL_S 30.0
static double impatience_steps(double waited, double dt)
{
    double imp = waited / SIM_TIME_TO_IMPATIENCE;
    return (imp < 1 ? imp : 1) * SIM_BRAKING_ARRIVAL_S / dt;
}

/* Seconds needed to cover d metres accelerating at usualPosAcc towards the
 * target speed: the type's top speed (turn speed on turning links), and at
 * most vcap (INFINITY: no cap). */
static double reach_time(const net_vtype *vt, double v, double d, bool turn, double vcap)
{
    if (d <= 0) return 0;
    double target = dmin(turn ? dmin(SIM_TURN_SPEED, vt->max_speed) : vt->max_speed, vcap);
    double a = vt->usual_pos_acc;
    if (v >= target) return d / v;
    double ta = (target - v) / a, da = (v + target) / 2.0 * ta;
    if (da >= d) return (-v + sqrt(v * v + 2.0 * a * d)) / a;
    return ta + (d - da) / target;
}

/* The same in whole steps, rounded up, with no cap: CityFlow's arrival
 * estimate (its vehicles have no speed factor and accelerate towards their
 * top speed). */
static double reach_steps(const net_vtype *vt, double v, double d, bool turn, double dt)
{
    return ceil(reach_time(vt, v, d, turn, INFINITY) / dt - 1e-9);
}

/* The fastest a SUMO foe on lane link `link` drives towards it: its start
 * lane's limit times its speed factor (or what it drives now, if more).
 * SUMO's drivers announce their arrival at that speed; taking their type's
 * top speed instead made ours expect a foe 55 m away 1.4 s early. */
static inline double foe_speed_cap(const sim_engine *s, const net_link *foe_link, const sim_slot *o)
{
    return dmax(s->net->lanes[foe_link->start_lane].max_speed * s->vparams[o->vtype].speed_factor, o->speed);
}

/* SUMO's MSLink::computeFoeArrivalTimeBraking: when, and at what speed
 * (*speed), a foe due at the link tf s from now (dist metres away) gets
 * there if, to let a driver due ta s from now go first, it brakes at its
 * decel x imp from now on; SIM_BRAKING_ARRIVAL_S later, at speed 0, if it
 * can stop before.  imp is the waiting driver's impatience; with a few
 * seconds of waiting it is small, so a foe that is not yet braking is taken
 * to arrive nearly when and as fast as it would anyway. */
static double foe_braking_arrival(double ta, double tf, double imp, double dist, double decel, double dt,
                                  double *speed)
{
    *speed = 0;
    if (floor(ta / dt) == floor(tf / dt)) return tf;         /* the same step: the time rule decides */
    double m = decel * imp, T = tf - ta, d = T * m, a = T * d / 2;
    double v = dist / (tf + dt), dist2 = dist - v * ta;
    if (0.5 * v * v / m <= dist2) return tf + SIM_BRAKING_ARRIVAL_S;
    double disc = 4 * (v - d) * (v - d) - 8 * m * a;
    double x = (-0.5 * sqrt(disc > 0 ? disc : 0) - d + v) / m;
    *speed = dmax(v - (T + x) * m, 0);
    return tf + x;
}

/* May a SUMO driver that has waited at a minor link merge in front of a foe
 * heading for the same lane?  SUMO (MSLink::blockedByFoe, ego leading on a
 * shared target lane) refuses when the foe, braking as the driver's
 * impatience allows (foe_braking_arrival_speed), would reach the merge
 * faster than the driver could brake from the speed it leaves its link
 * at: v_foe^2 / b_foe > v_leave^2 / b_me ("unsafeMergeSpeeds").  A driver
 * that has waited even one step (impatience > 0 from then on) so lets
 * every approaching car of the major stream pass, where a moving one
 * merges into gaps of 3 s; on SUMO's own cross, a left-turner standing at
 * its stop line lets a car 10 s away go first (test_sumo_junctions). */
__attribute__((noinline)) static bool unsafe_merge(const sim_engine *s, const net_vtype *vt, const net_link *L,
                                                   double v, double pos, const net_vtype *ovt, double ov,
                                                   double foe_to_exit, bool turn2, double waited, double vcap)
{
    double rem, arr, leave;
    sumo_link_speeds(vt, L, v, pos, s->dt, &rem, &arr, &leave);
    double te = rem / dmax(0.5 * (arr + leave), 1e-3) + (pos < 0 ? -pos / dmax(arr, 1e-3) : 0);
    double tf = reach_time(ovt, ov, foe_to_exit, turn2, vcap);
    if (te >= tf) return false;                              /* it would not lead: the time rule decides */
    double imp = dmin(1.0, waited / SIM_TIME_TO_IMPATIENCE), fv;
    foe_braking_arrival(te, tf, imp, foe_to_exit, ovt->usual_neg_acc, s->dt, &fv);
    return fv * fv / ovt->usual_neg_acc > leave * leave / vt->usual_neg_acc;
}

/* Is `L` a link whose minor drivers SUMO lets pass only when its foes
 * leave them time to cross the whole junction (no signal, no wait point
 * inside it, not an all-way stop)? */
static inline bool sumo_decides_at_line(const cb_net *n, const net_link *L)
{
    return n->inters[L->inter].unsignalized && !L->cont && !L->allway;
}

/* May a SUMO driver still before a minor link of a junction without a
 * signal cross in front of a foe (MSLink::blockedByFoe)?  Only if the foe,
 * its arrival at its own link shifted as the driver's impatience allows
 * (foe_braking_arrival), gets there more than SIM_MINOR_GAP after the
 * driver has left its link, as SUMO's driver estimates that
 * (sumo_arrival_leave).  Times are SUMO's: not rounded to steps, and the
 * foe at the speed its lane allows it.  The rounded estimates of the
 * CityFlow rule let a standing driver cross a stream of one car every 4 s
 * after 10 s, where SUMO's waits 58 s; ours now waits 58 s too, and 50 and
 * 42 s for a car every 5 and 6 s, as SUMO's (test_sumo_junctions). */
__attribute__((noinline)) static bool sumo_cross_first(const sim_engine *s, const sim_slot *me, const net_vtype *vt,
                                                       const net_link *L, double pos, const sim_slot *o,
                                                       const net_vtype *ovt, double to_entry, bool turn2,
                                                       double vcap, double waited)
{
    double fv, ta, te;
    sumo_arrival_leave(vt, L, me->speed, pos, &ta, &te);
    double tf = reach_time(ovt, o->speed, to_entry, turn2, vcap);
    double imp = dmin(1.0, waited / SIM_TIME_TO_IMPATIENCE);
    if (imp > 0 && ta < tf)
        tf = (1 - imp) * tf + imp * foe_braking_arrival(ta, tf, imp, to_entry, ovt->usual_neg_acc, s->dt, &fv);
    return te + SIM_MINOR_GAP < tf;
}

typedef struct foe {
    const sim_slot *slot;
    double d;              /* distance from its front to the conflict point */
} foe;

/* The vehicle of lane link `link` that matters at the point `c` metres
 * along it: the one that just left it and whose tail still covers the
 * point, else the frontmost vehicle on it whose tail has not passed the
 * point, else (only while the link is green) the first vehicle of its
 * start lane if that vehicle is heading into this link and was not held
 * before it last step (SIM_HELD: a SUMO driver standing for a full exit
 * or behind a vehicle on the junction will not pass, and yielding to it
 * can lock a junction: cologne3 with lane changes locked up so, a
 * left-turner waiting on its link for the held vehicle, which waited for
 * the room the left-turner would take). */
static bool find_foe(const sim_engine *s, uint32_t link, double c, foe *out)
{
    const cb_net *n = s->net;
    const net_link *L = &n->links[link];
    uint32_t dl = n->n_lanes + link;
    const sim_drv *E = &s->drv[L->end_lane];
    if (E->n) {
        const sim_slot *t = &E->v[E->n - 1];
        if (t->prev == dl && L->length + t->dist - s->vtypes[t->vtype].length < c) {
            out->slot = t;
            out->d = c - (L->length + t->dist);
            return true;
        }
    }
    const sim_drv *D = &s->drv[dl];
    for (uint32_t i = 0; i < D->n; i++) {
        const sim_slot *t = &D->v[i];
        if (t->dist - s->vtypes[t->vtype].length < c) {
            out->slot = t;
            out->d = c - t->dist;
            return true;
        }
    }
    if (s->green[L->roadlink]) {
        const sim_drv *S = &s->drv[L->start_lane];
        if (S->n && S->v[0].next == dl && !sim_blocker_held(s->blocker[S->v[0].vid])) {
            out->slot = &S->v[0];
            out->d = n->lanes[L->start_lane].length - S->v[0].dist + c;
            return true;
        }
    }
    return false;
}

/* At a SUMO yield point, foes are seen further, as SUMO's approaching
 * vehicles are: besides find_foe's, the first vehicle of the start lane
 * heading into the link (not only the lane's front vehicle), and when the
 * start lane has none, the closest front vehicle of the lane links into the
 * start lane that will continue into this link (short lanes between
 * junctions are common in real cities). */
static inline bool approaching_foe_sumo(const sim_engine *s, uint32_t link, double c, uint32_t first, foe *out);
static bool find_foe_sumo(const sim_engine *s, uint32_t link, double c, foe *out)
{
    return find_foe(s, link, c, out) || approaching_foe_sumo(s, link, c, 1, out);
}

/* find_foe_sumo's vehicles still before link `link`: from the `first`th
 * vehicle of its start lane on (find_foe has looked at the front one),
 * then the lane links into that lane. */
static inline bool approaching_foe_sumo(const sim_engine *s, uint32_t link, double c, uint32_t first, foe *out)
{
    const cb_net *n = s->net;
    const net_link *L = &n->links[link];
    if (!s->green[L->roadlink]) return false;
    uint32_t dl = n->n_lanes + link, sl = L->start_lane;
    double lane_len = n->lanes[sl].length;
    const sim_drv *S = &s->drv[sl];
    for (uint32_t i = first; i < S->n && i < 8; i++)
        if (S->v[i].next == dl && !sim_blocker_held(s->blocker[S->v[i].vid])) {
            out->slot = &S->v[i];
            out->d = lane_len - S->v[i].dist + c;
            return true;
        }
    if (S->n) return false;
    const net_lane *ln = &n->lanes[sl];
    bool found = false;
    for (uint32_t k = 0; k < ln->n_in; k++) {
        uint32_t in = n->n_lanes + n->lane_in[ln->first_in + k];
        const sim_drv *I = &s->drv[in];
        if (!I->n) continue;
        const sim_slot *t = &I->v[0];
        if (t->next != sl) continue;
        uint32_t r = s->veh[t->vid].route_pos;
        if (sim_plan_next(s, &s->veh[t->vid], sl, &r) != dl) continue;
        double d = sim_drv_length(s, in) - t->dist + lane_len + c;
        if (!found || d < out->d) { out->slot = t; out->d = d; found = true; }
    }
    return found;
}

/* Does following the blocker chain from `foe` (with me -> foe added) run
 * into a cycle?  Uses the blockers decided in the previous step, so the
 * answer does not depend on the order vehicles are decided in.  When the
 * cycle runs through me, only its member with the highest priority among
 * those that yield is told to go (one standing behind another cannot), so
 * that exactly one vehicle breaks the deadlock. */
static bool deadlock(const sim_engine *s, uint32_t me, uint32_t fv)
{
#define BNEXT(x) ((x) == me ? fv : sim_blocker_next(s->blocker[x]))
    uint32_t slow = fv, fast = fv;
    for (;;) {
        fast = BNEXT(fast);
        if (fast >= SIM_HELD) return false;
        fast = BNEXT(fast);
        if (fast >= SIM_HELD) return false;
        slow = BNEXT(slow);
        if (slow == fast) break;
    }
    /* slow is on the cycle; is `me`? */
    uint32_t x = slow, best = SIM_NONE;
    bool has_me = false;
    do {
        if (x == me) has_me = true;
        if ((x == me || !sim_blocker_follows(s->blocker[x])) &&
            (best == SIM_NONE || s->veh[x].priority > s->veh[best].priority ||
             (s->veh[x].priority == s->veh[best].priority && x < best))) best = x;
        x = BNEXT(x);
    } while (x != slow);
#undef BNEXT
    return !has_me || best == me;
}

/* Steps a vehicle has stood without a break, up to the start of this step
 * (0 while it moves; 1 after one step at rest). */
static inline int64_t stood_steps(const sim_engine *s, const sim_slot *v)
{
    return v->speed <= SIM_WAITING_SPEED ? s->step - s->veh[v->vid].stand_step + 1 : 0;
}

/* Is the foe `o` on its link `link`, which SUMO's drivers enter only when
 * they have found it free (sumo_decides_at_line)? */
static bool on_decided_link(const sim_engine *s, const sim_slot *o, uint32_t link)
{
    const cb_net *n = s->net;
    return s->veh[o->vid].drv == n->n_lanes + link && sumo_decides_at_line(n, &n->links[link]);
}

/* A driver whose link must yield to the foe's by the input's right of way
 * (SUMO's response matrix): SUMO's gap acceptance at a minor link.  A
 * driver already on a link whose drivers decide at the line goes on. */
static bool minor_may_pass(const sim_engine *s, const sim_slot *me, const net_vtype *vt, uint32_t link,
                           uint32_t other_link, const foe *f, const net_xview *xv, double pos, bool me_krauss,
                           bool real, bool turn1, bool turn2)
{
    const cb_net *n = s->net;
    const net_link *ML = &n->links[link], *OL = &n->links[other_link];
    const sim_slot *o = f->slot;
    const net_vtype *ovt = &s->vtypes[o->vtype];
    if (me_krauss && real && pos > 0 && sumo_decides_at_line(n, ML)) return true;
    /* SUMO's gap acceptance at a minor link: go only if the foe has
     * passed the point, or if our tail leaves the junction (the end of
     * our link) a time gap (1 s) before the foe enters it (the start
     * of its link) */
    if (f->d + ovt->length < 0) return true;
    double to_entry = f->d - xv->other_dist;
    if (to_entry <= 0) return false;
    double waited = (double)s->veh[me->vid].trip_stop_run * s->dt;
    double vcap = real && me_krauss ? foe_speed_cap(s, OL, o) : INFINITY;
    bool go;
    if (me_krauss && real && pos <= 0 && s->veh[me->vid].drv < n->n_lanes && sumo_decides_at_line(n, ML)) {
        go = sumo_cross_first(s, me, vt, ML, pos, o, ovt, to_entry, turn2, vcap, waited);
    } else {
        double r1 = me_krauss ? sumo_leave_steps(vt, ML, me->speed, pos, s->dt)
                              : reach_steps(vt, me->speed, ML->length - pos + vt->length, turn1, s->dt);
        double r2 = reach_steps(ovt, o->speed, to_entry, turn2, s->dt);
        if (me_krauss && krauss_brake_gap(o->speed, ovt->usual_neg_acc, s->dt) < to_entry)
            r2 += impatience_steps(waited, s->dt);
        go = r1 + ceil(SIM_MINOR_GAP / s->dt - 1e-9) <= r2;
    }
    /* merging into the foe's lane after a wait (not at a fan-out link,
     * our stand-in for SUMO's lane changes, which has its own rule; and
     * at a signal only on a minor green: SUMO asks nothing of a driver
     * with a major green, MSLink::opened) */
    if (go && me_krauss && real && waited > 0 && ML->end_lane == OL->end_lane &&
        (n->inters[ML->inter].unsignalized || (s->green[ML->roadlink] & 2)))
        go = !unsafe_merge(s, vt, ML, me->speed, pos, ovt, o->speed, to_entry + OL->length, turn2, waited, vcap);
    return go;
}

/* May `me` (distance d before the point, on or entering `link`) pass the
 * conflict point before the foe?  Order of the rules as in CityFlow:
 * whoever cannot stop goes; then movement type (straight > left > right),
 * a lower type going only if it gets there first or the foe has passed;
 * then arrival steps, time on the link, distance and random priority.
 * A right of way from the input (`rule`, SUMO's response matrix) takes the
 * place of the movement types: the link that must yield is treated as the
 * lower type.
 *
 * Out of line: inlined into the decision loop with the SUMO rules of the
 * ninth session it made the loop spill registers, and CityFlow inputs,
 * which take none of those rules, cost 1.4-2.5% more (Jinan 1,041 ->
 * 1,055-1,067 M instructions; out of line 1,044 M). */
__attribute__((noinline)) static bool can_pass(const sim_engine *s, const sim_slot *me, const net_vtype *vt,
                                               double d, uint32_t link, uint32_t other_link, const foe *f,
                                               const net_xview *xv, double pos)
{
    uint8_t rule = xv->rule;
    const sim_slot *o = f->slot;
    if (o->vid == me->vid) return true;
    const net_vtype *ovt = &s->vtypes[o->vtype];
    const cb_net *n = s->net;
    /* SUMO inputs only (trip_stats): CityFlow's rules read nothing more */
    bool me_krauss = s->trip_stats && s->vparams[me->vtype].krauss;
    bool real = s->trip_stats && !n->links[link].synth && !n->links[other_link].synth;
    if (!can_yield(vt, me->speed, d, real && me_krauss, s->dt)) return true;
    if (!can_yield(ovt, o->speed, f->d, real && s->vparams[o->vtype].krauss, s->dt)) return false;
    int t1 = n->links[link].turn, t2 = n->links[other_link].turn;
    if (t1 == NET_TURN_UTURN) t1 = NET_TURN_LEFT;
    if (t2 == NET_TURN_UTURN) t2 = NET_TURN_LEFT;
    bool turn1 = t1 != NET_TURN_STRAIGHT, turn2 = t2 != NET_TURN_STRAIGHT;
    if (me_krauss && n->links[link].allway && n->links[other_link].allway) {
        /* an all-way stop: one crossing goes on, and of two crossing the
         * one that entered first; of two still before it, who has stood
         * longer goes first (MSLink::blockedByFoe).  Ties go on to the
         * rules below. */
        bool me_in = pos >= 0, foe_in = s->veh[o->vid].drv >= n->n_lanes;
        if (f->d + ovt->length < 0) return true;         /* it has passed */
        if (me_in != foe_in) return me_in;
        int64_t wm, wo;
        if (me_in) wm = -s->veh[me->vid].enter_link_step, wo = -s->veh[o->vid].enter_link_step;
        else wm = stood_steps(s, me), wo = stood_steps(s, o);
        if (wm != wo) return wm > wo;
    }
    if (me_krauss && (n->links[link].synth || n->links[other_link].synth) &&
        n->links[link].end_lane == n->links[other_link].end_lane && pos >= 0 &&
        s->veh[o->vid].drv >= n->n_lanes && f->d > 0) {
        /* two drivers inside a junction merging into one lane, one of them
         * on a fan-out link (our stand-in for a lane change SUMO's driver
         * would have made before the junction), which yields: once that
         * one has been inside SIM_MERGE_PATIENCE, the one that entered
         * first goes first, as drivers zip into a queue.  Yielding for
         * good starved it behind a steady stream from the other lane
         * (ingolstadt7, over 300 s at 124812856#1); zipping at once
         * changed the flow through cologne1's junction and locked it up
         * at some seeds.  enter_link_step is written only between steps,
         * so both drivers see the same answer. */
        const sim_veh *a = &s->veh[me->vid], *b = &s->veh[o->vid];
        const sim_veh *fan = n->links[link].synth ? a : b;
        if ((double)(s->step - fan->enter_link_step) * s->dt >= SIM_MERGE_PATIENCE &&
            a->enter_link_step != b->enter_link_step)
            return a->enter_link_step < b->enter_link_step;
    }
    /* SUMO decides at the line whether a minor link of a junction without
     * a signal is free (sumo_cross_first) and does not ask again on the
     * junction: a driver on such a link goes on (minor_may_pass), and the
     * major driver brakes for it as for a leader, unless it can no longer
     * stop (above) */
    if (rule == NET_XRULE_GO)
        return !(me_krauss && real && (o->speed > SIM_WAITING_SPEED || f->d <= 0) && on_decided_link(s, o, other_link));
    if (rule == NET_XRULE_YIELD)
        return minor_may_pass(s, me, vt, link, other_link, f, xv, pos, me_krauss, real, turn1, turn2);
    if (t1 > t2) return true;
    double r1 = reach_steps(vt, me->speed, d, turn1, s->dt);
    double r2 = reach_steps(ovt, o->speed, f->d, turn2, s->dt);
    if (t1 < t2) return r1 < r2 || f->d + ovt->length < 0;
    if (r1 != r2) return r1 < r2;
    const sim_veh *a = &s->veh[me->vid], *b = &s->veh[o->vid];
    int64_t ea = a->drv >= n->n_lanes ? a->enter_link_step : INT64_MAX;
    int64_t eb = b->drv >= n->n_lanes ? b->enter_link_step : INT64_MAX;
    if (ea != eb) return ea < eb;
    if (d != f->d) return d < f->d;
    if (a->priority != b->priority) return a->priority > b->priority;
    return me->vid < o->vid;
}

/* SUMO keeps junctions clear: a vehicle drives onto a lane link only if
 * the lane after it will have room for it and its gap, counting the
 * vehicles already on the lane links into that lane (they take that room
 * first) and crediting a moving tail with the distance it covers while we
 * get there (v, rem: our speed and distance to the link). */
static bool sumo_exit_room(const sim_engine *s, const net_link *L, const net_vtype *vt, double v, double rem)
{
    const cb_net *n = s->net;
    const sim_drv *E = &s->drv[L->end_lane];
    if (!E->n) return true;
    const sim_slot *t = &E->v[E->n - 1];
    double need = vt->length + vt->min_gap;
    const net_lane *el = &n->lanes[L->end_lane];
    for (uint32_t k = 0; k < el->n_in; k++) {
        const sim_drv *K = &s->drv[n->n_lanes + n->lane_in[el->first_in + k]];
        for (uint32_t i = 0; i < K->n; i++) {
            const net_vtype *kt = &s->vtypes[K->v[i].vtype];
            need += kt->length + kt->min_gap;
        }
    }
    /* a moving tail will have moved on by the time we get there */
    double credit = t->speed * (rem + L->length) / dmax(v, SIM_CANENTER_SPEED);
    return t->dist - s->vtypes[t->vtype].length + credit > need;
}

/* Is krauss_stop_speed at least `v` for every gap of at least g?  The
 * stop speed rises with the gap, except where its two branches meet
 * (gap - slack = b = decel * dt) when tau > dt: just above that point it
 * drops from b to as little as b / tau (no step of braking, the gap
 * covered in tau); beyond it, it is never below min(b, b / tau).  Slow
 * drivers (v under that bound, most of those asked) need no square root.
 * Out of line: inlined, it changed the code of the whole decision loop and
 * cost CityFlow inputs 1.2% (Jinan 1,040 -> 1,053 M instructions). */
__attribute__((noinline)) static bool krauss_stop_speed_atleast(const sim_vparam *p, double tau, double g, double dt, double v)
{
    double gg = g - 1e-3, b = p->usual_neg_acc * dt;
    if (gg <= 0) return v <= 0;
    double low = 0.999 * (tau > 1.0 ? b / tau : b);   /* beyond b, with a margin */
    if (gg <= b) return v <= dmin(dmin(b, gg * p->inv_dt), low);
    return v <= low || v <= krauss_stop_speed(p, tau, g, dt);
}

/* Does a SUMO driver before `L` wait at the line for the drivers of link
 * `other` it must yield to (MSLink::opened decides there)?  The links of a
 * junction without a signal, without a wait point inside, and neither of
 * them one of our fan-out links; all-way stops have their own turn-taking
 * (waits_at_line).  sumo_decides_at_line, for the driver's own link only,
 * also leaves out all-way stops. */
static inline bool yields_at_line(const cb_net *n, const net_link *L, uint32_t other, uint8_t rule)
{
    return n->inters[L->inter].unsignalized && !L->cont && !L->synth && !n->links[other].synth &&
           rule == NET_XRULE_YIELD;
}

/* Is the foe on link `other`, or past it with its tail still on it?  SUMO
 * asks a driver at the line only about foes still approaching; one
 * already on the junction it follows as a leader, stopping short of where
 * their paths cross (MSLink::getLeaderInfo). */
static inline bool foe_inside(const sim_engine *s, uint32_t other, uint32_t foe_vid)
{
    const cb_net *n = s->net;
    uint32_t at = s->veh[foe_vid].drv;
    return at == n->n_lanes + other || at == n->links[other].end_lane;
}

/* Does a SUMO driver before `L` that must let a vehicle of `other` (foe
 * vid) go first wait for it at the line (intersection_speed, below)?  Out
 * of line: inlined, the test cost CityFlow inputs, which never ask it,
 * 1.5% (Jinan 1,055.6 M instructions against 1,039.9 M). */
__attribute__((noinline)) static bool waits_at_line(const sim_engine *s, const net_link *L, uint32_t other,
                                                    uint8_t rule, uint32_t foe_vid)
{
    const cb_net *n = s->net;
    if (L->allway && s->veh[foe_vid].drv < n->n_lanes) return true;
    return yields_at_line(n, L, other, rule);
}

/* A SUMO driver at a link it decides at the line (yields_at_line), with
 * a foe of link `other` already on the junction (foe_inside); otherwise
 * INSIDE_ASK (the usual rules decide).  SUMO asks
 * at the line only about the foes still approaching (MSLink::opened), and
 * follows one on the junction as a leader whose back must clear the
 * crossing point, the two links laid over one another there
 * (MSLink::getLeaderInfo, MSVehicle::getSafeFollowSpeed).  When that gap
 * is negative SUMO's driver does not enter: the usual rule (wait at the
 * line) decides, INSIDE_ASK.  Otherwise the next foe approaching behind
 * the one inside decides whether a driver still before the link may go
 * (INSIDE_WAIT: *lim stops it at the line), and the one inside limits it
 * as a leader (INSIDE_FOLLOW).  *by: whom it waits for.  On SUMO's cross
 * (test_sumo_junctions), a left-turner at a right_before_left junction
 * goes behind one car of a stream every 6 s without stopping, as SUMO's
 * does; asked about the car on the junction, ours stood 55 s. */
enum { INSIDE_ASK, INSIDE_WAIT, INSIDE_FOLLOW };
__attribute__((noinline)) static int sumo_past_inside_foe(const sim_engine *s, const sim_slot *me,
                                                          const net_vtype *vt, bool before, double dd,
                                                          uint32_t link, uint32_t other, const foe *f,
                                                          const net_xview *xv, double pos, double *lim,
                                                          uint32_t *by)
{
    const sim_slot *o = f->slot;
    if (!yields_at_line(s->net, &s->net->links[link], other, xv->rule) || !foe_inside(s, other, o->vid))
        return INSIDE_ASK;
    double gap = dd - (f->d + s->vtypes[o->vtype].length);
    if (gap - vt->min_gap < 0) return INSIDE_ASK;
    foe g;
    if (before && approaching_foe_sumo(s, other, xv->other_dist, 0, &g) &&
        !can_pass(s, me, vt, dd, link, other, &g, xv, pos) && !deadlock(s, me->vid, g.slot->vid)) {
        *by = g.slot->vid;
        *lim = krauss_stop_speed(&s->vparams[me->vtype], vt->headway_time, -pos - SIM_MINOR_STOP_SLACK, s->dt);
        return INSIDE_WAIT;
    }
    if (!deadlock(s, me->vid, o->vid)) {
        *by = o->vid;
        *lim = follow_speed(s, me->vtype, me->speed, o->vtype, o->speed, gap, -1);
    }
    return INSIDE_FOLLOW;
}

/* Speed limit from the intersection ahead: red light or full exit lane,
 * turn speed, and conflict points.  Sets *blocker to the vehicle yielded to.
 * `held`: the speed the vehicle is held to anyway, by the vehicle ahead on
 * its lane (INFINITY for the front vehicle).  A Krauss follower whose
 * stop before any conflict point would still allow that much does not
 * look at the foes: whatever they do, the vehicle ahead keeps it slower.
 * Queued followers within reach of a green link were half of cologne1's
 * conflict scans.  (They then record no foe as their blocker; standing,
 * they record the vehicle ahead, which is whom they wait for.) */
static double intersection_speed(const sim_engine *s, const sim_slot *me, uint32_t d,
                                 double len, const net_vtype *vt, double held, uint32_t *blocker)
{
    const cb_net *n = s->net;
    double v = me->speed, cap = INFINITY, pos;
    uint32_t link;
    if (d < n->n_lanes) {
        if (me->next == SIM_NONE) return INFINITY;
        double rem = len - me->dist;
        if (rem > s->vt_reach[me->vtype]) return INFINITY;
        link = me->next - n->n_lanes;
        const net_link *L = &n->links[link];
        uint8_t light = s->green[L->roadlink];
        if (light & 4) {
            /* SUMO's stop signs (s, w): a driver passes only after it has
             * stood, and it stops at the line for that when it can (not
             * before a link with a wait point inside the junction, which
             * SUMO's drivers enter without stopping) */
            const sim_vparam *vp = &s->vparams[me->vtype];
            if (vp->krauss && !L->cont && v > SIM_WAITING_SPEED && krauss_brake_gap(v, vt->usual_neg_acc, s->dt) <= rem)
                return krauss_link_stop_speed(vp, vt, v, rem - SIM_MINOR_STOP_SLACK, s->dt);
        }
        bool open = light;
        if (open && sim_block_pos(s, L->end_lane) < vt->length) open = false;
        if (open && L->max_speed < INFINITY) {
            open = sumo_exit_room(s, L, vt, v, rem);
        } else if (open) {
            const sim_drv *E = &s->drv[L->end_lane];
            if (E->n) {
                const sim_slot *t = &E->v[E->n - 1];
                open = t->dist > s->vtypes[t->vtype].length + vt->length || t->speed >= SIM_CANENTER_SPEED;
            }
        }
        if (!open) {
            const sim_vparam *vp = &s->vparams[me->vtype];
            if (vp->krauss) {
                if (krauss_brake_gap(v, vt->usual_neg_acc, s->dt) <= rem) {
                    /* no room beyond: held, waiting for the exit's last
                     * vehicle, a link in the chain deadlock breaking follows */
                    if (s->green[L->roadlink]) {
                        const sim_drv *E = &s->drv[L->end_lane];
                        *blocker = E->n ? SIM_FOLLOW | SIM_AT_LINK | E->v[E->n - 1].vid : SIM_HELD;
                    }
                    return krauss_link_stop_speed(vp, vt, v, dmax(rem - sumo_stop_offset(light), 0), s->dt);
                }
            } else if (v * v / (2.0 * vt->max_neg_acc) <= rem) {
                return stop_before_speed(vt, v, rem, s->dt);
            }
        }
        if (L->max_speed < INFINITY) {
            /* the input's speed on the link (SUMO): brake in time to enter at it */
            double va = L->max_speed;
            const sim_vparam *vp = &s->vparams[me->vtype];
            cap = sqrt(va * va + 2.0 * vt->usual_neg_acc * rem);
            if (vp->krauss && (light & 2) && !L->cont && rem > SIM_MINOR_VISIBILITY &&
                krauss_brake_gap(v, vt->usual_neg_acc, s->dt) < rem) {
                /* SUMO's approach to a minor link (MSVehicle's vLinkWait):
                 * until it can see the foes, 4.5 m before the link, a
                 * driver keeps a speed from which it can stop at the line,
                 * foes or not.  Not on a left turn with a wait point
                 * inside the junction (SUMO's "cont" links): that driver
                 * enters and waits there. */
                cap = dmin(cap, krauss_link_stop_speed(vp, vt, v, rem - SIM_MINOR_STOP_SLACK, s->dt));
            }
        } else if (L->turn != NET_TURN_STRAIGHT) {
            cap = SIM_TURN_SPEED;
        }
        if (held < INFINITY && s->vparams[me->vtype].krauss &&
            krauss_stop_speed_atleast(&s->vparams[me->vtype], vt->headway_time, rem - SIM_YIELD_DISTANCE, s->dt, held))
            return cap;                      /* conflict points are at least rem away */
        pos = -rem;
    } else {
        link = d - n->n_lanes;
        pos = me->dist;
    }
    const net_link *L = &n->links[link];
    uint32_t nx;
    const net_xview *xv = net_link_xviews(n, link, &nx);
    uint32_t first_link = n->inters[L->inter].first_link;
    for (uint32_t i = 0; i < nx; i++) {
        if (xv[i].dist < pos) continue;
        double dd = xv[i].dist - pos;
        uint32_t other = first_link + xv[i].other;
        foe f;
        bool seen = xv[i].rule == NET_XRULE_YIELD ? find_foe_sumo(s, other, xv[i].other_dist, &f)
                                                  : find_foe(s, other, xv[i].other_dist, &f);
        if (!seen) continue;
        if (xv[i].rule == NET_XRULE_YIELD && s->vparams[me->vtype].krauss) {
            double lim = INFINITY;
            uint32_t by = SIM_NONE;
            int r = sumo_past_inside_foe(s, me, vt, d < n->n_lanes, dd, link, other, &f, &xv[i], pos, &lim, &by);
            if (r != INSIDE_ASK) {
                if (lim < cap) {
                    cap = lim;
                    *blocker = by;
                }
                if (r == INSIDE_WAIT) return cap;
                continue;
            }
        }
        if (can_pass(s, me, vt, dd, link, other, &f, &xv[i], pos)) continue;
        if (deadlock(s, me->vid, f.slot->vid)) continue;
        *blocker = f.slot->vid;
        /* the driver stops short of the conflict point; at an all-way stop
         * it waits at the line for a foe that is not crossing yet (their
         * turn is decided there), and drives in behind one that is, as
         * SUMO's drivers do behind a link leader.  At the other junctions
         * without a signal a driver on a minor link with no wait point
         * inside waits at the line for any foe: SUMO decides there whether
         * the whole link is free (MSLink::opened), and one that drove in
         * to wait at a merge point deep inside never stood, so never grew
         * the impatience its merge rule reads (unsafe_merge) */
        double at = dd - SIM_YIELD_DISTANCE;
        if (d < n->n_lanes && s->vparams[me->vtype].krauss && waits_at_line(s, L, other, xv[i].rule, f.slot->vid))
            at = dmin(at, -pos - SIM_MINOR_STOP_SLACK);
        double stop = s->vparams[me->vtype].krauss
                          ? krauss_stop_speed(&s->vparams[me->vtype], vt->headway_time, at, s->dt)
                          : stop_before_speed(vt, v, at, s->dt);
        return dmin(cap, stop);
    }
    return cap;
}

/* SUMO's Krauss dawdling (only vehicle types imported from SUMO have
 * sigma > 0): the speed chosen drops by sigma * min(speed, accel) * dt * u,
 * u uniform in [0, 1).  u is a hash of the seed, the vehicle index and the
 * step, so it is the same for any thread count and any decision order. */
static inline double dawdle(const sim_engine *s, uint32_t vid, double sigma, double accel, double v)
{
    uint64_t z = ((uint64_t)vid << 32 ^ (uint64_t)s->step) + 0x9e3779b97f4a7c15ull * (s->seed + 1ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    double u = (double)(z >> 11) * 0x1p-53;
    double cut = sigma * (v < accel ? v : accel) * u * s->dt;
    return v - cut > 0 ? v - cut : 0;
}

/* SUMO drivers look at every signal within their braking reach, not only
 * the next one: a lane shorter than a step's travel would otherwise be
 * crossed, with the red light at its end, without stopping.  For the front
 * vehicle of a drivable (followers follow it), the closed lane links beyond
 * the drivable's own next link give a stop speed for the distance to them. */
static double krauss_signals_ahead(const sim_engine *s, const sim_slot *me, uint32_t d, double len,
                                   const net_vtype *vt, const sim_vparam *vp)
{
    const cb_net *n = s->net;
    const sim_veh *v = &s->veh[me->vid];
    double reach = s->vt_reach[me->vtype], acc = len - me->dist;
    uint32_t cur = d, nxt = me->next, k = v->route_pos;
    if (d < n->n_lanes) k++;
    while (nxt != SIM_NONE && acc <= reach) {
        if (nxt >= n->n_lanes && cur != d && !s->green[n->links[nxt - n->n_lanes].roadlink]) {
            if (krauss_brake_gap(me->speed, vt->usual_neg_acc, s->dt) <= acc)
                return krauss_stop_speed_upto(vp, vt->headway_time, acc, s->dt,
                                              dmin(vt->max_speed, me->speed + vt->max_pos_acc * s->dt));
            return INFINITY;                 /* too late to stop: it goes, as at a yellow */
        }
        acc += sim_drv_length(s, nxt);
        cur = nxt;
        nxt = sim_plan_next(s, v, cur, &k);
    }
    return INFINITY;
}

/* Record whom a vehicle yields to this step.  blocker_next is indexed by
 * vehicle, so neighbouring entries belong to vehicles that other threads
 * decide: writing only when the value changes (rarely: most vehicles yield
 * to nobody step after step) keeps those cache lines shared instead of
 * bouncing between cores.  The array holds the value of two steps ago, so
 * an unchanged value is already right. */
static inline void set_blocker(sim_engine *s, uint32_t vid, uint32_t blocker)
{
    if (s->blocker_next[vid] != blocker) s->blocker_next[vid] = blocker;
}

/* Is the vehicle close enough to an intersection for intersection_speed to
 * matter (on a lane link, or within its reach of a lane end that leads
 * into one)?  Mirrors intersection_speed's early returns. */
static inline bool intersection_near(const sim_engine *s, const sim_slot *me, uint32_t d, double len)
{
    if (d >= s->net->n_lanes) return true;
    return me->next != SIM_NONE && len - me->dist <= s->vt_reach[me->vtype];
}

/* Does a standing Krauss driver at the front of lane d stay standing at
 * the red light ahead whatever else it looks at?  intersection_speed's
 * first branch, for speed 0: within reach of a link that is not green, it
 * may go no faster than its stop speed before the link; when that is below
 * SIM_STANDING the driver stands (every other limit only lowers it), and
 * it records no blocker (a red light is nobody).  Standing drivers at red
 * lights were 5-6% of the vehicle updates of the grid scenarios, each
 * looking for a leader beyond the link and at the signals further on.
 * Out of line, and asked after the Krauss test: inlined, or asked first,
 * it cost CityFlow inputs 0.3-0.9% (Jinan 1,043 -> 1,052 M instructions). */
__attribute__((noinline)) static bool stands_at_red(const sim_engine *s, const sim_slot *me, uint32_t d,
                                                    double len, const net_vtype *vt, const sim_vparam *vp)
{
    const cb_net *n = s->net;
    if (d >= n->n_lanes || me->next == SIM_NONE) return false;
    double rem = len - me->dist;
    if (rem > s->vt_reach[me->vtype] || s->green[n->links[me->next - n->n_lanes].roadlink]) return false;
    if (!(krauss_brake_gap(0.0, vt->usual_neg_acc, s->dt) <= rem)) return false;
    return krauss_link_stop_speed(vp, vt, 0.0, dmax(rem - sumo_stop_offset(0), 0), s->dt) < SIM_STANDING;
}

/* The decision of a driver that stays where it is this step, yielding to
 * `blocker` (the shortcuts of sim_decide_drivable). */
static inline void stand(sim_engine *s, sim_slot *me, const sim_vparam *vp, double inv_vmax_drv, uint32_t blocker)
{
    if (!(me->flags & SIM_SLOT_SHADOW)) set_blocker(s, me->vid, blocker);
    me->nspeed = 0;
    me->ndist = me->dist;
    if (s->trip_stats && !(me->flags & SIM_SLOT_SHADOW))
        sim_trip_step(s, &s->veh[me->vid], 0, dmax(vp->inv_max_speed, inv_vmax_drv * vp->inv_speed_factor));
}

void sim_decide_drivable(sim_engine *s, uint32_t d, sim_wctx *w)
{
    const cb_net *n = s->net;
    sim_drv *D = &s->drv[d];
    double len = sim_drv_length(s, d), dt = s->dt;
    double vmax_drv = d < n->n_lanes ? n->lanes[d].max_speed : n->links[d - n->n_lanes].max_speed;
    double inv_vmax_drv = s->trip_stats ? 1.0 / vmax_drv : 0;   /* 0 for an unlimited link */
    double block = sim_block_pos(s, d);      /* an incident on this lane, if any */
    for (uint32_t i = 0; i < D->n; i++) {
        sim_slot *me = &D->v[i];
        const net_vtype *vt = &s->vtypes[me->vtype];
        double v = me->speed;
        double custom = (me->flags & SIM_SLOT_CUSTOM_SPEED) ? s->veh[me->vid].custom_speed : -1;
        const sim_vparam *vp = &s->vparams[me->vtype];
        double vlim = vmax_drv * vp->speed_factor;        /* exactly vmax_drv for CityFlow (factor 1) */
        double cap = dmin(dmin(vt->max_speed, v + vt->max_pos_acc * dt), vlim);
        double cf;
        uint32_t lead_vid;                   /* the vehicle ahead, SIM_NONE if none */
        if (i > 0) {
            const sim_slot *lead = &D->v[i - 1];
            lead_vid = lead->vid;
            const net_vtype *lvt = &s->vtypes[lead->vtype];
            double gap = lead->dist - lvt->length - me->dist;
            /* Queued and stopped behind a stopped leader: the gap-keeping
             * bound s2 is at most its cap v2 = -dL dt + 2 (gap - minGap)/dt,
             * computed exactly as below; when that is <= 0 the vehicle
             * stays where it is (speed 0, no movement) whatever else is
             * computed, so skip the rest.  A third of the vehicle-updates
             * of a congested city.  Near the intersection too for Krauss
             * drivers: the signal, the foes and the exit only ever lower a
             * speed that is already nothing, and the driver records whom it
             * waits for, the vehicle ahead (the full path could record the
             * exit, SIM_HELD, or a foe; deadlock breaking reads it, so runs
             * differ, docs/sumo.md).  CityFlow drivers near it keep the
             * full path: their blocker decides CityFlow's yielding. */
            if (v == 0 && lead->speed == 0 && custom < 0 && (vp->krauss || !intersection_near(s, me, d, len))) {
                const sim_vparam *mp = &s->vparams[me->vtype], *lp = &s->vparams[lead->vtype];
                double v2 = 2.0 * 0.0 - lp->usual_neg_acc * dt + 2.0 * (gap - mp->min_gap) * s->inv_dt;
                /* Krauss: the safe speed behind a stopped leader is below
                 * SIM_STANDING (the driver stands) once the gap is within
                 * SIM_STANDING * dt of minGap plus SUMO's slack */
                bool stay = mp->krauss ? (gap - mp->min_gap - 1e-3) * s->inv_dt < SIM_STANDING : v2 <= 0;
                if (stay) {
                    stand(s, me, vp, inv_vmax_drv, mp->krauss ? SIM_FOLLOW | lead->vid : SIM_NONE);
                    continue;
                }
            }
            cf = follow_speed(s, me->vtype, v, lead->vtype, lead->speed, gap, custom);
        } else {
            if (vp->krauss && v == 0 && custom < 0 && stands_at_red(s, me, d, len, vt, vp)) {
                stand(s, me, vp, inv_vmax_drv, SIM_NONE);
                continue;
            }
            cf = front_follow_speed(s, me, d, len, vt, custom, &lead_vid);
        }
        double cf_lead = cf;                 /* what the vehicle ahead allows */
        if (i == 0 && vp->krauss) cf = dmin(cf, krauss_signals_ahead(s, me, d, len, vt, vp));
        if (block < INFINITY && me->dist <= block)   /* stop behind an obstacle as behind a stopped vehicle */
            cf = dmin(cf, follow_speed(s, me->vtype, v, me->vtype, 0.0, block - me->dist, custom));
        cap = dmin(cap, cf);
        uint32_t blocker = SIM_NONE;
        cap = dmin(cap, intersection_speed(s, me, d, len, vt, i > 0 ? cap : INFINITY, &blocker));
        if (vp->sigma > 0) cap = dawdle(s, me->vid, vp->sigma, vt->usual_pos_acc, cap);
        double ns = dmax(v - vt->max_neg_acc * dt, cap), dx;
        if (vp->krauss) {
            if (!(ns >= SIM_STANDING)) ns = 0;
            dx = ns * dt;                    /* SUMO's Euler step */
            /* Standing without yielding to anyone: behind the vehicle
             * ahead (on the lane, across the junction, or before a red
             * light), a link in the chain deadlock breaking follows; and
             * the front vehicle of a lane standing at a green link (behind
             * a vehicle on the junction, an obstacle) will not pass.  A
             * chain that stopped at a red light or inside a junction hid
             * gridlocks through two signals that are never green together
             * (ingolstadt7, seed 108) */
            if (ns < SIM_STANDING && blocker == SIM_NONE) {
                bool behind = cf_lead < SIM_STANDING && lead_vid < SIM_AT_LINK;  /* stopped by the vehicle ahead */
                if (i == 0 && d < n->n_lanes && intersection_near(s, me, d, len) &&
                    s->green[n->links[me->next - n->n_lanes].roadlink]) {
                    blocker = behind ? SIM_FOLLOW | SIM_AT_LINK | lead_vid : SIM_HELD;
                } else if (behind) {
                    blocker = SIM_FOLLOW | lead_vid;
                }
            }
        } else if (ns < 0) {
            dx = v * v / (2.0 * vt->max_neg_acc);
            ns = 0;
        } else {
            dx = (v + ns) * dt / 2.0;
        }
        if (!(me->flags & SIM_SLOT_SHADOW)) set_blocker(s, me->vid, blocker);
        me->nspeed = ns;
        me->ndist = me->dist + dx;
        if (s->trip_stats && !(me->flags & SIM_SLOT_SHADOW))
            sim_trip_step(s, &s->veh[me->vid], ns, dmax(vp->inv_max_speed, inv_vmax_drv * vp->inv_speed_factor));
    }
    w->updates += D->n;
}
