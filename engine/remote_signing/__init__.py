"""Ký số từ xa in the procedures: each agency's remote signing services (:mod:`.providers`) and a
leader's signature approved on their phone (:mod:`.flow`). The protocols are in signing.remote.

May import: engine.core, engine.models, engine.audit, engine.documents, engine.office,
engine.org, engine.signatures, engine.workflow, signing.
"""
