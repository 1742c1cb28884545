/* fuzz_sumo_file.c -- libFuzzer target: any bytes as a SUMO XML file on
 * disk, read by sx_load both ways, which must agree.
 *
 * sx_load reads a regular file of up to sx_whole_max bytes, plain or gzip,
 * straight into expat's buffer, its size taken from fstat or from the
 * gzip trailer, and counts the lines itself; any other file it reads
 * through zlib, and streams when it is larger, with expat's line numbers
 * (src/load/sumo_xml.c).  The input is put in an anonymous in-memory file
 * (memfd, so nothing is written to disk) and loaded with the usual limit
 * and again with sx_whole_max = 0, which streams everything.  Both must
 * succeed or fail alike, with the same error code, and on success give the
 * same elements: names, lines, parents, depths and attributes.  A gzip
 * input (the seeds include whole, damaged and multi-member ones) is where
 * the trailer's size can lie; a plain one checks the line count against
 * expat's.
 *
 * One difference is expat's own and is let through: a UTF-16 text of odd
 * length (its last byte half a code unit, which is malformed anyway) that
 * ends in a CR and that lone byte is accepted when expat gets it as one
 * final piece and refused when the final piece is empty (it holds the CR
 * back for a possible LF and then finds the byte unfinished).  Streaming
 * only happens above 256 MiB. */
#define _GNU_SOURCE
#include "load/sumo_xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

/* Is the text at path (gunzipped if it is gzip) UTF-16 (sx_is_utf16) of
 * odd length? */
static int odd_utf16(const char *path)
{
    gzFile g = gzopen(path, "rb");
    if (!g) return 0;
    char head[2] = { 1, 1 }, buf[65536];
    size_t len = 0;
    int got;
    while ((got = gzread(g, buf, sizeof buf)) > 0) {
        if (len < 2) memcpy(head + len, buf, (size_t)got < 2 - len ? (size_t)got : 2 - len);
        len += (size_t)got;
    }
    gzclose(g);
    return sx_is_utf16(head, len < 2 ? len : 2) && (len & 1);
}

static void same_docs(const sx_doc *a, const sx_doc *b)
{
    if (a->n_elems != b->n_elems || a->n_attrs != b->n_attrs) {
        fprintf(stderr, "fuzz_sumo_file: %u elements and %u attributes whole, %u and %u streamed\n",
                a->n_elems, a->n_attrs, b->n_elems, b->n_attrs);
        abort();
    }
    for (uint32_t i = 0; i < a->n_elems; i++) {
        const sx_elem *x = &a->elems[i], *y = &b->elems[i];
        if (strcmp(x->name, y->name) != 0 || x->line != y->line || x->parent != y->parent ||
            x->depth != y->depth || x->first_attr != y->first_attr || x->n_attr != y->n_attr) {
            fprintf(stderr, "fuzz_sumo_file: element %u: <%s> on line %u whole, <%s> on line %u streamed\n",
                    i, x->name, x->line, y->name, y->line);
            abort();
        }
    }
    for (uint32_t i = 0; i < a->n_attrs; i++)
        if (strcmp(a->attrs[i].name, b->attrs[i].name) != 0 || strcmp(a->attrs[i].value, b->attrs[i].value) != 0) {
            fprintf(stderr, "fuzz_sumo_file: attribute %u differs\n", i);
            abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_sumo_file", MFD_CLOEXEC);
    if (fd < 0) return 0;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) { close(fd); return 0; }
        done += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    sx_doc whole, streamed;
    cb_error ew = { 0 }, es = { 0 };
    sx_whole_max = SX_WHOLE_MAX;
    int rw = sx_load(&whole, path, &ew);
    sx_whole_max = 0;
    int rs = sx_load(&streamed, path, &es);
    sx_whole_max = SX_WHOLE_MAX;
    if (rw != rs && odd_utf16(path)) {         /* expat's own difference (above) */
        sx_free(&whole);
        sx_free(&streamed);
        close(fd);
        return 0;
    }
    if (rw != rs) {
        fprintf(stderr, "fuzz_sumo_file: whole %d (%s), streamed %d (%s)\n", rw, ew.msg, rs, es.msg);
        abort();
    }
    if (rw != CB_OK && (ew.code != rw || ew.msg[0] == '\0' || es.msg[0] == '\0')) abort();
    if (rw == CB_OK) same_docs(&whole, &streamed);
    sx_free(&whole);
    sx_free(&streamed);
    close(fd);
    return 0;
}
