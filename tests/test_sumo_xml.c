/* test_sumo_xml.c -- the XML layer of the SUMO importer: elements,
 * attributes, parents and line numbers as written; malformed, truncated
 * and gzip-compressed input; the typed attribute helpers' messages. */
#include "test.h"
#include "load/sumo_xml.h"

#include <zlib.h>

static const char *doc_text =
    "<?xml version=\"1.0\"?>\n"
    "<net version=\"1.9\">\n"
    "  <edge id=\"a&amp;b\" from=\"x\">\n"
    "    <lane id=\"a_0\" speed=\"13.89\" shape=\"0,0 10,0.5\"/>\n"
    "  </edge>\n"
    "  <junction id=\"j\"/>\n"
    "</net>\n";

TEST(elements_attributes_and_lines)
{
    sx_doc d;
    cb_error err = { 0 };
    ASSERT_EQ_INT(sx_parse(&d, "mem.xml", doc_text, strlen(doc_text), &err), CB_OK);
    ASSERT_EQ_INT(d.n_elems, 4);
    ASSERT_STR_EQ(d.elems[0].name, "net");
    ASSERT_EQ_INT(d.elems[0].parent, SX_NONE);
    ASSERT_STR_EQ(d.elems[1].name, "edge");
    ASSERT_EQ_INT(d.elems[1].line, 3);
    ASSERT_STR_EQ(sx_get(&d, &d.elems[1], "id"), "a&b");          /* entities decoded */
    ASSERT_STR_EQ(d.elems[2].name, "lane");
    ASSERT_EQ_INT(d.elems[2].parent, 1);
    ASSERT_EQ_INT(d.elems[2].depth, 2);
    ASSERT_EQ_INT(d.elems[3].line, 6);
    ASSERT(sx_get(&d, &d.elems[3], "type") == NULL);
    double v;
    ASSERT_EQ_INT(sx_get_double(&d, &d.elems[2], "speed", true, 0, &v, &err), CB_OK);
    ASSERT_NEAR(v, 13.89, 0);
    ASSERT_EQ_INT(sx_get_double(&d, &d.elems[2], "width", false, 3.2, &v, &err), CB_OK);
    ASSERT_NEAR(v, 3.2, 0);
    net_point *pts;
    uint32_t n;
    ASSERT(sx_parse_shape(&d.arena, sx_get(&d, &d.elems[2], "shape"), 2, &pts, &n));
    ASSERT_EQ_INT(n, 2);
    ASSERT_NEAR(pts[1].y, 0.5, 0);
    sx_free(&d);
}

/* Names are shared between elements that repeat them (sumo_xml.c keeps
 * the last four kinds of element and their attribute names by position).
 * Six kinds, attributes in changing order and number, a kind coming back
 * after the cache forgot it, and more attributes than it keeps: every element
 * must still read back exactly what it says. */
TEST(repeated_names_are_shared_and_stay_right)
{
    const char *t =
        "<r>\n"
        "<a x=\"1\" y=\"2\"/><b y=\"3\" x=\"4\"/><a y=\"5\" x=\"6\" z=\"7\"/>\n"
        "<c p=\"8\"/><d q=\"9\"/><e x=\"10\"/><f x=\"11\"/><a x=\"12\"/>\n"
        "<g a0=\"0\" a1=\"1\" a2=\"2\" a3=\"3\" a4=\"4\" a5=\"5\" a6=\"6\" a7=\"7\" a8=\"8\" a9=\"9\" "
        "b0=\"10\" b1=\"11\" b2=\"12\" b3=\"13\" b4=\"14\" b5=\"15\" b6=\"16\" b7=\"17\"/>\n"
        "<g b7=\"x\" a0=\"y\"/>\n"
        "</r>";
    sx_doc d;
    cb_error err = { 0 };
    ASSERT_EQ_INT(sx_parse(&d, "k.xml", t, strlen(t), &err), CB_OK);
    ASSERT_EQ_INT(d.n_elems, 11);
    const char *names = "rabacdefagg";
    for (uint32_t i = 0; i < 11; i++) ASSERT(d.elems[i].name[0] == names[i] && d.elems[i].name[1] == 0);
    /* element, attribute, value it reads back (NULL: absent) */
    static const struct { uint32_t elem; const char *attr, *value; } want[] = {
        { 1, "x", "1" },   { 1, "y", "2" },   { 2, "x", "4" },   { 2, "y", "3" },   { 3, "x", "6" },
        { 3, "y", "5" },   { 3, "z", "7" },   { 1, "z", NULL },  { 4, "p", "8" },   { 4, "x", NULL },
        { 6, "x", "10" },  { 8, "x", "12" },  { 8, "y", NULL },  { 9, "a0", "0" },  { 9, "b5", "15" },
        { 9, "b6", "16" }, { 9, "b7", "17" }, { 10, "b7", "x" }, { 10, "a0", "y" }, { 10, "a1", NULL },
    };
    ASSERT_EQ_INT(d.elems[9].n_attr, 18);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = sx_get(&d, &d.elems[want[i].elem], want[i].attr);
        if (want[i].value) ASSERT_STR_EQ(got, want[i].value);
        else ASSERT(got == NULL);
    }
    sx_free(&d);
}

/* Every escape of an attribute value is decoded once (a written "&amp;#38;"
 * is the five characters "&#38;"); names keep a namespace prefix as
 * written; an entity nobody declared is an error naming its line; a start
 * tag written over several lines is placed on its first. */
TEST(attribute_values_decode_every_escape)
{
    const char *t = "<routes xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"r.xsd\">\n"
                    "<vType id=\"a&amp;b &amp;#38; &lt;&gt;&quot;&apos; &#65;&#x42; &#38;&#38;\"/>\n</routes>\n";
    sx_doc d;
    cb_error err = { 0 };
    ASSERT_EQ_INT(sx_parse(&d, "e.xml", t, strlen(t), &err), CB_OK);
    ASSERT_STR_EQ(sx_get(&d, &d.elems[1], "id"), "a&b &#38; <>\"' AB &&");
    ASSERT_STR_EQ(sx_get(&d, &d.elems[0], "xsi:noNamespaceSchemaLocation"), "r.xsd");
    ASSERT_EQ_INT(d.elems[1].line, 2);
    sx_free(&d);
    const char *u = "<routes>\n<vType id=\"&nope;\"/>\n</routes>\n";
    ASSERT_EQ_INT(sx_parse(&d, "u.xml", u, strlen(u), &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "u.xml:2:");
    ASSERT_CONTAINS(err.msg, "undefined entity");
    const char *m = "<r>\n<a\n b='1'\n c='2'/>\n<b x='1'\n></b>\n</r>";
    ASSERT_EQ_INT(sx_parse(&d, "m.xml", m, strlen(m), &err), CB_OK);
    ASSERT_EQ_INT(d.elems[1].line, 2);
    ASSERT_EQ_INT(d.elems[2].line, 5);
    sx_free(&d);
}

TEST(typed_attribute_errors_name_file_line_element)
{
    const char *t = "<routes>\n<vType id=\"car\" accel=\"fast\"/>\n</routes>\n";
    sx_doc d;
    cb_error err = { 0 };
    ASSERT_EQ_INT(sx_parse(&d, "x.rou.xml", t, strlen(t), &err), CB_OK);
    double v;
    ASSERT_EQ_INT(sx_get_double(&d, &d.elems[1], "accel", true, 0, &v, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "x.rou.xml:2: <vType id=\"car\">: attribute 'accel' is not a number");
    ASSERT_EQ_INT(sx_get_double(&d, &d.elems[1], "decel", true, 0, &v, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "attribute 'decel' is missing");
    long l;
    ASSERT_EQ_INT(sx_get_long(&d, &d.elems[1], "accel", true, 0, &l, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "not an integer");
    sx_free(&d);
}

TEST(malformed_and_truncated_xml)
{
    cb_error err = { 0 };
    sx_doc d;
    const char *bad = "<net>\n  <edge id=\"a\">\n  </lane>\n</net>\n";
    ASSERT_EQ_INT(sx_parse(&d, "bad.xml", bad, strlen(bad), &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "bad.xml:3:");
    ASSERT_CONTAINS(err.msg, "malformed XML: mismatched tag");
    const char *cut = "<net>\n  <edge id=\"a\">\n    <lane id=\"a_0\" spe";
    ASSERT_EQ_INT(sx_parse(&d, "cut.xml", cut, strlen(cut), &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "cut.xml:3:");
    ASSERT_CONTAINS(err.msg, "truncated");
    const char *open = "<net>\n  <edge id=\"a\">\n";
    ASSERT_EQ_INT(sx_parse(&d, "open.xml", open, strlen(open), &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "truncated");
    ASSERT_EQ_INT(sx_parse(&d, "empty.xml", "", 0, &err), CB_ESYNTAX);
    /* nesting deeper than SX_MAX_DEPTH is refused, not recursed into */
    char deep[SX_MAX_DEPTH * 3 + 16];
    size_t k = 0;
    for (int i = 0; i <= SX_MAX_DEPTH; i++) { deep[k++] = '<'; deep[k++] = 'a'; deep[k++] = '>'; }
    deep[k] = '\0';
    ASSERT_EQ_INT(sx_parse(&d, "deep.xml", deep, k, &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "nested too deeply");
}

TEST(gzip_files_read_like_plain_ones)
{
    const char *plain = test_write_tmp("cb_sumo_plain.xml", doc_text);
    ASSERT(plain);
    char gz_path[512];
    snprintf(gz_path, sizeof gz_path, "%s.gz", plain);
    gzFile g = gzopen(gz_path, "wb");
    ASSERT(g);
    gzwrite(g, doc_text, (unsigned)strlen(doc_text));
    gzclose(g);
    cb_error err = { 0 };
    sx_doc a, b;
    ASSERT_EQ_INT(sx_load(&a, plain, &err), CB_OK);
    ASSERT_EQ_INT(sx_load(&b, gz_path, &err), CB_OK);
    ASSERT_EQ_INT(a.n_elems, b.n_elems);
    ASSERT_EQ_INT(b.elems[3].line, 6);
    ASSERT_STR_EQ(sx_get(&b, &b.elems[1], "id"), "a&b");
    sx_free(&a);
    sx_free(&b);
    /* two gzip members, as `cat a.gz b.gz` makes: the trailer gives only
     * the last member's size (sumo_xml.c: sx_gzip_size), so the whole text
     * is read the general way, and nothing is lost */
    char multi_path[512];
    snprintf(multi_path, sizeof multi_path, "%s.2.gz", plain);
    size_t half = strlen(doc_text) / 2;
    for (int member = 0; member < 2; member++) {
        gzFile m = gzopen(multi_path, member ? "ab" : "wb");
        ASSERT(m);
        gzwrite(m, doc_text + (member ? half : 0), (unsigned)(member ? strlen(doc_text) - half : half));
        gzclose(m);
    }
    ASSERT_EQ_INT(sx_load(&b, multi_path, &err), CB_OK);
    ASSERT_EQ_INT(b.n_elems, 4);
    ASSERT_EQ_INT(b.elems[3].line, 6);
    ASSERT_STR_EQ(sx_get(&b, &b.elems[2], "shape"), "0,0 10,0.5");
    sx_free(&b);
    /* a gzip file cut in the middle is an error, not a short document */
    FILE *f = fopen(gz_path, "rb");
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    f = fopen(gz_path, "wb");
    fwrite(buf, 1, n / 2, f);
    fclose(f);
    ASSERT(sx_load(&a, gz_path, &err) != CB_OK);
    ASSERT_CONTAINS(err.msg, gz_path);
    ASSERT_EQ_INT(sx_load(&a, "/nonexistent/x.net.xml", &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "/nonexistent/x.net.xml");
}

/* Line numbers come from our own count when a file is parsed in one piece
 * (sumo_xml.c: sx_line_at) and from expat's when it is streamed (a
 * file over sx_whole_max, lowered here to 0) or in UTF-16.  A line ends at
 * LF, CR or CRLF, also inside a comment and inside a tag; known answers:
 * <r> on line 1, <a/> on 2, <b> on 3, <c/> on 8, for every way in. */
TEST(lines_count_alike_whole_streamed_gzipped_and_in_utf16)
{
    const char *t = "<r>\r\n<a/>\r<b\n x='1'/>\n\n<!-- c\r\n d -->\r\n<c/>\n</r>";
    static const uint32_t want[4] = { 1, 2, 3, 8 };
    size_t n = strlen(t);
    sx_doc d;
    cb_error err = { 0 };
    const char *plain = test_write_tmp("cb_sumo_lines.xml", t);
    ASSERT(plain);
    char gz_path[512], u16_path[512];
    snprintf(gz_path, sizeof gz_path, "%s.gz", plain);
    snprintf(u16_path, sizeof u16_path, "%s.utf16", plain);
    gzFile g = gzopen(gz_path, "wb");
    ASSERT(g);
    gzwrite(g, t, (unsigned)n);
    gzclose(g);
    FILE *f = fopen(u16_path, "wb");
    ASSERT(f);
    fputc(0xFF, f);                   /* UTF-16LE byte order mark */
    fputc(0xFE, f);
    for (size_t i = 0; i < n; i++) { fputc(t[i], f); fputc(0, f); }
    fclose(f);
    for (int way = 0; way < 6; way++) {
        sx_whole_max = way == 3 || way == 4 ? 0 : SX_WHOLE_MAX;
        const char *path = way == 2 || way == 4 ? gz_path : way == 5 ? u16_path : plain;
        int rc = way == 0 ? sx_parse(&d, "mem.xml", t, n, &err) : sx_load(&d, path, &err);
        sx_whole_max = SX_WHOLE_MAX;
        ASSERT_EQ_INT(rc, CB_OK);
        ASSERT_EQ_INT(d.n_elems, 4);
        for (uint32_t i = 0; i < 4; i++)
            if (d.elems[i].line != want[i])
                TEST_FAIL_("way %d: element %u on line %u, expected %u", way, i, d.elems[i].line, want[i]);
        ASSERT_STR_EQ(sx_get(&d, &d.elems[2], "x"), "1");
        sx_free(&d);
    }
    /* streamed, an error still names its line */
    const char *bad_path = test_write_tmp("cb_sumo_lines_bad.xml", "<r>\r\n<a>\r\n</b>\r\n</r>");
    ASSERT(bad_path);
    for (int way = 0; way < 2; way++) {
        sx_whole_max = way ? 0 : SX_WHOLE_MAX;
        int rc = sx_load(&d, bad_path, &err);
        sx_whole_max = SX_WHOLE_MAX;
        ASSERT_EQ_INT(rc, CB_ESYNTAX);
        ASSERT_CONTAINS(err.msg, "cb_sumo_lines_bad.xml:3:");
    }
}

/* A regular file whose text is not the size fstat gave (one that changes
 * while it is read) is read the general way (sumo_xml.c: sx_load_known
 * returns -1).  /proc files are such files for certain: regular, size 0,
 * with text.  Read as a 0-byte document it would fail with "no element
 * found" at 1:1; read whole, its first line is not XML. */
TEST(a_file_that_is_not_the_size_fstat_gave_is_read_whole)
{
    FILE *f = fopen("/proc/self/status", "rb");
    if (!f) TEST_SKIP("no /proc/self/status here");
    fclose(f);
    sx_doc d;
    cb_error err = { 0 };
    ASSERT_EQ_INT(sx_load(&d, "/proc/self/status", &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "/proc/self/status:1:");
    ASSERT_CONTAINS(err.msg, "syntax error");
    ASSERT(!strstr(err.msg, "no element found"));
}

/* A document parsed whole gets its element and attribute arrays sized from
 * the '<' and '=' in its text (sumo_xml.c: sx_prepare_whole).  An internal
 * entity with markup and DTD defaults make more of both than the text
 * shows: here 7 '<' make 11 elements, and 1 '=' makes 21 attributes.  The arrays must then grow, whole, from a file or streamed,
 * with the same elements, values and lines (an element from an entity is
 * on the line of its reference, as expat counts). */
TEST(entities_and_dtd_defaults_outgrow_the_arrays_sized_from_the_text)
{
    const char *t = "<!DOCTYPE r [\n"
                    "<!ENTITY e \"<a/><a/>\">\n"
                    "<!ATTLIST a x CDATA 'dx' y CDATA 'dy'>\n"
                    "]>\n"
                    "<r k='v'>\n&e;&e;\n&e;&e;&e;\n</r>\n";
    const char *path = test_write_tmp("cb_sumo_entities.xml", t);
    ASSERT(path);
    static const uint32_t line_of_a[10] = { 6, 6, 6, 6, 7, 7, 7, 7, 7, 7 };
    for (int way = 0; way < 3; way++) {
        sx_doc d;
        cb_error err = { 0 };
        sx_whole_max = way == 2 ? 0 : SX_WHOLE_MAX;
        int rc = way == 0 ? sx_parse(&d, "mem.xml", t, strlen(t), &err) : sx_load(&d, path, &err);
        sx_whole_max = SX_WHOLE_MAX;
        ASSERT_EQ_INT(rc, CB_OK);
        ASSERT_EQ_INT(d.n_elems, 11);
        ASSERT_EQ_INT(d.n_attrs, 21);
        ASSERT_STR_EQ(sx_get(&d, &d.elems[0], "k"), "v");
        ASSERT_EQ_INT(d.elems[0].line, 5);
        for (uint32_t i = 1; i < 11; i++) {
            ASSERT_STR_EQ(d.elems[i].name, "a");
            ASSERT_EQ_INT(d.elems[i].parent, 0);
            ASSERT_STR_EQ(sx_get(&d, &d.elems[i], "x"), "dx");
            ASSERT_STR_EQ(sx_get(&d, &d.elems[i], "y"), "dy");
            if (d.elems[i].line != line_of_a[i - 1])
                TEST_FAIL_("way %d: element %u on line %u, expected %u", way, i, d.elems[i].line, line_of_a[i - 1]);
        }
        sx_free(&d);
    }
}

TEST(word_splitting)
{
    struct { char w[8][16]; int n; } acc = { .n = 0 };
    int collect(const char *w, size_t n, void *ud);
    ASSERT_EQ_INT(sx_words("  a,b  c\n", true, collect, &acc), 0);
    ASSERT_EQ_INT(acc.n, 3);
    ASSERT_STR_EQ(acc.w[2], "c");
    acc.n = 0;
    ASSERT_EQ_INT(sx_words("a,b c", false, collect, &acc), 0);
    ASSERT_EQ_INT(acc.n, 2);
    ASSERT_STR_EQ(acc.w[0], "a,b");
}

int collect(const char *w, size_t n, void *ud)
{
    struct { char w[8][16]; int n; } *acc = ud;
    if (acc->n < 8 && n < 16) { memcpy(acc->w[acc->n], w, n); acc->w[acc->n][n] = '\0'; }
    acc->n++;
    return 0;
}

TEST_MAIN()
