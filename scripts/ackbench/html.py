"""Self-contained HTML reports: inline SVG figures and inline CSS, nothing fetched.

    r = Report("ackbench matrix report")
    r.markdown(text)      # headings (#, ##), lists, pipe tables, paragraphs
    r.heading("Plots"); r.paragraph("Whiskers: 95% intervals.")
    r.table(tables.Table)  # a Table as <table>
    r.figure(fig)         # a matplotlib figure as inline SVG
    r.html()              # the whole document
"""

from html import escape

from . import plots

CSS = """body { font-family: sans-serif; margin: 1.5em; max-width: 70em; color: #222 }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left }
th { background: #eee } div.plot { margin: 1em 0; border: 1px solid #eee }
div.plot svg { max-width: 100%; height: auto }
@media print { div.plot { break-inside: avoid } }"""


class Report:
    def __init__(self, title):
        self.title = title
        self.parts = []

    def raw(self, html_text):
        self.parts.append(html_text)

    def heading(self, text, level=2):
        self.parts.append(f"<h{level}>{escape(text)}</h{level}>")

    def paragraph(self, text):
        self.parts.append(f"<p>{escape(text)}</p>")

    def table(self, table):
        rows = ["<tr>" + "".join(f"<th>{escape(c.name)}</th>" for c in table.columns) + "</tr>"]
        for r in table.rows:
            rows.append("<tr>" + "".join(f"<td>{escape(t)}</td>" for t in table._texts(r))
                        + "</tr>")
        self.parts.append("<table>\n" + "\n".join(rows) + "\n</table>")

    def figure(self, fig):
        """FIG inline, as <svg class="plot">."""
        self.parts.append(f'<div class="plot">{plots.svg_text(fig)}</div>')

    def markdown(self, text):
        self.parts.append(markdown_to_html(text))

    def html(self):
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{escape(self.title)}</title>\n<style>\n{CSS}\n</style></head><body>\n"
                + "\n".join(self.parts) + "\n</body></html>\n")


def markdown_to_html(text):
    """The few markdown forms the reports write: # and ## headings, "- " lists, pipe
    tables (the |---| line skipped), paragraphs."""
    out, mode = [], None

    def close():
        nonlocal mode
        if mode:
            out.append({"table": "</table>", "ul": "</ul>", "p": "</p>"}[mode])
        mode = None

    for line in text.splitlines():
        if line.startswith("# ") or line.startswith("## "):
            close()
            lv = 1 if line.startswith("# ") else 2
            out.append(f"<h{lv}>{escape(line[lv + 1:])}</h{lv}>")
        elif line.startswith("|---"):
            continue
        elif line.startswith("| "):
            head = mode != "table"
            if head:
                close()
                out.append("<table>")
                mode = "table"
            cells = line[2:-2].split(" | ")
            tag = "th" if head else "td"
            out.append("<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>")
        elif line.startswith("- "):
            if mode != "ul":
                close()
                out.append("<ul>")
                mode = "ul"
            out.append(f"<li>{escape(line[2:])}</li>")
        elif not line.strip():
            close()
        else:
            if mode != "p":
                close()
                out.append("<p>")
                mode = "p"
            out.append(escape(line))
    close()
    return "\n".join(out)
