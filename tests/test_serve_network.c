/* test_serve_network.c -- GET /api/v1/network's "columns" form (docs/api.md)
 * read back against the CityFlow file it came from: every road's ends,
 * points and lanes, every junction's geometry, movements (roadLinks) and
 * phase masks (lightphases), the signals, from the Jinan 3x4 roadnet as
 * written on disk.  The answer is decoded here exactly as the documentation
 * says a client should (counts cut the flattened lists, lane attributes are
 * runs, phase masks are hex digits), so a wrong count, run or bit fails.
 * Also: on a listener for other machines, the answer goes gzipped to a
 * client that accepts it and inflates to the same bytes. */
#include "test.h"

#include <zlib.h>

#include "test_serve_client.h"
#include "util/json.h"

#define ROADNET CB_SOURCE_DIR "/examples/jinan_3x4/roadnet_3_4.json"

static const cbu_jv *at(const cbu_jv *arr, size_t i)
{
    return arr && (arr->type == CBU_JARR) && i < arr->n ? &arr->u.kids[i] : NULL;
}
static const cbu_jv *get(const cbu_jv *obj, const char *key)
{
    return obj ? cbu_jobj_get(obj, key) : NULL;
}
static double num(const cbu_jv *v)
{
    return v && cbu_jis_number(v) ? cbu_jnumber(v) : NAN;
}
static const char *str(const cbu_jv *v)
{
    return v && v->type == CBU_JSTR ? v->u.s : "";
}
/* Index of the string s in an array of strings, or -1. */
static long find(const cbu_jv *ids, const char *s)
{
    for (size_t i = 0; ids && i < ids->n; i++)
        if (strcmp(str(at(ids, i)), s) == 0) return (long)i;
    return -1;
}
/* Value of lane l in a run-length column [value, count, ...]. */
static double run_value(const cbu_jv *runs, size_t l)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < runs->n; i += 2) {
        k += (size_t)num(at(runs, i + 1));
        if (l < k) return num(at(runs, i));
    }
    return NAN;
}
/* Sum of the first n entries of a count column. */
static size_t prefix(const cbu_jv *counts, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i < n; i++) s += (size_t)num(at(counts, i));
    return s;
}

static void check_roads(const cbu_jv *net, const cbu_jv *file)
{
    const cbu_jv *R = get(net, "roads"), *L = get(net, "lanes"), *iid = get(get(net, "intersections"), "id");
    const cbu_jv *ids = get(R, "id"), *roads = get(file, "roads");
    ASSERT(R && L && iid && ids && roads);
    ASSERT_EQ_INT(ids->n, roads->n);
    ASSERT_EQ_INT(num(get(R, "count")), roads->n);
    size_t lanes = 0;
    for (size_t i = 0; i < roads->n; i++) lanes += get(at(roads, i), "lanes")->n;
    ASSERT_EQ_INT(num(get(net, "lane_count")), lanes);
    ASSERT_EQ_INT(prefix(get(R, "lanes"), ids->n), lanes);
    ASSERT_EQ_INT(get(R, "points")->n, 2 * prefix(get(R, "point_count"), ids->n));
    ASSERT_EQ_INT(get(L, "exceptions")->n, 0);          /* Jinan's lanes are <road>_<index> */
    for (size_t i = 0; i < roads->n; i++) {
        const cbu_jv *fr = at(roads, i);
        long r = find(ids, str(get(fr, "id")));
        ASSERT(r >= 0);
        ASSERT_STR_EQ(str(at(iid, (size_t)num(at(get(R, "from"), (size_t)r)))), str(get(fr, "startIntersection")));
        ASSERT_STR_EQ(str(at(iid, (size_t)num(at(get(R, "to"), (size_t)r)))), str(get(fr, "endIntersection")));
        const cbu_jv *fp = get(fr, "points"), *fl = get(fr, "lanes");
        ASSERT_EQ_INT(num(at(get(R, "point_count"), (size_t)r)), fp->n);
        size_t p0 = 2 * prefix(get(R, "point_count"), (size_t)r);
        for (size_t k = 0; k < fp->n; k++) {
            ASSERT_NEAR(num(at(get(R, "points"), p0 + 2 * k)), num(get(at(fp, k), "x")), 1e-9);
            ASSERT_NEAR(num(at(get(R, "points"), p0 + 2 * k + 1)), num(get(at(fp, k), "y")), 1e-9);
        }
        ASSERT_EQ_INT(num(at(get(R, "lanes"), (size_t)r)), fl->n);
        /* Lanes are consecutive, roads in order: first_lane is the running sum. */
        size_t first = (size_t)num(at(get(R, "first_lane"), (size_t)r));
        ASSERT_EQ_INT(first, prefix(get(R, "lanes"), (size_t)r));
        for (size_t j = 0; j < fl->n; j++) {
            ASSERT_NEAR(run_value(get(L, "max_speed"), first + j), num(get(at(fl, j), "maxSpeed")), 1e-9);
            ASSERT_NEAR(run_value(get(L, "width"), first + j), num(get(at(fl, j), "width")), 1e-9);
        }
    }
}

/* A phase's hex mask as a bit set of movements (at most 64 here). */
static unsigned long long mask_bits(const char *m)
{
    unsigned long long b = 0;
    for (size_t d = 0; m[d]; d++) {
        char c = m[d];
        unsigned v = (unsigned)(c >= 'a' ? c - 'a' + 10 : c - '0');
        b |= (unsigned long long)v << (4 * d);
    }
    return b;
}

static const char *turn_letter(const char *type)
{
    return strcmp(type, "go_straight") == 0 ? "S" : strcmp(type, "turn_left") == 0 ? "L"
         : strcmp(type, "turn_right") == 0 ? "R" : "?";
}

static void check_intersections(const cbu_jv *net, const cbu_jv *file)
{
    const cbu_jv *I = get(net, "intersections"), *M = get(net, "movements"), *P = get(net, "phases");
    const cbu_jv *S = get(net, "signals"), *rid = get(get(net, "roads"), "id"), *inters = get(file, "intersections");
    ASSERT(I && M && P && S && inters);
    const cbu_jv *ids = get(I, "id");
    ASSERT_EQ_INT(ids->n, inters->n);
    size_t signalized = 0;
    for (size_t f = 0; f < inters->n; f++) {
        const cbu_jv *fi = at(inters, f);
        long i = find(ids, str(get(fi, "id")));
        ASSERT(i >= 0);
        bool virt = get(fi, "virtual")->u.b;
        ASSERT_EQ_INT(num(at(get(I, "virtual"), (size_t)i)), virt);
        ASSERT_NEAR(num(at(get(I, "point"), 2 * (size_t)i)), num(get(get(fi, "point"), "x")), 1e-9);
        ASSERT_NEAR(num(at(get(I, "point"), 2 * (size_t)i + 1)), num(get(get(fi, "point"), "y")), 1e-9);
        if (virt) {
            ASSERT_EQ_INT(num(at(get(I, "phase_count"), (size_t)i)), 0);
            continue;
        }
        signalized++;
        ASSERT_NEAR(num(at(get(I, "width"), (size_t)i)), num(get(fi, "width")), 1e-9);
        /* movements: the roadLinks, in their order */
        const cbu_jv *links = get(fi, "roadLinks");
        ASSERT_EQ_INT(num(at(get(I, "movement_count"), (size_t)i)), links->n);
        size_t m0 = prefix(get(I, "movement_count"), (size_t)i);
        for (size_t k = 0; k < links->n; k++) {
            const cbu_jv *lk = at(links, k);
            ASSERT_STR_EQ(str(at(rid, (size_t)num(at(get(M, "from"), m0 + k)))), str(get(lk, "startRoad")));
            ASSERT_STR_EQ(str(at(rid, (size_t)num(at(get(M, "to"), m0 + k)))), str(get(lk, "endRoad")));
            char t[2] = { str(get(M, "type"))[m0 + k], '\0' };
            ASSERT_STR_EQ(t, turn_letter(str(get(lk, "type"))));
        }
        /* phases: each lightphase's availableRoadLinks as a mask */
        const cbu_jv *lp = get(get(fi, "trafficLight"), "lightphases");
        ASSERT_EQ_INT(num(at(get(I, "phase_count"), (size_t)i)), lp->n);
        size_t p0 = prefix(get(I, "phase_count"), (size_t)i);
        for (size_t p = 0; p < lp->n; p++) {
            unsigned long long want = 0;
            const cbu_jv *al = get(at(lp, p), "availableRoadLinks");
            for (size_t q = 0; q < al->n; q++) want |= 1ull << (int)num(at(al, q));
            const char *mask = str(at(get(P, "movements"), p0 + p));
            ASSERT_EQ_INT(strlen(mask), (links->n + 3) / 4);
            ASSERT_EQ_INT(mask_bits(mask), want);
            ASSERT_NEAR(num(at(get(P, "time"), p0 + p)), num(get(at(lp, p), "time")), 1e-9);
        }
        /* one signal for it, whose greens are its phases */
        long k = -1;
        for (size_t s = 0; s < get(S, "intersection")->n; s++)
            if ((long)num(at(get(S, "intersection"), s)) == i) k = (long)s;
        ASSERT(k >= 0);
        size_t g0 = prefix(get(S, "green_count"), (size_t)k), ng = (size_t)num(at(get(S, "green_count"), (size_t)k));
        ASSERT(ng > 0);
        for (size_t g = 0; g < ng; g++) ASSERT(num(at(get(S, "greens"), g0 + g)) < (double)lp->n);
    }
    ASSERT_EQ_INT(get(S, "intersection")->n, signalized);
    ASSERT_EQ_INT(get(M, "from")->n, prefix(get(I, "movement_count"), ids->n));
    ASSERT_EQ_INT(get(P, "movements")->n, prefix(get(I, "phase_count"), ids->n));
}

TEST(network_columns_match_the_roadnet_file)
{
    cb_error err = { 0 };
    cbu_jdoc file = { 0 }, net = { 0 };
    ASSERT_EQ_INT(cbu_json_load(&file, ROADNET, &err), 0);
    test_server s;
    if (start_server(&s, fresh_db("serve_network"), NULL)) {
        cbu_json_free(&file);
        ASSERT(!"server did not start");
    }
    test_resp r = { 0 };
    int rc = http(s.port, "GET", "/api/v1/network", NULL, NULL, &r);
    stop_server(&s, SIGTERM);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(r.status, 200);
    rc = cbu_json_parse(&net, "network", r.body, r.len, &err);   /* takes r.body */
    r.body = NULL;
    ASSERT_EQ_INT(rc, 0);
    ASSERT_STR_EQ(str(get(net.root, "format")), "columns");
    check_roads(net.root, file.root);
    check_intersections(net.root, file.root);
    const cbu_jv *b = get(net.root, "bounds");
    ASSERT(b && b->n == 4 && num(at(b, 0)) < num(at(b, 2)) && num(at(b, 1)) < num(at(b, 3)));
    cbu_json_free(&net);
    cbu_json_free(&file);
}

/* GET path with extra header lines; the whole answer, headers included. */
static char *get_raw(int port, const char *path, const char *headers, size_t *len)
{
    char req[1024];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n", path, headers);
    int fd = connect_port(port);
    if (fd < 0) return NULL;
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) { close(fd); return NULL; }
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    *len = 0;
    for (;;) {
        if (*len + 4096 > cap) buf = realloc(buf, cap *= 2);
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 20000) <= 0) break;
        ssize_t k = recv(fd, buf + *len, cap - *len - 1, 0);
        if (k <= 0) break;
        *len += (size_t)k;
    }
    close(fd);
    buf[*len] = '\0';
    return buf;
}

/* The body of a raw answer (after the blank line), and its length. */
static const char *body_of(const char *raw, size_t len, size_t *blen)
{
    const char *b = strstr(raw, "\r\n\r\n");
    if (!b) return NULL;
    *blen = len - (size_t)(b + 4 - raw);
    return b + 4;
}

TEST(network_gzipped_for_other_machines)
{
    /* a 16x16 grid: its network (120 kB) is over SV_GZIP_MIN, Jinan's is not */
    char city[512], cmd[1200];
    snprintf(city, sizeof city, "%s/serve_network_grid_%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    snprintf(cmd, sizeof cmd, "'%s' gen grid 16x16 -o '%s' >/dev/null", CB_BINARY, city);
    ASSERT_EQ_INT(system(cmd), 0);
    test_server s;
    const char *const extra[] = { "--listen", "0.0.0.0:0", "--city", city, NULL };
    ASSERT_EQ_INT(start_server(&s, fresh_db("serve_network_gz"), extra), 0);
    char auth[256], hz[320], hq0[320];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", s.token);
    snprintf(hz, sizeof hz, "%sAccept-Encoding: deflate, gzip;q=0.8\r\n", auth);
    snprintf(hq0, sizeof hq0, "%sAccept-Encoding: gzip;q=0, identity\r\n", auth);
    size_t pl = 0, zl = 0, ql = 0, hl = 0;
    char *plain = get_raw(s.port, "/api/v1/network", auth, &pl);
    char *zipped = get_raw(s.port, "/api/v1/network", hz, &zl);
    char *refused = get_raw(s.port, "/api/v1/network", hq0, &ql);
    char *small = get_raw(s.port, "/api/v1/health", hz, &hl);
    stop_server(&s, SIGTERM);
    ASSERT(plain && zipped && refused && small);
    ASSERT_CONTAINS(plain, "HTTP/1.1 200");
    ASSERT(!strstr(plain, "Content-Encoding"));
    ASSERT(!strstr(refused, "Content-Encoding"));          /* q=0: not acceptable */
    ASSERT(!strstr(small, "Content-Encoding"));            /* too small to bother */
    ASSERT_CONTAINS(zipped, "Content-Encoding: gzip");
    size_t pb, zb;
    const char *p = body_of(plain, pl, &pb), *z = body_of(zipped, zl, &zb);
    ASSERT(p && z && zb < pb / 3);
    /* inflate: the same bytes as the plain answer */
    char *out = malloc(pb + 1);
    z_stream st;
    memset(&st, 0, sizeof st);
    ASSERT_EQ_INT(inflateInit2(&st, 15 + 16), Z_OK);
    st.next_in = (Bytef *)z;
    st.avail_in = (uInt)zb;
    st.next_out = (Bytef *)out;
    st.avail_out = (uInt)pb + 1;
    int rc = inflate(&st, Z_FINISH);
    size_t got = pb + 1 - st.avail_out;
    inflateEnd(&st);
    ASSERT_EQ_INT(rc, Z_STREAM_END);
    ASSERT_EQ_INT(got, pb);
    ASSERT(memcmp(out, p, pb) == 0);
    free(out);
    free(plain);
    free(zipped);
    free(refused);
    free(small);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", city);
    ASSERT_EQ_INT(system(cmd), 0);
}

TEST(network_not_gzipped_on_loopback)
{
    test_server s;
    ASSERT_EQ_INT(start_server(&s, fresh_db("serve_network_lo"), NULL), 0);
    size_t n = 0;
    char *raw = get_raw(s.port, "/api/v1/network", "Accept-Encoding: gzip\r\n", &n);
    stop_server(&s, SIGTERM);
    ASSERT(raw);
    ASSERT_CONTAINS(raw, "HTTP/1.1 200");
    ASSERT(!strstr(raw, "Content-Encoding"));
    ASSERT_CONTAINS(raw, "\"format\":\"columns\"");
    free(raw);
}

TEST_MAIN()
