/* A VM's port I/O (vmm/vm_io.c): COM1 as a 16550, the 8259 masks, nothing elsewhere. */
#ifndef VMM_VM_IO_H
#define VMM_VM_IO_H

#include <stdint.h>
#include <vmm/vm.h>

/* A port read of size bytes (all-ones where nothing answers). */
uint32_t vm_io_in(struct vm *vm, uint16_t port, unsigned size);
void vm_io_out(struct vm *vm, uint16_t port, unsigned size, uint32_t v);
/* One character of the VM's console (vm.c): lines go to the log. Called with vm->lock. */
void vm_console_putc(struct vm *vm, char c);

#endif
