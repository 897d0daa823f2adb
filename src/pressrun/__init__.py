"""pressrun: one manuscript, a print-ready PDF and a valid EPUB 3."""

__version__ = "0.1.0"
