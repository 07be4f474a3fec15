/* gs__random_bytes(): getrandom(2) on Linux (no file descriptor, works in a
 * chroot), arc4random_buf(3) on the BSDs and macOS (which have no
 * <sys/random.h> getrandom), /dev/urandom elsewhere. */
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "gazsync/error.h"

#if defined(__linux__)
#include <sys/random.h>

int gs__random_bytes(void *out, size_t size)
{
    unsigned char *p = out;

    while (size > 0) {
        ssize_t n = getrandom(p, size, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return gs_error_set(GS_EIO, GS_ECLASS_OS, "getrandom: %s",
                                strerror(errno));
        p += n;
        size -= (size_t)n;
    }
    return GS_OK;
}
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) ||    \
    defined(__NetBSD__)
#include <stdlib.h>

int gs__random_bytes(void *out, size_t size)
{
    arc4random_buf(out, size); /* cannot fail */
    return GS_OK;
}
#else
int gs__random_bytes(void *out, size_t size)
{
    unsigned char *p = out;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    int rc = GS_OK;

    if (fd < 0)
        return gs_error_set(GS_EIO, GS_ECLASS_OS, "/dev/urandom: %s",
                            strerror(errno));
    while (size > 0) {
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = gs_error_set(GS_EIO, GS_ECLASS_OS, "/dev/urandom: %s",
                              n < 0 ? strerror(errno) : "end of file");
            break;
        }
        p += n;
        size -= (size_t)n;
    }
    close(fd);
    return rc;
}
#endif
