"""Task forms in the pages: a form's JSON Schema turned into fields to render, and the posted
form read back into data for ``engine``'s checks (``fields``). Imports only ``engine``."""
