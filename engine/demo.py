"""Demo data: the five agencies of the seed circulars, with fictitious staff in every
position their procedures need (no name or phone number from the seeds). Every demo
password is ``DEMO_PASSWORD``; the README lists the accounts. It sits above every domain package, since it
fills them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.interagency import agreements as exchange
from engine.models import Agency, Position, Unit, UnitKind, User, UserPosition
from engine.org.accounts import hash_password
from engine.registry import registers
from engine.signatures import certificates
from engine.signatures.signatures import Keys

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - a documented demo password, not a secret

P = Position
K = UnitKind


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    abbreviation: str
    identifier: str  # fictitious, in the 13-character form of QĐ 20/2020
    units: list[tuple[str, str, UnitKind]]
    # username, full name, unit code, positions, holds a digital certificate
    staff: list[tuple[str, str, str, list[Position], bool]]
    supervision: dict[str, str]  # unit code -> username of the deputy director in charge


AGENCIES = [
    DemoAgency(
        "btl", "Trung tâm Y tế quận Bắc Từ Liêm", "TTYT", "000.99.01.H26",
        [("BGD", "Ban Giám đốc", K.LEADERSHIP), ("TCHC", "Phòng Tổ chức – Hành chính", K.OFFICE),
         ("KHNV", "Phòng Kế hoạch – Nghiệp vụ", K.DEPARTMENT), ("KSDB", "Khoa Kiểm soát dịch bệnh", K.WARD),
         ("TYT1", "Trạm Y tế phường số 1", K.STATION)],
        [("btl_director", "Trần Minh Quang", "BGD", [P.DIRECTOR], True),
         ("btl_deputy1", "Lê Thị Hồng Nhung", "BGD", [P.DEPUTY_DIRECTOR], True),
         ("btl_deputy2", "Phạm Đức Thắng", "BGD", [P.DEPUTY_DIRECTOR], False),
         ("btl_clerk", "Đỗ Thị Mai", "TCHC", [P.CLERK], True),
         ("btl_office_chief", "Đinh Công Sơn", "TCHC", [P.OFFICE_CHIEF, P.HEAD], False),
         ("btl_admin", "Trịnh Thị Lan", "TCHC", [P.ADMIN], False),
         ("btl_designer", "Kim Văn Toàn", "TCHC", [P.DESIGNER], False),
         ("btl_auditor", "Giang Thị Thảo", "TCHC", [P.AUDITOR], False),
         ("btl_head_khnv", "Hoàng Văn Bình", "KHNV", [P.HEAD], False),
         ("btl_spec_khnv", "Vũ Thu Hà", "KHNV", [P.SPECIALIST], False),
         ("btl_head_ksdb", "Ngô Quốc Huy", "KSDB", [P.HEAD], False),
         ("btl_spec_ksdb", "Bùi Thanh Tâm", "KSDB", [P.SPECIALIST], False),
         ("btl_head_tyt1", "Lý Thị Thu Trang", "TYT1", [P.HEAD], False),
         ("btl_spec_tyt1", "Mạc Văn Khải", "TYT1", [P.SPECIALIST], False)],
        {"KHNV": "btl_deputy2", "KSDB": "btl_deputy1", "TYT1": "btl_deputy2", "TCHC": "btl_deputy1"},
    ),
    DemoAgency(
        "laichau", "Sở Công Thương tỉnh Lai Châu", "SCT", "000.99.02.H29",
        [("BGD", "Ban Giám đốc Sở", K.LEADERSHIP), ("VP", "Văn phòng Sở", K.OFFICE),
         ("QLCN", "Phòng Quản lý công nghiệp", K.DEPARTMENT), ("QLTM", "Phòng Quản lý thương mại", K.DEPARTMENT)],
        [("laichau_director", "Nguyễn Hữu Phúc", "BGD", [P.DIRECTOR], False),
         ("laichau_deputy", "Lò Văn Tuấn", "BGD", [P.DEPUTY_DIRECTOR], False),
         ("laichau_cvp", "Tạ Thị Hạnh", "VP", [P.OFFICE_CHIEF], False),
         ("laichau_clerk", "Vàng Thị Dung", "VP", [P.CLERK], True),
         ("laichau_head_qlcn", "Hà Minh Đức", "QLCN", [P.HEAD], False),
         ("laichau_spec_qlcn", "Lương Thị Yến", "QLCN", [P.SPECIALIST], False),
         ("laichau_spec2_qlcn", "Sùng A Páo", "QLCN", [P.SPECIALIST], False),
         ("laichau_head_qltm", "Đặng Quốc Việt", "QLTM", [P.HEAD], False),
         ("laichau_spec_qltm", "Khổng Thị Ngân", "QLTM", [P.SPECIALIST], False)],
        {"QLCN": "laichau_deputy", "QLTM": "laichau_deputy"},
    ),
    DemoAgency(
        "quangngai", "Sở Y tế tỉnh Quảng Ngãi", "SYT", "000.99.03.H55",
        [("BGD", "Ban Giám đốc Sở", K.LEADERSHIP), ("VP", "Văn phòng Sở", K.OFFICE),
         ("NVY", "Phòng Nghiệp vụ Y", K.DEPARTMENT), ("KHTC", "Phòng Kế hoạch – Tài chính", K.DEPARTMENT),
         ("TCCB", "Phòng Tổ chức cán bộ", K.DEPARTMENT)],
        [("qn_director", "Huỳnh Tấn Lộc", "BGD", [P.DIRECTOR], True),
         ("qn_deputy1", "Phan Thị Kim Oanh", "BGD", [P.DEPUTY_DIRECTOR], True),
         ("qn_deputy2", "Võ Thành Nhân", "BGD", [P.DEPUTY_DIRECTOR], False),
         ("qn_cvp", "Trương Văn Hòa", "VP", [P.OFFICE_CHIEF], True),
         ("qn_deputy_cvp", "Lê Thị Mỹ Duyên", "VP", [P.DEPUTY_OFFICE_CHIEF], False),
         ("qn_clerk", "Nguyễn Thị Bích Thủy", "VP", [P.CLERK], True),
         ("qn_admin", "Đoàn Minh Triết", "VP", [P.ADMIN], False),
         ("qn_designer", "Ông Văn Dũng", "VP", [P.DESIGNER], False),
         ("qn_auditor", "Triệu Thị Nga", "VP", [P.AUDITOR], False),
         ("qn_head_nvy", "Châu Văn Thịnh", "NVY", [P.HEAD], False),
         ("qn_deputy_nvy", "Tôn Nữ Thanh Hương", "NVY", [P.DEPUTY_HEAD], False),
         ("qn_spec_nvy", "Bùi Quang Vinh", "NVY", [P.SPECIALIST], False),
         ("qn_spec2_nvy", "Hồ Thị Ánh", "NVY", [P.SPECIALIST], False),
         ("qn_head_khtc", "Lưu Đình Khoa", "KHTC", [P.HEAD], False),
         ("qn_spec_khtc", "Mai Thị Thanh Xuân", "KHTC", [P.SPECIALIST], False),
         ("qn_head_tccb", "Kiều Văn Lực", "TCCB", [P.HEAD], False),
         ("qn_spec_tccb", "Quách Thị Lệ", "TCCB", [P.SPECIALIST], False)],
        {"NVY": "qn_deputy1", "KHTC": "qn_deputy2", "TCCB": "qn_deputy2", "VP": "qn_deputy1"},
    ),
    DemoAgency(
        "dongnai", "Sở Công Thương tỉnh Đồng Nai", "SCT", "000.99.04.H19",
        [("LDS", "Lãnh đạo Sở", K.LEADERSHIP), ("VPS", "Văn phòng Sở", K.OFFICE),
         ("TTKC", "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp", K.DEPARTMENT),
         ("KHTCTH", "Phòng Kế hoạch – Tài chính – Tổng hợp", K.DEPARTMENT),
         ("KTQLNL", "Phòng Kỹ thuật an toàn – Quản lý năng lượng", K.DEPARTMENT)],
        [("dn_director", "Dương Quốc Bảo", "LDS", [P.DIRECTOR], True),
         ("dn_deputy", "Thái Thị Ngọc Hân", "LDS", [P.DEPUTY_DIRECTOR], True),
         ("dn_cvp", "Lâm Văn Hiếu", "VPS", [P.OFFICE_CHIEF, P.HEAD], True),
         ("dn_clerk", "Văn Thị Thu Cúc", "VPS", [P.CLERK], True),
         ("dn_spec_vps", "Phùng Gia Huy", "VPS", [P.SPECIALIST], False),
         ("dn_head_ttkc", "Cao Minh Trí", "TTKC", [P.HEAD], True),
         ("dn_spec_ttkc", "Âu Thị Diệu", "TTKC", [P.SPECIALIST], False),
         ("dn_head_khtcth", "Ninh Văn Phát", "KHTCTH", [P.HEAD], True),
         ("dn_spec_khtcth", "Triệu Thị Hồng", "KHTCTH", [P.SPECIALIST], False),
         ("dn_head_ktqlnl", "Lạc Đức Toàn", "KTQLNL", [P.HEAD], True),
         ("dn_spec_ktqlnl", "Giang Thị Mơ", "KTQLNL", [P.SPECIALIST], False)],
        {"TTKC": "dn_deputy", "KHTCTH": "dn_deputy", "KTQLNL": "dn_deputy", "VPS": "dn_deputy"},
    ),
    DemoAgency(
        "vanninh", "Ủy ban nhân dân huyện Vạn Ninh", "UBND", "000.99.05.H34",
        [("LD", "Lãnh đạo Ủy ban nhân dân huyện", K.LEADERSHIP),
         ("VP", "Văn phòng HĐND và UBND huyện", K.OFFICE)],
        [("vn_chairman", "Tô Văn Hậu", "LD", [P.DIRECTOR], True),
         ("vn_vice", "Khúc Thị Hoa", "LD", [P.DEPUTY_DIRECTOR], True),
         ("vn_office_chief", "Ông Văn Tài", "VP", [P.OFFICE_CHIEF, P.HEAD], True),
         ("vn_clerk", "Thân Thị Liên", "VP", [P.CLERK], True),
         ("vn_spec_vp", "Doãn Minh Khang", "VP", [P.SPECIALIST], False)],
        {"VP": "vn_vice"},
    ),
    # Two organisations that exchange documents with the district inside one installation
    # (liên thông): one of its specialised offices, and a commune.
    DemoAgency(
        "vanninh_tckh", "Phòng Tài chính – Kế hoạch huyện Vạn Ninh", "TCKH", "000.99.06.H34",
        [("LDP", "Lãnh đạo Phòng", K.LEADERSHIP), ("CM", "Bộ phận chuyên môn", K.DEPARTMENT)],
        [("tckh_head", "Hứa Thanh Bình", "LDP", [P.DIRECTOR], True),
         ("tckh_clerk", "Nghiêm Thị Thoa", "CM", [P.CLERK], True),
         ("tckh_spec", "Lữ Văn Công", "CM", [P.SPECIALIST, P.HEAD], False)],
        {},
    ),
    DemoAgency(
        "vanninh_xa", "Ủy ban nhân dân xã Vạn Phước", "UBND", "000.99.07.H34",
        [("LDX", "Lãnh đạo Ủy ban nhân dân xã", K.LEADERSHIP), ("VPX", "Văn phòng – Thống kê xã", K.OFFICE)],
        [("xa_chairman", "Mẫn Văn Lợi", "LDX", [P.DIRECTOR], True),
         ("xa_clerk", "Ứng Thị Xuân", "VPX", [P.CLERK], True),
         ("xa_official", "Kha Văn Định", "VPX", [P.SPECIALIST, P.HEAD], False)],
        {},
    ),
]


# The exchange agreements the demo procedures need: Vạn Ninh's People's Committee assigns
# its Finance and Planning office (liên thông, processes/van_ninh/vn_lienthong*.bpmn).
AGREEMENTS = [("vanninh", "vanninh_tckh")]


def seed(session: Session, now: datetime, password: str = DEMO_PASSWORD) -> bool:
    """Create the demo agencies and staff that do not exist yet, and their exchange
    agreements; False if all agencies did."""
    hashed: str | None = None
    created = False
    for demo in AGENCIES:
        if session.scalar(select(Agency.id).where(Agency.code == demo.code)) is not None:
            continue
        hashed = hashed or hash_password(password)
        _seed_agency(session, demo, hashed)
        created = True
    exchange.seed(session, AGREEMENTS, now)
    return created


def register_certificates(session: Session, keys: Keys, now: datetime, password: str = DEMO_PASSWORD) -> int:
    """Register to each demo leader the certificate of the key the server holds for them (the demo
    PKI), as an administrator would; returns how many were registered."""
    from cryptography import x509

    from signing.keystore.keys import Pkcs12Key

    count = 0
    for demo in AGENCIES:
        for username, _, _, _, holds in demo.staff:
            path = keys.person_file(username, ".p12")
            user = session.scalar(select(User).where(User.username == username))
            if not holds or user is None or not path.is_file():
                continue
            key = Pkcs12Key.from_file(path, password)
            cert = x509.load_der_x509_certificate(key.certificate.dump())
            if any(c.spki_sha256 == certificates.spki_sha256(cert) for c in certificates.of_user(session, user.id)):
                continue  # registered by an earlier seed; a new demo PKI (qlvb pki init) adds its own
            chain = tuple(x509.load_der_x509_certificate(c.dump()) for c in key.chain)
            certificates.register(session, keys, user, cert, "demo", None, now, chain)
            count += 1
    return count


# One account per role for a newcomer to try, as ``qlvb serve`` prints them (Bắc Từ Liêm).
TRY_ACCOUNTS = [("Giám đốc (ký số)", "btl_director"), ("Phó Giám đốc", "btl_deputy1"),
                ("Trưởng phòng TCHC", "btl_office_chief"), ("Văn thư", "btl_clerk"),
                ("Trưởng phòng chuyên môn", "btl_head_khnv"), ("Chuyên viên", "btl_spec_khnv"),
                ("Quản trị", "btl_admin"), ("Thiết kế quy trình", "btl_designer"), ("Kiểm tra (audit)", "btl_auditor")]


def try_accounts(session: Session) -> list[tuple[str, str, str]]:
    """(role, username, full name) of TRY_ACCOUNTS that exist in this database: none before the seed."""
    names = {username: full_name for username, full_name in session.execute(
        select(User.username, User.full_name).where(User.username.in_([u for _, u in TRY_ACCOUNTS])))}
    return [(role, username, names[username]) for role, username in TRY_ACCOUNTS if username in names]


# Địa danh on each agency's date line (Decree 30 Appendix I: the district or province where it sits).
PLACE_NAMES = {"btl": "Bắc Từ Liêm", "laichau": "Lai Châu", "quangngai": "Quảng Ngãi", "dongnai": "Đồng Nai",
               "vanninh": "Vạn Ninh", "vanninh_tckh": "Vạn Ninh", "vanninh_xa": "Vạn Phước"}


def _seed_agency(session: Session, demo: DemoAgency, hashed: str) -> None:
    agency = Agency(code=demo.code, name=demo.name, abbreviation=demo.abbreviation, identifier_code=demo.identifier,
                    place_name=PLACE_NAMES[demo.code])
    session.add(agency)
    session.flush()
    registers.create_default_books(session, agency.id)
    units = {code: Unit(agency_id=agency.id, code=code, name=name, kind=kind) for code, name, kind in demo.units}
    session.add_all(units.values())
    session.flush()
    users = {}
    for username, full_name, unit_code, positions, certificate in demo.staff:
        user = User(username=username, full_name=full_name, password_hash=hashed, has_certificate=certificate,
                    email=f"{username}@demo.invalid")
        user.positions = [UserPosition(unit_id=units[unit_code].id, position=p) for p in positions]
        users[username] = user
    session.add_all(users.values())
    session.flush()
    for unit_code, username in demo.supervision.items():
        units[unit_code].supervisor_id = users[username].id
