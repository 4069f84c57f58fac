"""Periodic work that must happen exactly once per occasion, whichever app process does it."""
