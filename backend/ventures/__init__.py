"""Micro-venture rounds (公益创投 / 金点子): needs, proposals, review, selection, disclosure."""
