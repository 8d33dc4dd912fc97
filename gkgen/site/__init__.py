"""The site's pages: page views, tables, charts and the Jinja2 rendering."""
