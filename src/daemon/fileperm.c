#include "daemon/fileperm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory holding path must be ours and not writable by others (a sticky directory
 * such as /tmp is fine: nobody else can rename or remove our file there). */
static int check_dir(const char *path, char *err, size_t len)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	struct stat st;
	if (stat(dir, &st) < 0) {
		snprintf(err, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(err, len, "directory %s is writable by group or others (mode %04o)", dir,
		         (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, len, "directory %s is owned by uid %u, not by uid %u", dir,
		         (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	return 0;
}

int fileperm_check_config(const char *path, char *err, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return check_dir(path, err, len);
		snprintf(err, len, "%s: %s%s", path, strerror(errno),
		         errno == ELOOP ? " (a symbolic link is not accepted)" : "");
		return -1;
	}
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, len, "%s is not a regular file", path);
	} else if (st.st_uid != geteuid()) {
		snprintf(err, len, "%s is owned by uid %u, not by uid %u (chown it)", path,
		         (unsigned)st.st_uid, (unsigned)geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, len, "%s is writable by group or others (mode %04o; chmod 600 it)",
		         path, (unsigned)(st.st_mode & 07777));
	} else if (check_dir(path, err, len) < 0) {
		rc = -1;
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		if (fchmod(fd, st.st_mode & 0700) < 0)
			snprintf(err, len, "%s: cannot chmod: %s", path, strerror(errno));
		else
			rc = 1;
	} else {
		rc = 0;
	}
	close(fd);
	return rc;
}
