"""The web app: JSON API under /api, server-rendered pages, public disclosure pages."""
