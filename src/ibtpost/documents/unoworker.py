"""One LibreOffice converter: a headless soffice driven through UNO, fed jobs on stdin.

This file runs as a script under the Python that carries LibreOffice's ``uno`` module (on
Debian the system ``/usr/bin/python3`` with the python3-uno package), not inside ibtpost's
own environment, so it imports nothing from ibtpost and only the standard library besides
``uno``. :class:`ibtpost.documents.convert.ConverterPool` starts one per core.

Protocol, one JSON object per line:
  start:  argv = soffice program, profile directory URL, pipe name, startup timeout, the
          PDF export options (JSON)
  out:    {"ready": true, "soffice_pid": N}  or  {"fatal": "message"}
  in:     {"src": "/abs/letter.docx", "dst": "/abs/letter.pdf"}
  out:    {"ok": true}  or  {"ok": false, "error": "message"}
When stdin closes (ibtpost finished, or was killed) the worker stops its soffice and exits,
so no LibreOffice outlives the batch that started it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any


def say(message: dict[str, Any]) -> None:
    """Answer ibtpost (raises BrokenPipeError when it is gone)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    program, profile_url, pipe, startup = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    export = json.loads(sys.argv[5])  # the PDF export options, from ibtpost.documents.convert
    try:
        import uno  # type: ignore[import-not-found]  # noqa: PLC0415 - converter's Python only
        from com.sun.star.beans import (  # type: ignore[import-not-found]  # noqa: PLC0415
            PropertyValue,
        )
    except ImportError as exc:
        say({"fatal": f"{sys.executable} cannot import LibreOffice's uno module ({exc})"})
        return 2

    def prop(name: str, value: Any) -> Any:
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
    office = subprocess.Popen(
        [
            program,
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            f"-env:UserInstallation={profile_url}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    desktop = None
    try:
        desktop = connect(uno, office, pipe, float(startup))
        if desktop is None:
            return 2
        filter_data = uno.Any(
            "[]com.sun.star.beans.PropertyValue",
            tuple(prop(name, value) for name, value in export.items()),
        )
        store_args = (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data))
        load_args = (prop("Hidden", True), prop("ReadOnly", True))
        say({"ready": True, "soffice_pid": office.pid})
        return serve(desktop, office, uno, load_args, store_args)
    except BrokenPipeError:
        return 1  # ibtpost is gone
    finally:
        stop(desktop, office)


def connect(uno: Any, office: subprocess.Popen[bytes], pipe: str, startup: float) -> Any:
    """The office's Desktop once soffice accepts connections; None (reported) if it fails."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + startup
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception as exc:
            if office.poll() is not None:
                say({"fatal": f"soffice exited with {office.returncode} while starting"})
                return None
            if time.monotonic() > deadline:
                say({"fatal": f"soffice did not accept connections in {startup:g} s ({exc})"})
                return None
            time.sleep(0.05)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def serve(
    desktop: Any, office: subprocess.Popen[bytes], uno: Any, load_args: Any, store_args: Any
) -> int:
    """Convert jobs from stdin until it closes; 3 when the office died."""
    for line in sys.stdin:
        job = json.loads(line)
        try:
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(job["src"]), "_blank", 0, load_args
            )
            if doc is None:
                say({"ok": False, "error": f"LibreOffice could not open {job['src']}"})
                continue
            try:
                doc.storeToURL(uno.systemPathToFileUrl(job["dst"]), store_args)
            finally:
                doc.close(True)
            say({"ok": True})
        except BrokenPipeError:
            return 1  # ibtpost is gone
        except Exception as exc:
            say({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
            if office.poll() is not None or "Disposed" in type(exc).__name__:
                return 3  # the office is gone: ibtpost starts a new converter
    return 0


def stop(desktop: Any, office: subprocess.Popen[bytes]) -> None:
    """Stop soffice: politely, then by force; never leave it running."""
    if desktop is not None:
        with contextlib.suppress(Exception):
            desktop.terminate()
    try:
        office.wait(timeout=10)
    except subprocess.TimeoutExpired:
        office.kill()
    # oosplash may leave soffice.bin behind: end the whole process group (this worker's
    # own, set up by ibtpost), which includes this process, as the very last step
    if os.getpgid(0) == os.getpid():  # started as a group leader, as ibtpost does
        with contextlib.suppress(OSError):
            os.killpg(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
