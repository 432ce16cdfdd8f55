"""Starting the Streamlit app for `workbench app` and `make run`: bound to 127.0.0.1, opened in a browser if any.

Only team mode (`--team`: everyone signs in, each role sees its own pages, see docs/team.md) may be served on another
address. Streamlit serves plain HTTP: beyond one machine, put it behind an HTTPS reverse proxy.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.team import Team

REPOSITORY = Path(__file__).resolve().parent.parent
APP_SCRIPT = REPOSITORY / "streamlit_app.py"
LOOPBACK = "127.0.0.1"  # single-user mode never serves on any other address: the app shows interview data
HOST = LOOPBACK
TEAM_ENV = "WORKBENCH_TEAM"  # "1" tells the app to run in team mode (sign-in, pages by role)


def check_serving(project: Path | None, *, team: bool, host: str) -> None:
    """Refuse a way of serving that would expose the project: another address without team mode, or team mode
    without a project or without an admin to manage its team."""
    if not team:
        if host != LOOPBACK:
            raise WorkbenchError(
                f"the app serves on {host} only in team mode, where everyone signs in: add --team (and an admin "
                "with `workbench team add DIR NAME --role admin`), or leave out --host to serve on 127.0.0.1"
            )
        return
    if project is None:
        raise WorkbenchError("team mode serves one project: give its folder, as in `workbench app DIR --team`")
    if not host.strip():
        raise WorkbenchError("--host is empty; give an address such as 127.0.0.1 or 0.0.0.0")
    with Team.open(project, actor="workbench app") as opened:
        if not opened.admins():
            raise WorkbenchError(
                f"{project} has no team admin yet, so nobody could manage who signs in; add one with "
                f"`workbench team add {project} NAME --role admin`"
            )


def serve_app(project: Path | None, port: int, *, team: bool = False, host: str = LOOPBACK) -> None:
    """Run the app until interrupted; raise WorkbenchError if the port is taken or the app does not start.

    Without ``team`` the app is bound to 127.0.0.1 whatever ``host`` says (``check_serving`` refuses another one).
    """
    host = host if team else LOOPBACK
    _check_port_free(host, port)
    environment = dict(os.environ)
    environment.pop(TEAM_ENV, None)  # single-user unless asked here: `make run` never inherits team mode
    if project is not None:
        environment["WORKBENCH_PROJECT"] = str(project)
    if team:
        environment[TEAM_ENV] = "1"
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.address", host, "--server.port",
        str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if team:
        # Nobody on the network should be able to make the server reload code; uploads and the websocket keep
        # Streamlit's XSRF and CORS protection (its defaults, stated here so that a config file cannot turn them off).
        command += ["--server.fileWatcherType", "none", "--server.runOnSave", "false",
                    "--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
                    "--client.toolbarMode", "viewer"]  # fmt: skip
    local = LOOPBACK if host in ("0.0.0.0", "::", "") else host  # where to ask for the health check
    url = f"http://{_bracketed(local)}:{port}"
    server = subprocess.Popen(command, env=environment, cwd=REPOSITORY)
    _stop_on_sigterm()
    try:
        if not _wait_until_healthy(url, server):
            raise WorkbenchError("the app did not start; run `make install` and try again")
        if team:
            print(f"The workbench serves {project} to its team on {host}, port {port}, in plain HTTP: put an HTTPS "
                  f"proxy in front of it (press Ctrl+C to stop it)", flush=True)  # fmt: skip
        else:
            print(f"The workbench is open at {url} (press Ctrl+C to stop it)", flush=True)
        # Only where there is a screen: on a bare server webbrowser would start a text browser in this terminal.
        if sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            webbrowser.open(url)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)


def _check_port_free(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise WorkbenchError(f"{host} is not an address of this machine; give one such as 0.0.0.0") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError:
            raise WorkbenchError(
                f"port {port} on {host} is already in use (is the workbench already running?); "
                "choose another with --port"
            ) from None


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _stop_on_sigterm() -> None:
    """Let SIGTERM (a service manager's stop) end the app like Ctrl+C does, so that the server is stopped too."""
    if threading.current_thread() is threading.main_thread():

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.3)
    return False
