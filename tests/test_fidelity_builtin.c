/* test_fidelity_builtin.c -- the digital twin against the reference
 * simulator: every case of ../shared/reference/cityflow-reference.json under
 * the roadnet's own fixed-time plan (protocol builtin_fixed), with and
 * without lane changing, 3600 steps of 1 s, seed 0.
 *
 * Targets (issue "The digital twin"): engine ATT within 2% of the reference,
 * published ATT within 3%.  The reference figures were measured with
 * CityFlow itself, so they are independent of this code. */
#include "test.h"
#include "citybrain.h"
#include "../src/util/json.h"

static int run_case(const char *dataset, const char *flow, bool lane_change, cb_metrics *m)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", CB_SHARED_DATA, dataset);
    cb_options o;
    cb_options_init(&o);
    o.flow_file = flow;
    o.lane_change = lane_change;
    o.seed_set = true;
    o.seed = 0;
    cb_error err = {0};
    cb_engine *e;
    if (cb_engine_open(dir, &o, &e, &err)) {
        fprintf(stderr, "  %s: %s\n", dataset, err.msg);
        return -1;
    }
    for (int i = 0; i < 3600; i++)
        if (cb_engine_step(e, &err)) {
            fprintf(stderr, "  %s: %s\n", dataset, err.msg);
            cb_engine_close(e);
            return -1;
        }
    cb_engine_metrics(e, m);
    cb_engine_close(e);
    return 0;
}

TEST(builtin_fixed_matches_reference)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cityflow-reference.json", CB_SHARED_REFERENCE);
    if (!test_path_exists(path) || !test_path_exists(CB_SHARED_DATA))
        TEST_SKIP("reference data not found (%s, %s)", path, CB_SHARED_DATA);
    cbu_jdoc doc;
    cb_error err;
    ASSERT_EQ_INT(cbu_json_load(&doc, path, &err), CB_OK);
    const cbu_jv *cases = cbu_jobj_get(doc.root, "cases");
    ASSERT(cases && cases->type == CBU_JARR);
    int checked = 0, failed = 0;
    double worst_e = 0, worst_p = 0;
    for (uint32_t i = 0; i < cases->n; i++) {
        const cbu_jv *c = &cases->u.kids[i];
        const char *dataset = cbu_jobj_get(c, "dataset")->u.s;
        const char *flow = cbu_jobj_get(c, "flow")->u.s;
        const cbu_jv *bf = cbu_jobj_get(c, "builtin_fixed");
        if (!bf) continue;
        for (int lc = 0; lc < 2; lc++) {
            const cbu_jv *r = cbu_jobj_get(bf, lc ? "lanechange" : "nolanechange");
            if (!r) continue;
            double ref_e = cbu_jnumber(cbu_jobj_get(r, "engine_att"));
            double ref_p = cbu_jnumber(cbu_jobj_get(r, "published_att"));
            cb_metrics m;
            if (run_case(dataset, flow, lc, &m)) { failed++; continue; }
            double de = m.engine_att / ref_e - 1, dp = m.published_att / ref_p - 1;
            bool ok = fabs(de) <= 0.02 && fabs(dp) <= 0.03;
            fprintf(stderr, "  %-22s %-34s lc=%d engine %8.2f (ref %8.2f, %+6.2f%%)  published %8.2f (ref %8.2f, %+6.2f%%) %s\n",
                    dataset, flow, lc, m.engine_att, ref_e, de * 100, m.published_att, ref_p, dp * 100,
                    ok ? "" : "  <-- OUT OF TOLERANCE");
            if (!ok) failed++;
            if (fabs(de) > worst_e) worst_e = fabs(de);
            if (fabs(dp) > worst_p) worst_p = fabs(dp);
            checked++;
        }
    }
    cbu_json_free(&doc);
    fprintf(stderr, "  %d runs, worst engine ATT deviation %.2f%%, worst published %.2f%%\n", checked,
            worst_e * 100, worst_p * 100);
    ASSERT(checked >= 20);
    ASSERT_EQ_INT(failed, 0);
}

TEST_MAIN()
