/* The shared SCSI command layer, compiled into this module (a module cannot link another). */
#include "../../scsi/scsi_cdb.c"
#include "../../scsi/scsi_disk.c"
#include "../../scsi/scsi_scan.c"
