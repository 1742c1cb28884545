/* test_determinism.c -- the same inputs and seed give bit-identical runs,
 * whatever the number of threads.
 *
 * Uses the bundled Jinan example (always in the repository), lane changing
 * on (its serial/parallel split is the most delicate), and compares the
 * full-state digest every 300 steps plus the final metrics bit for bit. */
#include "test.h"
#include "citybrain.h"

#include <string.h>

#define STEPS 1800

static int run(int threads, uint64_t *digests, cb_metrics *m)
{
    cb_options o;
    cb_options_init(&o);
    o.threads = threads;
    o.lane_change = 1;
    cb_error err = {0};
    cb_engine *e;
    if (cb_engine_open(CB_SOURCE_DIR "/examples/jinan_3x4", &o, &e, &err)) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return -1;
    }
    for (int i = 0; i < STEPS; i++) {
        if (cb_engine_step(e, &err)) { cb_engine_close(e); return -1; }
        if ((i + 1) % 300 == 0) digests[i / 300] = cb_engine_digest(e);
    }
    cb_engine_metrics(e, m);
    cb_engine_close(e);
    return 0;
}

TEST(identical_for_any_thread_count)
{
    if (!test_path_exists(CB_SOURCE_DIR "/examples/jinan_3x4/config.json"))
        TEST_SKIP("examples/jinan_3x4 is missing");
    uint64_t ref[STEPS / 300], got[STEPS / 300];
    cb_metrics mref, m;
    ASSERT_EQ_INT(run(1, ref, &mref), 0);
    ASSERT(mref.finished > 1000);                 /* the run did something */
    int counts[] = { 1, 2, 3, 4 };
    for (int k = 0; k < 4; k++) {
        ASSERT_EQ_INT(run(counts[k], got, &m), 0);
        for (int i = 0; i < STEPS / 300; i++)
            if (got[i] != ref[i])
                TEST_FAIL_("%d threads: state differs after %d steps", counts[k], (i + 1) * 300);
        ASSERT(memcmp(&m.engine_att, &mref.engine_att, sizeof(double)) == 0);
        ASSERT(memcmp(&m.published_att, &mref.published_att, sizeof(double)) == 0);
        ASSERT_EQ_INT(m.finished, mref.finished);
        ASSERT_EQ_INT(m.veh_updates, mref.veh_updates);
    }
}

TEST_MAIN()
