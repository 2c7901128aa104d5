/* os/windows/posix/termios.h — terminal modes for the Windows build: the
 * console has no termios, so tcgetattr fails (ENOTTY) and callers fall back
 * to their non-terminal path (watch prints lines instead of its live table). */
#ifndef GW_WINDOWS_POSIX_TERMIOS_H
#define GW_WINDOWS_POSIX_TERMIOS_H

typedef unsigned tcflag_t;
typedef unsigned char cc_t;

#define NCCS    8
#define VMIN    0
#define VTIME   1
#define ICANON  2u
#define ECHO    8u
#define TCSANOW 0

struct termios {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_cc[NCCS];
};

int gw_posix_tcgetattr(int fd, struct termios *t);
int gw_posix_tcsetattr(int fd, int when, const struct termios *t);
#define tcgetattr(fd, t)       gw_posix_tcgetattr(fd, t)
#define tcsetattr(fd, when, t) gw_posix_tcsetattr(fd, when, t)

#endif
