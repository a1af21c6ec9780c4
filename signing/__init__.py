"""Digital signatures (PAdES): key sources, the Decree 30 appearance, verification.

Free of Flask, like ``engine``. The signing issue fills this package; until then the
signing steps of the procedures are plain user tasks whose decision is ``sign``.
"""
