/* Application processors: start-up and running work on them (kern/smp.c). */
#ifndef KERN_SMP_H
#define KERN_SMP_H

#include <stdint.h>

#define SMP_MAX_CPUS	8

/* Start every CPU the MADT lists. Returns the number of CPUs online (boot CPU included). */
int smp_init(void);
int smp_cpu_count(void);
/* Index (0 = boot CPU) of the calling CPU. */
unsigned smp_cpu_index(void);
uint32_t smp_apic_id(unsigned cpu);
/* Run fn(arg) on CPU cpu (not the caller's). -HV_EBUSY when it is still busy. */
int smp_call(unsigned cpu, void (*fn)(void *arg), void *arg);
/* Wait until CPU cpu has finished its work; -HV_ETIMEDOUT after timeout_us. */
int smp_wait(unsigned cpu, uint64_t timeout_us);

#endif
