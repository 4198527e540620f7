// The Python half of the Jupyter kernel, which `nanoatoms kernel install` writes beside
// kernel.json. ipykernel speaks Jupyter's protocol; every request is passed on, as one JSON
// line, to `nanoatoms kernel serve`, which holds the session.

/// The text of `nanoatoms_kernel.py`.
let kernelWrapper = #"""
"""The nanoatoms Jupyter kernel: ipykernel for the protocol, `nanoatoms kernel serve` for the language.

Written by `nanoatoms kernel install`; the kernel spec's env names the executable
(NANOATOMS_EXECUTABLE).
"""
import json
import os
import signal
import subprocess
import sys

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel


class NanoatomsKernel(Kernel):
    implementation = "nanoatoms"
    implementation_version = "1"
    language = "nanoatoms"
    language_version = "1"
    language_info = {"name": "nanoatoms", "mimetype": "text/x-nanoatoms", "file_extension": ".nano",
                     "codemirror_mode": "shell", "pygments_lexer": "text"}
    banner = "nanoatoms: atomic models and per-atom statistics from nanoparticle maps ('help' lists the commands)"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        executable = os.environ.get("NANOATOMS_EXECUTABLE", "nanoatoms")
        self.server = subprocess.Popen([executable, "kernel", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       text=True, encoding="utf-8", bufsize=1)
        # Jupyter's interrupt reaches this process; the statement runs in the server.
        signal.signal(signal.SIGINT, lambda *_: self.server.send_signal(signal.SIGINT))

    def ask(self, request):
        if self.server.poll() is not None:
            return {"status": "error", "error": "the nanoatoms session ended (exit status %s); restart the kernel" % self.server.returncode,
                    "outputs": []}
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        line = self.server.stdout.readline()
        if not line:
            return {"status": "error", "error": "the nanoatoms session ended; restart the kernel", "outputs": []}
        return json.loads(line)

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs):
        reply = self.ask({"op": "execute", "code": code})
        if not silent:
            for out in reply.get("outputs", []):
                if out["kind"] == "svg":
                    self.send_response(self.iopub_socket, "display_data",
                                       {"data": {"image/svg+xml": out["svg"], "text/plain": out.get("text", "[figure]")}, "metadata": {}})
                else:
                    self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": out["text"] + "\n"})
        if reply.get("status") != "ok":
            message = reply.get("error", "error")
            if not silent:
                self.send_response(self.iopub_socket, "error",
                                   {"ename": "nanoatoms", "evalue": message.splitlines()[0], "traceback": [message]})
            return {"status": "error", "execution_count": self.execution_count, "ename": "nanoatoms",
                    "evalue": message.splitlines()[0], "traceback": [message]}
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def do_complete(self, code, cursor_pos):
        reply = self.ask({"op": "complete", "code": code, "cursor": cursor_pos})
        return {"status": "ok", "matches": reply.get("matches", []), "cursor_start": int(reply.get("cursor_start", cursor_pos)),
                "cursor_end": int(reply.get("cursor_end", cursor_pos)), "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        reply = self.ask({"op": "inspect", "code": code, "cursor": cursor_pos})
        found = bool(reply.get("found"))
        return {"status": "ok", "found": found, "data": {"text/plain": reply["text"]} if found else {}, "metadata": {}}

    def do_is_complete(self, code):
        reply = self.ask({"op": "is_complete", "code": code})
        status = reply.get("status", "unknown")
        return {"status": status, "indent": reply.get("indent", "")} if status == "incomplete" else {"status": status}

    def do_shutdown(self, restart):
        try:
            self.server.stdin.close()
            self.server.wait(timeout=5)
        except Exception:
            self.server.kill()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=NanoatomsKernel)
"""#
