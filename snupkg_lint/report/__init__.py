"""Reporters: turn package reports into text for people or JSON for machines."""
