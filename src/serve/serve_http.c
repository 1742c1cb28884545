/* serve_http.c -- the HTTP listener (libmicrohttpd): limits, bodies,
 * authentication, routing and error answers.
 *
 * Limits, all set here: a connection cap and a per-address cap, an idle
 * timeout that also drops slow clients (a request trickling in one byte at
 * a time), a memory cap per connection for headers, and a body cap
 * checked against Content-Length before anything is read and again while
 * the body arrives.  Authentication and the route's role are checked on
 * the headers alone, so an unauthorised upload is refused before its body
 * is read.
 *
 * Threading: one thread per connection (MHD_USE_THREAD_PER_CONNECTION).
 * Handlers may block (an ingest waits for its commit, a stream for its next
 * event) without holding up other clients; the connection cap bounds the
 * threads. */
#include "serve_int.h"
#include "serve_gzip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../util/err.h"
#include "../util/json.h"

/* Per-request state kept by MHD between calls of the access handler. */
typedef struct sv_conn {
    const sv_route *route;
    sv_req req;
    sv_buf body;
    bool too_big;
    bool answered;
    unsigned long long received;  /* body bytes seen, kept or not */
} sv_conn;

/*--- answers -------------------------------------------------------------------------*/

void sv_fail(sv_req *r, int code, const char *field, const char *fmt, ...)
{
    char msg[CB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sv_buf_free(&r->out);
    r->status = cb_status_http(code);
    sv_printf(&r->out, "{\"error\":\"%s\",\"status\":%d,\"message\":", cb_status_name(code), r->status);
    sv_str(&r->out, msg);
    if (field && field[0]) {
        sv_puts(&r->out, ",\"field\":");
        sv_str(&r->out, field);
    }
    sv_puts(&r->out, "}\n");
    r->content_type = "application/json";
}

void sv_fail_err(sv_req *r, const cb_error *err, const char *field)
{
    sv_fail(r, err->code ? err->code : CB_EINVAL, field, "%s", err->msg);
}

static void fail_http(sv_req *r, int status, const char *name, const char *msg)
{
    sv_buf_free(&r->out);
    r->status = status;
    sv_printf(&r->out, "{\"error\":\"%s\",\"status\":%d,\"message\":", name, status);
    sv_str(&r->out, msg);
    sv_puts(&r->out, "}\n");
    r->content_type = "application/json";
}

const char *sv_arg(sv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int sv_body_json(sv_req *r, cbu_jdoc *doc)
{
    cb_error err = { 0 };
    if (r->body_len == 0) {
        sv_fail(r, CB_ESYNTAX, NULL, "body: a JSON object is required");
        return CB_ESYNTAX;
    }
    char *copy = malloc(r->body_len + 1);
    if (!copy) {
        sv_fail(r, CB_ENOMEM, NULL, "out of memory");
        return CB_ENOMEM;
    }
    memcpy(copy, r->body, r->body_len);
    copy[r->body_len] = '\0';
    int rc = cbu_json_parse(doc, "body", copy, r->body_len, &err);
    if (rc) {
        sv_fail_err(r, &err, NULL);
        return rc;
    }
    if (doc->root->type != CBU_JOBJ) {
        cbu_json_free(doc);
        sv_fail(r, CB_ESCHEMA, NULL, "body: expected a JSON object");
        return CB_ESCHEMA;
    }
    return CB_OK;
}

void sv_audit(sv_req *r, const char *action, const char *detail, const char *result)
{
    cbs_audit(r->srv->store, sv_wall_ms(), r->who, action, detail, result, NULL);
}

/*--- routing -------------------------------------------------------------------------*/

/* Match "/api/v1/tokens/{id}" against a path; captures into params. */
static bool match(const char *pattern, const char *path, const char **params, char caps[][128])
{
    int k = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *ue = strchr(u, '/');
            if (!ue) ue = u + strlen(u);
            size_t n = (size_t)(ue - u);
            if (!pe || n == 0 || n >= 128 || k >= 4) return false;
            memcpy(caps[k], u, n);
            caps[k][n] = '\0';
            params[k] = caps[k];
            k++;
            p = pe + 1;
            u = ue;
        } else if (*p == *u) {
            p++;
            u++;
        } else {
            return false;
        }
    }
    return *p == '\0' && *u == '\0';
}

/* The route for (method, url), or NULL; *path_known tells a 405 from a 404. */
static const sv_route *find_route(const char *method, const char *url, const char **params, char caps[][128],
                                  bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < sv_n_routes; i++) {
        if (!match(sv_routes[i].pattern, url, params, caps)) continue;
        *path_known = true;
        if (strcmp(sv_routes[i].method, method) == 0) return &sv_routes[i];
    }
    return NULL;
}

/* Who is calling: role and a name for the audit log. */
static void authenticate(sv_req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    r->role = CBS_ROLE_NONE;
    snprintf(r->who, sizeof r->who, "anonymous");
    if (!h) return;
    if (strncmp(h, "Bearer ", 7) != 0) return;
    char id[16], label[128];
    r->role = cbs_token_verify(r->srv->store, h + 7, id, label);
    if (r->role != CBS_ROLE_NONE) snprintf(r->who, sizeof r->who, "tok_%s (%s: %s)", id, cbs_role_name(r->role), label);
}

/* true when allowed; else fills the answer (401 or 403) and returns false.
 * A known token refused by its role is written to the audit log. */
static bool authorise(sv_req *r, const sv_route *rt, bool has_auth_header)
{
    if (rt->roles == 0) return true;
    if (r->role == CBS_ROLE_NONE) {
        if (!has_auth_header && rt->open_on_loopback && r->srv->loopback) {
            snprintf(r->who, sizeof r->who, "anonymous (loopback)");
            return true;
        }
        fail_http(r, 401, "CB_EAUTH", has_auth_header ? "the bearer token is not valid"
                                                       : "this route needs a bearer token (Authorization: Bearer <token>)");
        return false;
    }
    if (!(rt->roles & (1u << r->role))) {
        char msg[160];
        snprintf(msg, sizeof msg, "the %s role may not call %s %s", cbs_role_name(r->role), rt->method, rt->pattern);
        fail_http(r, 403, "CB_EFORBIDDEN", msg);
        if (rt->roles & SV_OPERATE && strcmp(rt->method, "GET") != 0) sv_audit(r, rt->pattern, "{}", "forbidden");
        return false;
    }
    return true;
}

/*--- MHD callbacks ----------------------------------------------------------------------*/

static enum MHD_Result send_answer(struct MHD_Connection *c, sv_req *r)
{
    struct MHD_Response *resp = r->custom;
    if (!resp) {
        size_t len = 0;
        char *text = sv_take(&r->out, &len);
        if (!text) {
            text = strdup("{\"error\":\"CB_ENOMEM\",\"status\":503}\n");
            if (!text) return MHD_NO;
            len = strlen(text);
            r->status = 503;
        }
        /* A large answer to another machine goes gzipped if it may
         * (serve_gzip.c says why not on loopback). */
        bool gz = false;
        if (len >= SV_GZIP_MIN && !r->srv->loopback &&
            sv_gzip_accepted(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
            size_t zlen;
            char *z = sv_gzip(text, len, &zlen);
            if (z) {
                free(text);
                text = z;
                len = zlen;
                gz = true;
            }
        }
        resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(text);
            return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                r->content_type ? r->content_type : "application/json");
        if (gz) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)(r->status ? r->status : 200), resp);
    MHD_destroy_response(resp);
    r->custom = NULL;
    if (r->status >= 400) __atomic_add_fetch(&r->srv->rejected, 1, __ATOMIC_RELAXED);
    return ok;
}

static enum MHD_Result serve_static(cbsv_server *s, struct MHD_Connection *c, const char *url)
{
    const sv_asset *a = sv_asset_find(s, url);
    if (!a) return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(a->len, a->data, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    cbsv_server *s = cls;
    sv_conn *st = *con_cls;
    if (!st) {
        /* First call: headers only.  Decide everything that needs no body. */
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        *con_cls = st;
        __atomic_add_fetch(&s->requests, 1, __ATOMIC_RELAXED);
        sv_req *r = &st->req;
        r->srv = s;
        r->conn = c;
        r->method = method;
        r->url = url;
        if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/ngsi-ld/v1/entityOperations/create") != 0 &&
            (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
            st->answered = true;
            if (serve_static(s, c, url) == MHD_YES) return MHD_YES;
            fail_http(r, 404, "CB_ENOTFOUND", "no such page");
            return send_answer(c, r);
        }
        static _Thread_local char caps[4][128];
        bool known;
        st->route = find_route(method, url, r->params, caps, &known);
        if (!st->route) {
            st->answered = true;
            if (known) fail_http(r, 405, "CB_EMETHOD", "this path does not take that method (see GET /api/v1/routes)");
            else fail_http(r, 404, "CB_ENOTFOUND", "no such route (see GET /api/v1/routes)");
            return send_answer(c, r);
        }
        /* Captures must outlive this call: copy them into the request. */
        for (int k = 0; k < 4; k++)
            if (r->params[k]) r->params[k] = strdup(r->params[k]);
        authenticate(r);
        bool has_auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) != NULL;
        if (!authorise(r, st->route, has_auth)) {
            st->answered = true;
            return send_answer(c, r);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
        if (announced > s->cfg.max_body) {
            /* Up to 8 times the cap, the body is read and dropped before
             * the 413: closing on unread data makes TCP reset the
             * connection, and the client may lose the answer with it.
             * Beyond that, answer at once and let it go. */
            st->too_big = true;
            if (announced <= 8ull * s->cfg.max_body) return MHD_YES;
            st->answered = true;
            sv_fail(r, CB_ELIMIT, NULL, "request body of %s bytes; the limit is %zu", cl, s->cfg.max_body);
            return send_answer(c, r);
        }
        return MHD_YES;
    }
    if (st->answered) {
        *upload_size = 0;      /* discard what still arrives */
        return MHD_YES;
    }
    if (*upload_size) {
        st->received += *upload_size;
        if (st->too_big && st->received > 8ull * s->cfg.max_body) {
            /* A chunked body that goes on and on: no more draining. */
            *upload_size = 0;
            st->answered = true;
            sv_fail(&st->req, CB_ELIMIT, NULL, "request body over the limit of %zu bytes", s->cfg.max_body);
            return send_answer(c, &st->req);
        }
        if (st->too_big || st->body.n + *upload_size > s->cfg.max_body) {
            st->too_big = true;
            sv_buf_free(&st->body);
        } else {
            sv_put(&st->body, upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    /* The whole request is here. */
    sv_req *r = &st->req;
    st->answered = true;
    if (st->too_big) {
        sv_fail(r, CB_ELIMIT, NULL, "request body over the limit of %zu bytes", s->cfg.max_body);
    } else if (st->body.oom) {
        sv_fail(r, CB_ENOMEM, NULL, "out of memory reading the body");
    } else {
        r->body = st->body.p ? st->body.p : "";
        r->body_len = st->body.n;
        r->status = 200;
        st->route->handle(r);
    }
    return send_answer(c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    sv_conn *st = *con_cls;
    if (!st) return;
    for (int k = 0; k < 4; k++) free((void *)st->req.params[k]);
    sv_buf_free(&st->body);
    sv_buf_free(&st->req.out);
    if (st->req.custom) MHD_destroy_response(st->req.custom);
    free(st);
    *con_cls = NULL;
}

static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;                 /* the library does not print */
}

/*--- start / stop ------------------------------------------------------------------------*/

static int parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len, bool *loopback, cb_error *err)
{
    memset(ss, 0, sizeof *ss);
    char host[128];
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || (size_t)(colon - text) >= sizeof host)
        return cbu_err(err, CB_EINVAL, "--listen '%s': expected ADDRESS:PORT (127.0.0.1:8080, [::1]:8080)", text);
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || !colon[1])
        return cbu_err(err, CB_EINVAL, "--listen '%s': the port must be 0..65535", text);
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (host[n - 1] != ']') return cbu_err(err, CB_EINVAL, "--listen '%s': unclosed '['", text);
        host[n - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return cbu_err(err, CB_EINVAL, "--listen '%s': not an IPv6 address", text);
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (strcmp(host, "localhost") == 0) snprintf(host, sizeof host, "127.0.0.1");
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return cbu_err(err, CB_EINVAL, "--listen '%s': not an IPv4 address (or localhost)", text);
        *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
        *len = sizeof *a;
    }
    return CB_OK;
}

int sv_http_start(cbsv_server *s, cbsv_info *info, cb_error *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = parse_listen(s->cfg.listen, &ss, &len, &s->loopback, err);
    if (rc) return rc;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.conn_limit,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)s->cfg.per_ip_limit,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                              MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL,
                              MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
                              MHD_OPTION_END);
    if (!s->mhd)
        return cbu_err(err, CB_EIO, "--listen %s: cannot listen there (address in use or not this machine's?)",
                       s->cfg.listen);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : 0;
    char host[128];
    const char *colon = strrchr(s->cfg.listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - s->cfg.listen), s->cfg.listen);
    snprintf(info->url, sizeof info->url, "http://%s:%u/", host, port);
    info->loopback = s->loopback;
    return CB_OK;
}

void sv_http_stop(cbsv_server *s)
{
    if (!s->mhd) return;
    MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
}
