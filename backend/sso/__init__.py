"""Signing in through someone else: WeChat web authorisation (residents), OpenID Connect (staff)."""
