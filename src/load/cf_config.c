/* cf_config.c -- config.json: the scenario's settings and file names. */
#include "cityflow.h"
#include "../util/err.h"
#include "../util/fileio.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *resolve(const char *config_path, const char *dir, const char *name)
{
    char *joined = malloc(strlen(dir) + strlen(name) + 1);
    if (!joined) return NULL;
    strcpy(joined, dir);
    strcat(joined, name);                    /* CityFlow concatenates */
    if (joined[0] == '/') return joined;
    char *cdir = cbu_path_dir(config_path);
    char *beside = cdir ? cbu_path_join(cdir, joined) : NULL;
    free(cdir);
    if (beside && (access(beside, F_OK) == 0 || access(joined, F_OK) != 0)) {
        free(joined);
        return beside;
    }
    free(beside);
    return joined;
}

int cf_config_from_json(const cbu_jdoc *doc, const char *path, cf_config *out, cb_error *err)
{
    memset(out, 0, sizeof *out);
    int rc;
    cbu_jctx c;
    cbu_jctx_init(&c, doc, path, err);
    const cbu_jv *root = doc->root;
    const char *dir = NULL, *roadnet = NULL, *flow = NULL, *rlog = NULL, *rplay = NULL;
    if ((rc = cbu_jas_object(&c, root))) goto done;
    if ((rc = cbu_jget_number(&c, root, "interval", true, &out->interval))) goto done;
    if (!(out->interval >= CB_INTERVAL_MIN) || out->interval > 3600) {
        cbu_jpush_key(&c, "interval");
        rc = cbu_jfail(&c, cbu_jobj_get(root, "interval"), "must be between %g and 3600 seconds", CB_INTERVAL_MIN);
        goto done;
    }
    if ((rc = cbu_jget_int(&c, root, "seed", true, &out->seed))) goto done;
    if ((rc = cbu_jget_string(&c, root, "dir", true, &dir))) goto done;
    if ((rc = cbu_jget_string(&c, root, "roadnetFile", true, &roadnet))) goto done;
    if ((rc = cbu_jget_string(&c, root, "flowFile", true, &flow))) goto done;
    if ((rc = cbu_jget_bool(&c, root, "rlTrafficLight", true, &out->rl_traffic_light))) goto done;
    if ((rc = cbu_jget_bool(&c, root, "laneChange", false, &out->lane_change))) goto done;
    if ((rc = cbu_jget_bool(&c, root, "saveReplay", true, &out->save_replay))) goto done;
    if ((rc = cbu_jget_string(&c, root, "roadnetLogFile", out->save_replay, &rlog))) goto done;
    if ((rc = cbu_jget_string(&c, root, "replayLogFile", out->save_replay, &rplay))) goto done;
    out->dir = strdup(dir);
    out->roadnet_file = resolve(path, dir, roadnet);
    out->flow_file = resolve(path, dir, flow);
    if (rlog) out->roadnet_log_file = resolve(path, dir, rlog);
    if (rplay) out->replay_log_file = resolve(path, dir, rplay);
    if (!out->dir || !out->roadnet_file || !out->flow_file || (rlog && !out->roadnet_log_file) ||
        (rplay && !out->replay_log_file))
        rc = cbu_err(err, CB_ENOMEM, "%s: out of memory", path);
done:
    if (rc) cf_config_free(out);
    return rc;
}

int cf_config_load(const char *path, cf_config *out, cb_error *err)
{
    memset(out, 0, sizeof *out);
    cbu_jdoc doc;
    int rc = cbu_json_load(&doc, path, err);
    if (rc == CB_OK) rc = cf_config_from_json(&doc, path, out, err);
    cbu_json_free(&doc);
    return rc;
}

void cf_config_free(cf_config *c)
{
    free(c->dir);
    free(c->roadnet_file);
    free(c->flow_file);
    free(c->roadnet_log_file);
    free(c->replay_log_file);
    memset(c, 0, sizeof *c);
}
