/* The syscall floor for `mynatca link`: the least work that leaves the platform's links
 * right, to compare mynatca against. It lists each project's supabase/migrations, lists
 * the platform's supabase/migrations and reads every symlink there (readlinkat), then
 * creates the missing links, replaces wrong ones and removes links into a project folder
 * that no longer offers the file; the same for each project's supabase/seed.sql under
 * supabase/seeds/<project>/. No lock, no registry or config parsing, no exclude block, no
 * conflict checks, no report beyond one line of counts.
 *
 *   cc -O2 -o floor bench/floor.c && ./floor PLATFORM PROJECT...
 *
 * Projects are siblings of PLATFORM named PROJECT, as bench/workspace.py makes them. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An offered migration: its file name and the link target it needs. */
struct offer {
  char *name;
  char *target;
  int done;
};

/* Open addressing over a power-of-two table of offers, keyed by file name. */
static struct offer **table;
static size_t slots, used;
static long created, replaced, removed, unchanged;

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

static struct offer **slot_of(const char *name) {
  size_t i = hash(name) & (slots - 1);
  while (table[i] && strcmp(table[i]->name, name) != 0) i = (i + 1) & (slots - 1);
  return &table[i];
}

static void grow(void) {
  struct offer **old = table;
  size_t old_slots = slots;
  slots = slots ? slots * 2 : 4096;
  table = calloc(slots, sizeof *table);
  if (!table) exit(3);
  for (size_t i = 0; i < old_slots; i++)
    if (old[i]) *slot_of(old[i]->name) = old[i];
  free(old);
}

static int is_sql(const char *name) {
  size_t n = strlen(name);
  return n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

/* Adds every *.sql file of ../PROJECT/supabase/migrations to the table. */
static void offer_project(int parent, const char *project) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/supabase/migrations", project);
  int fd = openat(parent, dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  DIR *d = fdopendir(fd);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!is_sql(e->d_name)) continue;
    if ((used + 1) * 2 > slots) grow();
    struct offer **s = slot_of(e->d_name);
    if (*s) continue; /* the first project offering a name wins */
    struct offer *o = malloc(sizeof *o);
    o->name = strdup(e->d_name);
    if (asprintf(&o->target, "../../../%s/supabase/migrations/%s", project, e->d_name) < 0) exit(3);
    o->done = 0;
    *s = o;
    used++;
  }
  closedir(d);
}

/* One link at NAME in folder FD pointing at TARGET, whatever was there before. */
static void ensure(int fd, const char *name, const char *target, const char *have) {
  if (have && strcmp(have, target) == 0) {
    unchanged++;
    return;
  }
  if (have) {
    unlinkat(fd, name, 0);
    replaced++;
  } else {
    created++;
  }
  if (symlinkat(target, fd, name) != 0) perror(name);
}

static void reconcile_migrations(int platform) {
  int fd = openat(platform, "supabase/migrations", O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    perror("supabase/migrations");
    exit(1);
  }
  DIR *d = fdopendir(dup(fd));
  struct dirent *e;
  char buf[4096];
  while ((e = readdir(d))) {
    if (e->d_type != DT_LNK) continue;
    ssize_t n = readlinkat(fd, e->d_name, buf, sizeof buf - 1);
    if (n < 0) continue;
    buf[n] = 0;
    struct offer *o = slots ? *slot_of(e->d_name) : NULL;
    if (o) {
      ensure(fd, e->d_name, o->target, buf);
      o->done = 1;
    } else if (strncmp(buf, "../../../", 9) == 0) {
      unlinkat(fd, e->d_name, 0); /* stale: its project no longer offers it */
      removed++;
    }
  }
  closedir(d);
  for (size_t i = 0; i < slots; i++)
    if (table[i] && !table[i]->done) ensure(fd, table[i]->name, table[i]->target, NULL);
  close(fd);
}

static void reconcile_seed(int platform, const char *project) {
  char dir[4096], target[4096], have[4096];
  snprintf(dir, sizeof dir, "supabase/seeds/%s", project);
  int fd = openat(platform, dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0 && errno == ENOENT) {
    mkdirat(platform, "supabase/seeds", 0777);
    mkdirat(platform, dir, 0777);
    fd = openat(platform, dir, O_RDONLY | O_DIRECTORY);
  }
  if (fd < 0) {
    perror(dir);
    return;
  }
  snprintf(target, sizeof target, "../../../../%s/supabase/seed.sql", project);
  ssize_t n = readlinkat(fd, "seed.sql", have, sizeof have - 1);
  if (n >= 0) have[n] = 0;
  ensure(fd, "seed.sql", target, n >= 0 ? have : NULL);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor PLATFORM PROJECT...\n");
    return 2;
  }
  int platform = open(argv[1], O_RDONLY | O_DIRECTORY);
  int parent = openat(platform, "..", O_RDONLY | O_DIRECTORY);
  if (platform < 0 || parent < 0) {
    perror(argv[1]);
    return 1;
  }
  for (int i = 2; i < argc; i++) offer_project(parent, argv[i]);
  reconcile_migrations(platform);
  for (int i = 2; i < argc; i++) reconcile_seed(platform, argv[i]);
  printf("created=%ld replaced=%ld removed=%ld unchanged=%ld\n", created, replaced, removed, unchanged);
  return 0;
}
