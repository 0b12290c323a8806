/*
 * Safe-permission checks for the files the daemon trusts: the committed configuration holds
 * pre-shared keys and decides what the daemon does, so nobody but its owner (the daemon's
 * user, root) may change it, or the directory it lives in, and nobody else may read it.
 *
 * fileperm_check_config(path):
 *   - path missing: fine (the daemon starts empty and creates it, mode 0600, on commit);
 *   - refused (-1, reason in err): not a regular file, not owned by the daemon's effective
 *     uid, writable by group or others, or in a directory that someone other than the daemon's
 *     user owns or that group/others may write to (unless sticky, like /tmp);
 *   - readable by group or others: the mode is reduced to 0600 (fchmod on the opened file,
 *     no race with a rename) and 1 is returned so that the caller can warn.
 * There is a window between this check and the configuration loader's own open; the checks
 * are on state only the owner (root) can change, so an attacker cannot use it.
 */
#ifndef MGMTSEC_DAEMON_FILEPERM_H
#define MGMTSEC_DAEMON_FILEPERM_H

#include <stddef.h>

/* 0 = fine, 1 = fixed (was group/other-readable, now 0600), -1 = refused (reason in err). */
int fileperm_check_config(const char *path, char *err, size_t len);

#endif
