"""Printouts (bản in) that can be checked: every register, report and document the platform
prints carries the system's name, the owning agency, the print time and person and a lookup code
with its QR code (Law on Electronic Transactions 2023 Art. 12.2; Decree 137/2024/NĐ-CP Art. 5);
the public lookup says what a code was printed from and nothing more.

Owns the `printouts` table and the footer drawn on printed pages. May import engine.core,
engine.models, engine.audit, engine.org.permissions and the PDF libraries; imports no web
framework and no other domain package (reporting and registry import it).
"""
