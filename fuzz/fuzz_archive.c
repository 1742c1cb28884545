/* fuzz_archive.c -- libFuzzer target: corrupted archives (src/sim/sim_archive.c).
 *
 * An archive is only worth fuzzing near a valid one: random bytes stop at
 * the magic.  So at start-up two engines run a little and are saved -- a
 * CityFlow 1x1 grid with lane changing on, and the SUMO junction of
 * tests/data/sumo (Krauss drivers with speed factors, trip statistics),
 * both with loops and an incident -- and the input says how to damage
 * one of those archives: byte 0 picks the engine and whether to cut the
 * archive short (where the first edit is), then each 5 bytes set the byte
 * at a 32-bit offset.
 *
 * The loader promises that a damaged archive is an error that leaves the
 * engine unchanged (checked by digest), and that one it accepts is safe to
 * run (60 steps, then saved again).  After each input the engine goes back
 * to its own archive, which must load. */
#include "citybrain_sumo.h"
#include "fuzz_city.h"
#include "sim/sim_archive.h"      /* struct cb_archive: its bytes, to damage a copy */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_STEPS 60

static cb_engine *g_engine[2];
static cb_archive *g_saved[2];
static uint64_t g_digest[2];

static cb_engine *open_junction(void)
{
    cb_error err = { 0 };
    cb_options opt;
    cb_options_init(&opt);
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    cb_engine *e = NULL;
    if (cb_sumo_open(FUZZ_ARCHIVE_SUMOCFG, &opt, &so, &e, NULL, &err)) fuzz_die("the SUMO junction", &err);
    return e;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    g_engine[0] = fuzz_city_open(true);
    g_engine[1] = open_junction();
    for (int k = 0; k < 2; k++) {
        cb_engine *e = g_engine[k];
        cb_error err = { 0 };
        int rc = CB_OK;
        for (int s = 0; rc == CB_OK && s < 40; s++) rc = cb_engine_step(e, &err);
        if (rc == CB_OK) rc = cb_engine_enable_loops(e, 5, 15, 20, &err);
        if (rc == CB_OK) rc = cb_engine_add_incident(e, 0, 10, 50, 200, NULL, &err);
        for (int s = 0; rc == CB_OK && s < 40; s++) rc = cb_engine_step(e, &err);
        if (rc == CB_OK) rc = cb_engine_snapshot(e, &g_saved[k], &err);
        if (rc) fuzz_die("saving", &err);
        g_digest[k] = cb_engine_digest(e);
    }
    return 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int k = data[0] & 1;
    cb_engine *e = g_engine[k];
    const cb_archive *good = g_saved[k];
    cb_archive bad = { malloc(good->len), good->len };
    if (!bad.buf) return 0;
    memcpy(bad.buf, good->buf, good->len);
    size_t cut = good->len;
    for (size_t i = 1; i + 5 <= size; i += 5) {
        uint32_t off;
        memcpy(&off, data + i, 4);
        bad.buf[off % good->len] = data[i + 4];
        if ((data[0] & 2) && i == 1) cut = off % good->len;    /* cut short there */
    }
    bad.len = cut;
    cb_error err = { 0 };
    int rc = cb_engine_load(e, &bad, &err);
    if (rc != CB_OK) {
        if (err.code != rc || err.msg[0] == '\0') abort();
        if (cb_engine_digest(e) != g_digest[k]) abort();      /* a refused archive changed the engine */
    } else {
        for (int s = 0; rc == CB_OK && s < FUZZ_STEPS; s++) rc = cb_engine_step(e, &err);
        if (rc != CB_OK && (err.code != rc || err.msg[0] == '\0')) abort();
        cb_archive *again = NULL;
        if (cb_engine_snapshot(e, &again, &err) == CB_OK) cb_archive_free(again);
        if (cb_engine_load(e, good, &err) != CB_OK || cb_engine_digest(e) != g_digest[k]) abort();
    }
    free(bad.buf);
    return 0;
}
