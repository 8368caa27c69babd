#!/usr/bin/python3
"""Checks of the deployment files in deploy/ with what this machine has
(no container engine, no cluster, no init system):

  deploy_check.py dockerfile   the build stage's commands run in a clean
                               copy of the sources; the binary's shared
                               libraries are provided by the runtime
                               stage's packages; non-root user; the default
                               command runs and its HEALTHCHECK passes
  deploy_check.py systemd      systemd-analyze verify; ExecStart runs
  deploy_check.py k8s          the manifests parse and hang together; the
                               containers' commands run; the probes pass on
                               a live heartbeat and fail on a stale or
                               degraded one
  deploy_check.py cron         the crontab's schedule fields are valid; its
                               horizon commands run

Every horizon command line in the files is checked against the options
`horizon CMD --help` lists, then run against a scratch SQLite store.
Environment: HORIZON (the binary), HZ_SRC (the sources), HZ_DATA_DIR,
DEPLOY_TMP (a scratch directory).  Exit 0 = all good, 1 = a failure, 77 =
everything checked except options that the binary does not have yet
(named in the output).
"""
import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import yaml

HORIZON = os.environ["HORIZON"]
SRC = os.environ["HZ_SRC"]
DATA = os.environ.get("HZ_DATA_DIR", os.path.join(SRC, "data"))
T = os.environ["DEPLOY_TMP"]
DEPLOY = os.path.join(SRC, "deploy")
# options another part of the project adds; their absence is reported as
# a partial check (exit 77), not hidden
PENDING = {"--heartbeat": "the runner's heartbeat file (not built yet)"}

failures = []
pending = set()
checks = 0

# README (Runner): on SIGTERM running jobs get --grace seconds; a job in
# its narrative step is written back once the LLM answers or its retries
# run out, so a service manager's stop timeout must exceed --grace plus
# the LLM's timeout x max_attempts and the backoff between them (the
# defaults: 60 s, 3, at most 10 s), else such a job is computed again
LLM_WORST_S = 60 * 3 + 10 * 2
GRACE_DEFAULT_S = 20
# job parameter names of earlier versions (README: deprecated aliases)
DEPRECATED_PARAMS = {"dateColumn", "valueColumn", "customerColumn",
                     "amountColumn", "labelColumn", "asOf", "horizonMonths",
                     "discountRate", "kMax", "nInit", "inactiveDays",
                     "levels"}


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


GROUPS = {"jobs", "datasets", "cosmos", "schedule"}


def command_words(argv):
    if argv and argv[0] in GROUPS and len(argv) > 1 and \
            not argv[1].startswith("-"):
        return argv[:2]
    return argv[:1]


_help_cache = {}


def help_options(words):
    key = tuple(words)
    if key not in _help_cache:
        p = subprocess.run([HORIZON] + words + ["--help"],
                           capture_output=True, text=True)
        _help_cache[key] = set(
            re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", p.stdout + p.stderr))
    return _help_cache[key]


def grace_of(argv):
    return float(argv[argv.index("--grace") + 1]) if "--grace" in argv \
        else GRACE_DEFAULT_S


def stop_time_ok(seconds, argv, where):
    """A stop timeout of a `horizon run` lets a narrative finish."""
    need = grace_of(argv) + LLM_WORST_S
    check(seconds > need, f"{where}: stop timeout {seconds:g} s is not above "
                          f"--grace + the LLM's retries ({need:g} s)")


def options_known(argv, where):
    """Every --option of argv is in the command's --help; False when one
    is pending (not in this binary yet)."""
    known = help_options(command_words(argv))
    for i, a in enumerate(argv):
        if a == "--param" and i + 1 < len(argv):
            key = argv[i + 1].split("=", 1)[0]
            check(key not in DEPRECATED_PARAMS,
                  f"{where}: --param {key} is a deprecated name")
    ok = True
    for a in argv:
        if not a.startswith("--"):
            continue
        name = a.split("=", 1)[0]
        if name in known:
            continue
        if name in PENDING:
            pending.add(name)
            ok = False
        else:
            check(False, f"{where}: horizon {' '.join(command_words(argv))}"
                         f" has no option {name}")
    return ok


def scratch_env(name):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(("COSMOS_", "AZURE_", "OPENAI_", "IDENTITY_")):
            del env[k]
    env["HORIZON_STORE"] = f"sqlite:{T}/{name}.db"
    env["HZ_DATASET_ROOTS"] = f"{DATA}:{T}"  # the files stand-ins live here
    return env


def local_args(argv, name):
    """argv with the store pointed at a scratch SQLite file and /tmp, /run
    paths moved into the scratch directory."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--store" and i + 1 < len(argv):
            out += [a, f"sqlite:{T}/{name}.db"]
            i += 2
            continue
        out.append(local_path(a))
        i += 1
    return out


def local_path(s):
    return (s.replace("/tmp/", f"{T}/tmp/").replace("/run/horizon/",
                                                    f"{T}/run/")
            .replace("/srv/exports/sales.csv",
                     os.path.join(DATA, "sample_sales.csv")))


def run_once(argv, where, name):
    """Run a command that ends by itself (run --once, submit)."""
    p = subprocess.run([HORIZON] + local_args(argv, name),
                       env=scratch_env(name), capture_output=True,
                       text=True, timeout=300)
    check(p.returncode == 0, f"{where}: horizon {' '.join(argv)} exited "
                             f"{p.returncode}: {p.stderr.strip()[-300:]}")


def start_watch(argv, name):
    return subprocess.Popen([HORIZON] + local_args(argv, name),
                            env=scratch_env(name), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop_watch(p, where):
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    check(p.returncode == 0, f"{where}: run --watch stopped by SIGTERM "
                             f"exited {p.returncode}: {err.strip()[-300:]}")


def sh(cmd):
    return subprocess.run(["/bin/sh", "-c", cmd], capture_output=True,
                          text=True).returncode


def wait_file(path, seconds=20):
    t0 = time.time()
    while time.time() - t0 < seconds:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        time.sleep(0.1)
    return False


def heartbeat_path(argv):
    return argv[argv.index("--heartbeat") + 1] if "--heartbeat" in argv \
        else None


def probe_heartbeat(argv, where, probes):
    """Run a --watch runner locally; each probe (name, shell command,
    must fail when stale, must fail when degraded) passes while it runs
    and fails on a stale or degraded file after it stopped."""
    hb = heartbeat_path(argv)
    if not check(hb is not None, f"{where}: a --heartbeat file for probes"):
        return
    local_hb = local_path(hb)
    os.makedirs(os.path.dirname(local_hb), exist_ok=True)
    p = start_watch(argv, where.replace("/", "_"))
    ok = wait_file(local_hb)
    check(ok, f"{where}: the runner wrote {hb}")
    time.sleep(1.5)
    for name, cmd, _, _ in probes:
        check(sh(local_path(cmd)) == 0,
              f"{where}: {name} probe passes on a live runner: {cmd}")
    stop_watch(p, where)
    if not ok:
        return
    old = time.time() - 600
    os.utime(local_hb, (old, old))
    for name, cmd, stale, _ in probes:
        if stale:
            check(sh(local_path(cmd)) != 0,
                  f"{where}: {name} probe fails on a stale heartbeat")
    with open(local_hb, "w") as f:
        json.dump({"time": "now", "state": "degraded"}, f, indent="\t")
    for name, cmd, _, degraded in probes:
        if degraded:
            check(sh(local_path(cmd)) != 0,
                  f"{where}: {name} probe fails on a degraded runner")


def check_invocation(argv, where, name):
    """Options, then a real run (a watcher is started and stopped)."""
    if not options_known(argv, where):
        return False
    if "--watch" in argv:
        p = start_watch(argv, name)
        time.sleep(2)
        stop_watch(p, where)
    else:
        run_once(argv, where, name)
    return True


# ---------------------------------------------------------------- docker

def dockerfile_instructions(path):
    lines, cur = [], ""
    for raw in open(path):
        s = raw.rstrip("\n")
        if not cur and (s.strip().startswith("#") or not s.strip()):
            continue
        if s.strip().startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        word, _, rest = cur.strip().partition(" ")
        lines.append((word.upper(), rest.strip()))
        cur = ""
    return lines


def stages(instrs):
    out = []
    for word, rest in instrs:
        if word == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            out.append({"from": m.group(1), "name": m.group(2) or "",
                        "i": []})
        else:
            out[-1]["i"].append((word, rest))
    return out


def apt_packages(cmd):
    m = re.search(r"apt-get install\s+(.*?)(?:&&|$)", cmd)
    return [w for w in m.group(1).split() if not w.startswith("-")] \
        if m else []


def install_deps_packages():
    text = open(os.path.join(SRC, "scripts", "install-deps.sh")).read()
    m = re.search(r"pkgs=\((.*?)\)", text, re.S)
    return set(m.group(1).split())


def dpkg_depends_closure(pkgs):
    seen, todo = set(), list(pkgs)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        r = subprocess.run(["dpkg-query", "-W", "-f",
                            "${Depends}, ${Pre-Depends}", p],
                           capture_output=True, text=True)
        for alt in r.stdout.split(","):
            for choice in alt.split("|"):
                name = choice.strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
    return seen


def package_of(lib_path):
    real = os.path.realpath(lib_path)
    for cand in (real, lib_path):
        r = subprocess.run(["dpkg", "-S", cand], capture_output=True,
                           text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0].strip()
    return None


def copy_context(dst):
    ignore = [l.strip() for l in open(os.path.join(SRC, ".dockerignore"))
              if l.strip() and not l.startswith("#")]

    def skip(d, names):
        rel = os.path.relpath(d, SRC)
        out = []
        for n in names:
            r = os.path.normpath(os.path.join(rel, n))
            for pat in ignore:
                if fnmatch.fnmatch(r, pat) or \
                        fnmatch.fnmatch(n, pat):
                    out.append(n)
                    break
        return out
    shutil.copytree(SRC, dst, ignore=skip, symlinks=True)


def image_path(text, ctx, bld):
    """The image's /src and /build paths (whole path words) moved to the
    scratch directories."""
    text = re.sub(r"(?<![\w./-])/src(?![\w.-])", ctx, text)
    return re.sub(r"(?<![\w./-])/build(?![\w.-])", bld, text)


def check_dockerfile():
    st = stages(dockerfile_instructions(os.path.join(DEPLOY, "Dockerfile")))
    check(len(st) >= 2, "Dockerfile: multi-stage")
    for s in st:
        check(re.match(r"debian:(12|bookworm)", s["from"]) is not None,
              f"Dockerfile: base image {s['from']} is Debian 12")
    build, final = st[0], st[-1]
    # build stage: its packages are the ones CI installs, installed here
    deps = install_deps_packages()
    for word, rest in build["i"]:
        for p in apt_packages(rest) if word == "RUN" else []:
            check(p in deps, f"Dockerfile: build package {p} is in "
                             "scripts/install-deps.sh")
            q = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", p],
                               capture_output=True, text=True)
            check("ok installed" in q.stdout, f"Dockerfile: {p} installed")
    # run the build stage's own commands in a clean copy of the sources
    ctx, bld = os.path.join(T, "src"), os.path.join(T, "build")
    copy_context(ctx)
    cwd = ctx
    t0 = time.time()
    for word, rest in build["i"]:
        if word == "WORKDIR":
            cwd = image_path(rest, ctx, bld)
        if word != "RUN" or "apt-get" in rest:
            continue
        cmd = image_path(rest, ctx, bld)
        r = subprocess.run(["/bin/sh", "-c", cmd], cwd=cwd,
                           capture_output=True, text=True)
        if not check(r.returncode == 0, f"Dockerfile: RUN {rest[:80]}... "
                     f"exited {r.returncode}: {r.stderr[-600:]}"):
            return
    print(f"build stage ran in {time.time() - t0:.0f} s in a clean copy")
    binary = os.path.join(bld, "horizon")
    # runtime stage: packages, user, the binary's libraries
    runtime_pkgs, user, uid_created = [], None, None
    copied = False
    for word, rest in final["i"]:
        if word == "RUN":
            runtime_pkgs += apt_packages(rest)
            m = re.search(r"useradd .*--uid (\d+)", rest)
            if m:
                uid_created = m.group(1)
        if word == "USER":
            user = rest.split(":")[0]
        if word == "COPY" and f"--from={build['name']}" in rest and \
                "horizon" in rest:
            copied = True
    check(copied, "Dockerfile: the runtime stage copies horizon from the "
                  "build stage")
    check(user not in (None, "root", "0"), "Dockerfile: runs as non-root")
    check(user == uid_created, f"Dockerfile: USER {user} is the user "
                               f"useradd creates ({uid_created})")
    check(not any(p.endswith("-dev") or p == "build-essential"
                  for p in runtime_pkgs),
          "Dockerfile: no build packages in the runtime stage")
    for p in runtime_pkgs:
        known = subprocess.run(["apt-cache", "show", p],
                               capture_output=True).returncode == 0 or \
            subprocess.run(["dpkg-query", "-W", p],
                           capture_output=True).returncode == 0
        check(known, f"Dockerfile: runtime package {p} exists")
    closure = dpkg_depends_closure(runtime_pkgs)
    needed = subprocess.run(["readelf", "-d", binary], capture_output=True,
                            text=True).stdout
    libs = re.findall(r"NEEDED.*\[(.+)\]", needed)
    ldd = dict(re.findall(r"(\S+) => (\S+)", subprocess.run(
        ["ldd", binary], capture_output=True, text=True).stdout))
    for lib in libs:
        pkg = package_of(ldd.get(lib, lib))
        check(pkg is not None and pkg in closure,
              f"Dockerfile: {lib} ({pkg}) comes with the runtime packages")
    # the default command and its health check
    ep = cmd = hc = None
    for word, rest in final["i"]:
        if word == "ENTRYPOINT":
            ep = json.loads(rest)
        if word == "CMD":
            cmd = json.loads(rest)
        if word == "HEALTHCHECK":
            hc = json.loads(rest[rest.index("CMD") + 3:].strip())
    check(ep == ["/usr/local/bin/horizon"], "Dockerfile: ENTRYPOINT horizon")
    global HORIZON
    HORIZON = binary  # the image's own binary
    if cmd and options_known(cmd, "Dockerfile CMD") and hc:
        probe_heartbeat(cmd, "Dockerfile CMD",
                        [("HEALTHCHECK", hc[-1], True, False)])


# --------------------------------------------------------------- systemd

def unit_values(path, key):
    return [l.split("=", 1)[1].strip() for l in open(path)
            if l.startswith(key + "=")]


def check_systemd():
    units = sorted(glob.glob(os.path.join(DEPLOY, "systemd", "*")))
    check(any(u.endswith(".timer") for u in units), "systemd: a timer")
    d = os.path.join(T, "units")
    os.makedirs(d, exist_ok=True)
    local = []
    for u in units:
        text = open(u).read().replace("/usr/local/bin/horizon", HORIZON)
        dst = os.path.join(d, os.path.basename(u))
        open(dst, "w").write(text)
        local.append(dst)
    r = subprocess.run(["systemd-analyze", "verify"] + local,
                       capture_output=True, text=True)
    noise = [l for l in (r.stdout + r.stderr).splitlines()
             if any(os.path.basename(u) in l for u in units)]
    check(r.returncode == 0 and not noise,
          f"systemd-analyze verify: rc {r.returncode}: {noise}")
    for u in units:
        for cal in unit_values(u, "OnCalendar"):
            check(subprocess.run(["systemd-analyze", "calendar", cal],
                                 capture_output=True).returncode == 0,
                  f"{u}: OnCalendar={cal}")
        for ex in unit_values(u, "ExecStart"):
            argv = shlex.split(ex)
            check(argv[0] == "/usr/local/bin/horizon", f"{u}: ExecStart")
            where = os.path.basename(u)
            stop = unit_values(u, "TimeoutStopSec")
            if argv[1:2] == ["run"] and check(len(stop) == 1,
                                              f"{where}: TimeoutStopSec"):
                stop_time_ok(float(stop[0]), argv, where)
            # a --once run stopped by KillSignal exits 128 + it (143 for
            # SIGTERM, README): a stop systemd asked for is no failure
            if argv[1:2] == ["run"] and "--once" in argv:
                kill = (unit_values(u, "KillSignal") or ["SIGTERM"])[-1]
                code = {"SIGTERM": "143", "SIGINT": "130"}.get(kill, "?")
                ok = " ".join(unit_values(u, "SuccessExitStatus")).split()
                check(code in ok,
                      f"{where}: SuccessExitStatus={code} (run --once "
                      f"stopped by {kill} exits {code}: systemd marks the "
                      f"unit failed)")
            if "--heartbeat" in argv:
                if options_known(argv[1:], where):
                    probe_heartbeat(argv[1:], where, [])
            else:
                check_invocation(argv[1:], where, where)


# ------------------------------------------------------------------- k8s

def pod_specs(doc):
    k = doc["kind"]
    if k == "CronJob":
        return [doc["spec"]["jobTemplate"]["spec"]["template"]]
    if k in ("Deployment", "Job", "StatefulSet"):
        return [doc["spec"]["template"]]
    return []


CRON_FIELD = r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*"


def cron_ok(expr):
    f = expr.split()
    if len(f) != 5:
        return False
    bounds = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for v, (lo, hi) in zip(f, bounds):
        if not re.fullmatch(CRON_FIELD, v):
            return False
        for n in re.findall(r"\d+", re.sub(r"/\d+", "", v)):
            if not lo <= int(n) <= hi:
                return False
    return True


def check_k8s():
    d = os.path.join(DEPLOY, "k8s")
    docs = {}
    for f in sorted(glob.glob(os.path.join(d, "*.yaml"))):
        for doc in yaml.safe_load_all(open(f)):
            docs.setdefault(doc["kind"], []).append((os.path.basename(f),
                                                     doc))
    kust = docs["Kustomization"][0][1]
    files = {os.path.basename(f) for f in glob.glob(os.path.join(d, "*"))}
    check(set(kust["resources"]) | {"kustomization.yaml"} == files,
          f"k8s: kustomization lists every manifest ({kust['resources']})")
    api = {"CronJob": "batch/v1", "Deployment": "apps/v1",
           "ServiceAccount": "v1", "ConfigMap": "v1"}
    for kind, items in docs.items():
        for f, doc in items:
            if kind in api:
                check(doc["apiVersion"] == api[kind],
                      f"{f}: apiVersion of {kind}")
    sa = docs["ServiceAccount"][0][1]["metadata"]["name"]
    cm = docs["ConfigMap"][0][1]["metadata"]["name"]
    cm_data = docs["ConfigMap"][0][1]["data"]
    check(not any(re.search(r"KEY|SECRET|TOKEN", k) for k in cm_data),
          "k8s: no secret in the ConfigMap")
    # without a sandbox setting every job's dataset is refused
    check("HZ_DATASET_HOSTS" in cm_data or "HZ_DATASET_ROOTS" in cm_data,
          "k8s: the ConfigMap sets the dataset sandbox (HZ_DATASET_HOSTS "
          "or HZ_DATASET_ROOTS)")
    docker_uid = None
    for word, rest in dockerfile_instructions(os.path.join(DEPLOY,
                                                           "Dockerfile")):
        if word == "USER":
            docker_uid = int(rest.split(":")[0])
    for f, doc in docs.get("CronJob", []):
        check(cron_ok(doc["spec"]["schedule"]), f"{f}: schedule")
        check(doc["spec"].get("concurrencyPolicy") == "Forbid",
              f"{f}: runs do not overlap")
    for kind in ("CronJob", "Deployment"):
        for f, doc in docs.get(kind, []):
            for tpl in pod_specs(doc):
                check_pod(f, tpl, sa, cm, docker_uid)


def check_pod(f, tpl, sa, cm, docker_uid):
    spec = tpl["spec"]
    check(tpl["metadata"]["labels"].get("azure.workload.identity/use") ==
          "true", f"{f}: workload identity label")
    check(spec.get("serviceAccountName") == sa, f"{f}: service account")
    sc = spec.get("securityContext", {})
    check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") ==
          docker_uid, f"{f}: non-root, the image's user {docker_uid}")
    for c in spec["containers"]:
        csc = c.get("securityContext", {})
        check(csc.get("allowPrivilegeEscalation") is False and
              csc.get("readOnlyRootFilesystem") is True,
              f"{f}: container {c['name']} locked down")
        refs = [e.get("configMapRef", {}).get("name")
                for e in c.get("envFrom", [])]
        check(cm in refs, f"{f}: environment from the ConfigMap")
        for e in c.get("env", []):
            check(not re.search(r"KEY|SECRET|TOKEN", e["name"]) or
                  "valueFrom" in e, f"{f}: {e['name']} not inline")
        argv = c.get("args", [])
        where = f"{f} ({c['name']})"
        if argv[:1] == ["run"]:
            stop_time_ok(spec.get("terminationGracePeriodSeconds", 30),
                         argv, where)
        if "--watch" in argv:
            probes = []
            for kind, stale, degraded in (("livenessProbe", True, False),
                                          ("readinessProbe", False, True)):
                if kind in c:
                    probes.append((kind, c[kind]["exec"]["command"][-1],
                                   stale, degraded))
            check(len(probes) == 2, f"{where}: liveness and readiness")
            if options_known(argv, where):
                probe_heartbeat(argv, where, probes)
        else:
            check_invocation(argv, where, f.replace(".", "_"))


# ------------------------------------------------------------------ cron

def horizon_commands(command):
    """The horizon invocations in a crontab command (inside sh -c too)."""
    out = []
    words = shlex.split(command.split(">>")[0])
    for i, w in enumerate(words):
        if w == "-c" and i + 1 < len(words):
            for part in words[i + 1].split(";"):
                out += horizon_commands(part)
        if w.endswith("/bin/horizon") or (w == "horizon" and i > 0 and
                                          words[i - 1] == "exec"):
            out.append(words[i + 1:])
    return out


def check_cron():
    path = os.path.join(DEPLOY, "cron", "horizon.cron")
    n = 0
    for raw in open(path):
        line = raw.strip()
        if not line or line.startswith("#") or \
                re.match(r"^[A-Z_]+=", line):
            continue
        f = line.split(None, 6)
        check(len(f) == 7 and cron_ok(" ".join(f[:5])),
              f"cron: schedule of '{line[:40]}'")
        check(f[5] == "horizon", "cron: runs as the horizon user")
        cmds = horizon_commands(f[6])
        check(len(cmds) == 1, f"cron: one horizon command in '{f[6][:60]}'")
        for argv in cmds:
            n += 1
            check_invocation(argv, f"cron line {n}", "cron")
    check(n >= 1, "cron: at least one horizon command")


def main():
    os.makedirs(os.path.join(T, "tmp"), exist_ok=True)
    os.makedirs(os.path.join(T, "run"), exist_ok=True)
    {"dockerfile": check_dockerfile, "systemd": check_systemd,
     "k8s": check_k8s, "cron": check_cron}[sys.argv[1]]()
    print(f"{checks - len(failures)} of {checks} checks passed")
    if failures:
        sys.exit(1)
    if pending:
        for p in sorted(pending):
            print(f"PARTIAL: horizon has no {p} yet ({PENDING[p]}): the "
                  f"commands and probes that use it were not run")
        sys.exit(77)


if __name__ == "__main__":
    main()
