"""Full-text search over the body of each document's main PDF (tìm kiếm toàn văn): the text is
extracted after the upload's transaction by a bounded extractor, kept per document, and its
folded words join the document's ``search_text``, the one index of ``engine.documents.search``."""
