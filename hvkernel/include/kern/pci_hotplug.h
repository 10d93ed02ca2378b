/* PCI Express native hot-plug: orderly removal by attention button (pci/pci_hotplug.c). */
#ifndef KERN_PCI_HOTPLUG_H
#define KERN_PCI_HOTPLUG_H

/* Arm every hot-plug capable slot with an attention button. Returns how many. */
int pci_hotplug_init(void);
/* Carry out pending removals. Returns the number of functions removed. */
int pci_hotplug_poll(void);
int pci_hotplug_slots(void);

#endif
