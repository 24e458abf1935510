#!/usr/bin/env python3
"""Builds the release artefacts a registry, a network mirror or a CI agent installs.

Writes into OUT_DIR (default target/release-artifacts):
  <package>_<version>_<os>_<arch>.zip   one per platform (binary <package>_v<version>[.exe])
  <package>_<version>_manifest.json     ({"version":1,"metadata":{"protocol_versions":["5.0"]}})
  <package>_<version>_SHA256SUMS        (covers every zip and the manifest)
  <package>_<version>_SHA256SUMS.sig    (detached binary GPG signature, when a key is given)
where <package> is the package name in Cargo.toml (terraform-provider-<type>).

With --mirror DIR it also lays out a provider network mirror (what Terraform's `network_mirror`
installation method reads) under DIR/<hostname>/<namespace>/<type>/: index.json listing the
versions, <version>.json listing each platform's zip with its zh: hash, and the zips. Serve DIR
over HTTPS. Versions already in DIR stay listed.

Usage:
  package_release.py [--binary PATH] [--platform OS_ARCH=PATH ...] [--out OUT_DIR]
                     [--mirror MIRROR_DIR] [--signing-key KEY_ID]
Without --binary or --platform it runs `cargo build --release` and packages that binary for this
machine's platform. --binary PATH packages a prebuilt binary for this machine's platform;
--platform (repeatable) packages prebuilt binaries for any platform, e.g.
  --platform linux_arm64=dist/aarch64-unknown-linux-gnu/terraform-provider-cloudflare-origins
The signing key (a GPG key id, fingerprint or e-mail in the keyring gpg uses, GNUPGHOME
respected) comes from --signing-key or the RELEASE_SIGNING_KEY environment variable; without one
the checksums are left unsigned and the script says so.
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
from project_tools import PACKAGE as NAME, PROVIDER_ADDRESS, ROOT, cargo_metadata  # noqa: E402

SIGNING_KEY_VARIABLE = "RELEASE_SIGNING_KEY"
# A fixed timestamp keeps the zip byte-for-byte reproducible for the same binary.
ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)
KNOWN_OSES = {"linux", "darwin", "windows", "freebsd", "openbsd", "solaris"}
KNOWN_ARCHES = {"amd64", "arm64", "386", "arm"}


def host_platform():
    os_name = {"Linux": "linux", "Darwin": "darwin", "FreeBSD": "freebsd", "Windows": "windows"}[platform.system()]
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i686": "386"}.get(machine, machine)
    return f"{os_name}_{arch}"


def parse_platform_binary(text):
    """'OS_ARCH=PATH' -> ('OS_ARCH', PATH), with a clear error for anything else."""
    name, sep, path = text.partition("=")
    os_name, _, arch = name.partition("_")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"{text!r} is not OS_ARCH=PATH")
    if os_name not in KNOWN_OSES or arch not in KNOWN_ARCHES:
        raise argparse.ArgumentTypeError(
            f"{name!r} is not a Terraform platform (OS_ARCH with OS in {sorted(KNOWN_OSES)}, "
            f"ARCH in {sorted(KNOWN_ARCHES)})")
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError(f"{name}: no binary at {path}")
    return name, path


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_zip(binary, zip_path, entry_name):
    entry = zipfile.ZipInfo(entry_name, date_time=ZIP_TIMESTAMP)
    entry.external_attr = 0o755 << 16  # executable once unpacked
    entry.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(zip_path, "w") as archive, open(binary, "rb") as source:
        archive.writestr(entry, source.read())


def package(binaries, out_dir, version):
    """Zips each (platform, binary), writes the manifest and SHA256SUMS. Returns
    ({platform: zip name}, [every file name written])."""
    os.makedirs(out_dir, exist_ok=True)
    zips = {}
    for platform_name, binary in sorted(binaries.items()):
        zip_name = f"{NAME}_{version}_{platform_name}.zip"
        suffix = ".exe" if platform_name.startswith("windows_") else ""
        write_zip(binary, os.path.join(out_dir, zip_name), f"{NAME}_v{version}{suffix}")
        zips[platform_name] = zip_name

    manifest_name = f"{NAME}_{version}_manifest.json"
    with open(os.path.join(out_dir, manifest_name), "w") as out:
        json.dump({"version": 1, "metadata": {"protocol_versions": ["5.0"]}}, out, indent=2)
        out.write("\n")

    sums_name = f"{NAME}_{version}_SHA256SUMS"
    with open(os.path.join(out_dir, sums_name), "w") as out:
        for name in sorted([*zips.values(), manifest_name]):
            out.write(f"{sha256(os.path.join(out_dir, name))}  {name}\n")
    return zips, [*zips.values(), manifest_name, sums_name]


def sign(out_dir, sums_name, key):
    """A detached binary signature of the checksums file (what the public registry requires)."""
    signature_name = f"{sums_name}.sig"
    subprocess.run(
        ["gpg", "--batch", "--yes", "--local-user", key, "--output", os.path.join(out_dir, signature_name),
         "--detach-sign", os.path.join(out_dir, sums_name)],
        check=True)
    return signature_name


def write_network_mirror(mirror_root, out_dir, zips, version):
    """The network mirror protocol's files for this version, merged into what is there."""
    provider_dir = os.path.join(mirror_root, PROVIDER_ADDRESS)
    os.makedirs(provider_dir, exist_ok=True)
    archives = {}
    for platform_name, zip_name in sorted(zips.items()):
        source = os.path.join(out_dir, zip_name)
        target = os.path.join(provider_dir, zip_name)
        with open(source, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read())
        # The URL is relative to <version>.json, so the mirror can live under any base URL.
        archives[platform_name] = {"url": zip_name, "hashes": [f"zh:{sha256(target)}"]}
    write_json(os.path.join(provider_dir, f"{version}.json"), {"archives": archives})

    index_path = os.path.join(provider_dir, "index.json")
    versions = {}
    if os.path.exists(index_path):
        with open(index_path) as existing:
            versions = json.load(existing).get("versions", {})
    versions[version] = {}
    write_json(index_path, {"versions": dict(sorted(versions.items()))})
    return provider_dir


def write_json(path, value):
    with open(path, "w") as out:
        json.dump(value, out, indent=2)
        out.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="package this prebuilt binary for this machine's platform")
    parser.add_argument("--platform", action="append", default=[], type=parse_platform_binary,
                        metavar="OS_ARCH=PATH", help="package a prebuilt binary for OS_ARCH (repeatable)")
    parser.add_argument("--out", help="output directory (default <target>/release-artifacts)")
    parser.add_argument("--mirror", help="also write a provider network mirror under this directory")
    parser.add_argument("--signing-key", default=os.environ.get(SIGNING_KEY_VARIABLE) or None,
                        help=f"GPG key to sign SHA256SUMS with (default ${SIGNING_KEY_VARIABLE})")
    args = parser.parse_args()
    target_dir, version = cargo_metadata()

    binaries = dict(args.platform)
    if len(binaries) != len(args.platform):
        parser.error("each platform may be given once")
    if args.binary is not None:
        binaries.setdefault(host_platform(), args.binary)
    if not binaries:
        print("Building the release binary (cargo build --release): the first release build takes about "
              "5 minutes on 2 cores; cargo's progress follows.", file=sys.stderr, flush=True)
        subprocess.run(["cargo", "build", "--release", "--locked", "--bin", NAME], cwd=ROOT, check=True)
        binaries[host_platform()] = os.path.join(target_dir, "release", NAME)

    out_dir = args.out or os.path.join(target_dir, "release-artifacts")
    zips, written = package(binaries, out_dir, version)
    if args.signing_key:
        written.append(sign(out_dir, written[-1], args.signing_key))
    else:
        print(f"SHA256SUMS not signed: no signing key (pass --signing-key KEY_ID or set {SIGNING_KEY_VARIABLE})",
              file=sys.stderr)
    for name in written:
        print(os.path.join(out_dir, name))
    if args.mirror:
        provider_dir = write_network_mirror(args.mirror, out_dir, zips, version)
        print(f"network mirror: {provider_dir} (serve {os.path.abspath(args.mirror)} over HTTPS)", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
