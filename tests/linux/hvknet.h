/* hvkguest's NIC test (hvknet.c). */
#ifndef HVKNET_H
#define HVKNET_H

/* Exchange the host peer's frame sets through IFNAME (docs/linux-guest.md). 0 when every
 * frame the peer sent arrived intact and in order, else 1 (the reason printed). */
int hvknet_run(const char *ifname);

#endif
