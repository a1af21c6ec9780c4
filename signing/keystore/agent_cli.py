"""``qlvb-sign-agent``: the local signing agent as the separately installed package runs it
(agent/pyproject.toml), on an official's computer next to their USB token. By default it asks
the PIN on a small local page it opens in the browser (signing.keystore.pin_page); ``--terminal`` asks
in the terminal instead, as ``qlvb sign-agent`` does on a developer's machine."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from signing.errors import SigningError
from signing.keystore.agent import LOOPBACK, AgentServer, SigningAgent, TokenConfig
from signing.keystore.keys import SOFTHSM_MODULE
from signing.keystore.pin_page import PinPage
from signing.pades.split import SigningRequest

DEFAULT_PORT = 8765


def run(token: TokenConfig, origin: str, port: int = DEFAULT_PORT, terminal: bool = False,
        host: str = LOOPBACK) -> None:
    """Serve until interrupted; raises SigningError or OSError when it cannot start."""
    page = None if terminal else PinPage()

    def ask_in_terminal(request: SigningRequest) -> str | None:
        print(agent.prompt(request), flush=True)
        return getpass.getpass("Nhập mã PIN (để trống để hủy): ") or None

    agent = SigningAgent(token, page or ask_in_terminal)
    if page is not None:
        page.describe = agent.prompt  # type: ignore[assignment]
    server = AgentServer(agent, origin, port, host, pin_page=page)
    print(f"Phần mềm ký số đang chờ tại http://127.0.0.1:{server.port}/ cho {origin}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="qlvb-sign-agent", description="Phần mềm ký số trên máy cho QLVB.")
    parser.add_argument("--origin", required=True, help="Địa chỉ hệ thống, ví dụ https://qlvb.tinh.gov.vn")
    parser.add_argument("--token-label", required=True, help="Tên thiết bị ký số (token label)")
    parser.add_argument("--key-label", required=True, help="Tên khóa/chứng thư trên thiết bị")
    parser.add_argument("--module", type=Path, default=None,
                        help="Tệp PKCS#11 của nhà cung cấp thiết bị (.dll trên Windows, .so trên Linux)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--terminal", action="store_true", help="Hỏi mã PIN trong cửa sổ dòng lệnh")
    args = parser.parse_args(argv)
    try:
        run(TokenConfig(args.module or SOFTHSM_MODULE, args.token_label, args.key_label), args.origin, args.port,
            args.terminal)
    except (SigningError, OSError) as err:
        sys.exit(f"Không khởi động được phần mềm ký số: {err}")


if __name__ == "__main__":
    main()
