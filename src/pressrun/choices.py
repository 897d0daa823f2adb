"""The names and one-line descriptions of print profiles and editions.

Kept apart from ``geometry`` so that the command line can show them without
importing the document model: ``pressrun --help`` must start fast.
"""

PROFILES = {
    "home": "colour allowed, no bleed: office and home printers",
    "grayscale": "everything in grey: predictable on a laser printer",
    "press": "3 mm bleed, crop marks, PDF/X-4, pictures checked for 300 dpi",
}
EDITIONS = {
    "standard": "the manuscript's page size and type",
    "large-print": "A4, 18 pt type (nothing under 16 pt), ragged right, no hyphenation",
}
BLEED = ("press",)
"""Profiles with bleed, which a press imposes itself (no --booklet)."""
