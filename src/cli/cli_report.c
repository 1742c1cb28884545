/* cli_report.c -- the results of a run, as a KPI table for people or as one
 * JSON object for scripts and benchmarks.
 *
 * The JSON key names are an interface: scripts and bench/ read engine_att,
 * published_att, created, finished, running, waiting, veh_updates,
 * sim_seconds, wall_seconds, throughput, queued, load_seconds,
 * step_seconds, peak_memory_mb, threads, seed, lane_change and scenario.  Add keys freely;
 * never rename or remove one. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* VmHWM of /proc/self/status: the high-water mark of this program's own
 * memory.  Not getrusage's ru_maxrss, which keeps across exec the peak of
 * the process image that forked and became this program: run from a
 * Python benchmark, a small city "took" Python's 15 MB. */
double cli_peak_memory_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return NAN;
    char line[256];
    double mb = NAN;
    while (fgets(line, sizeof line, f)) {
        long kb;
        if (strncmp(line, "VmHWM:", 6) == 0) {
            if (sscanf(line + 6, "%ld", &kb) == 1 && kb >= 0) mb = (double)kb / 1024.0;
            break;
        }
    }
    fclose(f);
    return mb;
}

static double updates_per_second(const cli_report *r)
{
    return r->step_seconds > 0 ? (double)r->m.veh_updates / r->step_seconds : NAN;
}

void cli_report_table(const cli_report *r, FILE *f)
{
    const cb_metrics *m = &r->m;
    double ups = updates_per_second(r);
    fprintf(f, "%-20s %s\n", "scenario", r->scenario);
    fprintf(f, "%-20s %s\n", "control", r->control);
    fprintf(f, "%-20s %.2f s\n", "engine ATT", m->engine_att);
    fprintf(f, "%-20s %.2f s  (%lld vehicles)\n", "published ATT", m->published_att,
            (long long)m->published_vehicles);
    fprintf(f, "%-20s %lld\n", "created", (long long)m->created);
    fprintf(f, "%-20s %lld  (throughput)\n", "finished", (long long)m->finished);
    fprintf(f, "%-20s %lld\n", "running", (long long)m->running);
    fprintf(f, "%-20s %lld\n", "waiting", (long long)m->waiting);
    fprintf(f, "%-20s %lld\n", "queued", (long long)m->queued);
    fprintf(f, "%-20s %lld\n", "vehicle-updates", (long long)m->veh_updates);
    if (isfinite(ups)) fprintf(f, "%-20s %.0f\n", "vehicle-updates/s", ups);
    else fprintf(f, "%-20s -\n", "vehicle-updates/s");
    fprintf(f, "%-20s %g s  (%lld steps of %g s)%s\n", "simulated", m->time, (long long)m->steps, r->interval,
            r->interrupted ? "  INTERRUPTED" : "");
    fprintf(f, "%-20s %.3f s\n", "wall: load", r->load_seconds);
    fprintf(f, "%-20s %.3f s\n", "wall: stepping", r->step_seconds);
    fprintf(f, "%-20s %.3f s\n", "wall: total", r->wall_seconds);
    if (isfinite(r->peak_memory_mb)) fprintf(f, "%-20s %.1f MB\n", "peak memory", r->peak_memory_mb);
    fprintf(f, "%-20s %d\n", "threads", r->threads);
    if (r->seed_known) fprintf(f, "%-20s %lld\n", "seed", (long long)r->seed);
    else fprintf(f, "%-20s %s\n", "seed", "from config.json");
    fprintf(f, "%-20s %s\n", "lane change", r->lane_change ? "on" : "off");
    if (r->has_trips) {
        const cb_trip_stats *t = &r->trips;
        fprintf(f, "%-20s %lld inserted, %lld finished\n", "SUMO-style trips", (long long)t->inserted,
                (long long)t->finished);
        fprintf(f, "%-20s %.2f s\n", "mean travel time", t->mean_travel_time);
        fprintf(f, "%-20s %.2f s\n", "mean waiting time", t->mean_waiting_time);
        fprintf(f, "%-20s %.2f s\n", "mean time loss", t->mean_time_loss);
        fprintf(f, "%-20s %.2f s\n", "mean depart delay", t->mean_depart_delay);
        fprintf(f, "%-20s %lld  (stopped > 300 s; longest stop %.0f s)\n", "jammed vehicles", (long long)t->stuck,
                t->max_stopped);
    }
}

void cli_report_json(const cli_report *r, FILE *f)
{
    const cb_metrics *m = &r->m;
    cli_json j;
    cli_json_begin(&j, f);
    cli_json_str(&j, "scenario", r->scenario);
    cli_json_str(&j, "control", r->control);
    cli_json_num(&j, "engine_att", m->engine_att);
    cli_json_num(&j, "published_att", m->published_att);
    cli_json_int(&j, "published_vehicles", m->published_vehicles);
    cli_json_int(&j, "created", m->created);
    cli_json_int(&j, "finished", m->finished);
    cli_json_int(&j, "throughput", m->finished);
    cli_json_int(&j, "running", m->running);
    cli_json_int(&j, "waiting", m->waiting);
    cli_json_int(&j, "queued", m->queued);
    cli_json_int(&j, "veh_updates", m->veh_updates);
    cli_json_num(&j, "veh_updates_per_second", updates_per_second(r));
    cli_json_num(&j, "sim_seconds", m->time);
    cli_json_int(&j, "steps", m->steps);
    cli_json_num(&j, "interval", r->interval);
    cli_json_num(&j, "duration", r->duration);
    cli_json_num(&j, "wall_seconds", r->wall_seconds);
    cli_json_num(&j, "load_seconds", r->load_seconds);
    cli_json_num(&j, "step_seconds", r->step_seconds);
    cli_json_num(&j, "peak_memory_mb", r->peak_memory_mb);
    cli_json_int(&j, "threads", r->threads);
    if (r->seed_known) cli_json_int(&j, "seed", r->seed);
    else cli_json_null(&j, "seed");
    cli_json_bool(&j, "lane_change", r->lane_change);
    cli_json_bool(&j, "interrupted", r->interrupted);
    if (r->has_trips) {
        /* SUMO's --duration-log.statistics, over finished vehicles */
        cli_json_num(&j, "mean_travel_time", r->trips.mean_travel_time);
        cli_json_num(&j, "mean_waiting_time", r->trips.mean_waiting_time);
        cli_json_num(&j, "mean_time_loss", r->trips.mean_time_loss);
        cli_json_num(&j, "mean_depart_delay", r->trips.mean_depart_delay);
        cli_json_int(&j, "trips_inserted", r->trips.inserted);
        cli_json_int(&j, "trips_finished", r->trips.finished);
        cli_json_int(&j, "jammed_vehicles", r->trips.stuck);
        cli_json_num(&j, "longest_stop", r->trips.max_stopped);
    }
    cli_json_str(&j, "version", CB_VERSION);
    cli_json_end(&j);
}
