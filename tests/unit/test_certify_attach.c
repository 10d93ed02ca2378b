/* certify/attach.c: each model's recipe gives the QEMU arguments written out here by hand,
 * the ids are made in one place, and the default device set comes from the same recipes. */
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "../../certify/attach.h"
#include "../../certify/devices.h"
#include "unit.h"

/* The topology disk: one scratch disk per device, each on its model's controller. */
static void test_attach_disk_topology(void)
{
	static const char *const models[] = { "nvme", "ich9-ahci", "pvscsi", "megasas-gen2",
					      "virtio-blk-pci", "mptsas1068" };
	struct certify_plan p = { .topology = CERTIFY_TOPO_DISK, .disk_bytes = 1 << 20 };
	struct certify_run_spec spec = { .plan = &p, .ndut = 6 };
	struct certify_strv args = { 0 };
	struct qemu_config q;
	char *line;

	for (size_t i = 0; i < 6; i++) {
		snprintf(spec.dut[i].model, sizeof(spec.dut[i].model), "%s", models[i]);
		spec.dut[i].m = certify_model_find(models[i]);
	}
	snprintf(spec.dut[2].props, sizeof(spec.dut[2].props), ",x=1");
	memset(&q, 0, sizeof(q));
	struct certify_inject inj = { .rlba = "77" };

	CU_ASSERT_EQUAL_FATAL(certify_attach_topology(&spec, &inj, &q, &args), 0);
	line = certify_strv_join_shell(&args);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-drive 'if=none,id=d0,format=raw,file.driver=blkdebug,"
					    "file.image.driver=file,file.image.filename=${disk:d0},"
					    "file.inject-error.0.event=read_aio,file.inject-error.0.errno=5,"
					    "file.inject-error.0.sector=77' -device nvme,serial=hvkcert0,drive=d0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-drive 'if=none,id=d1,format=raw,file=${disk:d1}' "
					    "-device ich9-ahci,id=ahci1 -device ide-hd,drive=d1,bus=ahci1.0,ver=HVF1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-device pvscsi,id=pvscsi2,x=1 "
					    "-device scsi-hd,drive=d2,bus=pvscsi2.0,scsi-id=0,ver=HVF2 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-device megasas-gen2,id=megasas3 "
					    "-device scsi-hd,drive=d3,bus=megasas3.0,scsi-id=0,ver=HVF3 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-device virtio-blk-pci,drive=d4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-device mptsas1068,id=mptsas5 "
					    "-device scsi-hd,drive=d5,bus=mptsas5.0,scsi-id=0"));
	CU_ASSERT_EQUAL(q.ndisks, 6);
	CU_ASSERT_STRING_EQUAL(q.disks[4].name, "d4");
	CU_ASSERT_EQUAL(q.disks[4].size, 1u << 20);
	free(line);
	certify_strv_free(&args);
	/* Write and flush errors: one blkdebug rule each, numbered after the read rule. */
	snprintf(inj.wlba, sizeof(inj.wlba), "2000");
	inj.flush = 1;
	memset(&q, 0, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(certify_attach_drive(&q, "d0", 1 << 20, &inj, &args), 0);
	CU_ASSERT_STRING_EQUAL(args.v[1], "if=none,id=d0,format=raw,file.driver=blkdebug,"
			       "file.image.driver=file,file.image.filename=${disk:d0},"
			       "file.inject-error.0.event=read_aio,file.inject-error.0.errno=5,"
			       "file.inject-error.0.sector=77,"
			       "file.inject-error.1.event=write_aio,file.inject-error.1.iotype=write,"
			       "file.inject-error.1.errno=5,file.inject-error.1.sector=2000,"
			       "file.inject-error.2.event=flush_to_os,file.inject-error.2.iotype=flush,"
			       "file.inject-error.2.errno=5,file.inject-error.2.once=on");
	certify_strv_free(&args);
	inj.rlba[0] = 0;	/* the flush alone is rule 0 */
	inj.wlba[0] = 0;
	CU_ASSERT_EQUAL_FATAL(certify_attach_drive(&q, "d1", 1 << 20, &inj, &args), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(args.v[1], "${disk:d1},file.inject-error.0.event=flush_to_os,"));
	certify_strv_free(&args);
}

/* The topology vm: the first NIC on the host peer's netdev, storage on a scratch disk; the
 * kernel's vmhba0 is the first storage device's disk. */
static void test_attach_vm_topology(void)
{
	struct certify_plan p = { .topology = CERTIFY_TOPO_VM, .disk_bytes = 1 << 20 };
	struct certify_run_spec spec = { .plan = &p, .ndut = 3 };
	struct certify_strv args = { 0 };
	struct qemu_config q;
	char *line, disk[32];

	snprintf(spec.dut[0].model, sizeof(spec.dut[0].model), "edu");
	snprintf(spec.dut[1].model, sizeof(spec.dut[1].model), "vmxnet3");
	snprintf(spec.dut[2].model, sizeof(spec.dut[2].model), "nvme");
	for (int i = 0; i < 3; i++)
		spec.dut[i].m = certify_model_find(spec.dut[i].model);
	memset(&q, 0, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(certify_attach_topology(&spec, NULL, &q, &args), 0);
	line = certify_strv_join_shell(&args);
	CU_ASSERT_STRING_EQUAL(line, "-device edu -device vmxnet3,netdev=hp,id=nhp,mac=52:54:00:12:01:01,romfile= "
			       "-drive 'if=none,id=d2,format=raw,file=${disk:d2}' "
			       "-device nvme,serial=hvkcert2,drive=d2");
	certify_attach_first_disk(&spec, disk, sizeof(disk));
	CU_ASSERT_STRING_EQUAL(disk, "d2");
	p.topology = CERTIFY_TOPO_DISK;
	certify_attach_first_disk(&spec, disk, sizeof(disk));
	CU_ASSERT_STRING_EQUAL(disk, "d0");
	free(line);
	certify_strv_free(&args);
}

/* Netdev ids: what the nic-pair topology builds is what the link-flap fault names. */
static void test_attach_netdev_ids(void)
{
	char id[32];

	certify_netdev_id(id, sizeof(id), 0, CERTIFY_PORT_A);
	CU_ASSERT_STRING_EQUAL(id, "n0a");
	certify_netdev_id(id, sizeof(id), 3, CERTIFY_PORT_B);
	CU_ASSERT_STRING_EQUAL(id, "n3b");
	certify_netdev_id(id, sizeof(id), 1, CERTIFY_PORT_SPARE);
	CU_ASSERT_STRING_EQUAL(id, "n1z");
	CU_ASSERT_STRING_EQUAL(CERTIFY_NETDEV_PEER, "hp");
}

/* The default set of hvboot and hvbench, in slot order, from the table's recipes. */
static void test_attach_defaults(void)
{
	struct certify_strv args = { 0 };
	struct qemu_config q;
	char *line;

	memset(&q, 0, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(certify_default_devices("q35", &args, &q), 0);
	line = certify_strv_join_shell(&args);
	CU_ASSERT_STRING_EQUAL(line,
		"-device e1000,romfile= -device virtio-net-pci,romfile= -device rtl8139,romfile= "
		"-device vmxnet3,romfile= -device pcie-root-port,id=rp1,chassis=1,slot=1 "
		"-device e1000e,romfile=,bus=rp1 "
		"-drive 'if=none,id=nvme0,format=raw,file=${disk:nvme0}' -device nvme,serial=hvboot0,drive=nvme0 "
		"-drive 'if=none,id=sata0,format=raw,file=${disk:sata0}' -device ich9-ahci,id=ahci0 "
		"-device ide-hd,drive=sata0,bus=ahci0.0,ver=HVF0 "
		"-drive 'if=none,id=vblk0,format=raw,file=${disk:vblk0}' -device virtio-blk-pci,drive=vblk0");
	CU_ASSERT_EQUAL(q.ndisks, 3);
	CU_ASSERT_EQUAL(q.disks[0].size, 64u << 20);
	free(line);
	certify_strv_free(&args);
	memset(&q, 0, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(certify_default_devices("pc", &args, &q), 0);
	line = certify_strv_join_shell(&args);
	CU_ASSERT_PTR_NULL(strstr(line, "pcie-root-port"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-device e1000e,romfile= -drive"));
	free(line);
	certify_strv_free(&args);
}

UNIT_SUITE(certify_attach_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_attach_disk_topology),
		UNIT_TEST(test_attach_vm_topology),
		UNIT_TEST(test_attach_netdev_ids),
		UNIT_TEST(test_attach_defaults),
		UNIT_TEST_END
	};
	unit_add_suite("certify_attach", NULL, NULL, tests);
}
