/* The shared virtio PCI transport, compiled into this module (a module cannot link another). */
#include "../../virtio/virtio_pci.c"
#include "../../virtio/virtqueue.c"
