/* test_vehicle_api.c -- the CityFlow-compatible vehicle and state calls:
 * vehicle info, leader, speed and route overrides, pushing vehicles,
 * reset, snapshot/load and archive files. */
#include "test.h"
#include "test_city.h"

#include <string.h>

#define ONE_VEHICLE "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":0,\"endTime\":0}]"
#define GREEN "[{\"time\":1000,\"availableRoadLinks\":[0]}]"

/* Kinematics as in test_engine.c: after k steps at 2 m/s^2 up to 10 m/s the
 * vehicle is at 1,4,9,16,25 then 25+10(k-5) metres along r1 (290 m). */
TEST(vehicle_info_follows_the_vehicle)
{
    cb_engine *e = new_city("info", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_vehicle_info vi;
    cb_error err;
    ASSERT_EQ_INT(cb_engine_vehicle_info(e, "flow_0_7", &vi, &err), CB_ENOTFOUND);
    ASSERT_EQ_INT(run_steps(e, 10), 0);
    ASSERT_EQ_INT(cb_engine_vehicle_info(e, "flow_0_0", &vi, &err), CB_OK);
    ASSERT(vi.running);
    ASSERT_STR_EQ(vi.drivable, "r1_0");
    ASSERT_EQ_INT(vi.road, 0);
    ASSERT_NEAR(vi.distance, 75.0, 1e-9);             /* 25 + 10*5 */
    ASSERT_NEAR(vi.speed, 10.0, 1e-9);
    ASSERT_EQ_INT(vi.route_len, 2);
    ASSERT_EQ_INT(vi.route[0], 0);
    ASSERT_EQ_INT(vi.route[1], 1);
    ASSERT_EQ_INT(run_steps(e, 23), 0);               /* k = 33: 305 m, 15 m into the link */
    ASSERT_EQ_INT(cb_engine_vehicle_info(e, "flow_0_0", &vi, &err), CB_OK);
    ASSERT_STR_EQ(vi.drivable, "r1_0_TO_r2_0");
    ASSERT_EQ_INT(vi.intersection, 1);
    ASSERT_NEAR(vi.distance, 15.0, 1e-9);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    ASSERT_EQ_INT(cb_engine_vehicle_info(e, "flow_0_0", &vi, &err), CB_ENOTFOUND);   /* finished */
    cb_engine_close(e);
}

/* Two vehicles 10 s apart on the same lane: the second's leader is the first. */
TEST(leader)
{
    cb_engine *e = new_city("leader", GREEN,
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":10,\"startTime\":0,\"endTime\":10}]", false, NULL);
    ASSERT(e);
    ASSERT_EQ_INT(run_steps(e, 15), 0);
    char lead[64];
    cb_error err;
    ASSERT_EQ_INT(cb_engine_vehicle_leader(e, "flow_0_1", lead, sizeof lead, &err), CB_OK);
    ASSERT_STR_EQ(lead, "flow_0_0");
    ASSERT_EQ_INT(cb_engine_vehicle_leader(e, "flow_0_0", lead, sizeof lead, &err), CB_OK);
    ASSERT_STR_EQ(lead, "");
    ASSERT_EQ_INT(cb_engine_vehicle_leader(e, "nobody", lead, sizeof lead, &err), CB_ENOTFOUND);
    cb_engine_close(e);
}

/* A speed request of 5 m/s at 10 m/s: the vehicle brakes at most
 * maxNegAcc (4.5 m/s^2) per step, so it drives at 5.5, then at 10 again. */
TEST(set_vehicle_speed_for_one_step)
{
    cb_engine *e = new_city("speed", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(run_steps(e, 10), 0);
    ASSERT_EQ_INT(cb_engine_set_vehicle_speed(e, "flow_0_0", 5.0, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_set_vehicle_speed(e, "flow_0_0", -1.0, &err), CB_EINVAL);
    ASSERT_EQ_INT(run_steps(e, 1), 0);
    cb_vehicle_info vi;
    ASSERT_EQ_INT(cb_engine_vehicle_info(e, "flow_0_0", &vi, &err), CB_OK);
    ASSERT_NEAR(vi.speed, 5.5, 1e-9);
    ASSERT_EQ_INT(run_steps(e, 3), 0);
    ASSERT_EQ_INT(cb_engine_vehicle_info(e, "flow_0_0", &vi, &err), CB_OK);
    ASSERT_NEAR(vi.speed, 10.0, 1e-9);
    cb_engine_close(e);
}

/* A pushed vehicle with CityFlow's defaults (maxPosAcc 4.5, maxSpeed
 * 16.67; the lanes allow 10 m/s, the lane link has no limit).  Positions
 * after k steps: 2.25, 9, 18.5, then 18.5 + 10(k-3); it enters the link at
 * k = 31 (298.5 m), accelerates there to 14.5 m/s (310.75 m, on r2 after
 * k = 32), brakes back to 10 (323 m at k = 33), then +10 per step: it passes
 * 600 m at k = 61, i.e. in the 61st step after its creation at step 5:
 * travel time 60 s. */
TEST(push_vehicle)
{
    cb_engine *e = new_city("push", GREEN, "[]", false, NULL);
    ASSERT(e);
    ASSERT_EQ_INT(run_steps(e, 5), 0);
    cb_vehicle_params p;
    cb_vehicle_params_init(&p);
    size_t route[] = { 0, 1 };
    char id[64];
    cb_error err;
    ASSERT_EQ_INT(cb_engine_push_vehicle(e, &p, route, 2, id, sizeof id, &err), CB_OK);
    ASSERT_STR_EQ(id, "manually_pushed_0");
    size_t bad[] = { 1, 0 };                            /* r2 does not lead back to r1 */
    ASSERT_EQ_INT(cb_engine_push_vehicle(e, &p, bad, 2, id, sizeof id, &err), CB_EINVAL);
    p.max_neg_acc = 0;
    ASSERT_EQ_INT(cb_engine_push_vehicle(e, &p, route, 2, id, sizeof id, &err), CB_EINVAL);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.created, 1);
    ASSERT_EQ_INT(m.finished, 1);
    ASSERT_NEAR(m.engine_att, 60.0, 1e-9);
    cb_engine_close(e);
}

/* An emergency vehicle allowed 1.5 times the lane limit (15 m/s on the
 * 10 m/s lanes), CityFlow's other defaults: positions 2.25, 9, 20.25, 34.5,
 * then +15 per step; it enters the link at k = 22 (304.5 m), reaches
 * 16.67 m/s there (320.33 m), is held back to 15 m/s on r2 (336.17 m at
 * k = 24), then passes 600 m at k = 42: travel time 41 s (60 s at 1.0). */
TEST(push_vehicle_speed_factor)
{
    cb_engine *e = new_city("pushfast", GREEN, "[]", false, NULL);
    ASSERT(e);
    cb_vehicle_params p;
    cb_vehicle_params_init(&p);
    ASSERT_NEAR(p.speed_factor, 1.0, 0);
    p.speed_factor = 1.5;
    size_t route[] = { 0, 1 };
    char id[64];
    cb_error err;
    ASSERT_EQ_INT(cb_engine_push_vehicle(e, &p, route, 2, id, sizeof id, &err), CB_OK);
    p.speed_factor = 5;
    ASSERT_EQ_INT(cb_engine_push_vehicle(e, &p, route, 2, id, sizeof id, &err), CB_EINVAL);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 1);
    ASSERT_NEAR(m.engine_att, 41.0, 1e-9);
    cb_engine_close(e);
}

TEST(set_vehicle_route_checks)
{
    cb_engine *e = new_city("route", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(run_steps(e, 3), 0);
    size_t to_r2[] = { 1 }, to_r1[] = { 0 };
    ASSERT_EQ_INT(cb_engine_set_vehicle_route(e, "flow_0_0", to_r2, 1, &err), CB_OK);   /* the same route */
    ASSERT_EQ_INT(cb_engine_set_vehicle_route(e, "flow_0_0", to_r1, 1, &err), CB_EINVAL);
    ASSERT_EQ_INT(run_steps(e, 30), 0);                /* now inside the intersection */
    ASSERT_EQ_INT(cb_engine_set_vehicle_route(e, "flow_0_0", to_r2, 1, &err), CB_ESTATE);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 1);
    ASSERT_NEAR(m.engine_att, 62.0, 1e-9);
    cb_engine_close(e);
}

/* Bytes of the engine's archive (it holds every route the API added). */
static long archive_bytes(cb_engine *e, const char *path)
{
    cb_archive *a = NULL;
    cb_error err;
    if (cb_engine_snapshot(e, &a, &err) || cb_archive_dump(a, path, &err)) {
        cb_archive_free(a);
        return -1;
    }
    cb_archive_free(a);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Re-routing a vehicle again and again (an EV re-planned every few
 * seconds, an RL agent steering every step) frees the routes it leaves:
 * after 10,000 re-routes the archive is as large as after two, and it
 * still restores and finishes as in set_vehicle_route_checks (62 s). */
TEST(rerouting_does_not_grow_the_routes)
{
    const char *dir;
    cb_engine *e = new_city("reroute", GREEN, ONE_VEHICLE, false, &dir);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(run_steps(e, 3), 0);
    size_t to_r2[] = { 1 };
    char path[600];
    snprintf(path, sizeof path, "%s/state.cbarchive", dir);
    /* the first re-route adds a route; the second another while the
     * vehicle still follows the first, which is then freed; from there on
     * the two slots take turns */
    for (int i = 0; i < 2; i++) ASSERT_EQ_INT(cb_engine_set_vehicle_route(e, "flow_0_0", to_r2, 1, &err), CB_OK);
    long once = archive_bytes(e, path);
    ASSERT(once > 0);
    for (int i = 0; i < 10000; i++) ASSERT_EQ_INT(cb_engine_set_vehicle_route(e, "flow_0_0", to_r2, 1, &err), CB_OK);
    ASSERT_EQ_INT(archive_bytes(e, path), once);
    cb_engine *f = open_city(dir, false);
    ASSERT(f);
    ASSERT_EQ_INT(cb_engine_load_file(f, path, &err), CB_OK);
    ASSERT_EQ_INT(run_steps(f, 130), 0);
    cb_metrics m;
    cb_engine_metrics(f, &m);
    ASSERT_EQ_INT(m.finished, 1);
    ASSERT_NEAR(m.engine_att, 62.0, 1e-9);
    /* pushed vehicles: each gets a route of its own, freed when it
     * finishes, so the next one takes the same slot */
    cb_vehicle_params p;
    cb_vehicle_params_init(&p);
    size_t roads[] = { 0, 1 };
    char id[64];
    long after[2];
    for (int k = 0; k < 2; k++) {
        ASSERT_EQ_INT(cb_engine_push_vehicle(e, &p, roads, 2, id, sizeof id, &err), CB_OK);
        ASSERT_EQ_INT(run_steps(e, 200), 0);
        after[k] = archive_bytes(e, path);
    }
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 3);
    ASSERT_EQ_INT(after[1], after[0]);
    cb_engine_close(f);
    cb_engine_close(e);
}

static cb_engine *open_jinan(void)
{
    cb_options o;
    cb_options_init(&o);
    o.lane_change = 1;
    cb_error err;
    cb_engine *e = NULL;
    if (cb_engine_open(CB_SOURCE_DIR "/examples/jinan_3x4", &o, &e, &err)) fprintf(stderr, "  %s\n", err.msg);
    return e;
}

/* Snapshot at 600 s, run to 1200 s; restore and run again: identical.  The
 * archive file restores into a fresh engine just as well; reset replays
 * the run from time 0. */
TEST(snapshot_load_reset_roundtrip)
{
    cb_engine *e = open_jinan();
    if (!e) TEST_SKIP("examples/jinan_3x4 is missing");
    cb_error err;
    ASSERT_EQ_INT(run_steps(e, 600), 0);
    uint64_t at600 = cb_engine_digest(e);
    cb_archive *a;
    ASSERT_EQ_INT(cb_engine_snapshot(e, &a, &err), CB_OK);
    ASSERT_EQ_INT(run_steps(e, 600), 0);
    uint64_t at1200 = cb_engine_digest(e);
    cb_metrics m1;
    cb_engine_metrics(e, &m1);
    ASSERT_EQ_INT(cb_engine_load(e, a, &err), CB_OK);
    ASSERT(cb_engine_digest(e) == at600);
    ASSERT_NEAR(cb_engine_time(e), 600.0, 0);
    ASSERT_EQ_INT(run_steps(e, 600), 0);
    ASSERT(cb_engine_digest(e) == at1200);
    cb_metrics m2;
    cb_engine_metrics(e, &m2);
    ASSERT(memcmp(&m1.engine_att, &m2.engine_att, sizeof(double)) == 0);

    char path[600];
    snprintf(path, sizeof path, "%s/cb_test_archive.bin", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ASSERT_EQ_INT(cb_archive_dump(a, path, &err), CB_OK);
    cb_engine *f = open_jinan();
    ASSERT(f);
    ASSERT_EQ_INT(cb_engine_load_file(f, path, &err), CB_OK);
    ASSERT(cb_engine_digest(f) == at600);
    ASSERT_EQ_INT(run_steps(f, 600), 0);
    ASSERT(cb_engine_digest(f) == at1200);

    cb_engine_reset(f, true);
    ASSERT_EQ_INT(run_steps(f, 600), 0);
    ASSERT(cb_engine_digest(f) == at600);
    cb_archive_free(a);
    cb_engine_close(e);
    cb_engine_close(f);
}

/* A truncated or foreign archive is refused and changes nothing. */
TEST(bad_archives_are_refused)
{
    cb_engine *e = open_jinan();
    if (!e) TEST_SKIP("examples/jinan_3x4 is missing");
    cb_error err;
    ASSERT_EQ_INT(run_steps(e, 300), 0);
    cb_archive *a;
    ASSERT_EQ_INT(cb_engine_snapshot(e, &a, &err), CB_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/cb_test_archive_bad.bin", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ASSERT_EQ_INT(cb_archive_dump(a, path, &err), CB_OK);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    uint64_t before = cb_engine_digest(e);
    /* truncate the file to half */
    FILE *fp = fopen(path, "rb");
    ASSERT(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)len);
    ASSERT(buf && fread(buf, 1, (size_t)len, fp) == (size_t)len);
    fclose(fp);
    fp = fopen(path, "wb");
    fwrite(buf, 1, (size_t)len / 2, fp);
    fclose(fp);
    ASSERT_EQ_INT(cb_engine_load_file(e, path, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "archive");
    ASSERT(cb_engine_digest(e) == before);
    /* flip bytes in the middle of the vehicle data */
    for (long i = len / 3; i < len / 3 + 64; i++) buf[i] ^= 0x5a;
    fp = fopen(path, "wb");
    fwrite(buf, 1, (size_t)len, fp);
    fclose(fp);
    int rc = cb_engine_load_file(e, path, &err);
    if (rc != CB_OK) ASSERT(cb_engine_digest(e) == before);
    /* an archive of another city */
    const char *dir = city("foreign", GREEN, ONE_VEHICLE);
    cb_engine *small = open_city(dir, false);
    ASSERT(small);
    ASSERT_EQ_INT(cb_engine_load(small, a, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "another network");
    free(buf);
    cb_archive_free(a);
    cb_engine_close(small);
    cb_engine_close(e);
}

TEST_MAIN()
