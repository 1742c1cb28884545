/* test_load_json.c -- inputs that are not JSON at all, or JSON the loaders
 * must refuse before reading any member: every one is an error that names
 * the file and, for syntax errors, the line and column, never a crash.
 *
 * Expected positions are counted by hand from the texts below (line and
 * column are 1-based): the offending character, the start of an
 * overflowing number, the end of a truncated input. */
#include "test_load_util.h"
#include "load/cityflow.h"

#include <sys/stat.h>

typedef struct syntax_case {
    const char *label;
    const char *text;
    size_t len;            /* 0: strlen(text) */
    tl_expect want;
} syntax_case;

/* Run one text through all three loaders, under each one's usual name. */
static void run_syntax(const syntax_case *t)
{
    static const char *names[] = { "config.json", "roadnet.json", "flow.json" };
    net_spec empty;
    net_spec_init(&empty);
    for (int k = 0; k < 3; k++) {
        const char *path = tl_write_n(names[k], t->text, t->len ? t->len : strlen(t->text));
        cb_error err = { 0 };
        int rc;
        if (k == 0) {
            cf_config cfg;
            rc = cf_config_load(path, &cfg, &err);
            if (rc == CB_OK) cf_config_free(&cfg);
        } else if (k == 1) {
            net_spec spec;
            net_spec_init(&spec);
            rc = cf_roadnet_load(path, &spec, &err);
            net_spec_free(&spec);
        } else {
            demand_spec d;
            demand_spec_init(&d);
            rc = cf_flow_load(path, &empty, &d, &err);
            demand_spec_free(&d);
        }
        /* the message starts with the full path, then ":" */
        char label[128], head[600];
        snprintf(label, sizeof label, "%s as %s", t->label, names[k]);
        snprintf(head, sizeof head, "%s:", path);
        tl_expect w = t->want;
        w.frag[0] = head;
        w.frag[1] = t->want.frag[0];
        w.frag[2] = t->want.frag[1];
        w.frag[3] = t->want.frag[2];
        tl_check(label, rc, &err, &w);
    }
}

TEST(syntax_errors_name_file_line_and_column)
{
    static const syntax_case cases[] = {
        { "empty file", "", 0, { CB_ESYNTAX, { "1:1: invalid JSON: empty file" } } },
        { "blank file", "  \n\n  ", 0, { CB_ESYNTAX, { "3:3: invalid JSON: ", "no JSON value" } } },
        { "truncated object", "{\n  \"interval\": 1.0,\n  \"seed\": 4", 0,
          { CB_ESYNTAX, { "3:12: invalid JSON: unexpected end of file (truncated?)" } } },
        { "truncated string", "[\"ab", 0,
          { CB_ESYNTAX, { "1:5: invalid JSON: unexpected end of file (truncated?)" } } },
        { "missing comma", "{\n  \"a\": 1\n  \"b\": 2\n}", 0,
          { CB_ESYNTAX, { "3:4: invalid JSON: ", "after key and value, inside map" } } },
        { "missing comma in array", "[1 2]", 0,
          { CB_ESYNTAX, { "1:4: invalid JSON: after array element, I expect ',' or ']'" } } },
        { "missing comma before a line", "[1\n2]", 0,
          { CB_ESYNTAX, { "2:1: invalid JSON: after array element" } } },
        { "trailing comma", "[1, 2,]", 0, { CB_ESYNTAX, { "1:7: invalid JSON: ", "unallowed token" } } },
        { "trailing garbage", "{}\n}", 0, { CB_ESYNTAX, { "2:1: invalid JSON: trailing garbage" } } },
        { "two documents", "[] []", 0, { CB_ESYNTAX, { "1:4: invalid JSON: trailing garbage" } } },
        { "comment", "// roads\n{}", 0, { CB_ESYNTAX, { "1:1: invalid JSON: ", "comment" } } },
        { "single quotes", "{'a': 1}", 0, { CB_ESYNTAX, { "1:2: invalid JSON: ", "invalid char" } } },
        { "NaN", "[NaN]", 0, { CB_ESYNTAX, { "1:2: invalid JSON: ", "invalid char" } } },
        { "bare word", "[fast]", 0, { CB_ESYNTAX, { "1:3: invalid JSON: ", "invalid string" } } },
        { "real overflow", "[\n1e400]", 0,
          { CB_ESYNTAX, { "2:1: invalid JSON: numeric (floating point) overflow" } } },
        { "negative real overflow", "[-2.5e999]", 0,
          { CB_ESYNTAX, { "1:2: invalid JSON: numeric (floating point) overflow" } } },
        { "integer overflow", "[99999999999999999999]", 0,
          { CB_ESYNTAX, { "1:2: invalid JSON: integer overflow" } } },
        { "bad escape", "[\"a\\qb\"]", 0, { CB_ESYNTAX, { "1:4: invalid JSON: ", "occurs before a character" } } },
        { "invalid UTF-8", "[\"ro\xff\xfe" "ad\"]", 0, { CB_ESYNTAX, { "1:", "invalid JSON: ", "UTF8" } } },
        { "NUL byte", "[1,\0 2]", 6, { CB_ESYNTAX, { "1:4: invalid JSON: ", "invalid char" } } },
        { "NUL in a key", "{\"interval\\u0000x\": 1.0}", 0,
          { CB_ESYNTAX, { "1:", "invalid JSON: object key contains a NUL character" } } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_syntax(&cases[i]);
}

/* 20,000 nested arrays: refused before any recursion could overflow. */
TEST(deep_nesting_is_refused)
{
    size_t n = 20000;
    char *s = malloc(2 * n + 1);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    syntax_case t = { "20000 levels", s, 0,
                      { CB_ESYNTAX, { "1:10001: invalid JSON: nesting deeper than 10000 levels" } } };
    run_syntax(&t);
    free(s);
}

/* Nesting the loaders accept as JSON but not where a number belongs. */
TEST(deep_value_in_a_member_is_a_schema_error)
{
    char *s = malloc(5000);
    strcpy(s, "{\"interval\": ");
    for (int i = 0; i < 1000; i++) strcat(s, "[");
    for (int i = 0; i < 1000; i++) strcat(s, "]");
    strcat(s, "}");
    const char *path = tl_write("config.json", s);
    cf_config cfg;
    cb_error err = { 0 };
    tl_expect w = { CB_ESCHEMA, { "config.json: interval: expected a number, got an array" } };
    tl_check("1000 levels", cf_config_load(path, &cfg, &err), &err, &w);
    free(s);
}

TEST(wrong_top_level_types)
{
    cb_error err = { 0 };
    cf_config cfg;
    const char *p = tl_write("config.json", "[1, 2]");
    tl_expect w = { CB_ESCHEMA, { "config.json: (top level): expected an object, got an array (line 1)" } };
    tl_check("config array", cf_config_load(p, &cfg, &err), &err, &w);

    net_spec spec;
    net_spec_init(&spec);
    p = tl_write("roadnet.json", "\n\"roads\"");
    tl_expect w2 = { CB_ESCHEMA, { "roadnet.json: (top level): expected an object, got a string \"roads\" (line 2)" } };
    tl_check("roadnet string", cf_roadnet_load(p, &spec, &err), &err, &w2);
    net_spec_free(&spec);

    net_spec_init(&spec);
    demand_spec d;
    demand_spec_init(&d);
    p = tl_write("flow.json", "{\"flows\": []}");
    tl_expect w3 = { CB_ESCHEMA, { "flow.json: (top level): expected an array, got an object" } };
    tl_check("flow object", cf_flow_load(p, &spec, &d, &err), &err, &w3);
    p = tl_write("flow.json", "null");
    tl_expect w4 = { CB_ESCHEMA, { "flow.json: (top level): expected an array, got null" } };
    tl_check("flow null", cf_flow_load(p, &spec, &d, &err), &err, &w4);
    demand_spec_free(&d);
}

TEST(unreadable_files_are_io_errors)
{
    cb_error err = { 0 };
    cf_config cfg;
    char p[600];
    snprintf(p, sizeof p, "%s/no_such_config.json", tl_dir());
    tl_expect w = { CB_EIO, { p, ": No such file or directory" } };
    tl_check("missing", cf_config_load(p, &cfg, &err), &err, &w);

    net_spec spec;
    net_spec_init(&spec);
    tl_expect w2 = { CB_EIO, { tl_dir(), ": is a directory" } };
    tl_check("directory", cf_roadnet_load(tl_dir(), &spec, &err), &err, &w2);
    net_spec_free(&spec);
}

/* Numbers read exactly as strtod reads them (the parser has a fast path
 * for short decimals): 20,000 pseudo-random decimals of 1 to 17 digits,
 * with and without exponents, compared bit for bit. */
TEST(numbers_match_strtod)
{
    uint64_t x = 88172645463325252ull;           /* xorshift64 */
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        char num[64], text[80];
        int len = 0;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        if (x & 1) num[len++] = '-';
        int digits = 1 + (int)((x >> 1) % 17), point = (int)((x >> 6) % (digits + 1));
        uint64_t y = x;
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0) num[len++] = '.';
            y = y * 6364136223846793005ull + 1442695040888963407ull;
            int digit = (int)((y >> 60) % 10);
            if (d == 0 && digit == 0 && point != 1) digit = 7;    /* JSON: no leading zero */
            num[len++] = (char)('0' + digit);
        }
        if ((x >> 12) & 1) len += sprintf(num + len, "e%d", (int)((x >> 13) % 61) - 30);
        num[len] = '\0';
        snprintf(text, sizeof text, "[%s]", num);
        cbu_jdoc doc;
        if (cbu_json_parse(&doc, "n", strdup(text), strlen(text), NULL) != CB_OK) {
            if (bad++ < 5) fprintf(stderr, "  %s: not parsed\n", num);
            continue;
        }
        /* bit for bit for reals; integers have no negative zero */
        double want = strtod(num, NULL), got = cbu_jnumber(&doc.root->u.kids[0]);
        bool same = doc.root->u.kids[0].type == CBU_JREAL ? memcmp(&want, &got, sizeof want) == 0 : want == got;
        if (!same && bad++ < 5)
            fprintf(stderr, "  %s: %.17g, strtod %.17g\n", num, got, want);
        cbu_json_free(&doc);
    }
    ASSERT_EQ_INT(bad, 0);
}

/* A failed parse frees what it took and built, so that callers that
 * return at once do not leak (five of eight callers did, one of them per
 * bad HTTP request body). */
TEST(failed_parse_leaves_nothing_to_free)
{
    const char *texts[] = { "{\"a\": [1, 2", "[1e400]", "{\"k\\u0000\": 1}", "" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *src = strdup(texts[i]);
        cbu_jdoc doc;
        cb_error err = { 0 };
        ASSERT_EQ_INT(cbu_json_parse(&doc, "body", src, strlen(src), &err), CB_ESYNTAX);
        ASSERT(doc.src == NULL && doc.root == NULL && doc.arena.head == NULL);
        cbu_json_free(&doc);                    /* still allowed */
    }
    char *ok = strdup("{\"a\": [1, 2]}");
    cbu_jdoc doc;
    ASSERT_EQ_INT(cbu_json_parse(&doc, "body", ok, strlen(ok), NULL), CB_OK);
    ASSERT(doc.src == ok && doc.root && doc.root->n == 1);
    cbu_json_free(&doc);
}

/* A long valid-looking input cut at every eighth byte: each prefix is an
 * error (never a crash), and the message names the file. */
TEST(every_truncation_of_a_roadnet_fails_cleanly)
{
    char *full = tl_read_data("tiny_roadnet.json");
    size_t n = strlen(full);
    int bad = 0;
    for (size_t cut = 0; cut + 2 < n; cut += 8) {
        const char *p = tl_write_n("roadnet.json", full, cut);
        net_spec spec;
        net_spec_init(&spec);
        cb_error err = { 0 };
        int rc = cf_roadnet_load(p, &spec, &err);
        net_spec_free(&spec);
        if (rc != CB_ESYNTAX || !strstr(err.msg, "roadnet.json:")) {
            if (bad++ < 5) fprintf(stderr, "  cut at %zu: %s \"%s\"\n", cut, cb_status_name(rc), err.msg);
        }
    }
    free(full);
    ASSERT_EQ_INT(bad, 0);
}

TEST_MAIN()
