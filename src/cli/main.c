#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "citybrain.h"
int main(int argc, char **argv){
  cb_options o; cb_options_init(&o);
  int steps = 3600;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--flow")) o.flow_file = argv[++i];
    else if (!strcmp(argv[i], "--threads")) o.threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--steps")) steps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--lc")) o.lane_change = 1;
  }
  cb_error err = {0}; cb_engine *e;
  struct timespec t0, t1, t2; clock_gettime(CLOCK_MONOTONIC, &t0);
  if (cb_engine_open(argv[1], &o, &e, &err)) { fprintf(stderr, "error: %s\n", err.msg); return 1; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  for (int s = 0; s < steps; s++) if (cb_engine_step(e, &err)) { fprintf(stderr, "error: %s\n", err.msg); return 1; }
  clock_gettime(CLOCK_MONOTONIC, &t2);
  cb_metrics m; cb_engine_metrics(e, &m);
  printf("engine_att %.2f published_att %.2f created %lld finished %lld running %lld queued %lld veh_updates %lld load %.3f s step %.3f s\n",
    m.engine_att, m.published_att, (long long)m.created, (long long)m.finished, (long long)m.running, (long long)m.queued, (long long)m.veh_updates,
    (t1.tv_sec-t0.tv_sec)+(t1.tv_nsec-t0.tv_nsec)*1e-9, (t2.tv_sec-t1.tv_sec)+(t2.tv_nsec-t1.tv_nsec)*1e-9);
  cb_engine_close(e); return 0; }
