"""The explorer: one offline HTML page to step through a trace, see every number's origin,
and train the network live. ``write_page(trace, path)``; ``Explorer`` for notebooks."""

from glassnet.explorer.page import Explorer, page_html, write_page

__all__ = ["Explorer", "page_html", "write_page"]
