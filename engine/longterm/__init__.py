"""Signatures under the 2025 rules (Circular 15/2025/TT-BKHCN, Decree 23/2025/NĐ-CP), the part
that needs the database: each agency's signing settings, the trust store administrators keep, and
the evidence recorded with each signature. The cryptography is in :mod:`signing`."""
