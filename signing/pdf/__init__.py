"""The PDF before and around a signature: preparing a draft (its fields, number and date), finding
where the number and date go, what signatures look like on the page (Decree 30 Appendix I) and
their fonts and images, the copy forms (sao y, sao lục, trích sao) and the conversion mark of a
paper document's scan."""
