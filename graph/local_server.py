"""Runs a project-local Neo4j 5.26 Community server resolved from Maven Central.

Each *instance* (``serve`` for ``make serve``, ``test`` for ``make test``) has its own Bolt port, data, logs
and generated password under ``var/neo4j/<instance>/``; the jars are shared in ``var/neo4j/lib``.

    python -m graph.local_server start|stop|status|wipe|password [--instance NAME] [--port N]

Ports: ``--port`` or ``NEO4J_BOLT_PORT`` ask for one port, and ``start`` fails, naming who holds it, when it is
taken. Without them an instance uses its default port, or the port it last started on (recorded in
``var/neo4j/<instance>/port``); when another process (another checkout's instance, say) holds that port,
``start`` picks a free port, says so and who holds the old one, and records it, so the app and the tests of
this checkout find it.

Nothing here runs when ``NEO4J_URI`` is set: the service then uses that server instead.
Standard library only (``registry/tokens.py`` too), so it works before the virtualenv has the driver.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from registry.tokens import new_secret

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "neo4j"
LIB = VAR / "lib"
POM = ROOT / "scripts" / "neo4j" / "pom.xml"
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
START_TIMEOUT_S = 180

DEFAULT_PORTS = {"serve": 7687, "test": 7688, "bench": 7689}
# Sized for a 2-core / 24 GB machine that may run both instances next to gunicorn and the tests.
DEFAULT_MEMORY = {"serve": ("4g", "4g"), "test": ("2g", "1g"), "bench": ("4g", "6g")}

JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class ServerError(RuntimeError):
    """The local server could not be resolved, started or stopped."""


@dataclass(frozen=True)
class Instance:
    name: str
    port: int
    explicit: bool = False  # asked for by --port / NEO4J_BOLT_PORT: never replaced by another port

    @property
    def home(self) -> Path:
        return VAR / self.name

    @property
    def port_file(self) -> Path:
        return self.home / "port"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def password(self) -> str:
        return self.password_file.read_text().strip()


def instance(name: str = "serve", port: int | None = None) -> Instance:
    """The named local instance; its port comes from the argument, NEO4J_BOLT_PORT, the port it last started
    on, or the default."""
    if port is not None:
        return Instance(name, port, explicit=True)
    env_port = os.environ.get("NEO4J_BOLT_PORT")
    if env_port:
        return Instance(name, int(env_port), explicit=True)
    recorded = _read_port(VAR / name / "port")
    return Instance(name, recorded or DEFAULT_PORTS.get(name, 7687))


def _read_port(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    # Serialises concurrent `make serve` / `make test` runs that touch the same instance or jar folder.
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pom_version() -> str:
    text = POM.read_text()
    start = text.index("<neo4j.version>") + len("<neo4j.version>")
    return text[start : text.index("</neo4j.version>")]


def resolve_jars() -> Path:
    """Download the server's jars from Maven Central once (into var/neo4j/lib)."""
    version = _pom_version()
    marker = LIB / f".resolved-{version}"
    if marker.exists():
        return LIB
    with _locked(VAR / "lib.lock"):
        if marker.exists():
            return LIB
        if shutil.which("mvn") is None:
            raise ServerError("Maven (mvn) is not installed; it is needed to fetch Neo4j from Maven Central")
        staging = VAR / "lib.partial"
        shutil.rmtree(staging, ignore_errors=True)
        print(f"Resolving Neo4j {version} from Maven Central ...", flush=True)
        command = [
            "mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServerError(
                f"mvn failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        shutil.rmtree(LIB, ignore_errors=True)
        staging.rename(LIB)
        marker.touch()
    return LIB


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java:
        raise ServerError("Java 17 is needed to run Neo4j 5.26 and none was found (set JAVA_HOME)")
    return java


def _write_config(inst: Instance) -> Path:
    heap, pagecache = DEFAULT_MEMORY.get(inst.name, ("1g", "1g"))
    heap = os.environ.get("NEO4J_HEAP", heap)
    pagecache = os.environ.get("NEO4J_PAGECACHE", pagecache)
    conf_dir = inst.home / "conf"
    for sub in ("conf", "data", "logs", "run", "import", "plugins"):
        (inst.home / sub).mkdir(parents=True, exist_ok=True)
    lines = [
        "# Generated by graph/local_server.py; edits are overwritten at the next start.",
        "server.default_listen_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{inst.port}",
        f"server.bolt.advertised_address=127.0.0.1:{inst.port}",
        "server.http.enabled=false",
        "server.https.enabled=false",
        f"server.directories.data={inst.home / 'data'}",
        f"server.directories.logs={inst.home / 'logs'}",
        f"server.directories.run={inst.home / 'run'}",
        f"server.directories.import={inst.home / 'import'}",
        f"server.directories.plugins={inst.home / 'plugins'}",
        f"server.memory.heap.initial_size={heap}",
        f"server.memory.heap.max_size={heap}",
        f"server.memory.pagecache.size={pagecache}",
        "dbms.security.auth_enabled=true",
        "dbms.usage_report.enabled=false",
        "db.tx_log.rotation.retention_policy=2 days",
        "server.logs.gc.enabled=false",
    ]
    (conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")
    return conf_dir


def _pid(inst: Instance) -> int | None:
    try:
        pid = int(inst.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _bolt_handshake(port: int) -> bool:
    """True when a Bolt server (not just any process) answers on the port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            # Magic preamble + four proposed versions (5.8 down to 4.4); the server picks one.
            sock.sendall(bytes.fromhex("6060B01700080805000004040000000000000000"))
            return len(sock.recv(4)) == 4
    except OSError:
        return False


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                # local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the socket's inode.
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
    return inodes


def port_holder(port: int) -> str:
    """Who listens on the port, as a person would want it named: another checkout's instance, or a process."""
    sockets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if sockets:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if not any(os.readlink(fd) in sockets for fd in (proc / "fd").iterdir()):
                    continue
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                args = [a.decode(errors="replace") for a in argv if a]
                homes = [a.removeprefix("--home-dir=") for a in args if a.startswith("--home-dir=")]
                if (
                    homes
                    and Path(homes[0]).parent.name == "neo4j"
                    and Path(homes[0]).parent.parent.name == "var"
                ):
                    home = Path(homes[0])
                    owner = (
                        "this checkout" if home.parent == VAR else f"the checkout {home.parent.parent.parent}"
                    )
                    return f"the Neo4j '{home.name}' instance of {owner} (pid {proc.name})"
                return f"pid {proc.name} ({' '.join(args)[:120]})"
    return "a process this user cannot see (another user's, or one in another container)"


def _free_port() -> int:
    # The kernel picks a port no one listens on; Neo4j binds it moments later.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def choose_port(inst: Instance) -> Instance:
    """The instance on a port free to start on: its own, or (unless asked for explicitly) a new recorded one."""
    if not _port_open(inst.port):
        return inst
    holder = port_holder(inst.port)
    if inst.explicit:
        raise ServerError(
            f"port {inst.port} (asked for by --port or NEO4J_BOLT_PORT) is held by {holder}; "
            "stop that, or choose another port"
        )
    chosen = Instance(inst.name, _free_port())
    chosen.home.mkdir(parents=True, exist_ok=True)
    chosen.port_file.write_text(f"{chosen.port}\n")
    print(
        f"Port {inst.port} is held by {holder}; Neo4j ({inst.name}) of this checkout uses port {chosen.port} "
        f"instead (recorded in {chosen.port_file.relative_to(ROOT)})",
        flush=True,
    )
    return chosen


def _log_tail(inst: Instance, lines: int = 40) -> str:
    parts = []
    for log in (inst.console_log, inst.home / "logs" / "neo4j.log"):
        if log.exists():
            parts.append(
                f"--- {log.relative_to(ROOT)} ---\n" + "\n".join(log.read_text().splitlines()[-lines:])
            )
    return "\n".join(parts) or "(no log written)"


def status(inst: Instance) -> str:
    """'running' when our process is alive and Bolt answers, else 'stopped'."""
    return "running" if _pid(inst) and _bolt_handshake(inst.port) else "stopped"


def initial_password_command(classpath: str, password: str) -> list[str]:
    """neo4j-admin's `dbms set-initial-password`; `--` ends its options, so no password is read as one."""
    return [_java(), "-cp", classpath, ADMIN_CLASS, "dbms", "set-initial-password", "--", password]


def start(inst: Instance) -> Instance:
    """Start the instance unless it already runs; wait until Bolt answers. Idempotent."""
    with _locked(VAR / f"{inst.name}.lock"):
        if _pid(inst):
            if _wait_for_bolt(inst, _pid(inst), timeout=START_TIMEOUT_S):
                print(f"Neo4j ({inst.name}) already running on {inst.uri}")
                return inst
            raise ServerError(
                f"Neo4j ({inst.name}) process exists but Bolt does not answer\n{_log_tail(inst)}"
            )
        inst = choose_port(inst)
        lib = resolve_jars()
        conf_dir = _write_config(inst)
        env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(conf_dir)}
        classpath = f"{lib}/*"
        if not inst.password_file.exists():
            password = new_secret(32)
            # Must run before the very first start: it writes data/dbms/auth.ini, read once at boot.
            command = initial_password_command(classpath, password)
            subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            inst.password_file.write_text(password + "\n")
            inst.password_file.chmod(0o600)
        heap = os.environ.get("NEO4J_HEAP", DEFAULT_MEMORY.get(inst.name, ("1g", "1g"))[0])
        command = [
            _java(), f"-Xms{heap}", f"-Xmx{heap}", *JVM_OPTIONS, "-cp", classpath, MAIN_CLASS,
            f"--home-dir={inst.home}", f"--config-dir={conf_dir}",
        ]  # fmt: skip
        with inst.console_log.open("ab") as console:
            process = subprocess.Popen(
                command, env=env, stdout=console, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, cwd=inst.home,
            )  # fmt: skip
        inst.pid_file.write_text(f"{process.pid}\n")
        print(f"Starting Neo4j ({inst.name}) on {inst.uri}, pid {process.pid} ...", flush=True)
        if not _wait_for_bolt(inst, process.pid, timeout=START_TIMEOUT_S):
            raise ServerError(
                f"Neo4j ({inst.name}) did not start within {START_TIMEOUT_S}s\n{_log_tail(inst)}"
            )
        print(f"Neo4j ({inst.name}) is up on {inst.uri}")
        return inst


def _wait_for_bolt(inst: Instance, pid: int | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _bolt_handshake(inst.port):
            return True
        if pid is None or not _pid(inst):
            return False
        time.sleep(0.5)
    return False


def stop(inst: Instance, timeout: float = 60) -> None:
    """Stop the instance if it runs (SIGTERM, then SIGKILL after the timeout)."""
    with _locked(VAR / f"{inst.name}.lock"):
        pid = _pid(inst)
        if pid is None:
            print(f"Neo4j ({inst.name}) is not running")
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _pid(inst) and time.monotonic() < deadline:
            time.sleep(0.3)
        if _pid(inst):
            os.kill(pid, signal.SIGKILL)
        inst.pid_file.unlink(missing_ok=True)
        print(f"Neo4j ({inst.name}) stopped")


def wipe(inst: Instance) -> None:
    """Stop the instance and delete its data, logs and password (the jars are kept)."""
    stop(inst)
    shutil.rmtree(inst.home, ignore_errors=True)
    print(f"Neo4j ({inst.name}) data removed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.local_server", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status", "wipe", "password", "resolve"))
    parser.add_argument("--instance", default=os.environ.get("NEO4J_LOCAL_INSTANCE", "serve"))
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    inst = instance(args.instance, args.port)
    if os.environ.get("NEO4J_URI") and args.command in ("start", "stop", "wipe"):
        print(f"NEO4J_URI is set ({os.environ['NEO4J_URI']}); the local server is not used")
        return 0
    try:
        if args.command == "start":
            start(inst)
        elif args.command == "stop":
            stop(inst)
        elif args.command == "wipe":
            wipe(inst)
        elif args.command == "resolve":
            print(resolve_jars())
        elif args.command == "password":
            print(inst.password())
        else:
            print(f"Neo4j ({inst.name}) {status(inst)} on {inst.uri}")
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
