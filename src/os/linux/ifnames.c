/* os/linux/ifnames.c — interface names: the capture name is the one people use. */
#include "ghostwire/ifnames.h"

bool gw_iface_friendly_name(const char *capture_name, char *out, size_t size)
{
	(void)capture_name;
	if (size)
		out[0] = '\0';
	return false;
}
