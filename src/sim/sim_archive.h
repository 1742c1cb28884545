/* sim_archive.h -- what an archive holds once read, between reading it
 * (sim_archive.c) and applying it; sim_archive_check.c checks that it
 * describes a state the engine can run from.  Internal to src/sim. */
#ifndef CB_SIM_ARCHIVE_H
#define CB_SIM_ARCHIVE_H

#include "sim.h"

#define ARCHIVE_ALIGN 16

/* A saved state: the archive's bytes (owned).  Here rather than in
 * sim_archive.c so that tests/test_archive.c and fuzz/fuzz_archive.c can
 * damage a copy without widening the public API. */
struct cb_archive {
    unsigned char *buf;
    size_t len;
};

/* The driver behind each vehicle type (sim_vparam's own fields): two SUMO
 * vehicles of one vType with different speed factors share a net_vtype
 * but not a driver, so the types alone would not restore them. */
typedef struct archive_driver {
    double sigma, speed_factor;
    uint64_t krauss;
    uint64_t zero;      /* 32 bytes: written one by one, read as one array */
} archive_driver;
_Static_assert(sizeof(archive_driver) % ARCHIVE_ALIGN == 0, "drivers are read as one array");

/* The engine's integer sums (sim.h), in archive order: written, restored
 * and reset from this one list.  All are counts or sums of steps, >= 0. */
#define ARCHIVE_COUNTERS(X)                                                         \
    X(created) X(finished) X(running) X(queued) X(sum_tt_steps) X(sum_create_unfinished) \
    X(veh_updates) X(pub_sum_steps) X(pub_count) X(stopped_approach) X(queue_sum)  \
    X(trip_finished) X(trip_stuck) X(trip_tt_steps) X(trip_wait_steps)             \
    X(trip_delay_steps) X(trip_max_run)
#define ARCHIVE_COUNTER_INDEX(f) ARCHIVE_C_##f,
enum { ARCHIVE_COUNTERS(ARCHIVE_COUNTER_INDEX) ARCHIVE_N_COUNTERS };

/* Everything read and checked before the engine is touched.  Pointers
 * without "owned" point into the archive's bytes. */
typedef struct archive_loaded {
    uint64_t step, seed, n_pushed;
    double flow_clock;
    int64_t counters[ARCHIVE_N_COUNTERS];
    cbu_rng rng;
    uint64_t n_vtypes;
    const net_vtype *vtypes;
    uint64_t n_extra;
    uint32_t **extra_roads;
    uint32_t *extra_n;
    const sim_flow *flows;
    uint64_t n_fheap, pending_pos;
    const sim_flow_event *fheap;
    uint64_t n_veh, n_free;
    const sim_veh *veh;
    const uint32_t *free_vids, *blocker;
    uint64_t n_active;                 /* drivables with vehicles: */
    uint32_t *act_drv, *act_n;         /* which, how many (owned) */
    const sim_slot **act_slots;        /* their slots, front first (owned array) */
    uint64_t n_queues;                 /* lanes with entering vehicles: */
    uint32_t *q_lane, *q_n;            /* which, how many (owned) */
    const uint32_t **q_vids;           /* the vehicles, first to enter first */
    const sim_signal *signals;
    uint64_t n_lc;
    const uint32_t *lc;
    const archive_driver *drivers;     /* one per vtype */
    double trip_loss;
    uint64_t n_incidents;
    const sim_incident *incidents;
    uint64_t n_det;                    /* 0: saved without detectors */
    const uint32_t *det_first;
    const double *det_pos;
    const sim_det *det;
    const int64_t *det_since;
    uint64_t has_dyn;                  /* trips' routing state (sim_dynroute.c): */
    uint64_t dyn_k;
    double dyn_next;
    const double *dyn_speed;
    const uint8_t *dyn_used;
    const float *dyn_past;
} archive_loaded;

/* The whole state must hang together, not only each index be in range:
 * every vehicle where its state says it is, exactly once; every slot's
 * path along the network and its route; lane changes in pairs; flows as
 * the engine's demand made them; counters that match.  CB_ESCHEMA naming
 * the first fault. */
int sim_archive_check(const sim_engine *s, const archive_loaded *L, cb_error *err);

#endif
