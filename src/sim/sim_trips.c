/* sim_trips.c -- trip statistics the way SUMO counts them, for comparing
 * an imported SUMO scenario with SUMO itself (citybrain_sumo.h).
 *
 * Definitions (SUMO's tripinfo / --duration-log.statistics):
 *   travel time   arrival - entering the network (SUMO's "duration");
 *   waiting time  time at or below 0.1 m/s;
 *   time loss     sum over steps of dt * (vmax - v') / vmax, vmax being the
 *                 lower of the vehicle's and the lane's (or lane link's)
 *                 speed limit and v' the speed chosen for the step;
 *   depart delay  entering the network - being due (the flow fired).
 * A vehicle counts from the step it enters its first lane to the step it
 * passes the end of its route, both inclusive (it moves in both) -- or,
 * inserted after the move as SUMO does (insert_after_move), from the end
 * of the step it enters in.
 *
 * Per-vehicle accumulators are updated in phase A by the vehicle's own
 * decision (sim_trip_step in sim.h) and summed in the serial merge when it
 * finishes (sim_trip_finish), in retirement order: the figures are the same
 * for any thread count.  Engines that are not SUMO imports keep nothing. */
#include "sim.h"
#include "citybrain_sumo.h"

#include <string.h>

void sim_trip_finish(sim_engine *s, const sim_veh *v)
{
    s->trip_finished++;
    s->trip_tt_steps += s->step - v->insert_step + !s->insert_after_move;
    s->trip_delay_steps += v->insert_step - v->create_step;
    s->trip_wait_steps += v->trip_wait;
    s->trip_loss += v->trip_loss;
    s->trip_stuck += v->trip_stuck;
    if (v->trip_max_run > s->trip_max_run) s->trip_max_run = v->trip_max_run;
}

int cb_engine_trip_stats(const cb_engine *e, cb_trip_stats *out)
{
    const sim_engine *s = &e->s;
    memset(out, 0, sizeof *out);
    if (!s->trip_stats) return CB_ESTATE;
    out->inserted = s->created - s->queued;
    out->finished = s->trip_finished;
    int64_t stuck_running = 0, max_run = s->trip_max_run;
    for (uint32_t vid = 0; vid < s->n_veh; vid++) {
        const sim_veh *v = &s->veh[vid];
        if (v->state != SIM_VEH_RUNNING) continue;
        stuck_running += v->trip_stuck;
        if ((double)v->trip_stop_run * s->dt > SIM_JAM_SECONDS) out->stuck_now++;
        if (v->trip_max_run > max_run) max_run = v->trip_max_run;
    }
    out->stuck = s->trip_stuck + stuck_running;
    out->max_stopped = (double)max_run * s->dt;
    if (s->trip_finished > 0) {
        double n = (double)s->trip_finished;
        out->mean_travel_time = (double)s->trip_tt_steps * s->dt / n;
        out->mean_waiting_time = (double)s->trip_wait_steps * s->dt / n;
        out->mean_time_loss = s->trip_loss / n;
        out->mean_depart_delay = (double)s->trip_delay_steps * s->dt / n;
    }
    return CB_OK;
}

double cb_engine_scenario_end(const cb_engine *e) { return e->s.scenario_end; }
