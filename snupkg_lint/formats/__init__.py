"""Readers: bytes in, objects out. Nothing here decides a verdict."""
