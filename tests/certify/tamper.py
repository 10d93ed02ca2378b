#!/usr/bin/env python3
"""Changes one byte of a member of a package (a ustar archive) in place, as an attacker or a
damaged disk would: tamper.py FILE MEMBER [OFFSET]. The member's header is left as it was.
For the signature member the byte changed is the first of the base64 signature, swapped for
another base64 letter, so the signature still parses and only its check can fail."""
import sys
import tarfile

path, member = sys.argv[1], sys.argv[2]
off = int(sys.argv[3]) if len(sys.argv) > 3 else 0
with tarfile.open(path, "r:") as t:
    info = t.getmember(member)
    start = info.offset_data
    size = info.size
with open(path, "r+b") as f:
    f.seek(start)
    data = f.read(size)
    if member == "signature":
        off = data.index(b"ed25519 ") + len(b"ed25519 ")
        new = b"B" if data[off:off + 1] != b"B" else b"C"
    else:
        off = min(off, size - 1)
        new = bytes([data[off] ^ 0x01])
    f.seek(start + off)
    f.write(new)
