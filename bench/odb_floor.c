/* Reads the objects named on a list (one SHA a line) through libgit2's object database and prints
 * the time: the per-object floor under `assay snapshot`, to compare with `git cat-file --batch`
 * reading the same list (see odb_floor.sh). */
#include <git2.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: odb_floor GIT_DIR LIST\n"); return 2; }
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    git_repository *repo;
    git_odb *odb;
    if (git_repository_open(&repo, argv[1]) < 0 || git_repository_odb(&odb, repo) < 0) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 2;
    }
    FILE *list = fopen(argv[2], "r");
    if (!list) { perror(argv[2]); return 2; }
    char line[128];
    long count = 0, failed = 0;
    size_t bytes = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    while (fgets(line, sizeof line, list)) {
        git_oid oid;
        git_odb_object *object;
        if (git_oid_fromstrn(&oid, line, 40) < 0 || git_odb_read(&object, odb, &oid) < 0) { failed++; continue; }
        bytes += git_odb_object_size(object);
        git_odb_object_free(object);
        count++;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("libgit2 git_odb_read: %ld objects (%zu bytes, %ld failed) in %.3f s = %.1f us/object\n",
           count, bytes, failed, s, s * 1e6 / (double)(count ? count : 1));
    return failed ? 1 : 0;
}
