"""The shared vocabulary every context speaks: money, periods, ids, time and errors.

The kernel imports nothing from the rest of Sanyi and no framework.
"""
