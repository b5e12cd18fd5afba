"""Registry: areas, institutions, medical groups, practitioners and residents with their enrollment."""
