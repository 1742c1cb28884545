/* err.c -- the status table and cb_error helpers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct status_row { int code; const char *name, *msg; int http; };

static const struct status_row status_rows[] = {
#define CB__ROW(name, code, msg, http) { code, "CB_E" #name, msg, http },
    CB_ERROR_MAP(CB__ROW)
#undef CB__ROW
};

static const struct status_row *status_find(int code)
{
    for (size_t i = 0; i < sizeof status_rows / sizeof status_rows[0]; i++)
        if (status_rows[i].code == code) return &status_rows[i];
    return NULL;
}

const char *cb_status_name(int code)
{
    const struct status_row *r = status_find(code);
    return r ? (code == 0 ? "CB_OK" : r->name) : "CB_E?";
}

const char *cb_status_message(int code)
{
    const struct status_row *r = status_find(code);
    return r ? r->msg : "unknown error";
}

int cb_status_http(int code)
{
    const struct status_row *r = status_find(code);
    return r ? r->http : 500;
}

int cbu_err(cb_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void cbu_err_prefix(cb_error *err, const char *fmt, ...)
{
    if (!err) return;
    char head[CB_ERROR_MSG_MAX], old[CB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s%s", head, old);
}

void cbu_err_clear(cb_error *err)
{
    if (err) { err->code = CB_OK; err->msg[0] = '\0'; }
}
