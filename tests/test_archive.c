/* test_archive.c -- an archive holds the whole traffic state, not only the
 * vehicles: SUMO drivers (dawdling, speed factors), trip statistics,
 * incidents and detector readings.  The known answer is the run that was
 * never interrupted: restoring the snapshot into a fresh engine, or into
 * the same engine later, and running on must end bit for bit where it
 * ended; so must reset followed by the same run.
 *
 * (CityFlow scenarios: tests/test_vehicle_api.c.) */
#include "test.h"
#include "test_sumo.h"
#include "sim/sim_archive.h"      /* struct cb_archive: its bytes, to damage a copy */

#define CROSS CB_SOURCE_DIR "/tests/data/sumo/cross.net.xml"

/* Dawdling drivers with speed factors drawn per vehicle, on both
 * approaches to the junction: every vehicle type the engine interns after
 * opening is a Krauss driver with its own factor. */
static const char ROUTES[] =
    "<routes><vType id=\"c\" sigma=\"0.5\" speedDev=\"0.1\"/>"
    "<flow id=\"w\" type=\"c\" begin=\"0\" end=\"600\" vehsPerHour=\"1200\" from=\"WJ\" to=\"JE\"/>"
    "<flow id=\"n\" type=\"c\" begin=\"0\" end=\"600\" vehsPerHour=\"600\" from=\"NJ\" to=\"JE\"/></routes>";

static cb_engine *open_cross(void)
{
    cb_engine *e = NULL;
    cb_error err;
    if (test_sumo_open(CROSS, "cb_test_archive.rou.xml", ROUTES, 1, &e, &err)) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    return e;
}

static void run_to(cb_engine *e, double t)
{
    cb_error err;
    while (cb_engine_time(e) < t - 1e-9 && cb_engine_step(e, &err) == CB_OK) {}
}

static size_t lane_named(const cb_engine *e, const char *id)
{
    for (size_t l = 0; l < cb_engine_lane_count(e); l++)
        if (strcmp(cb_engine_lane_id(e, l), id) == 0) return l;
    return (size_t)-1;
}

/* What the end state is compared on, besides the digest. */
typedef struct outcome {
    uint64_t digest;
    cb_trip_stats trips;
    uint64_t loop_counts[64];
    double loop_occupied[64];
    size_t n_loops;
    cb_incident incident;
} outcome;

static void observe(cb_engine *e, outcome *o, bool loops)
{
    memset(o, 0, sizeof *o);
    o->digest = cb_engine_digest(e);
    cb_engine_trip_stats(e, &o->trips);
    cb_error err;
    cb_engine_incident(e, 0, &o->incident, &err);
    if (!loops) return;
    for (size_t l = 0; l < cb_engine_lane_count(e) && o->n_loops < 56; l++) {
        cb_detector_reading r[8];
        size_t n = 0;
        if (cb_engine_read_lane_loops(e, l, false, r, 8, &n, &err)) continue;
        for (size_t k = 0; k < n; k++) {
            o->loop_counts[o->n_loops] = r[k].total_count;
            o->loop_occupied[o->n_loops++] = r[k].total_occupied;
        }
    }
}

#define ASSERT_SAME_OUTCOME(a, b, loops)                                           \
    do {                                                                           \
        ASSERT((a).digest == (b).digest);                                          \
        ASSERT_EQ_INT((a).trips.finished, (b).trips.finished);                     \
        ASSERT_EQ_INT((a).trips.inserted, (b).trips.inserted);                     \
        ASSERT(memcmp(&(a).trips.mean_travel_time, &(b).trips.mean_travel_time, sizeof(double)) == 0); \
        ASSERT(memcmp(&(a).trips.mean_time_loss, &(b).trips.mean_time_loss, sizeof(double)) == 0);     \
        ASSERT(memcmp(&(a).trips.mean_waiting_time, &(b).trips.mean_waiting_time, sizeof(double)) == 0); \
        ASSERT_EQ_INT((a).incident.lane, (b).incident.lane);                       \
        ASSERT_EQ_INT((a).incident.active, (b).incident.active);                   \
        if (loops) {                                                               \
            ASSERT_EQ_INT((a).n_loops, (b).n_loops);                               \
            ASSERT(memcmp((a).loop_counts, (b).loop_counts, sizeof (a).loop_counts) == 0);     \
            ASSERT(memcmp((a).loop_occupied, (b).loop_occupied, sizeof (a).loop_occupied) == 0); \
        }                                                                          \
    } while (0)

TEST(archive_keeps_drivers_trips_incidents_and_detectors)
{
    cb_engine *e = open_cross();
    ASSERT(e);
    cb_error err;
    size_t wj = lane_named(e, "WJ_1");
    ASSERT(wj != (size_t)-1);
    run_to(e, 100);
    ASSERT_EQ_INT(cb_engine_enable_loops(e, 5, 15, 20, &err), CB_OK);
    size_t id;
    ASSERT_EQ_INT(cb_engine_add_incident(e, wj, 60, 120, 260, &id, &err), CB_OK);
    run_to(e, 150);
    cb_archive *a;
    ASSERT_EQ_INT(cb_engine_snapshot(e, &a, &err), CB_OK);
    uint64_t at150 = cb_engine_digest(e);
    char path[600];
    snprintf(path, sizeof path, "%s/cb_test_archive_sumo.bin", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ASSERT_EQ_INT(cb_archive_dump(a, path, &err), CB_OK);
    run_to(e, 400);
    outcome want;
    observe(e, &want, true);
    ASSERT(want.trips.finished > 100);        /* traffic went through ... */
    ASSERT(want.n_loops > 8);
    cb_incident mid;
    ASSERT_EQ_INT(cb_engine_incident(e, id, &mid, &err), CB_OK);
    ASSERT(!mid.active);                      /* ... and the incident came and went */

    /* into a fresh engine: it knows no driver beyond the route file's,
     * no incident and no detector */
    cb_engine *f = open_cross();
    ASSERT(f);
    int rc = cb_engine_load_file(f, path, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT(cb_engine_digest(f) == at150);
    ASSERT_EQ_INT(cb_engine_incident_count(f), 1);
    cb_incident in;
    ASSERT_EQ_INT(cb_engine_incident(f, 0, &in, &err), CB_OK);
    ASSERT(in.active);
    ASSERT_NEAR(in.position, 60, 0);
    ASSERT_NEAR(in.t1, 260, 0);
    ASSERT_EQ_INT(cb_engine_lane_loop_count(f, wj), cb_engine_lane_loop_count(e, wj));
    run_to(f, 400);
    outcome got;
    observe(f, &got, true);
    ASSERT_SAME_OUTCOME(got, want, true);

    /* into the engine that made it, which has run on since */
    ASSERT_EQ_INT(cb_engine_load(e, a, &err), CB_OK);
    run_to(e, 400);
    observe(e, &got, true);
    ASSERT_SAME_OUTCOME(got, want, true);

    /* reset replays the hour from 0: the incident is still scheduled, and
     * the trip statistics start again (detectors do not steer traffic, and
     * they counted from 100 s in the first run) */
    cb_engine_reset(f, true);
    cb_trip_stats zero;
    ASSERT_EQ_INT(cb_engine_trip_stats(f, &zero), CB_OK);
    ASSERT_EQ_INT(zero.finished, 0);
    ASSERT_EQ_INT(zero.inserted, 0);
    run_to(f, 400);
    observe(f, &got, false);
    ASSERT_SAME_OUTCOME(got, want, false);
    cb_archive_free(a);
    cb_engine_close(f);
    cb_engine_close(e);
}

/* An archive saved without detectors, loaded into an engine that has
 * them: the loops stay where they are and count from the restored time. */
TEST(archive_without_detectors_restarts_the_loops)
{
    cb_engine *e = open_cross();
    ASSERT(e);
    cb_error err;
    run_to(e, 50);
    cb_archive *a;
    ASSERT_EQ_INT(cb_engine_snapshot(e, &a, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_enable_detectors(e, 5, 15, &err), CB_OK);
    run_to(e, 300);
    cb_detector_reading r[2];
    size_t lane = lane_named(e, "WJ_1");
    ASSERT_EQ_INT(cb_engine_read_detectors(e, lane, false, r, &err), CB_OK);
    ASSERT(r[0].total_count > 10);
    ASSERT_EQ_INT(cb_engine_load(e, a, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_read_detectors(e, lane, false, r, &err), CB_OK);
    ASSERT_EQ_INT(r[0].total_count, 0);
    ASSERT_NEAR(r[0].period, 0, 0);
    run_to(e, 100);
    ASSERT_EQ_INT(cb_engine_read_detectors(e, lane, false, r, &err), CB_OK);
    ASSERT(r[0].total_count > 0);
    ASSERT_NEAR(r[0].period, 50, 1e-9);
    cb_archive_free(a);
    cb_engine_close(e);
}

/* An incident the engine accepts is one its archive restores: from 100.2
 * to 100.7 s both ends round to step 101, an incident that never blocks
 * (fuzz/fuzz_api.c found the archive check refusing it). */
TEST(an_incident_within_one_step_is_saved)
{
    cb_engine *e = open_cross();
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 10, 100.2, 100.7, NULL, &err), CB_OK);
    cb_archive *a;
    ASSERT_EQ_INT(cb_engine_snapshot(e, &a, &err), CB_OK);
    int rc = cb_engine_load(e, a, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(cb_engine_incident_count(e), 1);
    cb_archive_free(a);
    cb_engine_close(e);
}

/* Every single byte of an archive damaged in turn (all bits flipped): the
 * load is refused and changes nothing, or what it accepts runs.  Under the
 * sanitizer build this is where a check missing in sim_archive_check.c
 * shows (fuzz/fuzz_archive.c searches further). */
TEST(every_damaged_byte_is_refused_or_runs)
{
    cb_engine *e = open_cross();
    ASSERT(e);
    cb_error err;
    run_to(e, 40);
    ASSERT_EQ_INT(cb_engine_enable_loops(e, 5, 15, 30, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_add_incident(e, lane_named(e, "WJ_1"), 60, 45, 90, NULL, &err), CB_OK);
    run_to(e, 60);
    cb_archive *good;
    ASSERT_EQ_INT(cb_engine_snapshot(e, &good, &err), CB_OK);
    uint64_t digest = cb_engine_digest(e);
    cb_archive bad = { malloc(good->len), good->len };
    ASSERT(bad.buf);
    size_t refused = 0, accepted = 0;
    for (size_t at = 0; at < good->len; at++) {
        memcpy(bad.buf, good->buf, good->len);
        bad.buf[at] ^= 0xff;
        if (cb_engine_load(e, &bad, &err) != CB_OK) {
            refused++;
            ASSERT(cb_engine_digest(e) == digest);
            continue;
        }
        accepted++;
        for (int k = 0; k < 20; k++) cb_engine_step(e, &err);
        ASSERT_EQ_INT(cb_engine_load(e, good, &err), CB_OK);
    }
    fprintf(stderr, "  %zu bytes: %zu damages refused, %zu accepted and run\n", good->len, refused, accepted);
    ASSERT(refused > good->len / 4);   /* the checks do refuse (headers, indices, places) */
    free(bad.buf);
    cb_archive_free(good);
    cb_engine_close(e);
}

TEST_MAIN()
