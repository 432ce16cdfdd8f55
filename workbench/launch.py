"""Starting the Streamlit app for `workbench app` and `make run`: bound to 127.0.0.1, opened in a browser if any."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import webbrowser
from pathlib import Path

from workbench.errors import WorkbenchError

REPOSITORY = Path(__file__).resolve().parent.parent
APP_SCRIPT = REPOSITORY / "streamlit_app.py"
HOST = "127.0.0.1"  # never all interfaces: the app shows interview data


def serve_app(project: Path | None, port: int) -> None:
    """Run the app until interrupted; raise WorkbenchError if the port is taken or the app does not start."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            raise WorkbenchError(
                f"port {port} on {HOST} is already in use (is the workbench already running?); "
                "choose another with --port"
            ) from None
    environment = dict(os.environ)
    if project is not None:
        environment["WORKBENCH_PROJECT"] = str(project)
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.address", HOST, "--server.port",
        str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    url = f"http://{HOST}:{port}"
    server = subprocess.Popen(command, env=environment, cwd=REPOSITORY)
    try:
        if not _wait_until_healthy(url, server):
            raise WorkbenchError("the app did not start; run `make install` and try again")
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
