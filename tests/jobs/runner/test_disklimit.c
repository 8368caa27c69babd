/* The runner's walk of a job's directory (runner/disklimit.h): a file of
 * two names (a result published by a hard link, where RENAME_NOREPLACE is
 * refused: NFS) is counted once. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hz_test.h"
#include "runner/disklimit.h"
#include "runner/workdir.h"

static void write_mib(const char *path, int mib)
{
    FILE *f = fopen(path, "w");
    HZ_CHECK(f != NULL);
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    for (int i = 0; f != NULL && i < mib; i++)
        HZ_CHECK(fwrite(block, 1, sizeof block, f) == sizeof block);
    if (f != NULL)
        HZ_CHECK(fclose(f) == 0);
}

HZ_TEST(a_file_of_two_names_is_counted_once)
{
    char dir[] = "/tmp/hz_disklimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    char part[256], res[256];
    snprintf(part, sizeof part, "%s/result.json.part", dir);
    snprintf(res, sizeof res, "%s/result.json", dir);
    write_mib(part, 4);
    long long largest = 0;
    long long one = hz__disk_usage(dir, &largest);
    HZ_CHECK(link(part, res) == 0); /* hz__disklimit_rename's last resort */
    long long two = hz__disk_usage(dir, &largest);
    HZ_CHECK_MSG(one >= 4LL << 20, "%lld bytes for a 4 MiB file", one);
    HZ_CHECK_MSG(two <= one + HZ_DISK_ENTRY_MIN,
                 "%lld bytes with a second name, %lld with one", two, one);
    HZ_CHECK(largest == 4LL << 20);
    hz__workdir_remove_tree(dir);
}
