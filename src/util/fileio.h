/* fileio.h -- reading whole files and joining paths. */
#ifndef CB_UTIL_FILEIO_H
#define CB_UTIL_FILEIO_H

#include <stddef.h>
#include "citybrain.h"

/* Read a whole file into a new NUL-terminated buffer (caller frees with
 * free()).  On failure sets err ("<path>: <strerror>") and returns NULL. */
char *cbu_file_read(const char *path, size_t *len, cb_error *err);
/* Write a buffer to a file, replacing it. */
int cbu_file_write(const char *path, const void *data, size_t len, cb_error *err);
/* Directory part of a path ("a/b/c.json" -> "a/b/", "c.json" -> ""); caller frees. */
char *cbu_path_dir(const char *path);
/* dir + name, inserting '/' if dir is non-empty and lacks one; caller frees. */
char *cbu_path_join(const char *dir, const char *name);
/* Last component of a path (borrowed pointer into path). */
const char *cbu_path_base(const char *path);
int cbu_path_is_dir(const char *path);

#endif
