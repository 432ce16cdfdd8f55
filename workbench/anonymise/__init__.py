"""Anonymisation: find identifiers, let a reviewer decide, replace them with placeholders, sign transcripts off."""
