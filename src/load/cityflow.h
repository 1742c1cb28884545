/* cityflow.h -- loaders for CityFlow's three input files.
 *
 * config.json, roadnet.json and flow.json are described field by field in
 * docs/formats.md (after ../shared/docs/cityflow-semantics.md).  Validation
 * is strict where CityFlow is silent: types are exact (an integer field
 * rejects 0.0), every id must resolve, unknown roadLink types are errors,
 * and numbers that would make the simulation meaningless (a zero
 * deceleration, a phase of 0 s) are refused.  Every message names the file,
 * the JSON path and the line:
 *
 *     flow.json: [412].vehicle.maxSpeed: expected a number, got a string "fast" (line 5123)
 *
 * Members the engine does not read (datasets carry "direction",
 * "roadLinkIndices" and others) are ignored, as in CityFlow. */
#ifndef CB_LOAD_CITYFLOW_H
#define CB_LOAD_CITYFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "citybrain.h"
#include "../net/net_spec.h"
#include "../util/json.h"

typedef struct cf_config {
    double interval;           /* seconds per step */
    int64_t seed;
    char *dir;                 /* as written ("data/") */
    char *roadnet_file, *flow_file;       /* resolved paths */
    bool rl_traffic_light, lane_change, save_replay;
    char *roadnet_log_file, *replay_log_file;  /* resolved; NULL if absent */
} cf_config;

/* Parse config.json.  File names are resolved as dir + name, where a
 * relative dir is taken from the config file's folder first and from the
 * working directory second (CityFlow uses only the latter).  Strings in
 * *out are malloc'ed; release with cf_config_free. */
int cf_config_load(const char *path, cf_config *out, cb_error *err);
/* The same from a parsed document (the fuzzer reads no files); `path`
 * names the file in messages and anchors relative names.  `doc` stays
 * owned by the caller. */
int cf_config_from_json(const cbu_jdoc *doc, const char *path, cf_config *out, cb_error *err);
void cf_config_free(cf_config *c);

/* roadnet.json -> net_spec.  `doc` stays owned by the caller; the spec
 * copies what it keeps.  *out must be net_spec_init'ed. */
int cf_roadnet_from_json(const cbu_jdoc *doc, const char *file, net_spec *out, cb_error *err);
int cf_roadnet_load(const char *path, net_spec *out, cb_error *err);

/* flow.json -> demand_spec; road ids are resolved against `net`.
 * Route connectivity is checked later, by the engine, which knows the
 * shortest paths (its message still names the file and JSON path). */
int cf_flow_from_json(const cbu_jdoc *doc, const char *file, const net_spec *net,
                      demand_spec *out, cb_error *err);
int cf_flow_load(const char *path, const net_spec *net, demand_spec *out, cb_error *err);

/* Name of a movement type as CityFlow writes it ("go_straight"). */
const char *cf_turn_name(int turn);

#endif
