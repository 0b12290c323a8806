/*
 * Timer limits of the IKE engine, in one place. ike_set_timing() may override them (tests).
 */
#ifndef MGMTSEC_IKE_TIMING_H
#define MGMTSEC_IKE_TIMING_H

#include "ike/ike.h"

/* Retransmission back-off: wait 0.5 s after the first transmission, then 1, 2, 4, 8 s; give up
 * 16 s after the sixth transmission (31.5 s in all, RFC 7296 §2.1). */
static const struct ike_timing IKE_TIMING_DEFAULT = {
    .retx_ms = {500, 1000, 2000, 4000, 8000, 16000},
    .n_retx = 6,
    .holddown_ms = 10000,
    .half_open_ms = 30000,
    .linger_ms = 1000,
};

#define IKE_NONCE_LEN  32   /* our Ni/Nr (RFC 7296 §2.10: at least half the PRF key size) */
#define IKE_MSG_BUF    8192 /* build buffer for one message we send */
#define IKE_TASK_QUEUE 8    /* requests waiting behind the one in flight (window size 1) */

#endif
