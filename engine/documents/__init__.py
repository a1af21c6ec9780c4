"""Documents and their files: drafts, registration and issuance (documents), document types,
the work tree (who was given what), circulation, file storage and versions, safe file names,
PDF checks and page counts, and search with its diacritic folding (textfold).

Numbers are taken only through engine.registry.registers. Who may see a document is asked of
engine.org.permissions. May import: engine.core, engine.models, engine.org, engine.audit,
engine.registry, signing.
"""
