/* test_city.h -- a tiny city for engine tests, written to a temp folder.
 *
 * A --r1--> B --r2--> C, one lane per road, 300 m between intersections, B
 * signalized with a 10 m wide box, A and C virtual.  The lanes are 290 m
 * long (trimmed by B's width) and the straight lane link through B is a
 * 20 m straight line, so a route r1, r2 is 600 m long.  Intersection B has
 * index 1; lanes r1_0 and r2_0 have indices 0 and 1. */
#ifndef CB_TEST_CITY_H
#define CB_TEST_CITY_H

#include <stdio.h>
#include <stdlib.h>
#include "citybrain.h"

#define VEH "{\"length\":5,\"width\":2,\"maxPosAcc\":2,\"maxNegAcc\":4.5,\"usualPosAcc\":2," \
            "\"usualNegAcc\":4.5,\"minGap\":2.5,\"maxSpeed\":10,\"headwayTime\":2}"

/* Write the one-intersection city with the given phases JSON and flows;
 * return the folder. */
static const char *city(const char *name, const char *phases, const char *flows)
{
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/cb_test_engine_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) return NULL;
    char path[600], text[4096];
    snprintf(text, sizeof text,
             "{\"intersections\":["
             "{\"id\":\"A\",\"point\":{\"x\":-300,\"y\":0},\"virtual\":true,\"roads\":[\"r1\"]},"
             "{\"id\":\"B\",\"point\":{\"x\":0,\"y\":0},\"virtual\":false,\"width\":10,\"roads\":[\"r1\",\"r2\"],"
             " \"roadLinks\":[{\"type\":\"go_straight\",\"startRoad\":\"r1\",\"endRoad\":\"r2\","
             "   \"laneLinks\":[{\"startLaneIndex\":0,\"endLaneIndex\":0}]}],"
             " \"trafficLight\":{\"lightphases\":%s}},"
             "{\"id\":\"C\",\"point\":{\"x\":300,\"y\":0},\"virtual\":true,\"roads\":[\"r2\"]}],"
             "\"roads\":["
             "{\"id\":\"r1\",\"startIntersection\":\"A\",\"endIntersection\":\"B\","
             " \"points\":[{\"x\":-300,\"y\":0},{\"x\":0,\"y\":0}],\"lanes\":[{\"width\":4,\"maxSpeed\":10}]},"
             "{\"id\":\"r2\",\"startIntersection\":\"B\",\"endIntersection\":\"C\","
             " \"points\":[{\"x\":0,\"y\":0},{\"x\":300,\"y\":0}],\"lanes\":[{\"width\":4,\"maxSpeed\":10}]}]}",
             phases);
    snprintf(path, sizeof path, "%s/roadnet.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/flow.json", dir);
    f = fopen(path, "w");
    if (!f) return NULL;
    fputs(flows, f);
    fclose(f);
    return dir;
}

static cb_engine *open_city(const char *dir, bool external)
{
    cb_options o;
    cb_options_init(&o);
    o.external_signals = external ? 1 : 0;
    cb_error err = {0};
    cb_engine *e = NULL;
    if (cb_engine_open(dir, &o, &e, &err)) fprintf(stderr, "  open: %s\n", err.msg);
    return e;
}

/* city() then open_city(): the engine, or NULL if either failed.  *dir
 * (dir may be NULL) gets the folder, for files written beside the city. */
static cb_engine *new_city(const char *name, const char *phases, const char *flows, bool external,
                           const char **dir)
{
    const char *d = city(name, phases, flows);
    if (dir) *dir = d;
    return d ? open_city(d, external) : NULL;
}

static int run_steps(cb_engine *e, int n)
{
    cb_error err;
    for (int i = 0; i < n; i++)
        if (cb_engine_step(e, &err)) { fprintf(stderr, "  step: %s\n", err.msg); return -1; }
    return 0;
}

#endif
