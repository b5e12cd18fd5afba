"""Sanyi (三医): a platform for a region's linked reform of healthcare, insurance and medicines."""

__version__ = "0.1.0"
