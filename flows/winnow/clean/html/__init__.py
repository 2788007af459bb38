"""HTML pages: trafilatura is the engine; winnow picks its settings and keeps its metadata.

One module per job, in the order a page goes through them:

- ``parser``: the one parser every step shares (trafilatura's settings, element classes from C);
- ``extract``: parse once, the pre-passes, and ``clean_html`` that strings it all;
- ``candidates``: readability-lxml's body, trafilatura's when in doubt, and the choice;
- ``metadata``: title, author, date, url, site name (trafilatura's readers);
- ``blocks``: trafilatura's body as lines that know their share of link text on the page;
- ``chunks``: a body split over identical containers gets its missing chunks back;
- ``chrome`` and ``related``: the title repeated as the first line, promotional lines,
  related-story callouts;
- ``pagetype``: a list of headlines and teasers is not an article;
- ``patterns``: the phrases and thresholds these rules read (data, not code).
"""

from winnow.clean.html.extract import clean_html

__all__ = ["clean_html"]
