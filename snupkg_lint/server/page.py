"""The HTML page: every pushed package version, its symbol package and how the validation ended, as nuget.org's
package page and e-mail would say it."""

from __future__ import annotations

from html import escape

from snupkg_lint import __version__
from snupkg_lint.server.storage import FAILED, PENDING, Store

_STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
          "padding:.3em .6em;text-align:left;vertical-align:top}.failed{color:#a00}.succeeded{color:#060}"
          ".validating{color:#850}")


def _symbols_cell(status: str | None, result: dict | None) -> str:
    if status is None:
        return '<td class="none">no symbol package</td>'
    if status == PENDING:
        return '<td class="validating" data-status="validating">validating</td>'
    if status == FAILED and result and result.get("issue"):
        issue = result["issue"]
        return (f'<td class="failed" data-status="failed">failed: issue {escape(str(issue.get("code")))} '
                f'&mdash; {escape(issue.get("message") or "")}</td>')
    return f'<td class="{escape(status)}" data-status="{escape(status)}">{escape(status)}</td>'


def render(store: Store) -> str:
    symbols = {(s.id.upper(), s.version.upper()): s for s in store.all_symbols()}
    rows = []
    for p in store.packages():
        s = symbols.get((p.id.upper(), p.version.upper()))
        rows.append(f'<tr data-id="{escape(p.id)}" data-version="{escape(p.version)}"><td>{escape(p.id)}</td>'
                    f"<td>{escape(p.version)}</td><td>{escape(p.pushed or '')}</td>"
                    f"{_symbols_cell(s.status if s else None, s.result if s else None)}</tr>")
    body = "\n".join(rows) or '<tr><td colspan="4">nothing pushed yet</td></tr>'
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>snupkg-lint serve</title>'
            f"<style>{_STYLE}</style></head><body><h1>Pushed packages</h1>\n"
            f"<table><thead><tr><th>Id</th><th>Version</th><th>Pushed (UTC)</th><th>Symbols</th></tr></thead>"
            f"<tbody>\n{body}\n</tbody></table><p>snupkg-lint {escape(__version__)}</p></body></html>\n")
