"""Pages of documents and their books: a document with its files, the document lists (văn bản đến, đi,
nội bộ, để biết), the clerk's intake, void/recall decisions, placement of number and date, search,
văn bản để biết, the register books and the records (hồ sơ)."""
