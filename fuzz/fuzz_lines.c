/* fuzz_lines.c -- libFuzzer target: the one-line forms people type.
 *
 * `citybrain run --emergency ORIGIN:DEST@T` and `--incident
 * ROAD:LANE:POS@T0-T1` (src/emergency/emg_events.c) and `--param KEY=VALUE`
 * (src/control/ctl_params.c) parse text by hand, so they get their own
 * target: byte 0 picks the parser, the rest (up to a NUL) is the line.
 * The events go into the 1x1 grid of fuzz_city.h; after each input the
 * twin is restored from an archive taken at start-up (no incident) and the
 * operations layer is opened afresh, so every input meets the same state.
 * What is checked: no crash, no sanitizer report, and the error
 * convention (a failure returns its code and says why). */
#include "citybrain_ops.h"
#include "fuzz_city.h"

static cb_engine *g_engine;
static cb_archive *g_start;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    cb_error err = { 0 };
    g_engine = fuzz_city_open(false);
    for (int s = 0; s < 20; s++)
        if (cb_engine_step(g_engine, &err)) fuzz_die("stepping", &err);
    if (cb_engine_snapshot(g_engine, &g_start, &err)) fuzz_die("saving", &err);
    return 0;
}

static void check(int rc, const cb_error *err)
{
    if (rc != CB_OK && (err->code != rc || err->msg[0] == '\0')) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    cb_error err = { 0 };
    int rc;
    switch (data[0] % 3) {
    case 0: {
        cb_ops_config cfg;
        cb_ops_config_init(&cfg);
        cb_ops *o = NULL;
        if (cb_ops_open(g_engine, &cfg, &o, &err)) fuzz_die("opening operations", &err);
        size_t id;
        check(rc = cb_ops_parse_ev(o, text, &id, &err), &err);
        for (int s = 0; rc == CB_OK && s < 5; s++) {
            check(rc = cb_engine_step(g_engine, &err), &err);
            if (rc == CB_OK) check(rc = cb_ops_update(o, NULL, &err), &err);
        }
        cb_ops_close(o);
        break;
    }
    case 1: {
        size_t id;
        check(rc = cb_ops_parse_incident(g_engine, text, &id, &err), &err);
        for (int s = 0; rc == CB_OK && s < 5; s++) check(rc = cb_engine_step(g_engine, &err), &err);
        break;
    }
    default: {
        cb_params *p = NULL;
        if (cb_params_new(&p, &err)) fuzz_die("parameters", &err);
        check(rc = cb_params_parse(p, text, &err), &err);
        double v;
        const char *eq = strchr(text, '=');
        if (rc == CB_OK && eq) {
            char key[256];
            size_t n = (size_t)(eq - text) < sizeof key ? (size_t)(eq - text) : sizeof key - 1;
            memcpy(key, text, n);
            key[n] = '\0';
            check(cb_params_number(p, key, 1, -1e9, 1e9, &v, &err), &err);
            (void)cb_params_string(p, key, "");
        }
        cb_params_free(p);
        break;
    }
    }
    if (cb_engine_load(g_engine, g_start, &err)) abort();
    free(text);
    return 0;
}
