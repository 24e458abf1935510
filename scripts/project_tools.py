"""What the project's scripts share: cargo facts, Terraform, the emulator process, mirrors."""

import json
import os
import tomllib
import shutil
import subprocess
import urllib.request

import get_terraform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _provider_address():
    """(package name, registry address), from Cargo.toml: the one place the address is set."""
    with open(os.path.join(ROOT, "Cargo.toml"), "rb") as manifest:
        cargo = tomllib.load(manifest)
    package = cargo["package"]["name"]
    namespace = cargo["package"]["metadata"]["terraform"]["namespace"]
    return package, f"registry.terraform.io/{namespace}/{package.removeprefix('terraform-provider-')}"


PACKAGE, PROVIDER_ADDRESS = _provider_address()
PROVIDER_SOURCE = PROVIDER_ADDRESS.removeprefix("registry.terraform.io/")
PROVIDER_LOCAL_NAME = PACKAGE.removeprefix("terraform-provider-")


def cargo_metadata():
    """(target directory, package version), from one `cargo metadata` call."""
    out = subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    version = next(p["version"] for p in data["packages"] if p["name"] == PACKAGE)
    return data["target_directory"], version


def find_terraform(target_dir):
    """The `terraform` on PATH, else Terraform 1.0.3 installed into the target directory."""
    return shutil.which("terraform") or get_terraform.install(
        os.path.join(target_dir, "terraform-cache", get_terraform.VERSION))


class EmulatorProcess:
    """The `cloudflare-emulator` binary on 127.0.0.1, with its admin controls."""

    def __init__(self, binary, token):
        self.process = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--token", token],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"the emulator did not start (printed {self.base_url!r})")
        self.admin_url = self.base_url.split("/client/v4")[0] + "/__emulator"

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.admin_url}/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def write_mirror(workdir, providers):
    """An unpacked filesystem mirror under `workdir` and a CLI configuration installing from it.

    `providers` lists (address, version, binary, file name in the mirror). Returns the path of
    the CLI configuration file."""
    mirror = os.path.join(workdir, "mirror")
    for address, version, binary, file_name in providers:
        platform_dir = os.path.join(mirror, address, version, "linux_amd64")
        os.makedirs(platform_dir)
        shutil.copy2(binary, os.path.join(platform_dir, file_name))
    addresses = "[" + ", ".join(f'"{address}"' for address, *_ in providers) + "]"
    cli_config = os.path.join(workdir, "cli.tfrc")
    with open(cli_config, "w") as out:
        out.write("provider_installation {\n"
                  f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = {addresses}\n  }}\n'
                  f"  direct {{\n    exclude = {addresses}\n  }}\n}}\n")
    return cli_config


def our_mirror_entry(binary, version):
    """This provider's row for `write_mirror`."""
    return (PROVIDER_ADDRESS, version, binary, f"{PACKAGE}_v{version}")
