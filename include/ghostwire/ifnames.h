/* ifnames.h — the name a person knows a capture interface by. Where the
 * capture name is that name ("eth0") there is nothing to add; where capture
 * devices have opaque names ("\Device\NPF_{GUID}"), the system's own name
 * for the adapter ("Ethernet", "Wi-Fi"). One implementation per src/os/<os>/. */
#ifndef GHOSTWIRE_IFNAMES_H
#define GHOSTWIRE_IFNAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The friendly name of the capture interface capture_name into out (UTF-8,
 * NUL-terminated, cut to fit): true if the system has one other than
 * capture_name itself, false (out = "") otherwise. */
bool gw_iface_friendly_name(const char *capture_name, char *out, size_t size);

#endif
