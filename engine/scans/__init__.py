"""Scans of paper documents (bản quét): a clerk's upload is made a two-layer PDF/A with a
Vietnamese text layer by OCRmyPDF and Tesseract in the worker (never in a request), under a time
and memory budget, with its progress kept for the page; the register fields are read from the
text and offered to the clerk to confirm; registered, the recognised file is signed by the agency
with the conversion mark (Law on Electronic Transactions 2023 Art. 12 cl. 1) as the copy of record.

Owns the `scans` table. May import engine.core, engine.models, engine.audit, engine.documents,
engine.registry (the duplicate check), engine.signatures (the agency's key and signing policy) and
engine.org.permissions; no web framework.
"""
