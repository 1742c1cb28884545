/* fileio.c -- whole-file reads and path helpers. */
#include "fileio.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *cbu_file_read(const char *path, size_t *len, cb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        cbu_err(err, CB_EIO, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
        fclose(f);
        return NULL;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) { fclose(f); cbu_err(err, CB_ENOMEM, "%s: out of memory", path); return NULL; }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (n + 1 == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) { free(buf); fclose(f); cbu_err(err, CB_ENOMEM, "%s: out of memory", path); return NULL; }
            buf = p;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        cbu_err(err, CB_EIO, "%s: read error", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

int cbu_file_write(const char *path, const void *data, size_t len, cb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len) return cbu_err(err, CB_EIO, "%s: write error", path);
    return CB_OK;
}

char *cbu_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) + 1 : 0;
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

char *cbu_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *p = malloc(a + slash + b + 1);
    if (!p) return NULL;
    memcpy(p, dir, a);
    if (slash) p[a] = '/';
    memcpy(p + a + slash, name, b + 1);
    return p;
}

const char *cbu_path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int cbu_path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
