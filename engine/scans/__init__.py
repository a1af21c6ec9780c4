"""Scans of paper documents (bản quét): a clerk's upload is made a two-layer PDF/A with a
Vietnamese text layer by OCRmyPDF and Tesseract in the worker (never in a request), under a time
and memory budget, with its progress kept for the page; the register fields are read from the
text and offered to the clerk to confirm.

Owns the `scans` table. May import engine.core, engine.models, engine.audit, engine.documents,
engine.registry (the duplicate check) and engine.org.permissions; no web framework.
"""
