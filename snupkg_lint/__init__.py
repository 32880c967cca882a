"""snupkg-lint: an offline validator and linter for NuGet symbol packages (.snupkg)."""

__version__ = "0.1.0"
