/* cli_progress.c -- progress of a long run on stderr.
 *
 * On a terminal a single line is redrawn about ten times per second of wall
 * time (percentage, simulated seconds, running and finished vehicles,
 * steps/s); in a log (stderr redirected, CI) a plain line is written at
 * every 10% instead, because carriage returns make logs unreadable.  The
 * engine is only asked for metrics when something is printed, so calling
 * cli_progress_update after every step costs one clock read. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

enum { DRAW_EVERY_MS = 100, BAR_MAX = 30, BAR_MIN = 10 };

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

cli_progress_mode cli_progress_auto(bool quiet)
{
    if (quiet) return CLI_PROGRESS_OFF;
    const char *term = getenv("TERM");
    if (isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0)) return CLI_PROGRESS_BAR;
    return CLI_PROGRESS_LINES;
}

void cli_progress_start(cli_progress *p, cli_progress_mode mode, double duration)
{
    memset(p, 0, sizeof *p);
    p->mode = duration > 0 ? mode : CLI_PROGRESS_OFF;
    p->f = stderr;
    p->duration = duration;
    p->wall_start = cli_now();
    p->next_tenth = 1;
}

static int terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
    return 80;
}

static void draw_bar(cli_progress *p, const cb_engine *e, double now)
{
    cb_metrics m;
    cb_engine_metrics(e, &m);
    double frac = m.time / p->duration;
    if (frac > 1) frac = 1;
    double elapsed = now - p->wall_start;
    char text[160];
    int n = snprintf(text, sizeof text, "%3d%%  %.0f/%.0f s  %lld running  %lld finished  %.0f steps/s",
                     (int)(frac * 100), m.time, p->duration, (long long)m.running, (long long)m.finished,
                     elapsed > 0 ? (double)m.steps / elapsed : 0.0);
    if (n < 0) return;
    int cols = terminal_columns() - 1;     /* never touch the last column: it wraps */
    int bar = cols - n - 3;
    if (bar > BAR_MAX) bar = BAR_MAX;
    fputc('\r', p->f);
    if (bar >= BAR_MIN) {
        int full = (int)(frac * bar);
        fputc('[', p->f);
        for (int i = 0; i < bar; i++) fputc(i < full ? '#' : '.', p->f);
        fputs("] ", p->f);
    }
    fprintf(p->f, "%.*s\033[K", cols, text);
    fflush(p->f);
    p->drawn = true;
    p->wall_drawn = now;
}

static void write_line(cli_progress *p, const cb_engine *e)
{
    cb_metrics m;
    cb_engine_metrics(e, &m);
    fprintf(p->f, "citybrain: %.0f/%.0f s, %lld running, %lld finished\n", m.time, p->duration,
            (long long)m.running, (long long)m.finished);
    fflush(p->f);
}

void cli_progress_update(cli_progress *p, const cb_engine *e)
{
    if (p->mode == CLI_PROGRESS_BAR) {
        double now = cli_now();
        if (!p->drawn || now - p->wall_drawn >= DRAW_EVERY_MS / 1000.0) draw_bar(p, e, now);
    } else if (p->mode == CLI_PROGRESS_LINES) {
        double t = cb_engine_time(e);
        if (p->next_tenth > 10 || t < p->duration * p->next_tenth / 10.0 - 1e-9) return;
        /* One line per crossing, even when a long step jumps several marks. */
        while (p->next_tenth <= 10 && t >= p->duration * p->next_tenth / 10.0 - 1e-9) p->next_tenth++;
        write_line(p, e);
    }
}

void cli_progress_finish(cli_progress *p)
{
    if (p->mode == CLI_PROGRESS_BAR && p->drawn) {
        fputs("\r\033[K", p->f);
        fflush(p->f);
    }
    p->drawn = false;
}
