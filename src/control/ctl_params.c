/* ctl_params.c -- cb_params: the "key = value" settings of a control run,
 * from the command line (--param k=v) or a JSON file (--control-file).
 *
 * Values stay strings until a consumer reads them with the type it
 * expects, so one set can carry the protocol (yellow, phases...) and any
 * controller's keys.  Every read marks the key used; cb_params_unused()
 * then finds misspelt keys, which would otherwise be ignored silently and
 * make a run look like it tested a setting it did not. */
#include "ctl_int.h"
#include "../util/err.h"
#include "../util/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PARAMS_MAX = 256, PARAM_TEXT_MAX = 256 };   /* caps on untrusted input */

typedef struct param {
    char *key, *value;        /* malloc'ed */
    bool used;
} param;

struct cb_params {
    param *v;                 /* n entries, capacity cap */
    size_t n, cap;
};

int cb_params_new(cb_params **out, cb_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? CB_OK : cbu_err_nomem(err);
}

void cb_params_free(cb_params *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].value);
    }
    free(p->v);
    free(p);
}

static param *find(const cb_params *p, const char *key)
{
    if (!p) return NULL;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0) return &p->v[i];
    return NULL;
}

static bool valid_key(const char *k)
{
    if (!*k) return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_' ||
              *k == '-'))
            return false;
    return true;
}

int cb_params_set(cb_params *p, const char *key, const char *value, cb_error *err)
{
    if (!valid_key(key) || strlen(key) >= PARAM_TEXT_MAX)
        return cbu_err(err, CB_EINVAL, "parameter name '%.64s' is not a word (letters, digits, '_', '-')", key);
    if (strlen(value) >= PARAM_TEXT_MAX)
        return cbu_err(err, CB_EINVAL, "parameter '%s': value longer than %d characters", key, PARAM_TEXT_MAX - 1);
    char *v = strdup(value);
    if (!v) return cbu_err_nomem(err);
    param *old = find(p, key);
    if (old) {
        free(old->value);
        old->value = v;
        old->used = false;
        return CB_OK;
    }
    if (p->n == PARAMS_MAX) {
        free(v);
        return cbu_err(err, CB_ELIMIT, "more than %d parameters", PARAMS_MAX);
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        param *nv = realloc(p->v, cap * sizeof *nv);
        if (!nv) {
            free(v);
            return cbu_err_nomem(err);
        }
        p->v = nv;
        p->cap = cap;
    }
    char *k = strdup(key);
    if (!k) {
        free(v);
        return cbu_err_nomem(err);
    }
    p->v[p->n++] = (param){ k, v, false };
    return CB_OK;
}

int cb_params_parse(cb_params *p, const char *assignment, cb_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return cbu_err(err, CB_EINVAL, "'%.64s' is not key=value", assignment);
    char key[PARAM_TEXT_MAX];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof key) return cbu_err(err, CB_EINVAL, "parameter name too long in '%.64s'", assignment);
    memcpy(key, assignment, n);
    key[n] = '\0';
    return cb_params_set(p, key, eq + 1, err);
}

int cb_params_load(cb_params *p, const char *path, cb_error *err)
{
    cbu_jdoc doc;
    int rc = cbu_json_load(&doc, path, err);
    if (rc) return rc;
    cbu_jctx c;
    cbu_jctx_init(&c, &doc, path, err);
    if ((rc = cbu_jas_object(&c, doc.root))) goto done;
    for (uint32_t i = 0; i < doc.root->n; i++) {
        const cbu_jv *v = &doc.root->u.kids[i];
        size_t mark = cbu_jpush_key(&c, v->key);
        char text[PARAM_TEXT_MAX];
        if (v->type == CBU_JSTR && strlen(v->u.s) >= sizeof text) {
            rc = cbu_jfail(&c, v, "value longer than %d characters", PARAM_TEXT_MAX - 1);   /* not cut short */
            goto done;
        }
        if (v->type == CBU_JSTR) snprintf(text, sizeof text, "%s", v->u.s);
        else if (cbu_jis_number(v)) cbu_json_fmt_double(text, cbu_jnumber(v));
        else {
            rc = cbu_jfail(&c, v, "expected a number or a string, found %s", cbu_jtype_name(v));
            goto done;
        }
        if (!find(p, v->key) && (rc = cb_params_set(p, v->key, text, err))) {
            cbu_err_prefix(err, "%s: ", path);
            goto done;
        }
        cbu_jpop(&c, mark);
    }
done:
    cbu_json_free(&doc);
    return rc;
}

int cb_params_number(cb_params *p, const char *key, double dflt, double lo, double hi, double *out,
                     cb_error *err)
{
    param *q = find(p, key);
    if (!q) {
        *out = dflt;
        return CB_OK;
    }
    q->used = true;
    char *end;
    errno = 0;
    double v = strtod(q->value, &end);
    if (end == q->value || *end || errno == ERANGE || !isfinite(v))
        return cbu_err(err, CB_EINVAL, "parameter %s: '%s' is not a number", key, q->value);
    if (v < lo || v > hi)
        return cbu_err(err, CB_EINVAL, "parameter %s: %s is outside [%g, %g]", key, q->value, lo, hi);
    *out = v;
    return CB_OK;
}

const char *cb_params_string(cb_params *p, const char *key, const char *dflt)
{
    param *q = find(p, key);
    if (!q) return dflt;
    q->used = true;
    return q->value;
}

const char *cb_params_unused(const cb_params *p)
{
    if (!p) return NULL;
    for (size_t i = 0; i < p->n; i++)
        if (!p->v[i].used) return p->v[i].key;
    return NULL;
}
