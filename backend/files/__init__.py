"""Uploaded photos (of jobs, receipts): checked by content, re-encoded, stored, served safely."""
