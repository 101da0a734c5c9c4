"""Tables from records: one Table renders as aligned text, markdown or CSV.

    t = Table([Column("mode", 11, "<"), Column("size", 8), Column("p50", 9, fmt="{:.1f}")])
    t.add("keep", 64, 23.5)
    t.text()  ->  "mode            size       p50\nkeep              64      23.5"
A cell that is None prints as "-"; a str is printed as it is (no fmt).
"""

import csv
import io
from dataclasses import dataclass
from typing import List, Optional


@dataclass
class Column:
    name: str
    width: int = 0  # text: at least this wide
    align: str = ">"  # text: "<" left, ">" right
    fmt: Optional[str] = None  # for numbers, e.g. "{:.1f}"
    sep: str = " "  # text: what goes before this column (not before the first)


def cell_text(value, fmt=None):
    if value is None:
        return "-"
    if isinstance(value, str) or fmt is None:
        return str(value)
    return fmt.format(value)


class Table:
    def __init__(self, columns: List[Column]):
        self.columns = columns
        self.rows: List[list] = []

    def add(self, *values):
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        self.rows.append(list(values))

    def _texts(self, row):
        return [cell_text(v, c.fmt) for v, c in zip(row, self.columns)]

    def _line(self, texts):
        out = ""
        for i, (t, c) in enumerate(zip(texts, self.columns)):
            out += ("" if i == 0 else c.sep) + f"{t:{c.align}{c.width}}"
        return out.rstrip() if self.columns[-1].align == "<" else out

    def text(self, header=True) -> str:
        """Aligned columns, the header first."""
        lines = [self._line([c.name for c in self.columns])] if header else []
        lines += [self._line(self._texts(r)) for r in self.rows]
        return "\n".join(lines)

    def markdown(self) -> str:
        esc = [lambda s: s.replace("|", "\\|")] * len(self.columns)
        lines = ["| " + " | ".join(c.name for c in self.columns) + " |",
                 "|" + "---|" * len(self.columns)]
        for r in self.rows:
            lines.append("| " + " | ".join(e(t) for e, t in zip(esc, self._texts(r))) + " |")
        return "\n".join(lines)

    def csv(self, sep=",") -> str:
        """CSV (or, with sep="\\t", tab-separated values), a header row first."""
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=sep, lineterminator="\n")
        w.writerow([c.name for c in self.columns])
        for r in self.rows:
            w.writerow(self._texts(r))
        return buf.getvalue()
