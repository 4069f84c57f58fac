"""Cross-cutting protections: abuse limits, response security headers, log redaction."""
