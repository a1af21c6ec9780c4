"""Settings read from the environment (``QLVB_*``), with defaults for a local install."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from engine.core import credentials

# Debian's fonts-noto-core: a serif with every Vietnamese letter, for the printed registers.
# The systemd credential (LoadCredential=) holding the password of the package-signing keys.
EXCHANGE_KEY_CREDENTIAL = "qlvb-exchange-key-password"
DEFAULT_PDF_FONT = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
DEFAULT_PDF_FONT_BOLD = Path("/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    token_ttl: timedelta = timedelta(hours=12)
    # A token left unused this long stops working (engine/org/accounts.py): a page session
    # (QLVB_SESSION_IDLE_MINUTES) and an API client's token (QLVB_TOKEN_IDLE_HOURS).
    session_idle: timedelta = timedelta(minutes=30)
    api_idle: timedelta = timedelta(hours=8)
    # A BPMN diagram of a real procedure is tens of kilobytes; anything near this limit is
    # an accident or an attack, and lxml would otherwise build the whole tree in memory.
    max_bpmn_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024  # a scanned 200 dpi colour document of ~100 pages
    # Any other body (JSON, a page's form); the designer's pages take a diagram and its forms
    # (webui/limits.DESIGN_BYTES) instead.
    max_json_bytes: int = 1024 * 1024
    smtp_host: str | None = None  # e-mail notifications are off without one
    smtp_port: int = 25
    smtp_from: str = "qlvb@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    pki_path: Path | None = None  # QLVB_PKI_DIR; default QLVB_DATA_DIR/pki
    trust_root_paths: list[Path] | None = None  # QLVB_TRUST_ROOTS, separated by os.pathsep
    backup_at: str = "02:00"  # the worker's daily backup, Vietnam time
    backup_keep: int = 7
    # The backup encrypts the keys and the secret key with the passphrase in this file
    # (QLVB_BACKUP_PASSPHRASE_FILE), kept apart from the archives; the worker needs it.
    backup_passphrase_file: Path | None = None
    processes_dir: Path = Path(__file__).resolve().parents[2] / "processes"
    forms_dir: Path = Path(__file__).resolve().parents[2] / "forms"
    pdf_font: Path = DEFAULT_PDF_FONT  # TrueType, regular and bold
    pdf_font_bold: Path = DEFAULT_PDF_FONT_BOLD
    # The port of the officials' local sign agent (qlvb sign-agent) on 127.0.0.1, which the
    # task page's script talks to; every official's agent must use the same one.
    sign_agent_port: int = 8765
    # The address printouts' lookup codes point to (QLVB_PUBLIC_URL, e.g. https://vanban.example.gov.vn):
    # behind a reverse proxy the request's own address is not the one a reader of the paper can open.
    public_url: str | None = None
    # The budget of one engine run of a diagram's code (engine/workflow/sandbox.py): low, because a
    # real procedure's scripts take microseconds and the run holds the case's write lock.
    script_max_steps: int = 100_000
    script_max_value_bytes: int = 1_000_000
    script_max_seconds: float = 1.0
    # Liên thông (exchange/): the password of the agencies' keys that sign edXML packages
    # (QLVB_PKI_DIR/agencies/<code>.p12), first line of this file (QLVB_EXCHANGE_KEY_PASSWORD_FILE,
    # or systemd's credential EXCHANGE_KEY_CREDENTIAL; engine/core/credentials.py); the first
    # retry of a package after this many seconds, doubling up to an hour.
    exchange_key_password_file: Path | None = None
    exchange_retry_seconds: float = 5.0
    # The audit checkpoints' journal outside the database (engine/audit/anchors.py), best on
    # another machine or write-once storage (QLVB_AUDIT_ANCHOR_FILE); default: the data folder.
    audit_anchor_file: Path | None = None
    # Each response says the CPU its request took in the web process (``Server-Timing: cpu``;
    # QLVB_SERVER_TIMING=1), for bench/agency_day.py's split of a day by request kind. Off by
    # default: a client has no need of it.
    server_timing: bool = False

    @property
    def token_idle(self) -> dict[str, timedelta]:
        return {"page": self.session_idle, "api": self.api_idle}

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def pki_dir(self) -> Path:
        """Keys the server holds (PKCS#12 files, signature and seal images) and the trust roots."""
        return self.pki_path or self.data_dir / "pki"

    @property
    def trust_roots(self) -> list[Path]:
        return self.trust_root_paths or [self.pki_dir / "root.pem"]

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def audit_anchors(self) -> Path:
        return self.audit_anchor_file or self.data_dir / "audit-anchors.log"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("QLVB_DATA_DIR", "var")).resolve()
        url = env.get("QLVB_DATABASE_URL") or f"sqlite:///{data_dir / 'qlvb.sqlite3'}"
        hours = int(env.get("QLVB_TOKEN_TTL_HOURS", "12"))
        upload_mb = int(env.get("QLVB_MAX_UPLOAD_MB", "50"))
        return cls(database_url=url, data_dir=data_dir, token_ttl=timedelta(hours=hours),
                   session_idle=timedelta(minutes=int(env.get("QLVB_SESSION_IDLE_MINUTES", "30"))),
                   api_idle=timedelta(hours=int(env.get("QLVB_TOKEN_IDLE_HOURS", "8"))),
                   max_upload_bytes=upload_mb * 1024 * 1024,
                   max_json_bytes=int(env.get("QLVB_MAX_JSON_KB", "1024")) * 1024,
                   pdf_font=Path(env.get("QLVB_PDF_FONT") or DEFAULT_PDF_FONT),
                   pdf_font_bold=Path(env.get("QLVB_PDF_FONT_BOLD") or DEFAULT_PDF_FONT_BOLD),
                   sign_agent_port=int(env.get("QLVB_SIGN_AGENT_PORT", "8765")),
                   public_url=(env.get("QLVB_PUBLIC_URL") or "").rstrip("/") or None,
                   script_max_steps=int(env.get("QLVB_SCRIPT_MAX_STEPS", "100000")),
                   script_max_value_bytes=int(env.get("QLVB_SCRIPT_MAX_VALUE_BYTES", "1000000")),
                   script_max_seconds=float(env.get("QLVB_SCRIPT_MAX_SECONDS", "1")),
                   backup_at=env.get("QLVB_BACKUP_AT", "02:00"), backup_keep=int(env.get("QLVB_BACKUP_KEEP", "7")),
                   backup_passphrase_file=Path(env["QLVB_BACKUP_PASSPHRASE_FILE"])
                   if env.get("QLVB_BACKUP_PASSPHRASE_FILE") else None,
                   smtp_host=env.get("QLVB_SMTP_HOST") or None, smtp_port=int(env.get("QLVB_SMTP_PORT", "25")),
                   smtp_from=env.get("QLVB_SMTP_FROM", "qlvb@localhost"), smtp_user=env.get("QLVB_SMTP_USER") or None,
                   smtp_password=env.get("QLVB_SMTP_PASSWORD") or None,
                   smtp_starttls=env.get("QLVB_SMTP_STARTTLS", "") in ("1", "true"),
                   pki_path=Path(env["QLVB_PKI_DIR"]) if env.get("QLVB_PKI_DIR") else None,
                   exchange_key_password_file=credentials.locate(env, "QLVB_EXCHANGE_KEY_PASSWORD_FILE",
                                                                 EXCHANGE_KEY_CREDENTIAL),
                   exchange_retry_seconds=float(env.get("QLVB_EXCHANGE_RETRY_SECONDS", "5")),
                   audit_anchor_file=Path(env["QLVB_AUDIT_ANCHOR_FILE"]) if env.get("QLVB_AUDIT_ANCHOR_FILE") else None,
                   server_timing=env.get("QLVB_SERVER_TIMING", "") in ("1", "true"),
                   trust_root_paths=[Path(p) for p in env["QLVB_TRUST_ROOTS"].split(os.pathsep)]
                   if env.get("QLVB_TRUST_ROOTS") else None)
