/* os/windows/wpcap_internal.h — what wpcap.c offers the rest of the port. */
#ifndef GW_WINDOWS_WPCAP_INTERNAL_H
#define GW_WINDOWS_WPCAP_INTERNAL_H

/* Waits up to timeout_ms (negative: no limit) until a live capture handle has
 * packets to read (Npcap's read events): 1 once waited, 0 at once if no live
 * handle has an event to wait on. */
int gw__wpcap_wait(int timeout_ms);

#endif
