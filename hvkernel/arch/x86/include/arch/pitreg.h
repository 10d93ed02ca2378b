/* Intel 8254 PIT and the PC speaker gate (8254 datasheet; PC/AT port 0x61). */
#ifndef ARCH_PITREG_H
#define ARCH_PITREG_H

#define PIT_HZ		1193182
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PIT_PORT_B	0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */

#define PIT_MODE_CH2_ONESHOT	0xb0	/* channel 2, lobyte/hibyte, mode 0 */
#define PIT_LATCH_CH2		0x80	/* counter latch command, channel 2 */
#define PIT_MODE_CH0_RATE	0x34	/* channel 0, lobyte/hibyte, mode 2 (rate generator) */
#define PIT_PORT_B_GATE2	0x01
#define PIT_PORT_B_SPKR		0x02
#define PIT_PORT_B_OUT2		0x20

#endif
