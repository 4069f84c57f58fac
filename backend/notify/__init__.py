"""Telling people things: SMS now; inbox, push and live events as they land."""
