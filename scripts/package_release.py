#!/usr/bin/env python3
"""Builds the release artefacts a registry, a network mirror or a CI agent installs.

Writes into OUT_DIR (default target/release-artifacts):
  <package>_<version>_<os>_<arch>.zip   (binary <package>_v<version>)
  <package>_<version>_manifest.json     ({"version":1,"metadata":{"protocol_versions":["5.0"]}})
  <package>_<version>_SHA256SUMS        (covers the zip and the manifest)
where <package> is the package name in Cargo.toml (terraform-provider-<type>).

Usage: package_release.py [--binary PATH] [--out OUT_DIR]
Without --binary it runs `cargo build --release` and packages that binary. Signing the SHA256SUMS
file (gpg --detach-sign) is left to the release pipeline, which holds the key.
"""

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import zipfile

sys.dont_write_bytecode = True  # importing the sibling module must not litter scripts/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from project_tools import PACKAGE as NAME, ROOT, cargo_metadata  # noqa: E402  (sibling module)
# A fixed timestamp keeps the zip byte-for-byte reproducible for the same binary.
ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def terraform_platform():
    os_name = {"Linux": "linux", "Darwin": "darwin", "FreeBSD": "freebsd", "Windows": "windows"}[platform.system()]
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i686": "386"}.get(machine, machine)
    return os_name, arch


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package(binary, out_dir, version):
    os_name, arch = terraform_platform()
    os.makedirs(out_dir, exist_ok=True)
    zip_name = f"{NAME}_{version}_{os_name}_{arch}.zip"
    zip_path = os.path.join(out_dir, zip_name)
    entry = zipfile.ZipInfo(f"{NAME}_v{version}", date_time=ZIP_TIMESTAMP)
    entry.external_attr = 0o755 << 16  # executable once unpacked
    entry.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(zip_path, "w") as archive, open(binary, "rb") as source:
        archive.writestr(entry, source.read())

    manifest_name = f"{NAME}_{version}_manifest.json"
    with open(os.path.join(out_dir, manifest_name), "w") as out:
        json.dump({"version": 1, "metadata": {"protocol_versions": ["5.0"]}}, out, indent=2)
        out.write("\n")

    sums_name = f"{NAME}_{version}_SHA256SUMS"
    with open(os.path.join(out_dir, sums_name), "w") as out:
        for name in sorted([zip_name, manifest_name]):
            out.write(f"{sha256(os.path.join(out_dir, name))}  {name}\n")
    return [zip_name, manifest_name, sums_name]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="package this binary instead of building a release one")
    parser.add_argument("--out", help="output directory (default <target>/release-artifacts)")
    args = parser.parse_args()
    target_dir, version = cargo_metadata()
    binary = args.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "--bin", NAME], cwd=ROOT, check=True)
        binary = os.path.join(target_dir, "release", NAME)
    out_dir = args.out or os.path.join(target_dir, "release-artifacts")
    for name in package(binary, out_dir, version):
        print(os.path.join(out_dir, name))


if __name__ == "__main__":
    sys.exit(main())
