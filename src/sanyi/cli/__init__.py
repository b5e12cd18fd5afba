"""The ``sanyi`` command line: one thin module per part of the platform."""
