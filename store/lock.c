/* The run lock: one pull, push or sync per cache at a time.
 *
 * Two overlapping runs each believe they own the cache: the second one's
 * delta closes the first one's sweep scope (its full read then fails for
 * ever), and both push the same rows. SQLite's own locks cannot prevent it,
 * since a run is many transactions. So a run holds an exclusive flock() on
 * `<cache>.lock` from open to close. flock(), not fcntl(): fcntl locks are
 * per process and released by any close() of the file, including SQLite's
 * own; a separate file, not the cache itself, so that no lock gazsync takes
 * can ever meet one SQLite takes (on NFS, flock is emulated with fcntl).
 * The file is never deleted: unlinking a lock file lets a third process
 * lock a new inode while the second still waits on the old one. It holds
 * the holder's pid, only for the message the next run prints. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define POLL_MS 100

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* The pid the holder wrote, as text ("" when unreadable). */
static void holder_pid(char *out, size_t size, int fd)
{
    ssize_t n = pread(fd, out, size - 1, 0);

    out[n > 0 ? n : 0] = '\0';
    out[strcspn(out, "\n")] = '\0';
}

int gs__store_lock(int *out_fd, const char *path, int wait_ms)
{
    char lock_path[4096], pid[32];
    long waited = 0;
    int fd = -1, n, rc = GS_OK;

    *out_fd = -1;
    n = snprintf(lock_path, sizeof lock_path, "%s.lock", path);
    if (n < 0 || (size_t)n >= sizeof lock_path) {
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_OS, "cache %s: path too long",
                          path);
        goto done;
    }
    fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "cache lock %s: %s", lock_path,
                          strerror(errno));
        goto done;
    }
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "cache lock %s: %s",
                              lock_path, strerror(errno));
            goto done;
        }
        if (waited >= wait_ms) {
            holder_pid(pid, sizeof pid, fd);
            rc = gs_error_set(
                GS_EBUSY, GS_ECLASS_STORE,
                "cache %s is in use by another gazsync run%s%s%s (lock %s)%s",
                path, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", lock_path,
                wait_ms > 0 ? "; gave up waiting" : "; try later, or --wait");
            goto done;
        }
        sleep_ms(POLL_MS);
        waited += POLL_MS;
    }
    /* Ours now: say who holds it. A failure here only costs the message. */
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
        pid[0] = '\0';
    *out_fd = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return rc;
}

void gs__store_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}
