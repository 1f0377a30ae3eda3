"""irctest controller for Papo (docs/IRC.md, "Conformance").

irctest (https://github.com/progval/irctest) starts one fresh `papo serve`
per test through this controller. Papo's own code: it only builds the
command line. Run it with scripts/irctest/run.
"""
import os
import shutil
from typing import Optional, Set, Type

from irctest.basecontrollers import BaseServerController, DirectoryBasedController, NotImplementedByController


class PapoController(BaseServerController, DirectoryBasedController):
    software_name = "Papo"
    supported_sasl_mechanisms: Set[str] = set()
    supports_sts = False

    def run(self, hostname: str, port: int, *, password: Optional[str], ssl: bool, run_services: bool,
            faketime: Optional[str], websocket_hostname: Optional[str] = None,
            websocket_port: Optional[int] = None) -> None:
        if ssl:
            raise NotImplementedByController("TLS")
        if websocket_hostname is not None or websocket_port is not None:
            raise NotImplementedByController("Websocket")
        assert self.proc is None
        self.port = port
        self.hostname = hostname
        self.create_config()
        assert self.directory
        (_, native_port) = self.get_hostname_and_port()
        bots = os.path.join(self.directory, "bots")
        os.makedirs(bots, exist_ok=True)
        binary = os.environ.get("PAPO_BIN", shutil.which("papo") or "papo")
        command = [binary, "serve", "--host", "127.0.0.1", "--port", str(native_port),
                   "--irc-port", str(port), "--irc-server-name", "My.Little.Server",
                   "--irc-oper-file", self._write("opers.txt", "operuser:operpassword"),
                   "--data", os.path.join(self.directory, "data"), "--bots", bots, "--log-level", "warning"]
        if password is not None:
            command += ["--irc-password-file", self._write("password.txt", password)]
        self.proc = self.execute(command)


    def _write(self, name: str, text: str) -> str:
        assert self.directory
        path = os.path.join(self.directory, name)
        with open(path, "w") as f:
            f.write(text + "\n")
        return path


def get_irctest_controller_class() -> Type[PapoController]:
    return PapoController
