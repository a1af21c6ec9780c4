"""The staff's office work: document lists, who holds a document, people by name and position."""
