"""A qualitative research workbench for interview studies: import, anonymise, code, quote and report."""

__version__ = "0.1.0"
