"""Read a page as its user does: the visible text, and the rows of its tables.

Asserting ``"13" in html`` passes on any page that has a 13 somewhere; asserting
the sentence the user reads, or a table row cell by cell, does not.
"""

from html.parser import HTMLParser

_INVISIBLE = {"script", "style", "head", "title", "template"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words = []
        self.rows = []
        self._hidden = 0
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag in _INVISIBLE:
            self._hidden += 1
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        self.words.append(" ")

    def handle_endtag(self, tag):
        if tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        self.words.append(" ")

    def handle_data(self, data):
        if self._hidden:
            return
        self.words.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _read(html):
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def text(html):
    """The page's visible text, whitespace collapsed: ``"Quote 250.00 RON New motor"``."""
    return " ".join("".join(_read(html).words).split())


def table_rows(html):
    """Every table row of the page as a list of its cells' texts, header rows included."""
    return _read(html).rows
