/* The floor under a staged audit: libgit2 initialising and loading one index file, nothing else.
 * Usage: index_floor INDEX-FILE RUNS — prints one line per run: init ms, load ms. */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: index_floor INDEX-FILE\n"); return 2; }
    double t0 = now_ms();
    git_libgit2_init();
    double t1 = now_ms();
    git_index *index = NULL;
    if (git_index_open(&index, argv[1]) < 0) {
        fprintf(stderr, "git_index_open: %s\n", git_error_last() ? git_error_last()->message : "?");
        return 2;
    }
    double t2 = now_ms();
    printf("%.2f %.2f %zu\n", t1 - t0, t2 - t1, git_index_entrycount(index));
    return 0;
}
