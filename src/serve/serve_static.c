/* serve_static.c -- the dashboard's files, from a fixed list, in memory.
 *
 * The web/ folder (issue 5's dashboard) is read once at start: only the
 * names below, only regular files, at most 16 MiB each.  A request is
 * answered by comparing its path with this list, so no path from a client
 * ever reaches the file system: "../", encoded slashes and symbolic links
 * cannot lead anywhere.  A name that is not in the list is a 404 even if
 * the file exists.  Adding a dashboard file means adding it here. */
#include "serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/err.h"

static const struct {
    const char *name, *type;
} files[] = {
    { "/index.html", "text/html; charset=utf-8" },
    { "/app.js", "text/javascript; charset=utf-8" },
    { "/app.css", "text/css; charset=utf-8" },
    { "/style.css", "text/css; charset=utf-8" },
    { "/map.js", "text/javascript; charset=utf-8" },
    { "/charts.js", "text/javascript; charset=utf-8" },
    { "/api.js", "text/javascript; charset=utf-8" },
    { "/dist/app.js", "text/javascript; charset=utf-8" },
    { "/dist/app.css", "text/css; charset=utf-8" },
    { "/favicon.svg", "image/svg+xml" },
    { "/favicon.ico", "image/x-icon" },
    { "/manifest.json", "application/manifest+json" },
};

enum { N_FILES = sizeof files / sizeof files[0], MAX_ASSET = 16 << 20 };

int sv_assets_load(cbsv_server *s, cb_error *err)
{
    s->assets = calloc(N_FILES, sizeof *s->assets);
    if (!s->assets) return cbu_err_nomem(err);
    if (!s->cfg.web_dir) return CB_OK;
    for (int i = 0; i < N_FILES; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s%s", s->cfg.web_dir, files[i].name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_ASSET) continue;
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        char *data = malloc((size_t)st.st_size + 1);
        size_t n = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
        fclose(f);
        if (!data || n != (size_t)st.st_size) {
            free(data);
            continue;
        }
        sv_asset *a = &s->assets[s->n_assets++];
        a->name = files[i].name;
        a->type = files[i].type;
        a->data = data;
        a->len = n;
    }
    return CB_OK;
}

void sv_assets_free(cbsv_server *s)
{
    for (size_t i = 0; i < s->n_assets; i++) free(s->assets[i].data);
    free(s->assets);
    s->assets = NULL;
    s->n_assets = 0;
}

const sv_asset *sv_asset_find(const cbsv_server *s, const char *url)
{
    if (strcmp(url, "/") == 0) url = "/index.html";
    for (size_t i = 0; i < s->n_assets; i++)
        if (strcmp(s->assets[i].name, url) == 0) return &s->assets[i];
    return NULL;
}
