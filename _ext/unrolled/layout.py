"""Page layout: one header, and sidebar toggles that work.

sphinx-book-theme 1.3 puts the ☰ and "On this page" toggles, the search button and the
colour-mode switch in the article's own header. pydata-sphinx-theme 0.17 (its parent)
also renders a site-wide top bar whenever ``navbar_persistent`` is set, and sets it to a
search field by default: an empty bar with a second search box, whose own (hidden)
copies of the two toggles come first in the page, so the theme's scripts, which bind
``document.querySelector(".primary-toggle")``, bind the hidden copies and the visible
buttons do nothing. With nothing in the top bar the theme does not render it at all.
"""


def drop_top_bar(app, config):
    options = dict(config.html_theme_options or {})
    for key in ("navbar_start", "navbar_center", "navbar_end", "navbar_persistent"):
        options[key] = []
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", drop_top_bar)
