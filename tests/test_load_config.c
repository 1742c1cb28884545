/* test_load_config.c -- config.json: settings and file names as read, and
 * for each way of getting it wrong, the error code and a message naming
 * the file, the member and the fault.  Bad inputs are one substitution in
 * CONFIG below. */
#include "test_load_util.h"
#include "load/cityflow.h"

#include <sys/stat.h>

#define CONFIG "{\n" \
    "  \"interval\": 1.0,\n" \
    "  \"seed\": 0,\n" \
    "  \"dir\": \"\",\n" \
    "  \"roadnetFile\": \"roadnet.json\",\n" \
    "  \"flowFile\": \"flow.json\",\n" \
    "  \"rlTrafficLight\": false,\n" \
    "  \"laneChange\": false,\n" \
    "  \"saveReplay\": false,\n" \
    "  \"roadnetLogFile\": \"frontend/roadnet_log.json\",\n" \
    "  \"replayLogFile\": \"replay.txt\"\n" \
    "}\n"

typedef struct cfg_case {
    const char *label;
    const char *find, *repl;
    tl_expect want;
} cfg_case;

static int load_text(const char *text, cf_config *cfg, cb_error *err)
{
    return cf_config_load(tl_write("config.json", text), cfg, err);
}

static void run_cases(const cfg_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cfg_case *t = &cases[i];
        char *text = tl_replace(CONFIG, t->find, t->repl);
        if (!text) {
            fprintf(stderr, "  case %s: \"%s\" is not in CONFIG exactly once\n", t->label, t->find);
            test_failed_ = 1;
            continue;
        }
        cf_config cfg;
        cb_error err = { 0 };
        int rc = load_text(text, &cfg, &err);
        tl_check(t->label, rc, &err, &t->want);
        if (rc == CB_OK) cf_config_free(&cfg);
        free(text);
    }
}

#define E(code, ...) { code, { __VA_ARGS__ } }

TEST(every_required_member)
{
    static const char *required[] = { "interval", "seed", "dir", "roadnetFile", "flowFile",
                                      "rlTrafficLight", "saveReplay" };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        char find[40], repl[40], msg[120];
        snprintf(find, sizeof find, "\"%s\":", required[i]);
        snprintf(repl, sizeof repl, "\"_%s\":", required[i]);
        snprintf(msg, sizeof msg, "config.json: %s: missing required member (line 1)", required[i]);
        cfg_case c = { required[i], find, repl, E(CB_ESCHEMA, msg) };
        run_cases(&c, 1);
    }
    /* the log files are required only when a replay is saved */
    static const cfg_case cases[] = {
        { "replay without roadnet log", "\"saveReplay\": false,\n  \"roadnetLogFile\"", "\"saveReplay\": true,\n  \"_roadnetLogFile\"",
          E(CB_ESCHEMA, "config.json: roadnetLogFile: missing required member") },
        { "no replay, no log files", "\"roadnetLogFile\": \"frontend/roadnet_log.json\",\n  \"replayLogFile\": \"replay.txt\"",
          "\"x\": 0", E(CB_OK) },
        { "laneChange is optional", "\"laneChange\": false,", "", E(CB_OK) },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
    char *text = tl_replace(CONFIG, "\"saveReplay\": false", "\"saveReplay\": true");
    char *t2 = tl_replace(text, "\"replayLogFile\":", "\"_replayLogFile\":");
    cf_config cfg;
    cb_error err = { 0 };
    tl_expect w = E(CB_ESCHEMA, "config.json: replayLogFile: missing required member");
    tl_check("replay without replay log", load_text(t2, &cfg, &err), &err, &w);
    free(text);
    free(t2);
}

TEST(wrong_types)
{
    static const cfg_case cases[] = {
        { "interval string", "\"interval\": 1.0", "\"interval\": \"1\"",
          E(CB_ESCHEMA, "config.json: interval: expected a number, got a string \"1\" (line 2)") },
        { "seed real", "\"seed\": 0,", "\"seed\": 0.0,",
          E(CB_ESCHEMA, "config.json: seed: expected an integer, got a real number 0 (line 3)") },
        { "seed fraction", "\"seed\": 0,", "\"seed\": 1.5,",
          E(CB_ESCHEMA, "config.json: seed: expected an integer, got a real number 1.5") },
        { "seed string", "\"seed\": 0,", "\"seed\": \"0\",",
          E(CB_ESCHEMA, "config.json: seed: expected an integer, got a string \"0\"") },
        { "dir number", "\"dir\": \"\"", "\"dir\": 5",
          E(CB_ESCHEMA, "config.json: dir: expected a string, got an integer 5") },
        { "roadnetFile null", "\"roadnetFile\": \"roadnet.json\"", "\"roadnetFile\": null",
          E(CB_ESCHEMA, "config.json: roadnetFile: expected a string, got null") },
        { "flowFile array", "\"flowFile\": \"flow.json\"", "\"flowFile\": [\"flow.json\"]",
          E(CB_ESCHEMA, "config.json: flowFile: expected a string, got an array") },
        { "flowFile with NUL", "\"flowFile\": \"flow.json\"", "\"flowFile\": \"flow\\u0000.json\"",
          E(CB_ESCHEMA, "config.json: flowFile: string contains a NUL character") },
        { "rlTrafficLight integer", "\"rlTrafficLight\": false", "\"rlTrafficLight\": 0",
          E(CB_ESCHEMA, "config.json: rlTrafficLight: expected true or false, got an integer 0 (line 7)") },
        { "laneChange string", "\"laneChange\": false", "\"laneChange\": \"false\"",
          E(CB_ESCHEMA, "config.json: laneChange: expected true or false, got a string \"false\"") },
        { "saveReplay integer", "\"saveReplay\": false", "\"saveReplay\": 1",
          E(CB_ESCHEMA, "config.json: saveReplay: expected true or false, got an integer 1") },
        { "log file number", "\"saveReplay\": false", "\"saveReplay\": true, \"replayLogFile\": 3",
          E(CB_ESCHEMA, "config.json: replayLogFile: expected a string, got an integer 3") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(bad_numbers)
{
    static const cfg_case cases[] = {
        { "zero interval", "\"interval\": 1.0", "\"interval\": 0",
          E(CB_ESCHEMA, "config.json: interval: must be between 0.001 and 3600 seconds (line 2)") },
        { "negative interval", "\"interval\": 1.0", "\"interval\": -0.5",
          E(CB_ESCHEMA, "config.json: interval: must be between 0.001 and 3600 seconds") },
        { "interval underflows to 0", "\"interval\": 1.0", "\"interval\": 1e-400",
          E(CB_ESCHEMA, "config.json: interval: must be between 0.001 and 3600 seconds") },
        { "interval below a millisecond", "\"interval\": 1.0", "\"interval\": 1e-300",
          E(CB_ESCHEMA, "config.json: interval: must be between 0.001 and 3600 seconds") },
        { "interval over an hour", "\"interval\": 1.0", "\"interval\": 3601",
          E(CB_ESCHEMA, "config.json: interval: must be between 0.001 and 3600 seconds") },
        { "interval overflows", "\"interval\": 1.0", "\"interval\": 1e400",
          E(CB_ESYNTAX, "config.json:2:15: invalid JSON: numeric (floating point) overflow") },
        { "seed overflows", "\"seed\": 0,", "\"seed\": -9999999999999999999,",
          E(CB_ESYNTAX, "config.json:3:11: invalid JSON: integer overflow") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Values as written; file names are dir + name, found beside the config
 * first (dir "" and a relative dir), absolute dirs as they are. */
TEST(good_config_and_paths)
{
    char want[700];
    cf_config cfg;
    cb_error err = { 0 };
    char *text = tl_replace(CONFIG, "\"interval\": 1.0", "\"interval\": 0.5");
    char *t2 = tl_replace(text, "\"seed\": 0", "\"seed\": 42");
    char *t3 = tl_replace(t2, "\"saveReplay\": false", "\"saveReplay\": true");
    char *t4 = tl_replace(t3, "\"laneChange\": false", "\"laneChange\": true");
    int rc = load_text(t4, &cfg, &err);
    free(text); free(t2); free(t3); free(t4);
    if (rc) TEST_FAIL_("%s", err.msg);
    ASSERT_NEAR(cfg.interval, 0.5, 0);
    ASSERT_EQ_INT(cfg.seed, 42);
    ASSERT(!cfg.rl_traffic_light && cfg.lane_change && cfg.save_replay);
    ASSERT_STR_EQ(cfg.dir, "");
    snprintf(want, sizeof want, "%s/roadnet.json", tl_dir());
    ASSERT_STR_EQ(cfg.roadnet_file, want);
    snprintf(want, sizeof want, "%s/flow.json", tl_dir());
    ASSERT_STR_EQ(cfg.flow_file, want);
    snprintf(want, sizeof want, "%s/frontend/roadnet_log.json", tl_dir());
    ASSERT_STR_EQ(cfg.roadnet_log_file, want);
    cf_config_free(&cfg);

    /* dir is concatenated, as in CityFlow: "data/" + "flow.json" */
    text = tl_replace(CONFIG, "\"dir\": \"\"", "\"dir\": \"data/\"");
    rc = load_text(text, &cfg, &err);
    free(text);
    if (rc) TEST_FAIL_("%s", err.msg);
    snprintf(want, sizeof want, "%s/data/flow.json", tl_dir());
    ASSERT_STR_EQ(cfg.flow_file, want);
    snprintf(want, sizeof want, "%s/data/replay.txt", tl_dir());
    ASSERT_STR_EQ(cfg.replay_log_file, want);
    cf_config_free(&cfg);

    text = tl_replace(CONFIG, "\"dir\": \"\"", "\"dir\": \"/srv/city/\"");
    rc = load_text(text, &cfg, &err);
    free(text);
    if (rc) TEST_FAIL_("%s", err.msg);
    ASSERT_STR_EQ(cfg.roadnet_file, "/srv/city/roadnet.json");
    cf_config_free(&cfg);
}

/* The configs shipped in examples/ load and name files that exist. */
TEST(example_configs_load)
{
    static const char *examples[] = { "jinan_3x4", "hangzhou_4x4" };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/examples/%s/config.json", CB_SOURCE_DIR, examples[i]);
        if (!test_path_exists(p)) TEST_SKIP("%s not in this checkout", p);
        cf_config cfg;
        cb_error err = { 0 };
        if (cf_config_load(p, &cfg, &err)) TEST_FAIL_("%s", err.msg);
        ASSERT(test_path_exists(cfg.roadnet_file));
        ASSERT(test_path_exists(cfg.flow_file));
        cf_config_free(&cfg);
    }
}

TEST_MAIN()
