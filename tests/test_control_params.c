/* test_control_params.c -- cb_params: "key=value" from a command line and
 * JSON files, typed reads with ranges, the "unused" check, and errors that
 * name the file, line and key. */
#include "test.h"
#include "citybrain.h"

TEST(assignments_and_numbers)
{
    cb_params *p = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_params_new(&p, &err), CB_OK);
    ASSERT_EQ_INT(cb_params_parse(p, "yellow=3", &err), CB_OK);
    ASSERT_EQ_INT(cb_params_parse(p, "yellow=4", &err), CB_OK);       /* the later one wins */
    ASSERT_EQ_INT(cb_params_parse(p, "phases=all", &err), CB_OK);
    double v = 0;
    ASSERT_EQ_INT(cb_params_number(p, "yellow", 5, 0, 600, &v, &err), CB_OK);
    ASSERT_NEAR(v, 4, 0);
    ASSERT_EQ_INT(cb_params_number(p, "absent", 7.5, 0, 10, &v, &err), CB_OK);
    ASSERT_NEAR(v, 7.5, 0);
    ASSERT_STR_EQ(cb_params_string(p, "phases", "papers"), "all");
    ASSERT(cb_params_unused(p) == NULL);
    ASSERT_EQ_INT(cb_params_number(p, "phases", 0, 0, 1, &v, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "phases: 'all' is not a number");
    ASSERT_EQ_INT(cb_params_parse(p, "=3", &err), CB_EINVAL);
    ASSERT_EQ_INT(cb_params_parse(p, "yellow", &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "not key=value");
    ASSERT_EQ_INT(cb_params_parse(p, "bad key=1", &err), CB_EINVAL);
    ASSERT_EQ_INT(cb_params_parse(p, "x=nan", &err), CB_OK);
    ASSERT_EQ_INT(cb_params_number(p, "x", 0, -1e9, 1e9, &v, &err), CB_EINVAL);
    ASSERT_EQ_INT(cb_params_parse(p, "x=1e999", &err), CB_OK);
    ASSERT_EQ_INT(cb_params_number(p, "x", 0, -1e9, 1e9, &v, &err), CB_EINVAL);
    cb_params_free(p);
}

TEST(files_fill_what_the_command_line_left)
{
    const char *path = test_write_tmp("cb_params_ok.json",
                                      "{\"controller\": \"horizon\", \"horizon\": 2, \"yellow\": 4, \"phases\": \"all\"}");
    ASSERT(path);
    cb_params *p = NULL;
    cb_error err = { 0 };
    cb_params_new(&p, &err);
    ASSERT_EQ_INT(cb_params_parse(p, "yellow=3", &err), CB_OK);      /* set first: overrides the file */
    ASSERT_EQ_INT(cb_params_load(p, path, &err), CB_OK);
    double v;
    ASSERT_EQ_INT(cb_params_number(p, "yellow", 5, 0, 600, &v, &err), CB_OK);
    ASSERT_NEAR(v, 3, 0);
    ASSERT_EQ_INT(cb_params_number(p, "horizon", 3, 1, 4, &v, &err), CB_OK);
    ASSERT_NEAR(v, 2, 0);
    ASSERT_STR_EQ(cb_params_string(p, "controller", NULL), "horizon");
    cb_params_free(p);
}

TEST(file_errors_name_the_file_and_key)
{
    cb_params *p = NULL;
    cb_error err = { 0 };
    cb_params_new(&p, &err);
    const char *path = test_write_tmp("cb_params_bad.json", "{\n  \"yellow\": [1, 2]\n}\n");
    ASSERT_EQ_INT(cb_params_load(p, path, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "cb_params_bad.json");
    ASSERT_CONTAINS(err.msg, "yellow");
    ASSERT_CONTAINS(err.msg, "line 2");
    path = test_write_tmp("cb_params_syntax.json", "{\"yellow\": 3,,}");
    ASSERT_EQ_INT(cb_params_load(p, path, &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "cb_params_syntax.json");
    static char longval[400];                      /* a value is not cut short silently */
    memset(longval, 0, sizeof longval);
    strcpy(longval, "{\"mode\": \"");
    memset(longval + strlen(longval), 'x', 300);
    strcat(longval, "\"}");
    path = test_write_tmp("cb_params_long.json", longval);
    ASSERT_EQ_INT(cb_params_load(p, path, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "mode");
    ASSERT_CONTAINS(err.msg, "longer than 255 characters");
    path = test_write_tmp("cb_params_array.json", "[1]");
    ASSERT_EQ_INT(cb_params_load(p, path, &err), CB_ESCHEMA);
    ASSERT_EQ_INT(cb_params_load(p, "/nonexistent/params.json", &err), CB_EIO);
    cb_params_free(p);
}

TEST_MAIN()
